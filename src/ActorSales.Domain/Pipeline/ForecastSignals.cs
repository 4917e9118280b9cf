using ActorSales.Domain.Common;
using ActorSales.Domain.Errors;

namespace ActorSales.Domain.Pipeline;

/// <summary>How far the customer has committed; each level is shown by evidence, never by a promise.</summary>
public enum ForecastSignal
{
    None = 0,
    /// <summary>The customer asked for a price.</summary>
    L1 = 1,
    /// <summary>The customer accepted a demo.</summary>
    L2 = 2,
    /// <summary>The customer named their decision chain.</summary>
    L3 = 3,
    /// <summary>The customer agreed a contract-review date.</summary>
    L4 = 4,
}

/// <summary>Weights of the signal levels in percent (configuration; defaults from sales teams' field reports).</summary>
public sealed class ForecastWeights
{
    public int L1 { get; set; } = 10;
    public int L2 { get; set; } = 30;
    public int L3 { get; set; } = 65;
    public int L4 { get; set; } = 100;

    public decimal Of(ForecastSignal signal) => signal switch
    {
        ForecastSignal.L1 => L1 / 100m,
        ForecastSignal.L2 => L2 / 100m,
        ForecastSignal.L3 => L3 / 100m,
        ForecastSignal.L4 => L4 / 100m,
        _ => 0m,
    };
}

/// <summary>Open deals of one owner in one currency at one signal: how many, and their summed amount.</summary>
public sealed record ForecastPart(string OwnerId, string Currency, ForecastSignal Signal, long Count, decimal Amount);

public static class ForecastRules
{
    /// <summary>Evidence kind each level needs on the opportunity.</summary>
    public static string EvidenceKindFor(ForecastSignal signal) => signal switch
    {
        ForecastSignal.L1 => "price_request",
        ForecastSignal.L2 => "demo_acceptance",
        ForecastSignal.L3 => "decision_chain",
        ForecastSignal.L4 => "contract_review_date",
        _ => throw new ValidationException("signal", "must be SIGNAL_L1..SIGNAL_L4"),
    };

    /// <summary>
    /// Whether the opportunity may carry <paramref name="signal"/>: its evidence kind is present; L3 also needs at
    /// least two decision makers with name, title and a contact, whose emails share a domain of the customer's; L4
    /// needs the agreed review date.
    /// </summary>
    public static void EnsureMayClaim(
        ForecastSignal signal, IReadOnlySet<string> evidenceKinds, IReadOnlyList<DecisionMaker> decisionMakers,
        IReadOnlySet<string> customerEmailDomains, DateTimeOffset? contractReviewAt)
    {
        var kind = EvidenceKindFor(Guard.Enum(signal, "signal"));
        if (!evidenceKinds.Contains(kind))
        {
            throw new PreconditionFailedException($"signal {signal} needs evidence of kind '{kind}'");
        }
        if (signal == ForecastSignal.L3)
        {
            EnsureDecisionChain(decisionMakers, customerEmailDomains);
        }
        if (signal == ForecastSignal.L4 && contractReviewAt is null)
        {
            throw new ValidationException("contract_review_at", "is required for signal L4");
        }
    }

    public static decimal Weighted(decimal amount, ForecastSignal signal, ForecastWeights weights) => amount * weights.Of(signal);

    /// <summary>Sums open amounts and weighted amounts per currency (never across currencies), ordered by currency.</summary>
    public static IReadOnlyList<CurrencyForecast> Aggregate(IEnumerable<(Money Value, ForecastSignal Signal)> opportunities, ForecastWeights weights) =>
        Combine(opportunities.Select(o => new CurrencyForecast(o.Value.Currency, o.Value.Amount, Weighted(o.Value.Amount, o.Signal, weights), 1)));

    /// <summary>
    /// The forecast of open deals summed per signal (a read model's grouping): the same figures as <see cref="Aggregate"/>
    /// over the deals themselves, since a weighted amount is the amount times its signal's weight, unrounded.
    /// </summary>
    public static IReadOnlyList<CurrencyForecast> FromParts(IEnumerable<ForecastPart> parts, ForecastWeights weights) =>
        Combine(parts.Select(p => new CurrencyForecast(p.Currency, p.Amount, Weighted(p.Amount, p.Signal, weights), checked((int)p.Count))));

    /// <summary>Adds forecasts of several scopes (reps into a team, teams into a region).</summary>
    public static IReadOnlyList<CurrencyForecast> Combine(IEnumerable<CurrencyForecast> parts) =>
        parts.GroupBy(p => p.Currency, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new CurrencyForecast(g.Key, g.Sum(p => p.OpenAmount), g.Sum(p => p.WeightedAmount), g.Sum(p => p.Count)))
            .ToList();

    private static void EnsureDecisionChain(IReadOnlyList<DecisionMaker> people, IReadOnlySet<string> domains)
    {
        if (people.Count < 2)
        {
            throw new PreconditionFailedException("signal L3 needs at least two decision makers with name, title and a contact");
        }
        for (var i = 0; i < people.Count; i++)
        {
            var person = people[i];
            var field = $"decision_makers[{i}]";
            Guard.Required(person.Name, field + ".name");
            Guard.Required(person.Title, field + ".title");
            if (string.IsNullOrWhiteSpace(person.Email) && string.IsNullOrWhiteSpace(person.Phone))
            {
                throw new ValidationException(field, "needs an email or a phone number");
            }
            if (!string.IsNullOrWhiteSpace(person.Email))
            {
                var at = person.Email.LastIndexOf('@');
                var domain = at > 0 ? person.Email[(at + 1)..].Trim().ToLowerInvariant() : string.Empty;
                if (!domains.Contains(domain))
                {
                    throw new PreconditionFailedException(domains.Count == 0
                        ? $"{field}.email: the customer has no email domain on record to check it against; add a contact with a company email first"
                        : $"{field}.email: '{domain}' is not the customer's domain ({string.Join(", ", domains)})");
                }
            }
        }
    }
}

/// <summary>One currency's open and weighted pipeline.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.CurrencyForecast")]
public sealed record CurrencyForecast(
    [property: Id(0)] string Currency,
    [property: Id(1)] decimal OpenAmount,
    [property: Id(2)] decimal WeightedAmount,
    [property: Id(3)] int Count);
