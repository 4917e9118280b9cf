using ActorSales.Domain.Customers;
using ActorSales.Domain.Deadlines;
using ActorSales.Domain.Identity;
using ActorSales.Grains.Abstractions.Handovers;

namespace ActorSales.Grains.Abstractions.Customers;

/// <summary>A customer account, its owner and its activity summary. Key: see <see cref="GrainKeys"/>.</summary>
[Alias("actorsales.ICustomerGrain")]
public interface ICustomerGrain : IGrainWithStringKey
{
    /// <summary>Registers the customer for <paramref name="ownerId"/>; AlreadyExists if a de-duplication key is taken.</summary>
    [Alias("Register")]
    Task<CustomerView> Register(CustomerDetails details, string ownerId, Caller caller);

    [Alias("Get"), ReadOnly]
    Task<CustomerView> Get(Caller caller);

    /// <summary>
    /// Registers the customer a qualified lead becomes (called by the lead): as <see cref="Register"/>, but the 3-2-1
    /// clock runs from the lead's arrival and counts its first contact and qualification, and the customer names the lead.
    /// </summary>
    [Alias("RegisterFromLead")]
    Task<CustomerView> RegisterFromLead(CustomerDetails details, string ownerId, Domain.Leads.LeadOrigin origin, Caller caller);

    [Alias("Update")]
    Task<CustomerView> Update(CustomerChanges changes, long expectedVersion, Caller caller);

    [Alias("LogActivity")]
    Task<ActivityResult> LogActivity(ActivityDraft draft, Caller caller);

    /// <summary>Activities newest first, older than <paramref name="beforeSequence"/> (null: from the newest).</summary>
    [Alias("ListActivities"), ReadOnly]
    Task<Page<Activity>> ListActivities(Caller caller, int pageSize, long? beforeSequence);

    [Alias("Transfer")]
    Task<CustomerView> Transfer(string newOwnerId, string reason, long expectedVersion, Caller caller);

    /// <summary>The customer without caller checks, for other grains; null if not registered.</summary>
    [Alias("Find"), ReadOnly, AlwaysInterleave]
    Task<CustomerView?> Find();

    /// <summary>
    /// The owner's id if this customer holds or is reserving the de-duplication key, else null. The index asks the
    /// holder on every conflict, so a reservation left by a failed registration or a changed phone never blocks anyone.
    /// </summary>
    [Alias("OwnerIfHolding"), ReadOnly, AlwaysInterleave]
    Task<string?> OwnerIfHolding(string key);

    /// <summary>Records an opportunity on this customer as open or closed (idempotent). Called by the opportunity grain.</summary>
    [Alias("LinkOpportunity")]
    Task LinkOpportunity(string opportunityId, bool open);

    /// <summary>Locks the customer against release to the pool, or unlocks it (the owner's manager and above).</summary>
    [Alias("SetLock")]
    Task<CustomerView> SetLock(bool locked, Caller caller);

    /// <summary>A deal reports its grading inputs (status, value, signal, decision makers); regrades at once. Called by the opportunity grain.</summary>
    [Alias("RecordDeal")]
    Task RecordDeal(string opportunityId, DealFacts facts);

    /// <summary>An order reports its plan and standing payments (grading's payment record); regrades at once. Called by the order grain.</summary>
    [Alias("RecordOrderPayments")]
    Task RecordOrderPayments(string orderId, OrderPaymentFacts facts);

    /// <summary>The computed grade with its factors and history, beside the hand-set tier; same access as <see cref="Get"/>.</summary>
    [Alias("GetGrade"), ReadOnly]
    Task<CustomerGradeView> GetGrade(Caller caller);

    /// <summary>The owner's manager (a director, an admin) confirms the open next action: it is not escalated to the director.</summary>
    [Alias("ConfirmNextAction")]
    Task<CustomerView> ConfirmNextAction(Caller caller);

    /// <summary>A deal on this customer was won (release exemption). Called by the opportunity grain.</summary>
    [Alias("RecordWin")]
    Task RecordWin(DateTimeOffset wonAt);

    /// <summary>
    /// The caller claims this customer from the pool of <paramref name="poolTeamId"/> (the team's reps and manager): the
    /// pool reserves the claim within its limits, then the customer takes the caller as owner and confirms the claim.
    /// </summary>
    [Alias("ClaimFromPool")]
    Task<CustomerView> ClaimFromPool(string poolTeamId, Caller caller);

