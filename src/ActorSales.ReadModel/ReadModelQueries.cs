using ActorSales.Contracts.V1;
using ReadScope = ActorSales.Domain.Identity.ReadScope;

namespace ActorSales.ReadModel;

// The read side's contract. Rows are the published contract messages (Customer, Opportunity, Team, Salesperson) as
// the events left them; the stores add the columns the queries filter and sort on. Every query carries the caller's
// ReadScope (team and/or owner; Everything for director/admin/service), applied by the store, so a row outside it is
// never returned, counted or hinted at. Page tokens are opaque strings the store makes (keyset, not offsets).

/// <summary>Bounds every store enforces (the API validates first, naming the field).</summary>
public static class ReadModelLimits
{
    /// <summary>Largest page a query returns.</summary>
    public const int MaxPageSize = 500;
}

/// <summary>One page of a query; <see cref="NextPageToken"/> is null on the last page.</summary>
public sealed record ResultPage<T>(IReadOnlyList<T> Items, string? NextPageToken);

public enum CustomerSort { LastFollowUp, Created, Name }

public enum OpportunitySort { Amount, ExpectedClose, TimeInStage }

/// <summary>Free text over name, company, contact names, phones (any format, digit fragments) and emails; ranked.</summary>
public sealed record CustomerSearch(ReadScope Scope, string Text, int PageSize, string? PageToken);

/// <summary>
/// Filters are exact (industry ignoring case and spacing); FollowedUpBefore also matches customers never followed up
/// ("no real follow-up since"), FollowedUpAfter only those followed up then or later; time ranges include From, exclude
/// To. Ties sort by id; never-followed-up customers sort as the earliest follow-up.
/// </summary>
public sealed record CustomerQuery(
    ReadScope Scope,
    int PageSize,
    string? PageToken = null,
    string? TeamId = null,
    string? OwnerId = null,
    CustomerTier? Tier = null,
    string? Industry = null,
    SourceChannel? SourceChannel = null,
    bool? InPool = null,
    bool? Locked = null,
    DateTimeOffset? FollowedUpBefore = null,
    DateTimeOffset? FollowedUpAfter = null,
    DateTimeOffset? CreatedFrom = null,
    DateTimeOffset? CreatedTo = null,
    bool? ReleaseWarned = null,
    CustomerSort Sort = CustomerSort.Created,
    bool Descending = true,
    CustomerGrade? Grade = null);

/// <summary>
/// Region is the owner team's region (ignoring case); the amount range compares amounts as numbers (name a currency to
/// compare like with like); ExpectedClose and StageEntered (the heatmap's age buckets) include From, exclude To. TimeInStage sorts by how long the deal has sat in
/// its stage (ascending: the most recently entered first).
/// </summary>
public sealed record OpportunityQuery(
    ReadScope Scope,
    int PageSize,
    string? PageToken = null,
    string? CustomerId = null,
    string? OwnerId = null,
    string? TeamId = null,
    string? Region = null,
    string? PipelineKey = null,
    string? Stage = null,
    OpportunityStatus? Status = null,
    StallLevel? StallLevel = null,
    ForecastSignal? Signal = null,
    string? Currency = null,
    decimal? AmountMin = null,
    decimal? AmountMax = null,
    DateTimeOffset? ExpectedCloseFrom = null,
    DateTimeOffset? ExpectedCloseTo = null,
    OpportunitySort Sort = OpportunitySort.ExpectedClose,
    bool Descending = false,
    DateTimeOffset? StageEnteredFrom = null,
    DateTimeOffset? StageEnteredTo = null);

public sealed record TeamQuery(ReadScope Scope, int PageSize, string? PageToken = null, string? Region = null);

public sealed record SalespersonQuery(
    ReadScope Scope, int PageSize, string? PageToken = null, string? TeamId = null, Role? Role = null, SalespersonStatus? Status = null);

/// <summary>Every change ever made to a customer (with its opportunities' changes) or an opportunity, newest first.</summary>
public sealed record TimelineQuery(EntityType EntityType, string EntityId, int PageSize, string? PageToken = null);

