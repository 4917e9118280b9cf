using ForecastPart = ActorSales.Domain.Pipeline.ForecastPart;
using ActorSales.Contracts.V1;
using ReadScope = ActorSales.Domain.Identity.ReadScope;

namespace ActorSales.ReadModel.Analytics;

/// <summary>
/// Whose figures: the caller's reach (<see cref="ReadScope"/>, as for every query) narrowed to a team, an owner or the
/// teams of a region (null: no narrowing). A fact counts if it is in reach and matches every narrowing given.
/// </summary>
public sealed record AnalyticsFilter(ReadScope Reach, string? TeamId = null, string? OwnerId = null, string? Region = null);

/// <summary>A time range: From inclusive, To exclusive.</summary>
public readonly record struct Period(DateTimeOffset From, DateTimeOffset To)
{
    public bool Contains(DateTimeOffset time) => time >= From && time < To;
}

/// <summary>Open opportunities of one (pipeline, stage, stall level, age bucket) now.</summary>
public sealed record OpenCount(string PipelineKey, string Stage, StallLevel StallLevel, AgeBucket AgeBucket, long Count);

/// <summary>A won opportunity: when it was won and when its first contact was (see <see cref="AnalyticsFigures.CycleTimes"/>).</summary>
public sealed record WonCycle(string OpportunityId, DateTimeOffset WonAt, DateTimeOffset CreatedAt, DateTimeOffset? CustomerFirstFollowUpAt, DateTimeOffset? FirstPaidAt = null);

/// <summary>An opportunity's key-action evidence: the distinct evidence kinds it holds, and the pipeline version it follows.</summary>
public sealed record OpportunityEvidence(string OpportunityId, string OwnerId, string PipelineKey, int PipelineVersion, IReadOnlySet<string> EvidenceKinds);

/// <summary>New customers' first contact against the SLA: registered, met (contacted first), missed (the deadline fired first).</summary>
public sealed record FollowUpCounts(long NewCustomers, long Met, long Missed);

/// <summary>Visits one salesperson logged: all, and those with a summary.</summary>
public sealed record VisitCount(string SalespersonId, long Visits, long Effective);

/// <summary>Customers in scope, those with every required field, and how many lack each required field.</summary>
public sealed record Completeness(long Customers, long Complete, IReadOnlyDictionary<CustomerField, long> Missing);

/// <summary>Open opportunities, and those whose last update is before the cutoff.</summary>
public sealed record LateUpdates(long Open, long Late);

/// <summary>The first <see cref="Items"/> of a list in its order, and how many the whole list holds (the board's lists).</summary>
public sealed record TopList<T>(IReadOnlyList<T> Items, long Total);

/// <summary>
/// What the analytics read from a store: narrow facts and counts, filtered by an <see cref="AnalyticsFilter"/> through
/// the stores' indexes (team/owner, then time); <see cref="AnalyticsFigures"/> turns them into the figures, the same code
/// for both stores.
/// </summary>
public interface IAnalyticsFacts
{
    /// <summary>Stays in a stage of <paramref name="pipelineKey"/> entered in <paramref name="period"/>.</summary>
    Task<IReadOnlyList<StageFact>> StageEntriesAsync(AnalyticsFilter filter, string pipelineKey, Period period, CancellationToken cancellationToken = default);

