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
using ActorSales.Grains.Effects;
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
    private EffectDispatcher _effects = null!;
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
        _effects = EffectDispatcher.For(this, () => S.Effects, _deadlines, logger);
        _outbox = EventOutbox.For(this, () => S.Outbox);
        await _outbox.ActivateAsync();
        MigrateLegacyFollowUps();
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
            PlanOwnerLink(null, owner.Id);
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
        if (_effects.HasPending)
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
        PlanOwnerLink(previousOwner, newOwner.Id);
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
            await GrainFactory.GetGrain<IBookGrain>(S.OwnerId).MarkCustomerWon(Id);
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
        PlanOwnerLink(null, owner.Id);
        S.UpdatedAt = now;
        S.Version++;
        Raise(actorId, e => e.CustomerClaimed = new CustomerClaimed { CustomerId = Id, OwnerId = owner.Id, Assigned = assigned });
        await Write();
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

    private bool HasPendingEffects() => _effects.HasPending;

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
            await AfterWrite(); // re-arms the retry if something still fails
            return;
        }
        if (deadline.Rule == ReleaseRules.Release)
        {
            await Release(deadline);
            return;
        }
        S.FiredDeadlines.Add(deadline.FiringKey(Id));
        PlanFollowUpNotice(deadline);
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
        PlanOwnerLink(previousOwner, null);
        S.Effects.Add(new AddToPool(S.OwnerTeamId, new PoolEntry(Id, S.Details!.Name, S.Details.Tier, S.Details.Industry, now, previousOwner)));
        S.Version++;
        Raise(actorId, e => e.CustomerReleased = new CustomerReleased { CustomerId = Id, PreviousOwnerId = previousOwner, PoolTeamId = S.OwnerTeamId });
        await Write();
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

    /// <summary>Runs the change's effects (what fails is retried by the deadline engine), then arms the deadlines.</summary>
    private async Task AfterWrite()
    {
        await _effects.RunAsync();
        await _deadlines.ScheduleAsync(DesiredDeadlines());
        S.ReminderDueAt = _deadlines.ReminderDueAt;
    }

    /// <summary>The books follow an ownership change: the previous owner's drops the customer, the new owner's lists it.</summary>
    private void PlanOwnerLink(string? removeFrom, string? addTo)
    {
        if (removeFrom is { Length: > 0 })
        {
            S.Effects.Add(new RemoveCustomerFromBook(removeFrom, Id));
        }
        if (addTo is not null)
        {
            S.Effects.Add(new AddCustomerToBook(addTo, Id, S.LastWonAt is not null));
        }
    }

    /// <summary>
    /// What a fired follow-up rule tells whom: a release warning the owner (and the team's about-to-release list), a
    /// key-customer lapse the owner and the manager, a missed new-customer SLA the manager. Keyed by the firing, so a
    /// replay adds nothing.
    /// </summary>
    private void PlanFollowUpNotice(Deadline firing)
    {
        var (kind, ownerToo, text) = Describe(firing, S);
        var key = firing.FiringKey(Id);
        var notice = new Notification($"{key}:{S.OwnerId}", kind, NotificationSeverity.Warning, "customer", Id, text, clock.GetUtcNow());
        if (ownerToo)
        {
            S.Effects.Add(new Notify(S.OwnerId, notice));
        }
        if (firing.Rule == ReleaseRules.Warning)
        {
            S.Effects.Add(new SetReleaseWarning(S.OwnerTeamId, Id, true));
        }
        else
        {
            S.Effects.Add(new NotifyTeamManager(S.OwnerTeamId, S.OwnerId, key, notice));
        }
    }

    /// <summary>Rows written before effects existed carry pending follow-ups as fields; they become effects here.</summary>
    private void MigrateLegacyFollowUps()
    {
        if (!S.Registered)
        {
            return;
        }
        if (S.PendingOwnerLink is { } link)
        {
            PlanOwnerLink(link.RemoveFrom, link.AddTo);
        }
        if (S.PoolEntryPending && S.InPool)
        {
            S.Effects.Add(new AddToPool(S.OwnerTeamId, new PoolEntry(Id, S.Details!.Name, S.Details.Tier, S.Details.Industry, S.ReleasedAt!.Value, S.PreviousOwnerId ?? string.Empty)));
        }
        if (S.PendingFollowUpNotice is { } firing)
        {
            PlanFollowUpNotice(firing);
        }
        (S.PendingOwnerLink, S.PoolEntryPending, S.PendingFollowUpNotice) = (null, false, null);
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

}
