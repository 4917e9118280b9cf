using ActorSales.Contracts.V1;
using ActorSales.Domain.Common;
using ActorSales.Domain.Deadlines;
using ActorSales.Domain.Customers;
using ActorSales.Domain.Errors;
using ActorSales.Domain.Identity;
using ActorSales.Domain.People;
using ActorSales.Grains.Abstractions;
using ActorSales.Grains.Abstractions.Contracts;
using ActorSales.Grains.Abstractions.Customers;
using ActorSales.Grains.Abstractions.Handovers;
using HandoverBrief = ActorSales.Grains.Abstractions.Handovers.HandoverBrief;
using HandoverDealBrief = ActorSales.Grains.Abstractions.Handovers.HandoverDealBrief;
using ActorSales.Grains.Abstractions.People;
using ActorSales.Grains.Abstractions.Notifications;
using ActorSales.Grains.Abstractions.Opportunities;
using ActorSales.Grains.Deadlines;
using ActorSales.Grains.Events;
using ActorSales.Grains.Infrastructure;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using DomainActivity = ActorSales.Domain.Customers.Activity;

using SalespersonStatus = ActorSales.Domain.People.SalespersonStatus;

using Notification = ActorSales.Domain.Deadlines.Notification;
using NotificationSeverity = ActorSales.Domain.Deadlines.NotificationSeverity;

using PoolEntry = ActorSales.Grains.Abstractions.Customers.PoolEntry;

namespace ActorSales.Grains.Customers;

