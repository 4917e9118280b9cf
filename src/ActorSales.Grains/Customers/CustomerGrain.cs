using ActorSales.Contracts.V1;
using ActorSales.Domain.Customers;
using ActorSales.Domain.Deadlines;
using ActorSales.Domain.Errors;
using ActorSales.Domain.Identity;
using ActorSales.Grains.Abstractions;
using ActorSales.Grains.Abstractions.Customers;
using ActorSales.Grains.Abstractions.People;
using ActorSales.Grains.Deadlines;
using ActorSales.Grains.Effects;
using ActorSales.Grains.Events;
using ActorSales.Grains.Infrastructure;
using ActorSales.Grains.Requests;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using DomainActivity = ActorSales.Domain.Customers.Activity;

namespace ActorSales.Grains.Customers;

/// <summary>
/// A customer: looks up what a command needs (owner identity and time zone, de-duplication keys, the pool's
/// reservation), asks <see cref="CustomerAggregate"/>, records its events and follow-ups, writes once, then runs the
/// effects and arms the deadlines. The partial files hold the concerns that need their own lookups: ownership and
/// handover, the pool, deadlines, de-duplication keys, and the mapping to published events and effects.
/// </summary>
public sealed partial class CustomerGrain(
    [PersistentState("customer", StorageNames.Default)] IPersistentState<CustomerState> state,
    ActorSalesMetrics metrics,
    TimeProvider clock,
    IOptions<DeadlineOptions> deadlineOptions,
    IOptions<GradingOptions> gradingOptions,
    IOptions<FieldWorkOptions> fieldWorkOptions,
    IOptions<ActorSales.Domain.Pipeline.OpportunityOptions> options,
    ILogger<CustomerGrain> logger) : Grain, ICustomerGrain, IRemindable, IRetrySafeGrain
{
    private DeadlineScheduler _deadlines = null!;
    private EffectDispatcher _effects = null!;
    private EventOutbox _outbox = null!;
    private CustomerDeadlines _rules = null!;

    private string Id => this.GetPrimaryKeyString();

    private CustomerState S => state.State;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _rules = new CustomerDeadlines(deadlineOptions.Value);
        _deadlines = new DeadlineScheduler(this, clock, OnDeadlineDue, logger, S.ReminderDueAt);
        _effects = EffectDispatcher.For(this, () => S.Effects, _deadlines, logger);
        _outbox = EventOutbox.For(this, () => S.Outbox);
        await _outbox.ActivateAsync();
        AdoptLegacyFollowUps();
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

    public Task<CustomerView> Register(CustomerDetails details, string ownerId, Caller caller) => RegisterAs(details, ownerId, null, caller);

    public Task<CustomerView> RegisterFromLead(CustomerDetails details, string ownerId, Domain.Leads.LeadOrigin origin, Caller caller) =>
        RegisterAs(details, ownerId, origin, caller);

    private async Task<CustomerView> RegisterAs(CustomerDetails details, string ownerId, Domain.Leads.LeadOrigin? origin, Caller caller)
    {
        AccessPolicy.EnsureActive(caller);
        var customer = Aggregate();
        customer.EnsureNotRegistered();
        var valid = CustomerRules.Validate(details);
        var identity = await ResolveOwner(ownerId);
        AccessPolicy.EnsureCanChange(caller, identity.Id, identity.TeamId, "customers of that salesperson");
        var owner = Owner(identity);
        CustomerAggregate.EnsureMayOwn(owner, "owner_id"); // the owner's status only once the caller may act on their book
        owner = await WithZone(owner);
        var keys = DedupKeys.For(valid);
        await ReserveKeysForRegistration(keys, owner.Id, owner.TeamId, caller.UserId);
        try
        {
            customer.Register(valid, owner, keys, clock.GetUtcNow(), origin);
            await Commit(customer, caller.UserId);
        }
        catch
        {
            await ReleaseKeys(keys);
            throw;
        }
        finally
        {
            EndReserving();
        }
        await CommitKeys(keys);
        await AfterWrite();
        metrics.CustomersRegistered.Add(1);
        return ToView();
    }

    public Task<CustomerView> Get(Caller caller)
    {
        Aggregate().EnsureRegistered();
        AccessPolicy.EnsureCanRead(caller, S.OwnerId, S.OwnerTeamId, "this customer");
        return Task.FromResult(ToView());
    }

    public async Task<CustomerView> Update(CustomerChanges changes, long expectedVersion, Caller caller)
    {
        var customer = Aggregate();
        customer.EnsureRegistered();
        AccessPolicy.EnsureCanChange(caller, S.OwnerId, S.OwnerTeamId, "this customer");
        var update = customer.PlanUpdate(changes.Paths, changes.Values, expectedVersion);
        if (update.ChangedFields.Count == 0 && !update.ConfirmsTier)
        {
            return ToView();
        }
        await ReserveKeys(update.AddedKeys, S.OwnerId);
        try
        {
            customer.Update(update, clock.GetUtcNow());
            await Commit(customer, caller.UserId);
        }
        catch
        {
            await ReleaseKeys(update.AddedKeys);
            throw;
        }
        finally
        {
            EndReserving();
        }
        await CommitKeys(update.AddedKeys);
        await ReleaseKeys(update.RemovedKeys);
        await AfterWrite();
        return ToView();
    }

    public async Task<ActivityResult> LogActivity(ActivityDraft draft, Caller caller)
    {
        var customer = Aggregate();
        customer.EnsureRegistered();
        AccessPolicy.EnsureCanChange(caller, S.OwnerId, S.OwnerTeamId, "this customer");
        var now = clock.GetUtcNow();
        var activity = customer.NextActivity(draft, caller.UserId, now);

        // The chunk first: if we crash before the customer write, the slot is simply overwritten by the next log.
        await GrainFactory.GetGrain<ICustomerActivityChunkGrain>(GrainKeys.ActivityChunk(Id, GrainKeys.ChunkOf(activity.Sequence))).Put(activity);

        customer.LogActivity(activity, now);
        S.Requests.NoteResult(activity.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Commit(customer, caller.UserId);
        await AfterWrite();
        metrics.ActivitiesLogged.Add(1);
        return new ActivityResult(activity, ToView());
    }

    public async Task<Page<DomainActivity>> ListActivities(Caller caller, int pageSize, long? beforeSequence)
    {
        Aggregate().EnsureRegistered();
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

    public RequestLedger Requests => S.Requests;

    /// <summary>A repeated LogActivity answers with the activity it logged; every other change with the customer.</summary>
    public async ValueTask<object?> ReplayAsync(string method, AppliedRequest applied)
    {
        if (method != nameof(LogActivity))
        {
            return ToView();
        }
        var sequence = long.Parse(applied.Noted!, System.Globalization.CultureInfo.InvariantCulture);
        var logged = await GrainFactory.GetGrain<ICustomerActivityChunkGrain>(GrainKeys.ActivityChunk(Id, GrainKeys.ChunkOf(sequence))).Range(sequence, sequence);
        return new ActivityResult(logged[0], ToView());
    }

    public Task<CustomerView?> Find() => Task.FromResult(S.Registered ? ToView() : null);

    public async Task<CustomerView> SetLock(bool locked, Caller caller)
    {
        var customer = Aggregate();
        customer.SetLock(locked, caller, clock.GetUtcNow());
        if (customer.Changed)
        {
            await Commit(customer, caller.UserId);
            await AfterWrite();
        }
        return ToView();
    }

    public async Task<CustomerView> ConfirmNextAction(Caller caller)
    {
        var customer = Aggregate();
        customer.ConfirmNextAction(caller, clock.GetUtcNow());
        await Commit(customer, caller.UserId);
        await AfterWrite();
        return ToView();
    }

    public async Task RecordWin(DateTimeOffset wonAt)
    {
        var customer = Aggregate();
        customer.RecordWin(wonAt, clock.GetUtcNow());
        await Commit(customer, Caller.System.UserId);
        if (S.Registered && !S.InPool)
        {
            await GrainFactory.GetGrain<IBookGrain>(S.OwnerId).MarkCustomerWon(Id);
        }
    }

    public async Task LinkOpportunity(string opportunityId, bool open)
    {
        var customer = Aggregate();
        customer.LinkOpportunity(opportunityId, open, clock.GetUtcNow());
        await Commit(customer, Caller.System.UserId);
    }

    public async Task OwnerTeamChanged(string ownerId, string newTeamId)
    {
        var customer = Aggregate();
        customer.OwnerTeamChanged(ownerId, newTeamId, clock.GetUtcNow());
        await Commit(customer, Caller.System.UserId);
    }

    /// <summary>A new aggregate over the current state, for one command.</summary>
    private CustomerAggregate Aggregate() => new(Id, S, _rules, gradingOptions.Value, fieldWorkOptions.Value);

    /// <summary>
    /// Records what <paramref name="customer"/> decided (its events in the outbox, its follow-ups as effects) and writes
    /// it all in one write; nothing if the command changed nothing.
    /// </summary>
    private async Task Commit(CustomerAggregate customer, string actorId)
    {
        if (!customer.Changed)
        {
            return;
        }
        customer.Record(_outbox, new EventScope(EntityType.Customer, Id, actorId, S.OwnerTeamId, S.OwnerId), ToContract, S.Effects, ToEffect);
        S.ReminderDueAt = await _deadlines.ReminderForWriteAsync(DesiredDeadlines());
        await state.WriteWithEventsAsync(_outbox, CustomerAggregate.Entity, Id);
    }

    /// <summary>Runs the change's effects (what fails is retried by the deadline engine), then arms the deadlines.</summary>
    private async Task AfterWrite()
    {
        await _effects.RunAsync();
        await _deadlines.ScheduleAsync(DesiredDeadlines());
        S.ReminderDueAt = _deadlines.ReminderDueAt;
    }

    /// <summary>Rows written before effects existed carry pending follow-ups as fields; they become effects here (no write).</summary>
    private void AdoptLegacyFollowUps()
    {
        if (S.PendingOwnerLink is null && !S.PoolEntryPending && S.PendingFollowUpNotice is null)
        {
            return;
        }
        var customer = Aggregate();
        customer.AdoptLegacyFollowUps(S.PendingOwnerLink?.RemoveFrom, S.PendingOwnerLink?.AddTo, S.PoolEntryPending, S.PendingFollowUpNotice, clock.GetUtcNow());
        customer.Record(_outbox, new EventScope(EntityType.Customer, Id, Caller.System.UserId, S.OwnerTeamId, S.OwnerId), ToContract, S.Effects, ToEffect);
        (S.PendingOwnerLink, S.PoolEntryPending, S.PendingFollowUpNotice) = (null, false, null);
    }

    private async Task<PersonIdentity> ResolveOwner(string ownerId) =>
        await GrainFactory.GetGrain<ISalespersonGrain>(ownerId).GetIdentity() ?? throw new NotFoundException("salesperson", ownerId);

    private static CustomerOwner Owner(PersonIdentity identity) => new(identity.Id, identity.TeamId, identity.Status);

    /// <summary>The owner with their team's time zone, looked up before the first change: a failed lookup changes nothing.</summary>
    private async Task<CustomerOwner> WithZone(CustomerOwner owner) =>
        owner with { TimeZone = (await GrainFactory.GetGrain<ITeamGrain>(owner.TeamId).Find())?.Profile.TimeZone };

    private CustomerView ToView() => new(Id, S.Details!, S.OwnerId, S.OwnerTeamId, S.CreatedAt, S.UpdatedAt,
        S.LastFollowUpAt, S.ActivityCount, S.Version, S.InPool, S.Locked, S.Grade?.Grade ?? Domain.Customers.CustomerGrade.Unspecified, S.OriginLeadId);
}
