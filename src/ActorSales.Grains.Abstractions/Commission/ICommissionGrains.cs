using ActorSales.Domain.Commission;
using ActorSales.Domain.Identity;

namespace ActorSales.Grains.Abstractions.Commission;

/// <summary>A commission plan's versions (key: the plan id: a team id, or "default"). Calls nothing.</summary>
[Alias("actorsales.ICommissionPlanGrain")]
public interface ICommissionPlanGrain : IGrainWithStringKey
{
    /// <summary>Stores a new version unless it equals the latest (then returns the latest); admins and finance.</summary>
    [Alias("Define")]
    Task<CommissionPlan> Define(CommissionPlanDraft draft, Caller caller);

    /// <summary>The latest version (0) or a given one; null if none.</summary>
    [Alias("Get"), ReadOnly, AlwaysInterleave]
    Task<CommissionPlan?> Get(int version);

    /// <summary>The version in force for the period: the latest effective on or before its first day; null if none.</summary>
    [Alias("InForce"), ReadOnly, AlwaysInterleave]
    Task<CommissionPlan?> InForce(CommissionPeriod period);
}

/// <summary>
/// A rep's commission statements (key: the salesperson id): drafts computed from the read model (through
/// <see cref="ICommissionFacts"/>) on every read, approved ones frozen, final ones never changed, and what final ones paid
/// per payment. Calls the salesperson (identity), the plans, the pipelines (key actions) and the period index.
/// </summary>
[Alias("actorsales.ICommissionStatementsGrain")]
public interface ICommissionStatementsGrain : IGrainWithStringKey
{
    /// <summary>The stored statement of the period, or a draft computed now.</summary>
    [Alias("Calculate"), ReadOnly]
    Task<CommissionStatement> Calculate(CommissionPeriod period, Caller caller);

    /// <summary>A draft of an open period with what-if payments; stores nothing.</summary>
    [Alias("WhatIf"), ReadOnly]
    Task<CommissionStatement> WhatIf(CommissionPeriod period, IReadOnlyList<HypotheticalPaymentDraft> payments, Caller caller);

    /// <summary>Freezes the period's draft (etag: what the approver saw; empty: whatever it is now).</summary>
    [Alias("Approve")]
    Task<CommissionStatement> Approve(CommissionPeriod period, string etag, Caller caller);

    [Alias("Finalise")]
    Task<CommissionStatement> Finalise(CommissionPeriod period, Caller caller);
}

/// <summary>A stored statement as the period index lists it.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.StatementEntry")]
public sealed record StatementEntry(
    [property: Id(0)] string SalespersonId,
    [property: Id(1)] string TeamId,
    [property: Id(2)] StatementStatus Status,
    [property: Id(3)] IReadOnlyList<CurrencyAmount> Payable,
    [property: Id(4)] string ApprovedBy,
    [property: Id(5)] string FinalisedBy,
    [property: Id(6)] long Version);

/// <summary>The approved and final statements of one period (key: "YYYY-MM"), for ListStatements. A leaf.</summary>
[Alias("actorsales.ICommissionPeriodIndexGrain")]
public interface ICommissionPeriodIndexGrain : IGrainWithStringKey
{
    /// <summary>Adds or replaces the rep's entry unless it is older than the one held (by the statements grain's version).</summary>
    [Alias("Put")]
    Task Put(StatementEntry entry);

    [Alias("List"), ReadOnly, AlwaysInterleave]
    Task<IReadOnlyList<StatementEntry>> List();
}

/// <summary>
/// The facts a statement is computed from, read from the read model (a port: the read side implements it, grains only
/// call it; payments never come from the order grains). A silo without a read model registers none, and statements
/// then answer UNAVAILABLE.
/// </summary>
public interface ICommissionFacts
{
    /// <summary>Payments of the rep's orders received in [from, to), reversed ones included (flagged), with their orders' lines.</summary>
    Task<IReadOnlyList<CollectedPayment>> PaymentsReceivedAsync(string ownerId, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default);

    /// <summary>Payments of the rep's orders recorded or reversed in [from, to).</summary>
    Task<IReadOnlyList<CollectedPayment>> PaymentsChangedAsync(string ownerId, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default);

    /// <summary>
    /// The rep's process metrics in [from, to): effective visits, and the journey penetration of the deals they opened,
    /// whose pipeline versions <paramref name="pipelines"/> gives (key, version) for their key actions.
    /// </summary>
    Task<ProcessActuals> ProcessAsync(
        string ownerId, DateTimeOffset from, DateTimeOffset to, Func<string, int, Task<Domain.Pipeline.PipelineDefinition?>> pipelines, CancellationToken cancellationToken = default);
}
