using ActorSales.Domain.Pipeline;

namespace ActorSales.Domain.Customers;

/// <summary>
/// The grade computed from a customer's record by <see cref="CustomerGrading"/> (A+ the best); shown beside the tier a
/// salesperson sets by hand, never replacing it.
/// </summary>
public enum CustomerGrade
{
    Unspecified = 0,
    APlus = 1,
    A = 2,
    B = 3,
    C = 4,
}

/// <summary>The names of the grading factors, as the API shows them.</summary>
public static class GradeFactors
{
    public const string PurchasePotential = "purchase_potential";
    public const string CooperationStage = "cooperation_stage";
    public const string DecisionChain = "decision_chain";
    public const string InteractionFrequency = "interaction_frequency";
    public const string PaymentRecord = "payment_record";
}

/// <summary>What caused a recompute; kept with the grade and its history.</summary>
public static class GradeTriggers
{
    public const string Registered = "registered";
    public const string Updated = "updated";
    public const string Activity = "activity";
    public const string Deal = "deal";
    public const string Payment = "payment";
    public const string Scheduled = "scheduled";
}

/// <summary>
/// One factor of a grade: what was measured (<paramref name="RawValue"/>, described by <paramref name="Detail"/>), its
/// score 0..100, its configured weight, and what it added to the total (score x weight / sum of weights).
/// </summary>
[GenerateSerializer, Immutable, Alias("actorsales.GradeFactorScore")]
public sealed record GradeFactorScore(
    [property: Id(0)] string Factor,
    [property: Id(1)] decimal RawValue,
    [property: Id(2)] string Detail,
    [property: Id(3)] int Score,
    [property: Id(4)] int Weight,
    [property: Id(5)] decimal Contribution);

/// <summary>A computed grade: the total score 0..100 (one decimal), the grade its thresholds give, and each factor.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.GradeResult")]
public sealed record GradeResult(
    [property: Id(0)] CustomerGrade Grade,
    [property: Id(1)] decimal Score,
    [property: Id(2)] IReadOnlyList<GradeFactorScore> Factors,
    [property: Id(3)] DateTimeOffset ComputedAt,
    [property: Id(4)] string Trigger);

/// <summary>One change of a customer's grade (the first entry is the grade given at registration or first computation).</summary>
[GenerateSerializer, Immutable, Alias("actorsales.GradeChange")]
public sealed record GradeChange(
    [property: Id(0)] CustomerGrade From,
    [property: Id(1)] CustomerGrade To,
    [property: Id(2)] decimal Score,
    [property: Id(3)] DateTimeOffset At,
    [property: Id(4)] string Trigger);

/// <summary>
/// What a customer knows of one of its deals, as the deal last reported it (opportunity -> customer, the allowed
/// direction): status, value, forecast signal, the decision makers it named (normalised keys: email, else name), when
/// it closed, and the deal's version at the report (an older report never overwrites a newer one).
/// </summary>
[GenerateSerializer, Immutable, Alias("actorsales.DealFacts")]
public sealed record DealFacts(
    [property: Id(0)] OpportunityStatus Status,
    [property: Id(1)] Money Value,
    [property: Id(2)] ForecastSignal Signal,
    [property: Id(3)] IReadOnlyList<string> DecisionMakerKeys,
    [property: Id(4)] DateTimeOffset? ClosedAt,
    [property: Id(5)] long Version)
{
    /// <summary>The key of a decision maker or key contact: the lower-cased email, else the lower-cased name.</summary>
    public static string PersonKey(string name, string email) =>
        string.IsNullOrWhiteSpace(email) ? "name:" + name.Trim().ToLowerInvariant() : email.Trim().ToLowerInvariant();

    public bool Equals(DealFacts? other) =>
        other is not null && Status == other.Status && Value == other.Value && Signal == other.Signal
        && ClosedAt == other.ClosedAt && Version == other.Version && DecisionMakerKeys.SequenceEqual(other.DecisionMakerKeys);

    public override int GetHashCode() => HashCode.Combine(Status, Value, Signal, ClosedAt, Version, DecisionMakerKeys.Count);
}