/// <summary>What the query RPCs read (the analytics' facts included). Implemented by the in-memory store (Local) and the PostgreSQL store.</summary>
public interface IReadModelQueries : Analytics.IAnalyticsFacts
{
    Task<ResultPage<Customer>> SearchCustomersAsync(CustomerSearch query, CancellationToken cancellationToken = default);

    Task<ResultPage<Customer>> ListCustomersAsync(CustomerQuery query, CancellationToken cancellationToken = default);

    Task<ResultPage<Opportunity>> ListOpportunitiesAsync(OpportunityQuery query, CancellationToken cancellationToken = default);

    /// <summary>Orders in scope, newest first (each as its latest event left it; see <see cref="OrderFacts.AsOf"/>).</summary>
    Task<ResultPage<Order>> ListOrdersAsync(OrderQuery query, CancellationToken cancellationToken = default);

    /// <summary>The orders with these ids (those that exist), in no particular order; access was decided before.</summary>
    Task<IReadOnlyList<Order>> OrdersByIdAsync(IReadOnlyCollection<string> orderIds, CancellationToken cancellationToken = default);

    /// <summary>Leads in scope, newest arrival first (each as its latest event left it).</summary>
    Task<ResultPage<Lead>> ListLeadsAsync(LeadQuery query, CancellationToken cancellationToken = default);

    /// <summary>
    /// The lead-health facts of the leads in scope (and <paramref name="teamId"/>, when named) that arrived in
    /// [<paramref name="arrivedFrom"/>, <paramref name="arrivedTo"/>); <see cref="LeadHealth"/> computes the figures.
    /// </summary>
    Task<IReadOnlyList<LeadFact>> LeadFactsAsync(ReadScope scope, string? teamId, DateTimeOffset arrivedFrom, DateTimeOffset arrivedTo, CancellationToken cancellationToken = default);

    /// <summary>How many leads in scope (and <paramref name="teamId"/>) have an unsubscribed contact.</summary>
    Task<int> UnsubscribedLeadsAsync(ReadScope scope, string? teamId, CancellationToken cancellationToken = default);

    Task<ResultPage<Team>> ListTeamsAsync(TeamQuery query, CancellationToken cancellationToken = default);

    Task<ResultPage<Salesperson>> ListSalespeopleAsync(SalespersonQuery query, CancellationToken cancellationToken = default);

    /// <summary>The entity's events (a customer's include its opportunities'), newest first; the caller's access is checked on the entity first.</summary>
    Task<ResultPage<DomainEvent>> TimelineAsync(TimelineQuery query, CancellationToken cancellationToken = default);

    /// <summary>The entity's version as projected (0: not yet); read-your-writes waits on it.</summary>
    Task<long> ProjectedVersionAsync(EntityType entityType, string entityId, CancellationToken cancellationToken = default);

    /// <summary>The log position the read model has applied through.</summary>
    Task<long> CheckpointAsync(CancellationToken cancellationToken = default);
}

/// <summary>
/// The projection side of a store. <see cref="ApplyAsync"/> applies events strictly after the checkpoint, in position
/// order, to the query rows and the permanent history, and moves the checkpoint to <paramref name="through"/>, all in one
/// transaction: each event is applied exactly once, in order, across restarts. A store refuses (throws
/// <see cref="ProjectionConflictException"/>) a batch whose first position is not after its checkpoint.
/// </summary>
public interface IReadModelStore : IReadModelQueries
{
    Task ApplyAsync(IReadOnlyList<Grains.Abstractions.Events.StoredEvent> events, long through, CancellationToken cancellationToken = default);

    /// <summary>Empties the query rows and rebuilds them from the permanent history (a host command); the history stays.</summary>
    Task RebuildAsync(CancellationToken cancellationToken = default);
}

/// <summary>Two projectors raced (a lease was lost): the batch was not applied; the loser re-reads the checkpoint.</summary>
public sealed class ProjectionConflictException(string message) : Exception(message);
