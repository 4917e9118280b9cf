using ActorSales.Domain.Common;
using ActorSales.Domain.Errors;

namespace ActorSales.Domain.Pipeline;

/// <summary>A typed piece of evidence on an opportunity: a document or link someone can check.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.Evidence")]
public sealed record Evidence(
    [property: Id(0)] string Kind,
    [property: Id(1)] string Reference,
    [property: Id(2)] string Note,
    [property: Id(3)] string AddedBy,
    [property: Id(4)] DateTimeOffset AddedAt);

/// <summary>A person in the customer's decision chain (forecast signal L3).</summary>
[GenerateSerializer, Immutable, Alias("actorsales.DecisionMaker")]
public sealed record DecisionMaker(
    [property: Id(0)] string Name,
    [property: Id(1)] string Title,
    [property: Id(2)] string Email,
    [property: Id(3)] string Phone);

public static class EvidenceRules
{
    /// <summary>Kinds that are never evidence: what was said is not what was shown.</summary>
    private static readonly HashSet<string> NotEvidence = new(StringComparer.OrdinalIgnoreCase) { "verbal", "verbal_promise", "phone_promise" };

    /// <summary>Validates evidence an owner adds: a known kind and a reference (document id or URL) to check.</summary>
    public static (string Kind, string Reference, string Note) Validate(string kind, string reference, string note)
    {
        var validKind = Guard.Id(kind, "kind");
        if (NotEvidence.Contains(validKind))
        {
            throw new ValidationException("kind", "a verbal promise is not evidence; attach the document, email or recording that shows it");
        }
        var validReference = Guard.Required(reference, "reference", 2_000);
        if (validReference.Contains("://", StringComparison.Ordinal) &&
            (!Uri.TryCreate(validReference, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http")))
        {
            throw new ValidationException("reference", "must be a document id or an http(s) URL");
        }
        return (validKind, validReference, Guard.Optional(note, "note", Limits.SummaryMaxLength));
    }
}
