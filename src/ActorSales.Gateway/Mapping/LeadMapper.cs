using ActorSales.Domain.Common;
using ActorSales.Domain.Errors;
using ActorSales.Domain.Leads;
using V1 = ActorSales.Contracts.V1;

namespace ActorSales.Gateway.Mapping;

/// <summary>Leads: proto to domain. Enums keep their numbers, so an unknown number reaches the rule that names the field.</summary>
public static class LeadMapper
{
    public const int MaxImportRows = 10_000;

    public static LeadInput ToInput(V1.LeadInput? lead, string prefix = "lead.")
    {
        if (lead is null)
        {
            throw new ValidationException(prefix.TrimEnd('.'), "is required");
        }
        if (lead.Phones.Count > LeadRules.MaxPhones)
        {
            throw new ValidationException(prefix + "phones", $"at most {LeadRules.MaxPhones} phones");
        }
        return new LeadInput(
            (Domain.Customers.SourceChannel)lead.SourceChannel,
            RequestMapper.RequiredTimestamp(lead.ArrivedAt, prefix + "arrived_at"),
            lead.Name, lead.Company, [.. lead.Phones], lead.Email, lead.Notes);
    }

    public static LeadBasics ToBasics(V1.RecordLeadBasicsRequest request)
    {
        if (request.Phones.Count > LeadRules.MaxPhones)
        {
            throw new ValidationException("phones", $"at most {LeadRules.MaxPhones} phones");
        }
        if (request.UpdatePaths.Count > LeadRules.BasicsPaths.Count)
        {
            throw new ValidationException("update_paths", $"at most {LeadRules.BasicsPaths.Count} paths");
        }
        return new LeadBasics([.. request.UpdatePaths], request.Name, request.Company, [.. request.Phones], request.Email, request.Notes);
    }

    public static LeadContactDraft ToDraft(V1.LogLeadContactRequest request) => new(
        (Domain.Customers.ActivityKind)request.Kind,
        RequestMapper.RequiredTimestamp(request.OccurredAt, "occurred_at"),
        request.Summary,
        request.Kind == V1.ActivityKind.Call ? request.DurationSeconds : null);

    public static LeadQualificationDraft ToDraft(V1.QualifyLeadRequest request) =>
        new((LeadQualification)request.Qualification, (LeadDisqualifyReason)request.Reason, request.Note);

    /// <summary>The team a request names, else the caller's.</summary>
    public static string TeamOf(string teamId, string? callerTeamId, string field = "team_id") =>
        RequestMapper.OptionalId(teamId, field) ?? callerTeamId ?? throw new ValidationException(field, "is required (you belong to no team)");

    /// <summary>One import row's result from what creating its lead threw (or did not).</summary>
    public static V1.ImportRowResult RowResult(int row, string requestId, string leadId, Exception? failure) => failure switch
    {
        null => new V1.ImportRowResult { Row = row, RequestId = requestId, Outcome = V1.ImportOutcome.Created, LeadId = leadId },
        AlreadyExistsException same when same.ExistingId == leadId =>
            new V1.ImportRowResult { Row = row, RequestId = requestId, Outcome = V1.ImportOutcome.Created, LeadId = leadId },
        AlreadyExistsException duplicate => new V1.ImportRowResult
        {
            Row = row, RequestId = requestId, Outcome = V1.ImportOutcome.Duplicate,
            DuplicateOfKind = duplicate.ExistingId.StartsWith("cus_", StringComparison.Ordinal) ? "customer" : "lead",
            DuplicateOfId = duplicate.ExistingId, DuplicateOfOwnerId = duplicate.ExistingOwnerId ?? string.Empty, Message = duplicate.Message,
        },
        ValidationException invalid => new V1.ImportRowResult
        {
            Row = row, RequestId = requestId, Outcome = V1.ImportOutcome.Invalid, Field = invalid.Field, Message = invalid.Message,
        },
        PreconditionFailedException reused => new V1.ImportRowResult
        {
            Row = row, RequestId = requestId, Outcome = V1.ImportOutcome.Invalid, Field = "request_id", Message = reused.Message,
        },
        _ => throw failure,
    };

    public static V1.ImportRowResult Invalid(int row, string requestId, string field, string message) =>
        new() { Row = row, RequestId = requestId, Outcome = V1.ImportOutcome.Invalid, Field = field, Message = message };

    public static V1.ImportRowResult DuplicateOfRow(int row, string requestId, int earlier) => new()
    {
        Row = row, RequestId = requestId, Outcome = V1.ImportOutcome.Duplicate, DuplicateOfKind = "row",
        DuplicateOfId = earlier.ToString(System.Globalization.CultureInfo.InvariantCulture),
        Message = $"the same phone or email as row {earlier} of this import",
    };
}
