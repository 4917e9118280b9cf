namespace ActorSales.Domain.Commission;

/// <summary>A process metric a plan ties part of the variable pay to (numbers as in commission.proto's ProcessMetric).</summary>
public enum ProcessMetric
{
    Unspecified = 0,
    /// <summary>Visits with a summary the rep logged in the period (as GetProcessHealth counts them).</summary>
    EffectiveVisits = 1,
    /// <summary>The average journey penetration (percent) of the deals the rep opened in the period.</summary>
    JourneyPenetration = 2,
}

/// <summary>A marginal tier: the rate applies to the part of the cumulative amount from <see cref="From"/> up to the next tier's start.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.CommissionTier")]
public sealed record CommissionTier([property: Id(0)] decimal From, [property: Id(1)] decimal RatePercent);

/// <summary>
/// Everything of a plan that is an amount, for one currency: the collection tiers, the statement's cap and floor, the
/// process component's amount and the channel-partner rebate thresholds (null / 0: none).
/// </summary>
[GenerateSerializer, Immutable, Alias("actorsales.CurrencySchedule")]
public sealed record CurrencySchedule(
    [property: Id(0)] string Currency,
    [property: Id(1)] IReadOnlyList<CommissionTier> Tiers,
    [property: Id(2)] decimal? Cap,
    [property: Id(3)] decimal? Floor,
    [property: Id(4)] decimal ProcessAmount,
    [property: Id(5)] IReadOnlyList<CommissionTier> RebateTiers);

/// <summary>A product line's own rate, which replaces the tier rate for the collected amount allocated to that line.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.ProductLineRate")]
public sealed record ProductLineRate([property: Id(0)] string ProductLine, [property: Id(1)] decimal RatePercent);

/// <summary>One process metric's share (weight, percent of the process amount) and the target that earns all of it.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.ProcessMetricTerm")]
public sealed record ProcessMetricTerm([property: Id(0)] ProcessMetric Metric, [property: Id(1)] decimal WeightPercent, [property: Id(2)] decimal Target);

/// <summary>
/// One immutable version of a commission plan. The plan whose id is a team's id applies to that team's reps; the plan
/// <c>default</c> to everyone else. The version in force for a period is the latest whose <see cref="EffectiveFrom"/> is
/// on or before the period's first day.
/// </summary>
[GenerateSerializer, Immutable, Alias("actorsales.CommissionPlan")]
public sealed record CommissionPlan(
    [property: Id(0)] string PlanId,
    [property: Id(1)] int Version,
    [property: Id(2)] string Name,
    [property: Id(3)] DateOnly EffectiveFrom,
    [property: Id(4)] IReadOnlyList<CurrencySchedule> Schedules,
    [property: Id(5)] IReadOnlyList<ProductLineRate> ProductLineRates,
    [property: Id(6)] IReadOnlyList<ProcessMetricTerm> ProcessMetrics,
    [property: Id(7)] string DefinedBy,
    [property: Id(8)] DateTimeOffset DefinedAt)
{
    public const string DefaultPlanId = "default";

    public CurrencySchedule? ScheduleFor(string currency) => Schedules.FirstOrDefault(s => s.Currency == currency);

    public ProductLineRate? RateFor(string productLine) =>
        productLine.Length == 0 ? null : ProductLineRates.FirstOrDefault(r => string.Equals(r.ProductLine, productLine, StringComparison.OrdinalIgnoreCase));
}

/// <summary>Amounts as requested (decimal strings), before validation; field paths are those of DefinePlanRequest.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.CommissionPlanDraft")]
public sealed record CommissionPlanDraft(
    [property: Id(0)] string Name,
    [property: Id(1)] string EffectiveFrom,
    [property: Id(2)] IReadOnlyList<CurrencyScheduleDraft> Schedules,
    [property: Id(3)] IReadOnlyList<RateDraft> ProductLineRates,
    [property: Id(4)] IReadOnlyList<ProcessMetricDraft> ProcessMetrics);

[GenerateSerializer, Immutable, Alias("actorsales.CurrencyScheduleDraft")]
public sealed record CurrencyScheduleDraft(
    [property: Id(0)] string Currency,
    [property: Id(1)] IReadOnlyList<TierDraft> Tiers,
    [property: Id(2)] string Cap,
    [property: Id(3)] string Floor,
    [property: Id(4)] string ProcessAmount,
    [property: Id(5)] IReadOnlyList<TierDraft> RebateTiers);

[GenerateSerializer, Immutable, Alias("actorsales.TierDraft")]
public sealed record TierDraft([property: Id(0)] string From, [property: Id(1)] string RatePercent);

[GenerateSerializer, Immutable, Alias("actorsales.RateDraft")]
public sealed record RateDraft([property: Id(0)] string ProductLine, [property: Id(1)] string RatePercent);

[GenerateSerializer, Immutable, Alias("actorsales.ProcessMetricDraft")]
public sealed record ProcessMetricDraft([property: Id(0)] ProcessMetric Metric, [property: Id(1)] string WeightPercent, [property: Id(2)] string Target);
