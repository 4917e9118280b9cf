using ActorSales.Domain.Identity;
using ActorSales.Domain.People;
using ActorSales.Domain.Pipeline;
using ActorSales.Grains.Abstractions.Customers;
using ActorSales.Grains.Abstractions.Opportunities;

namespace ActorSales.Grains.Abstractions.People;

/// <summary>
/// A salesperson: profile, team, status, delegation and the lists addressed to them. Key: the user id. Their book (owned
/// customers, open deals) is its own grain, <see cref="IBookGrain"/>; the reads of it here are for callers that know
/// only the person. Other grains call this one only for interleaving reads; the handover also freezes and completes the
/// departure.
/// </summary>
[Alias("actorsales.ISalespersonGrain")]
public interface ISalespersonGrain : IGrainWithStringKey
{
    [Alias("Create")]
    Task<SalespersonView> Create(SalespersonProfile profile, Caller caller);

    [Alias("Get")]
    Task<SalespersonView> Get(Caller caller);

    [Alias("Update")]
    Task<SalespersonView> Update(SalespersonChanges changes, long expectedVersion, Caller caller);

    /// <summary>Role, team and status for authorisation; null if no such salesperson.</summary>
    [Alias("GetIdentity"), ReadOnly, AlwaysInterleave]
    Task<PersonIdentity?> GetIdentity();

    /// <summary>How many customers without a won deal this person owns (internal, for the pool's holding cap; read from the book).</summary>
    [Alias("OwnedCount"), ReadOnly, AlwaysInterleave]
    Task<int> OwnedCount();

    /// <summary>Ids of the open opportunities this person owns (internal; read from the book).</summary>
    [Alias("OpenOpportunityIds"), ReadOnly, AlwaysInterleave]
    Task<IReadOnlyList<string>> OpenOpportunityIds();

    /// <summary>Open opportunities in id order after <paramref name="afterId"/>, optionally only in <paramref name="stage"/>.</summary>
    [Alias("ListOpportunities"), ReadOnly]
    Task<Page<OpportunityView>> ListOpportunities(Caller caller, string? stage, int pageSize, string? afterId);

    /// <summary>Names (or clears, with null) who may decide this person's approvals for a period.</summary>
    [Alias("SetDelegate")]
    Task SetDelegate(Delegation? delegation, Caller caller);

    /// <summary>This person's delegation, if any (active or not).</summary>
    [Alias("GetDelegation"), ReadOnly, AlwaysInterleave]
    Task<Delegation?> GetDelegation();

    /// <summary>
    /// Records that <paramref name="approverId"/> named this person as delegate (or no longer does). Superseded by
    /// <see cref="IDelegatorsGrain"/>; kept for silos of the previous release during a rolling upgrade.
    /// </summary>
    [Alias("LinkDelegator")]
    Task LinkDelegator(string approverId, bool active);

    /// <summary>
    /// Files an approval addressed to this person as pending or decided (idempotent). Superseded by
    /// <see cref="IPendingApprovalsGrain"/>; kept for silos of the previous release during a rolling upgrade.
    /// </summary>
    [Alias("LinkApproval")]
    Task LinkApproval(string approvalId, bool pending);

    /// <summary>Pending approvals addressed to this person or to those who delegated to them, now.</summary>
    [Alias("ListPendingApprovals"), ReadOnly]
    Task<IReadOnlyList<ApprovalView>> ListPendingApprovals(Caller caller);

    /// <summary>Ids of pending approvals addressed to this person (internal): the index, plus what an earlier release kept here.</summary>
    [Alias("PendingApprovalIds"), ReadOnly, AlwaysInterleave]
    Task<IReadOnlyList<string>> PendingApprovalIds();

    /// <summary>Weighted forecast of this person's open opportunities (the caller may read their book).</summary>
    [Alias("GetForecast"), ReadOnly]
    Task<IReadOnlyList<CurrencyForecast>> GetForecast(Caller caller);

    /// <summary>The same without caller checks, for team and region roll-ups.</summary>
    [Alias("ComputeForecast"), ReadOnly, AlwaysInterleave]
    Task<IReadOnlyList<CurrencyForecast>> ComputeForecast();

    /// <summary>
    /// Freezes the account for handover <paramref name="handoverId"/>: every change refused, reads of the own book until
    /// <paramref name="readsUntil"/>. Idempotent for the same handover. Called by the handover grain.
    /// </summary>
    [Alias("BeginDeparture")]
    Task BeginDeparture(string handoverId, DateTimeOffset readsUntil, string actorId);

    /// <summary>The handover finished: departed, inbox closed, team membership ended. Idempotent. Called by the handover grain.</summary>
    [Alias("CompleteDeparture")]
    Task CompleteDeparture(string handoverId, string actorId);

    /// <summary>Ids of every customer this person owns (internal; read from the book).</summary>
    [Alias("OwnedCustomerIds"), ReadOnly, AlwaysInterleave]
    Task<IReadOnlyList<string>> OwnedCustomerIds();

    /// <summary>Files a handover package addressed to this person (or removes it). Called by the handover grain.</summary>
    [Alias("LinkHandoverPackage")]
    Task LinkHandoverPackage(string handoverId, bool addressed);

    /// <summary>Handovers with a package addressed to this person, newest first (internal).</summary>
    [Alias("HandoverPackageIds"), ReadOnly, AlwaysInterleave]
    Task<IReadOnlyList<string>> HandoverPackageIds();

    /// <summary>Owned customers in id order, after <paramref name="afterId"/>; the cursor is the last id of the page.</summary>
    [Alias("ListCustomers"), ReadOnly]
    Task<Page<CustomerView>> ListCustomers(Caller caller, int pageSize, string? afterId);
}