    /// <summary>A manager gives this pooled customer to <paramref name="ownerId"/>, a member of the pool's team (holding cap and cooldown apply).</summary>
    [Alias("AssignFromPoolByCaller")]
    Task<CustomerView> AssignFromPool(string poolTeamId, string ownerId, Caller caller);

    /// <summary>The owner moved to another team; re-scopes the customer. Called by the salesperson grain.</summary>
    [Alias("OwnerTeamChanged")]
    Task OwnerTeamChanged(string ownerId, string newTeamId);

    /// <summary>
    /// Moves the customer from <paramref name="fromOwnerId"/> to <paramref name="toOwnerId"/> (null: the team pool) as
    /// part of handover <paramref name="handoverId"/>. Idempotent by handover id: a replay changes nothing. The new
    /// owner's clocks (3-2-1, follow-up, release) start now. Called by the handover grain.
    /// </summary>
    [Alias("HandOver")]
    Task<HandoverOutcome> HandOver(string handoverId, string fromOwnerId, string? toOwnerId, string actorId);

    /// <summary>What a receiver needs to pick the customer up; null if not registered. Called by the handover grain.</summary>
    [Alias("Brief"), ReadOnly, AlwaysInterleave]
    Task<HandoverBrief?> Brief();

    /// <summary>The deadlines armed for the customer now (operations and tests).</summary>
    [Alias("ArmedDeadlines"), ReadOnly, AlwaysInterleave]
    Task<IReadOnlyList<Domain.Deadlines.Deadline>> ArmedDeadlines();
}

/// <summary>A chunk of one customer's activity log (append-only, bounded). Key: see <see cref="GrainKeys.ActivityChunk"/>.</summary>
[Alias("actorsales.ICustomerActivityChunkGrain")]
public interface ICustomerActivityChunkGrain : IGrainWithStringKey
{
    /// <summary>Stores the activity at its sequence (idempotent: a retried write replaces the same slot).</summary>
    [Alias("Put")]
    Task Put(Activity activity);

    /// <summary>Activities with sequence in [from, to], ascending.</summary>
    [Alias("Range"), ReadOnly]
    Task<IReadOnlyList<Activity>> Range(long from, long to);
}

/// <summary>
/// Uniqueness of one normalised customer key (phone, email, company). Reserve, then commit once the customer is
/// written, or release if registration fails. Key: the normalised key.
/// </summary>
[Alias("actorsales.IDedupIndexGrain")]
public interface IDedupIndexGrain : IGrainWithStringKey
{
    /// <summary>Reserves the key for the customer; returns null if granted, otherwise the current holder.</summary>
    [Alias("Reserve")]
    Task<DedupHolder?> Reserve(string customerId);

    [Alias("Commit")]
    Task Commit(string customerId);

    /// <summary>The customer holding the key, if one still does (a read: never reserves).</summary>
    [Alias("Holder"), ReadOnly, AlwaysInterleave]
    Task<DedupHolder?> Holder();

    /// <summary>Drops the key if <paramref name="customerId"/> holds it.</summary>
    [Alias("Release")]
    Task Release(string customerId);
}

/// <summary>A team's public pool: released customers and who claimed how many today. Key: the team id.</summary>
[Alias("actorsales.IPublicPoolGrain")]
public interface IPublicPoolGrain : IGrainWithStringKey
{
    /// <summary>Puts a released customer in the pool (idempotent). Called by the customer grain.</summary>
    [Alias("Add")]
    Task Add(PoolEntry entry);

    [Alias("List"), ReadOnly]
    Task<Page<PoolEntry>> List(Caller caller, CustomerTier? tier, string? industry, int pageSize, string? afterCursor);

    /// <summary>
    /// Reserves the pooled customer for <paramref name="ownerId"/> within the limits (a manager's assignment is not
    /// counted per day), one at a time: the entry leaves the pool until the claim is confirmed or released, or expires.
    /// NOT_FOUND if the customer is not listed, FAILED_PRECONDITION naming the limit. Called by the customer grain.
    /// </summary>
    [Alias("Reserve")]
    Task<PoolClaim> Reserve(string customerId, string ownerId, bool managerAssignment);

    /// <summary>The customer wrote its new owner: the reservation is final (idempotent). Called by the customer's effect.</summary>
    [Alias("Confirm")]
    Task Confirm(PoolClaim claim);

    /// <summary>The customer could not write its new owner: the entry is listed again and the claim given back (idempotent).</summary>
    [Alias("Release")]
    Task Release(PoolClaim claim);
}