    /// <summary>The opportunities with these ids (those that exist), in no particular order.</summary>
    Task<IReadOnlyList<Opportunity>> OpportunitiesAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken = default);

    /// <summary>Open opportunities (optionally of one pipeline) counted by pipeline, stage, stall level and age in stage at <paramref name="asOf"/>.</summary>
    Task<IReadOnlyList<OpenCount>> OpenCountsAsync(AnalyticsFilter filter, string? pipelineKey, DateTimeOffset asOf, CancellationToken cancellationToken = default);

    /// <summary>Opportunities won in <paramref name="period"/>, with their customer's first real follow-up.</summary>
    Task<IReadOnlyList<WonCycle>> WonCyclesAsync(AnalyticsFilter filter, Period period, CancellationToken cancellationToken = default);

    /// <summary>Opportunities created in <paramref name="period"/>, with their evidence kinds.</summary>
    Task<IReadOnlyList<OpportunityEvidence>> CreatedOpportunitiesAsync(AnalyticsFilter filter, Period period, CancellationToken cancellationToken = default);

    /// <summary>Customers registered in <paramref name="period"/> and their first contact against the SLA.</summary>
    Task<FollowUpCounts> NewCustomerFollowUpAsync(AnalyticsFilter filter, Period period, CancellationToken cancellationToken = default);

    /// <summary>Visits that occurred in <paramref name="period"/>, per salesperson who logged them.</summary>
    Task<IReadOnlyList<VisitCount>> VisitsAsync(AnalyticsFilter filter, Period period, CancellationToken cancellationToken = default);

    /// <summary>Customers (in scope now) against the <paramref name="required"/> fields.</summary>
    Task<Completeness> CompletenessAsync(AnalyticsFilter filter, CustomerField required, CancellationToken cancellationToken = default);

    /// <summary>Open opportunities and those last updated before <paramref name="cutoff"/>.</summary>
    Task<LateUpdates> LateUpdatesAsync(AnalyticsFilter filter, DateTimeOffset cutoff, CancellationToken cancellationToken = default);

    /// <summary>Goals (team goals have an empty owner) whose period overlaps <paramref name="period"/>, in no particular order.</summary>
    Task<IReadOnlyList<Goal>> GoalsAsync(AnalyticsFilter filter, Period period, CancellationToken cancellationToken = default);

    /// <summary>Registrations refused as duplicates in <paramref name="period"/>.</summary>
    Task<long> RefusalsAsync(AnalyticsFilter filter, Period period, CancellationToken cancellationToken = default);

    /// <summary>
    /// Open opportunities needing a manager's intervention: the first <paramref name="limit"/> longest in stage first
    /// (earliest stage entry, ties by id), and how many there are in all.
    /// </summary>
    Task<TopList<Opportunity>> InterventionsAsync(AnalyticsFilter filter, int limit, CancellationToken cancellationToken = default);

    /// <summary>
    /// Customers warned of their release to the pool: the first <paramref name="limit"/> by earliest last real follow-up
    /// (never followed up first, ties by id), and how many there are in all.
    /// </summary>
    Task<TopList<Customer>> AboutToReleaseAsync(AnalyticsFilter filter, int limit, CancellationToken cancellationToken = default);

    /// <summary>
    /// Open deals grouped by owner, currency and signal (count, summed amount); with <paramref name="closeBefore"/>, only
    /// those expected to close before it (a deal without an expected close counts).
    /// </summary>
    Task<IReadOnlyList<ForecastPart>> ForecastPartsAsync(AnalyticsFilter filter, DateTimeOffset? closeBefore, CancellationToken cancellationToken = default);

    /// <summary>Anomalies (latest state of each), newest detection first, then by team and id.</summary>
    Task<ResultPage<Anomaly>> AnomaliesAsync(AnomalyQuery query, CancellationToken cancellationToken = default);

    /// <summary>
    /// Forecast snapshot rows taken in <paramref name="period"/>, each with won_amount / won_count: the deals of its team (or
    /// owner) in its currency won in its window. Deviation, accuracy and final are left to <see cref="AnalyticsFigures"/>.
    /// </summary>
    Task<IReadOnlyList<ForecastWeek>> ForecastHistoryAsync(AnalyticsFilter filter, Period period, CancellationToken cancellationToken = default);

    /// <summary>Payments of orders in scope received in <paramref name="received"/> (reversed ones included, flagged).</summary>
    Task<IReadOnlyList<PaymentFact>> PaymentsAsync(AnalyticsFilter filter, Period received, CancellationToken cancellationToken = default);

    /// <summary>Payments of orders in scope recorded or reversed in <paramref name="changed"/> (late payments, reversals after a close).</summary>
    Task<IReadOnlyList<PaymentFact>> PaymentsChangedAsync(AnalyticsFilter filter, Period changed, CancellationToken cancellationToken = default);

    /// <summary>What is still to be collected: instalments of open orders in scope not fully paid.</summary>
    Task<IReadOnlyList<ReceivableFact>> ReceivablesAsync(AnalyticsFilter filter, CancellationToken cancellationToken = default);

    /// <summary>Order totals per currency for days sales outstanding over <paramref name="period"/> (see <see cref="OrderTotals"/>).</summary>
    Task<IReadOnlyList<OrderTotals>> OrderTotalsAsync(AnalyticsFilter filter, Period period, CancellationToken cancellationToken = default);

}

/// <summary>ListAnomalies: the scope, detected in a period (null: any time), active or cleared (null: both), keyset paged.</summary>
public sealed record AnomalyQuery(AnalyticsFilter Filter, Period? Detected, AnomalyStatus? Status, int PageSize, string? PageToken);