public sealed partial class CustomerGrain(
    [PersistentState("customer", StorageNames.Default)] IPersistentState<CustomerState> state,
    ActorSalesMetrics metrics,
    TimeProvider clock,
    IOptions<DeadlineOptions> deadlineOptions,
    IOptions<ActorSales.Domain.Pipeline.OpportunityOptions> options,
    ILogger<CustomerGrain> logger) : Grain, ICustomerGrain, IRemindable
{
    private DeadlineScheduler _deadlines = null!;
    private EventOutbox _outbox = null!;

    private const string Entity = "customer";

    // Keys being reserved by the registration or update in progress, and the owner they are reserved for; the
    // index asks OwnerIfHolding (interleaved) while we wait on it, so these must be set before the first Reserve.
    private HashSet<string>? _reservingKeys;
    private string? _reservingOwner;

    private string Id => this.GetPrimaryKeyString();

    private CustomerState S => state.State;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _deadlines = new DeadlineScheduler(this, clock, OnDeadlineDue, logger, S.ReminderDueAt);
        _outbox = EventOutbox.For(this, () => S.Outbox);
        await _outbox.ActivateAsync();
        await CompleteOwnerLink();
        await AfterWrite();
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => _outbox.ReleaseAsync();

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (await _outbox.ReceiveReminderAsync(reminderName))
        {
            return;
        }
        await _deadlines.FireDueAsync(DesiredDeadlines);
    }

    public async Task<CustomerView> Register(CustomerDetails details, string ownerId, Caller caller)
    {
        AccessPolicy.EnsureActive(caller);
        if (S.Registered)
        {
            throw new AlreadyExistsException($"customer '{Id}' already exists", Id, S.OwnerId);
        }
        var valid = CustomerRules.Validate(details);
        var owner = await ResolveOwner(ownerId);
        AccessPolicy.EnsureCanChange(caller, owner.Id, owner.TeamId, "customers of that salesperson");
        EnsureMayOwn(owner, "owner_id"); // the owner's status only once the caller may act on their book

        var zone = await OwnerTimeZone(owner.TeamId); // before the first change: a failed lookup leaves nothing half-changed
        var keys = DedupKeys.For(valid);
        await ReserveKeys(keys, owner.Id);
        try
        {
            var now = clock.GetUtcNow();
            S.Registered = true;
            S.Details = valid;
            S.OwnerId = owner.Id;
            S.OwnerTeamId = owner.TeamId;
            S.CreatedAt = now;
            S.UpdatedAt = now;
            S.AssignedAt = now;
            S.OwnerTimeZone = zone;
            S.Version = 1;
            S.DedupKeys = [.. keys];
            S.PendingOwnerLink = new PendingOwnerLink(null, owner.Id);
            Raise(caller.UserId, e => e.CustomerRegistered = new CustomerRegistered { Customer = ToView().ToContract() });
            await Write();
        }
        catch
        {
            await ReleaseKeys(keys);
            throw;
        }
        finally
        {
            _reservingKeys = null;
            _reservingOwner = null;
        }
        await CommitKeys(keys);
        await CompleteOwnerLink();
        await AfterWrite();
        metrics.CustomersRegistered.Add(1);
        return ToView();
    }

    public Task<CustomerView> Get(Caller caller)
    {
        EnsureRegistered();
        AccessPolicy.EnsureCanRead(caller, S.OwnerId, S.OwnerTeamId, "this customer");
        return Task.FromResult(ToView());
    }

    public async Task<CustomerView> Update(CustomerChanges changes, long expectedVersion, Caller caller)
    {
        EnsureRegistered();
        AccessPolicy.EnsureCanChange(caller, S.OwnerId, S.OwnerTeamId, "this customer");
        Guard.Version(Guard.ExpectedVersion(expectedVersion), S.Version, Entity, Id);
        var paths = ValidatePaths(changes.Paths);
        var current = S.Details!;
        var values = changes.Values;
        var merged = CustomerRules.Validate(current with
        {
            Name = paths.Contains("name") ? values.Name : current.Name,
            Company = paths.Contains("company") ? values.Company : current.Company,
            Industry = paths.Contains("industry") ? values.Industry : current.Industry,
            Tier = paths.Contains("tier") ? values.Tier : current.Tier,
            Contacts = paths.Contains("contacts") ? values.Contacts : current.Contacts,
            Address = paths.Contains("address") ? values.Address : current.Address,
        });
        var changed = ChangedFields(current, merged);
        if (changed.Count == 0)
        {
            return ToView();
        }

        var keys = DedupKeys.For(merged);
        var added = keys.Except(S.DedupKeys, StringComparer.Ordinal).ToList();
        var removed = S.DedupKeys.Except(keys, StringComparer.Ordinal).ToList();
        await ReserveKeys(added, S.OwnerId);
        try
        {
            if (changed.Contains("tier"))
            {
                S.QualifiedAt = clock.GetUtcNow(); // the qualification label was set
            }
            S.Details = merged;
            S.DedupKeys = [.. keys];
            S.UpdatedAt = clock.GetUtcNow();
            S.Version++;
            Raise(caller.UserId, e => e.CustomerUpdated = Updated(changed));
            await Write();
        }
        catch
        {
            await ReleaseKeys(added);
            throw;
        }
        finally
        {
            _reservingKeys = null;
            _reservingOwner = null;
        }
        await CommitKeys(added);
        await ReleaseKeys(removed);
        await AfterWrite();
        return ToView();
    }

    public async Task<ActivityResult> LogActivity(ActivityDraft draft, Caller caller)
    {
        EnsureRegistered();
        AccessPolicy.EnsureCanChange(caller, S.OwnerId, S.OwnerTeamId, "this customer");
        var now = clock.GetUtcNow();
        var valid = CustomerRules.Validate(draft, now);
        var sequence = S.ActivityCount + 1;
        var activity = new DomainActivity(sequence, valid.Kind, valid.OccurredAt, valid.Summary, valid.NextAction,
            valid.NextActionDueAt, valid.Location, caller.UserId, now);

        // The chunk first: if we crash before the customer write, the slot is simply overwritten by the next log.
        await GrainFactory.GetGrain<ICustomerActivityChunkGrain>(GrainKeys.ActivityChunk(Id, GrainKeys.ChunkOf(sequence))).Put(activity);

        var isFollowUp = CustomerRules.IsRealFollowUp(valid.Kind, valid.Summary);
        var releaseWarningCleared = false;
        S.ActivityCount = sequence;
        if (isFollowUp && (S.LastFollowUpAt is null || valid.OccurredAt > S.LastFollowUpAt))
        {
            S.LastFollowUpAt = valid.OccurredAt;
            S.FiredDeadlines.Clear(); // the follow-up clock restarts
            releaseWarningCleared = true;
        }
        if (valid.NextAction is not null)
        {
            S.NextAction = valid.NextAction;
            S.NextActionDueAt = valid.NextActionDueAt;
        }
        S.UpdatedAt = now;
        S.Version++;
        Raise(caller.UserId, e => e.ActivityLogged = new ActivityLogged { Activity = activity.ToContract(), IsFollowUp = isFollowUp });
        await Write();
        if (releaseWarningCleared && !S.InPool)
        {
            await GrainFactory.GetGrain<ITeamGrain>(S.OwnerTeamId).SetReleaseWarning(Id, false);
        }
        await AfterWrite();
        metrics.ActivitiesLogged.Add(1);
        return new ActivityResult(activity, ToView());
    }

    public async Task<Page<DomainActivity>> ListActivities(Caller caller, int pageSize, long? beforeSequence)
    {
        EnsureRegistered();
        AccessPolicy.EnsureCanRead(caller, S.OwnerId, S.OwnerTeamId, "this customer");
        var top = Math.Min(beforeSequence is { } before ? before - 1 : S.ActivityCount, S.ActivityCount);
        if (top < 1)
        {
            return new Page<DomainActivity>([], null, S.ActivityCount);
        }
        var bottom = Math.Max(1, top - pageSize + 1);
        var reads = new List<Task<IReadOnlyList<DomainActivity>>>();
        for (var chunk = GrainKeys.ChunkOf(bottom); chunk <= GrainKeys.ChunkOf(top); chunk++)
        {
            var first = Math.Max(bottom, (chunk * GrainKeys.ActivityChunkSize) + 1);
            var last = Math.Min(top, (chunk + 1) * GrainKeys.ActivityChunkSize);
            reads.Add(GrainFactory.GetGrain<ICustomerActivityChunkGrain>(GrainKeys.ActivityChunk(Id, chunk)).Range(first, last));
        }
        var chunks = await Task.WhenAll(reads);
        var items = chunks.SelectMany(c => c).OrderByDescending(a => a.Sequence).ToList();
        return new Page<DomainActivity>(items, bottom > 1 ? bottom.ToString(System.Globalization.CultureInfo.InvariantCulture) : null, S.ActivityCount);
    }

    public async Task<CustomerView> Transfer(string newOwnerId, string reason, long expectedVersion, Caller caller)
    {
        EnsureRegistered();
        // Access before anything that depends on the record (version, pool, owner): a caller who may not move this
        // customer learns nothing of it.
        AccessPolicy.EnsureCanTransferFrom(caller, S.OwnerTeamId);
        var newOwner = await ResolveOwner(newOwnerId);
        AccessPolicy.EnsureCanTransfer(caller, S.OwnerTeamId, newOwner.TeamId);
        EnsureMayOwn(newOwner, "new_owner_id");
        Guard.Version(Guard.ExpectedVersion(expectedVersion), S.Version, Entity, Id);
        var why = Guard.Optional(reason, "reason", Limits.SummaryMaxLength);
        if (S.InPool)
        {
            throw new PreconditionFailedException($"customer '{Id}' is in the public pool; claim or assign it through PoolService");
        }
        if (newOwnerId == S.OwnerId)
        {
            throw new PreconditionFailedException($"new_owner_id: '{newOwnerId}' already owns customer '{Id}'");
        }
        return await MoveToOwner(newOwner, why, caller.UserId);
    }

    public async Task<HandoverOutcome> HandOver(string handoverId, string fromOwnerId, string? toOwnerId, string actorId)
    {
        if (!S.Registered)
        {
            throw new NotFoundException(Entity, Id);
        }
        // Applied means moved away from the leaver (who, frozen, can never get it back); a recorded id with the leaver
        // still the owner is a move that never happened, and it happens now.
        if (S.AppliedHandovers.Contains(handoverId) && (S.InPool || S.OwnerId != fromOwnerId))
        {
            // A replay moves nothing, but finishes the books or the pool entry if they failed the first time.
            await CompleteOwnerLink();
            await AfterWrite();
            EnsureSettled();
            return HandoverOutcome.AlreadyApplied;
        }
        // The handover id is recorded in the same write as the owner change, so a replay after a crash finds it and does
        // nothing; it is added only once nothing can fail before that write (a failed receiver lookup must not leave it
        // recorded in memory, or the retry would count an item that never moved).
        if (S.InPool || S.OwnerId != fromOwnerId)
        {
            S.AppliedHandovers.Add(handoverId);
            await Write(); // someone moved it meanwhile: it stays with its one owner
            return HandoverOutcome.NotOwnedByLeaver;
        }
        if (toOwnerId is null)
        {
            await MoveToPool(actorId, handoverId);
        }
        else
        {
            await MoveToOwner(await ResolveActiveOwner(toOwnerId, "receiver_id"), $"handover {handoverId}", actorId, handoverId);
        }
        EnsureSettled();
        return HandoverOutcome.Moved;
    }

    /// <summary>
    /// The handover counts an item as moved only once both books (and the pool) show it; otherwise it retries the item,
    /// whose replay completes the links. Without this a failed book update would wait for the customer's next activation.
    /// </summary>
    private void EnsureSettled()
    {
        if (S.PendingOwnerLink is not null || S.PoolEntryPending)
        {
            throw new ConcurrencyConflictException($"customer '{Id}' moved, but its owners' books are still being updated; retry");
        }
    }

    public async Task<HandoverBrief?> Brief()
    {
        if (!S.Registered)
        {
            return null;
        }
        // Brief is [AlwaysInterleave]: it calls this customer's deals, which call this customer, so a brief that blocked
        // the grain could stall in that cycle. A change may therefore land at any await below; everything taken from this
        // customer's state is taken now, before the first await, so the brief is of one version.
        var details = S.Details!;
        var activityCount = S.ActivityCount;
        var (nextAction, nextActionDueAt) = (S.NextAction, S.NextActionDueAt);
        var opportunityIds = S.OpenOpportunityIds.ToList();
        var notes = activityCount == 0 ? [] : await GrainFactory.GetGrain<ICustomerActivityChunkGrain>(GrainKeys.ActivityChunk(Id, GrainKeys.ChunkOf(activityCount)))
            .Range(Math.Max(1, activityCount - 4), activityCount);
        var deals = new List<HandoverDealBrief>();
        foreach (var opportunityId in opportunityIds)
        {
            var deal = GrainFactory.GetGrain<IOpportunityGrain>(opportunityId);
            if (await deal.Find() is not { } view)
            {
                continue;
            }
            var tasks = await deal.ListTasks(Caller.System);
            deals.Add(new HandoverDealBrief(view.Id, view.Terms.Title, view.Stage, view.NextAction, view.NextActionDueAt,
                view.StallLevel != ActorSales.Domain.Deadlines.StallLevel.None || view.NeedsIntervention, view.PendingApprovalId,
                tasks.Where(t => t.Status != ActorSales.Domain.Pipeline.DepartmentTaskStatus.Done).Select(t => t.Id).ToList()));
        }
        return new HandoverBrief(Id, details.Name, details.Tier, [.. details.Contacts.OrderByDescending(c => c.Key)], notes.OrderByDescending(a => a.Sequence).ToList(),
            nextAction, nextActionDueAt, deals);
    }

    public Task<IReadOnlyList<Deadline>> ArmedDeadlines() => Task.FromResult<IReadOnlyList<Deadline>>(DesiredDeadlines());

    /// <summary>
    /// Gives the customer to <paramref name="newOwner"/>: the new owner's clocks start now. One write (recording
    /// <paramref name="handoverId"/> if given), then the books and the event. Lookups come before the first change, so
    /// a failure leaves the state as it was.
    /// </summary>
    private async Task<CustomerView> MoveToOwner(PersonIdentity newOwner, string why, string actorId, string? handoverId = null)
    {
        var zone = await OwnerTimeZone(newOwner.TeamId);
        if (handoverId is not null && !S.AppliedHandovers.Contains(handoverId))
        {
            S.AppliedHandovers.Add(handoverId);
        }
        var previousOwner = S.OwnerId;
        S.OwnerId = newOwner.Id;
        S.OwnerTeamId = newOwner.TeamId;
        S.PendingOwnerLink = new PendingOwnerLink(previousOwner, newOwner.Id);
        S.UpdatedAt = clock.GetUtcNow();
        S.AssignedAt = S.UpdatedAt; // the new owner's clocks start now
        S.OwnerTimeZone = zone;
        S.FiredDeadlines.Clear();
        S.Version++;
        Raise(actorId, e => e.CustomerOwnerChanged = new CustomerOwnerChanged
        {
            PreviousOwnerId = previousOwner,
            NewOwnerId = newOwner.Id,
            NewOwnerTeamId = newOwner.TeamId,
            Reason = why,
        });
        await Write();
        await CompleteOwnerLink();
        await AfterWrite();
        return ToView();
    }

    public Task<CustomerView?> Find() => Task.FromResult(S.Registered ? ToView() : null);

    public Task<string?> OwnerIfHolding(string key)
    {
        if (_reservingKeys is not null && _reservingKeys.Contains(key))
        {
            return Task.FromResult(_reservingOwner);
        }
        return Task.FromResult(S.Registered && S.DedupKeys.Contains(key) ? S.OwnerId : null);
    }

    public async Task<CustomerView> SetLock(bool locked, Caller caller)
    {
        EnsureRegistered();
        AccessPolicy.EnsureCanLockCustomer(caller, S.OwnerId, S.OwnerTeamId);
        if (S.Locked != locked)
        {
            S.Locked = locked;
            S.UpdatedAt = clock.GetUtcNow();
            S.Version++;
            Raise(caller.UserId, e => e.CustomerUpdated = Updated(["locked"]));
            await Write();
            await AfterWrite();
        }
        return ToView();
    }

    public async Task RecordWin(DateTimeOffset wonAt)
    {
        if (S.Registered && (S.LastWonAt is null || wonAt > S.LastWonAt))
        {
            S.LastWonAt = wonAt;
            await Write();
        }
        if (S.Registered && !S.InPool)
        {
            await GrainFactory.GetGrain<ISalespersonGrain>(S.OwnerId).MarkCustomerWon(Id);
        }
    }

    public async Task<CustomerView> AssignFromPool(string ownerId, string actorId, bool assigned)
    {
        EnsureRegistered();
        if (!S.InPool)
        {
            throw new PreconditionFailedException($"customer '{Id}' is no longer in the pool");
        }
        var owner = await ResolveActiveOwner(ownerId, "owner_id");
        var zone = await OwnerTimeZone(owner.TeamId); // before the first change: a failed lookup leaves nothing half-changed
        var now = clock.GetUtcNow();
        S.OwnerId = owner.Id;
        S.OwnerTeamId = owner.TeamId;
        S.OwnerTimeZone = zone;
        S.InPool = false;
        S.AssignedAt = now; // the new owner's 3-2-1 and release clocks start now
        S.FiredDeadlines.Clear();
        S.PendingOwnerLink = new PendingOwnerLink(null, owner.Id);
        S.UpdatedAt = now;
        S.Version++;
        Raise(actorId, e => e.CustomerClaimed = new CustomerClaimed { CustomerId = Id, OwnerId = owner.Id, Assigned = assigned });
        await Write();
        await CompleteOwnerLink();
        await AfterWrite();
        return ToView();
    }

    public async Task LinkOpportunity(string opportunityId, bool open)
    {
        EnsureRegistered();
        var changed = open ? S.OpenOpportunityIds.Add(opportunityId) : S.OpenOpportunityIds.Remove(opportunityId);
        if (changed)
        {
            await Write();
        }
    }

    public async Task OwnerTeamChanged(string ownerId, string newTeamId)
    {
        if (!S.Registered || S.OwnerId != ownerId || S.OwnerTeamId == newTeamId)
        {
            return;
        }
        S.OwnerTeamId = newTeamId;
        S.UpdatedAt = clock.GetUtcNow();
        S.Version++;
        Raise(Caller.System.UserId, e => e.CustomerUpdated = Updated(["owner_team_id"]));
        await Write();
    }

    /// <summary>Follow-up deadlines still to act on (key customers only), from the current state.</summary>
    private List<Deadline> DesiredDeadlines()
    {
        return _deadlines.WithEffectsRetry(BusinessDeadlines(), HasPendingEffects());
    }

    private bool HasPendingEffects() => S.PendingOwnerLink is not null || (S.PoolEntryPending && S.InPool) || S.PendingFollowUpNotice is not null;

    /// <summary>The follow-up, 3-2-1 and release deadlines of the current owner still to act on.</summary>
    private List<Deadline> BusinessDeadlines()
    {
        if (!S.Registered || S.InPool)
        {
            return [];
        }
        var wanted = new List<Deadline>(NewCustomerSla.DeadlinesFor(S.AssignedAt, Calendar(), S.LastFollowUpAt, S.QualifiedAt));
        if (!S.Locked)
        {
            wanted.AddRange(ReleaseRules.DeadlinesFor(S.Details!.Tier, S.AssignedAt, S.LastFollowUpAt, deadlineOptions.Value));
        }
        if (FollowUpRules.KeyCustomerDeadline(S.Details!.Tier, S.AssignedAt, S.LastFollowUpAt, deadlineOptions.Value.KeyCustomerFollowUpAfter) is { } keyCustomer)
        {
            wanted.Add(keyCustomer);
        }
        return wanted.Where(d => !S.FiredDeadlines.Contains(d.FiringKey(Id))).ToList();
    }

    private WorkingCalendar Calendar()
    {
        var zone = S.OwnerTimeZone is { } id && TimeZoneInfo.TryFindSystemTimeZoneById(id, out var found) ? found : TimeZoneInfo.Utc;
        return new WorkingCalendar(zone, new HashSet<DateOnly>(deadlineOptions.Value.Holidays));
    }

    private async Task<string?> OwnerTimeZone(string teamId) =>
        (await GrainFactory.GetGrain<ITeamGrain>(teamId).Find())?.Profile.TimeZone;

    private (string Kind, bool OwnerToo, string Text) Describe(Deadline firing, CustomerState s) => firing.Rule switch
    {
        ReleaseRules.Warning => ("release_warning", true, $"'{s.Details!.Name}' goes to the public pool on {firing.DueAt + deadlineOptions.Value.ReleaseWarningBefore:yyyy-MM-dd} unless someone visits, calls or meets them"),
        NewCustomerSla.FirstContact => ("new_customer_sla", false, $"New customer '{s.Details!.Name}' of {s.OwnerId} got no first visit, call or meeting within 2 working days"),
        NewCustomerSla.Qualification => ("new_customer_sla", false, $"New customer '{s.Details!.Name}' of {s.OwnerId} was not qualified (tier set) within 3 working days"),
        _ => ("key_customer_follow_up", true, $"Key customer '{s.Details!.Name}' has had no visit, call or meeting " +
              (s.LastFollowUpAt is { } last && last > s.AssignedAt ? $"since {last:yyyy-MM-dd}" : "since it was assigned")),
    };

    /// <summary>Re-checks a due follow-up deadline against the current state and acts at most once.</summary>
    private async Task OnDeadlineDue(Deadline deadline)
    {
        if (deadline.DueAt > clock.GetUtcNow() || !DesiredDeadlines().Contains(deadline))
        {
            await _deadlines.ScheduleAsync(DesiredDeadlines());
            return;
        }
        if (_deadlines.TakeEffectsRetry(deadline))
        {
            await CompleteOwnerLink();
            await AfterWrite(); // re-arms the retry if something still fails
            return;
        }
        if (deadline.Rule == ReleaseRules.Release)
        {
            await Release(deadline);
            return;
        }
        S.FiredDeadlines.Add(deadline.FiringKey(Id));
        S.PendingFollowUpNotice = deadline;
        S.Version++;
        Raise(Caller.System.UserId, e => e.CustomerFollowUpOverdue = new CustomerFollowUpOverdue
        {
            CustomerId = Id,
            Rule = deadline.Rule,
            DueAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(deadline.DueAt),
        });
        await Write();
        await AfterWrite();
    }

    /// <summary>
    /// Releases the customer to its team's pool. A compare-and-set by construction: the deadline is derived from the
    /// current owner's assignment and last follow-up, so if either changed it is no longer wanted and never gets here.
    /// Exempt: a deal in the approval stage or won recently.
    /// </summary>
    private async Task Release(Deadline deadline)
    {
        var now = clock.GetUtcNow();
        var recentWin = S.LastWonAt is { } won && now - won < deadlineOptions.Value.RecentWinExemption;
        var inApproval = false;
        foreach (var opportunityId in S.OpenOpportunityIds)
        {
            if (await GrainFactory.GetGrain<IOpportunityGrain>(opportunityId).Find() is { } deal && deal.Stage == options.Value.Approval.Stage)
            {
                inApproval = true;
            }
        }
        // Recorded only now: had a lookup above failed, the deadline must stay wanted so the reminder fires it again.
        S.FiredDeadlines.Add(deadline.FiringKey(Id));
        if (recentWin || inApproval)
        {
            await Write(); // the firing is recorded; the next follow-up restarts the clock
            await AfterWrite();
            return;
        }
        await MoveToPool(Caller.System.UserId);
    }

    /// <summary>Puts the customer in its team's pool: one write, then the owner's book, the event and the pool entry.</summary>
    private async Task MoveToPool(string actorId, string? handoverId = null)
    {
        if (handoverId is not null && !S.AppliedHandovers.Contains(handoverId))
        {
            S.AppliedHandovers.Add(handoverId);
        }
        var now = clock.GetUtcNow();
        var previousOwner = S.OwnerId;
        S.PreviousOwnerId = previousOwner;
        S.OwnerId = string.Empty;
        S.InPool = true;
        S.ReleasedAt = now;
        S.UpdatedAt = now;
        S.PendingOwnerLink = new PendingOwnerLink(previousOwner, null);
        S.PoolEntryPending = true;
        S.Version++;
        Raise(actorId, e => e.CustomerReleased = new CustomerReleased { CustomerId = Id, PreviousOwnerId = previousOwner, PoolTeamId = S.OwnerTeamId });
        await Write();
        await CompleteOwnerLink();
        await AfterWrite();
    }

    /// <summary>Adds the event of the change in progress (at the new <see cref="CustomerState.Version"/>) to the outbox.</summary>
    private void Raise(string actorId, Action<DomainEvent> setChange) =>
        _outbox.Add(EntityType.Customer, Id, S.Version, actorId, S.OwnerTeamId, S.OwnerId, setChange);

    private CustomerUpdated Updated(IEnumerable<string> changedFields)
    {
        var updated = new CustomerUpdated { Customer = ToView().ToContract() };
        updated.ChangedFields.AddRange(changedFields);
        return updated;
    }

    private Task Write() => state.WriteWithEventsAsync(_outbox, Entity, Id);

    /// <summary>Idempotent follow-ups of a write: pool entry, overdue notices (keyed by firing), then the deadline schedule.</summary>
    private async Task AfterWrite()
    {
        if (S.PoolEntryPending && S.InPool)
        {
            try
            {
                await GrainFactory.GetGrain<IPublicPoolGrain>(S.OwnerTeamId).Add(
                    new PoolEntry(Id, S.Details!.Name, S.Details.Tier, S.Details.Industry, S.ReleasedAt!.Value, S.PreviousOwnerId ?? string.Empty));
                await GrainFactory.GetGrain<ITeamGrain>(S.OwnerTeamId).SetReleaseWarning(Id, false);
                S.PoolEntryPending = false; // persisted with the next write; a replay is harmless
            }
            catch (Exception exception)
            {
                LogIndexCallFailed(exception, Id, "pool entry");
            }
        }
        if (S.PendingFollowUpNotice is { } firing)
        {
            try
            {
                var (kind, ownerToo, text) = Describe(firing, S);
                var recipients = new List<string>();
                if (ownerToo)
                {
                    recipients.Add(S.OwnerId);
                }
                var team = GrainFactory.GetGrain<ITeamGrain>(S.OwnerTeamId);
                if (firing.Rule == ReleaseRules.Warning)
                {
                    await team.SetReleaseWarning(Id, true);
                }
                else if ((await team.Find())?.ManagerId is { } managerId && managerId != S.OwnerId)
                {
                    recipients.Add(managerId);
                }
                foreach (var recipient in recipients)
                {
                    await GrainFactory.GetGrain<INotificationInboxGrain>(recipient).Notify(new Notification(
                        $"{firing.FiringKey(Id)}:{recipient}", kind, NotificationSeverity.Warning, "customer", Id, text, clock.GetUtcNow()));
                }
                S.PendingFollowUpNotice = null; // persisted with the next write; a replay is harmless
            }
            catch (Exception exception)
            {
                LogIndexCallFailed(exception, Id, "follow-up notice");
            }
        }
        // What failed above (or in CompleteOwnerLink) is tried again shortly, by a timer and the durable reminder,
        // instead of waiting for the next activation.
        _deadlines.EffectsPending(HasPendingEffects());
        await _deadlines.ScheduleAsync(DesiredDeadlines());
        S.ReminderDueAt = _deadlines.ReminderDueAt;
    }

    private async Task<PersonIdentity> ResolveActiveOwner(string ownerId, string field)
    {
        var owner = await ResolveOwner(ownerId);
        EnsureMayOwn(owner, field);
        return owner;
    }

    private async Task<PersonIdentity> ResolveOwner(string ownerId) =>
        await GrainFactory.GetGrain<ISalespersonGrain>(ownerId).GetIdentity() ?? throw new NotFoundException("salesperson", ownerId);

    private static void EnsureMayOwn(PersonIdentity owner, string field)
    {
        if (owner.Status != SalespersonStatus.Active)
        {
            throw new PreconditionFailedException($"{field}: salesperson '{owner.Id}' is not active and cannot own customers");
        }
    }

    private async Task ReserveKeys(IReadOnlyList<string> keys, string ownerId)
    {
        _reservingKeys = new HashSet<string>(keys, StringComparer.Ordinal);
        _reservingOwner = ownerId;
        var reserved = new List<string>(keys.Count);
        try
        {
            foreach (var key in keys)
            {
                var holder = await GrainFactory.GetGrain<IDedupIndexGrain>(key).Reserve(Id);
                if (holder is not null)
                {
                    metrics.DuplicateRejections.Add(1);
                    throw new AlreadyExistsException(
                        $"a customer with the same {DedupKeys.KindOf(key)} already exists: customer_id={holder.CustomerId}, owner_id={holder.OwnerId}",
                        holder.CustomerId, holder.OwnerId);
                }
                reserved.Add(key);
            }
        }
        catch
        {
            _reservingKeys = null;
            _reservingOwner = null;
            await ReleaseKeys(reserved);
            throw;
        }
    }

    private async Task CommitKeys(IEnumerable<string> keys)
    {
        try
        {
            await Task.WhenAll(keys.Select(key => GrainFactory.GetGrain<IDedupIndexGrain>(key).Commit(Id)));
        }
        catch (Exception exception)
        {
            // Harmless: an uncommitted reservation is settled by asking us (OwnerIfHolding) on the next conflict.
            LogIndexCallFailed(exception, Id, "commit");
        }
    }

    private async Task ReleaseKeys(IEnumerable<string> keys)
    {
        try
        {
            await Task.WhenAll(keys.Select(key => GrainFactory.GetGrain<IDedupIndexGrain>(key).Release(Id)));
        }
        catch (Exception exception)
        {
            LogIndexCallFailed(exception, Id, "release");
        }
    }

    /// <summary>Applies a persisted ownership change to the salespeople's books; idempotent, retried on activation.</summary>
    private async Task CompleteOwnerLink()
    {
        if (S.PendingOwnerLink is not { } link)
        {
            return;
        }
        try
        {
            if (link.RemoveFrom is { } previous)
            {
                await GrainFactory.GetGrain<ISalespersonGrain>(previous).RemoveCustomer(Id);
            }
            if (link.AddTo is { } addTo)
            {
                var owner = GrainFactory.GetGrain<ISalespersonGrain>(addTo);
                await owner.AddCustomer(Id);
                if (S.LastWonAt is not null)
                {
                    await owner.MarkCustomerWon(Id);
                }
            }
            // Cleared in memory only; the next write persists it, and a replay after a crash is harmless.
            S.PendingOwnerLink = null;
        }
        catch (Exception exception)
        {
            LogOwnerLinkFailed(exception, Id, link.AddTo ?? "(pool)");
        }
    }

    private static HashSet<string> ValidatePaths(IReadOnlyList<string> paths)
    {
        if (paths.Count == 0)
        {
            throw new ValidationException("update_paths", $"name at least one of: {string.Join(", ", CustomerRules.UpdatableFields)}");
        }
        if (paths.Count > CustomerRules.UpdatableFields.Count * 2)
        {
            throw new ValidationException("update_paths", "too many entries");
        }
        foreach (var path in paths)
        {
            if (!CustomerRules.UpdatableFields.Contains(path))
            {
                throw new ValidationException("update_paths", $"'{Truncate(path)}' is not updatable; use any of: {string.Join(", ", CustomerRules.UpdatableFields)}");
            }
        }
        return new HashSet<string>(paths, StringComparer.Ordinal);
    }

    private static string Truncate(string value) => value.Length <= 40 ? value : value[..40] + "...";

    private static List<string> ChangedFields(CustomerDetails before, CustomerDetails after)
    {
        var changed = new List<string>();
        if (before.Name != after.Name) changed.Add("name");
        if (before.Company != after.Company) changed.Add("company");
        if (before.Industry != after.Industry) changed.Add("industry");
        if (before.Tier != after.Tier) changed.Add("tier");
        if (!before.Contacts.SequenceEqual(after.Contacts)) changed.Add("contacts");
        if (before.Address != after.Address) changed.Add("address");
        return changed;
    }

    private void EnsureRegistered()
    {
        if (!S.Registered)
        {
            throw new NotFoundException(Entity, Id);
        }
    }

    private CustomerView ToView() => new(Id, S.Details!, S.OwnerId, S.OwnerTeamId, S.CreatedAt, S.UpdatedAt,
        S.LastFollowUpAt, S.ActivityCount, S.Version, S.InPool, S.Locked);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Customer {CustomerId}: de-duplication index {Operation} failed; it settles on the next conflict")]
    private partial void LogIndexCallFailed(Exception exception, string customerId, string operation);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Customer {CustomerId}: linking to owner {OwnerId}'s book failed; retried on next activation")]
    private partial void LogOwnerLinkFailed(Exception exception, string customerId, string ownerId);
}
