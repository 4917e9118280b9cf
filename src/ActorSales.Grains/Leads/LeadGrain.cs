using ActorSales.Contracts.V1;
using ActorSales.Domain.Customers;
using ActorSales.Domain.Deadlines;
using ActorSales.Domain.Errors;
using ActorSales.Domain.Identity;
using ActorSales.Domain.Leads;
using ActorSales.Grains.Abstractions;
using ActorSales.Grains.Abstractions.Customers;
using ActorSales.Grains.Abstractions.Leads;
using ActorSales.Grains.Abstractions.People;
using ActorSales.Grains.Deadlines;
using ActorSales.Grains.Effects;
using ActorSales.Grains.Events;
using ActorSales.Grains.Infrastructure;
using ActorSales.Grains.Requests;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Contact = ActorSales.Domain.Customers.Contact;
using CustomerTier = ActorSales.Domain.Customers.CustomerTier;
using Role = ActorSales.Domain.Identity.Role;
using DomainLeadStatus = ActorSales.Domain.Leads.LeadStatus;
using LeadInput = ActorSales.Domain.Leads.LeadInput;

namespace ActorSales.Grains.Leads;

/// <summary>
/// A lead: a thin shell around <see cref="LeadAggregate"/>. Looks up what a command needs first (the team and its time
/// zone, the owner, the de-duplication indexes, the customer a conversion makes), writes state + events + effects once,
/// then dispatches; its 3-2-1 deadlines run on the one deadline engine. Publishing lives in LeadGrain.Publishing.cs.
/// </summary>
public sealed partial class LeadGrain(
    [PersistentState("lead", StorageNames.Default)] IPersistentState<LeadState> state,
    TimeProvider clock,
    IOptions<LeadOptions> options,
    IOptions<FieldWorkOptions> fieldWork,
    IOptions<DeadlineOptions> deadlineOptions,
    ILogger<LeadGrain> logger) : Grain, ILeadGrain, IRemindable, IRetrySafeGrain
{
    private DeadlineScheduler _deadlines = null!;
    private EffectDispatcher _effects = null!;
    private EventOutbox _outbox = null!;
    private HashSet<DateOnly> _holidays = null!;

    // Keys being reserved by the creation in progress: the lead index asks OwnerIfHolding (interleaved) meanwhile.
    private HashSet<string>? _reservingKeys;
    private string? _reservingOwner;

    private string Id => this.GetPrimaryKeyString();

    private LeadState S => state.State;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _holidays = [.. deadlineOptions.Value.Holidays];
        _deadlines = new DeadlineScheduler(this, clock, OnDeadlineDue, logger, S.ReminderDueAt);
        _effects = EffectDispatcher.For(this, () => S.Effects, _deadlines, logger);
        _outbox = EventOutbox.For(this, () => S.Outbox);
        await _outbox.ActivateAsync();
        await AfterWrite();
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => _outbox.ReleaseAsync();

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (!await _outbox.ReceiveReminderAsync(reminderName))
        {
            await _deadlines.FireDueAsync(DesiredDeadlines);
        }
    }

    public async Task<LeadView> Create(LeadInput input, string teamId, string? ownerId, Caller caller)
    {
        // Access first, from the request alone: a rep records leads for themself, into their own team.
        AccessPolicy.EnsureActive(caller);
        if (caller.Role == Role.Rep && caller.TeamId != teamId)
        {
            throw new AccessDeniedException("a rep records leads only into their own team");
        }
        var owner = ownerId ?? (caller.Role == Role.Rep ? caller.UserId : null);
        if (owner is null)
        {
            AccessPolicy.EnsureCanManageTeamLeads(caller, teamId);
        }
        else
        {
            AccessPolicy.EnsureCanChange(caller, owner, teamId, "leads of that team or salesperson");
        }
        var aggregate = Aggregate();
        var now = clock.GetUtcNow();
        var valid = LeadRules.Validate(input, now, options.Value);
        if (S.Created)
        {
            throw new AlreadyExistsException($"lead '{Id}' already exists", Id, S.OwnerId);
        }
        var team = await GrainFactory.GetGrain<ITeamGrain>(teamId).Find() ?? throw new NotFoundException("team", teamId);
        if (owner is not null)
        {
            await EnsureMember(owner, teamId, "owner_id");
        }
        var keys = LeadRules.KeysFor(valid.Phones, valid.Email);
        await EnsureNoCustomerHolds(keys);
        await ReserveKeys(keys, owner ?? string.Empty);
        aggregate.Create(valid, teamId, owner ?? string.Empty, team.Profile.TimeZone, keys, now);
        await Commit(aggregate, caller.UserId);
        return ToView();
    }

    public Task<LeadView> Get(Caller caller)
    {
        Aggregate().EnsureCreated();
        AccessPolicy.EnsureCanReadLead(caller, S.OwnerId, S.TeamId);
        return Task.FromResult(ToView());
    }

    public async Task<LeadView> Assign(string ownerId, Caller caller)
    {
        var aggregate = Aggregate();
        aggregate.EnsureCreated();
        AccessPolicy.EnsureCanManageTeamLeads(caller, S.TeamId);
        await EnsureMember(ownerId, S.TeamId, "owner_id");
        aggregate.Assign(ownerId, claimed: false);
        await Commit(aggregate, caller.UserId);
        return ToView();
    }

    public async Task<LeadView> Claim(Caller caller)
    {
        var aggregate = Aggregate();
        aggregate.EnsureCreated();
        AccessPolicy.EnsureCanClaimLead(caller, S.TeamId);
        aggregate.Assign(caller.UserId, claimed: true);
        await Commit(aggregate, caller.UserId);
        return ToView();
    }

    public async Task<LeadView> RecordBasics(LeadBasics basics, Caller caller)
    {
        var aggregate = ForChange(caller);
        aggregate.RecordBasics(basics, clock.GetUtcNow());
        await Commit(aggregate, caller.UserId);
        return ToView();
    }

    public async Task<LeadContactResult> LogContact(LeadContactDraft draft, Caller caller)
    {
        var aggregate = ForChange(caller);
        var real = aggregate.LogContact(draft, clock.GetUtcNow());
        S.Requests.NoteResult(real ? "real" : "not-real");
        await Commit(aggregate, caller.UserId);
        return new LeadContactResult(ToView(), real);
    }

    public async Task<LeadView> Qualify(LeadQualificationDraft draft, Caller caller)
    {
        var aggregate = ForChange(caller);
        aggregate.Qualify(draft, clock.GetUtcNow());
        await Commit(aggregate, caller.UserId);
        return ToView();
    }

    /// <summary>
    /// Registers the customer before the lead's own write (a failed registration changes nothing here). The customer's
    /// id is derived from the lead's, so a retry after a lost write finds the customer it made; a duplicate found by
    /// the customers' de-duplication links the lead to that customer instead.
    /// </summary>
    public async Task<LeadConversion> Convert(string industry, CustomerTier tier, Caller caller)
    {
        var aggregate = Aggregate();
        aggregate.EnsureCreated();
        AccessPolicy.EnsureCanChangeLead(caller, S.OwnerId, S.TeamId);
        aggregate.EnsureConvertible();
        if (S.Status == DomainLeadStatus.Converted)
        {
            return Conversion();
        }
        var details = new CustomerDetails(
            S.Company.Length > 0 ? S.Company : S.Name, S.Company, industry ?? string.Empty, tier,
            S.Phones.Count == 0
                ? [new Contact(S.Name, string.Empty, string.Empty, S.Email)]
                : [.. S.Phones.Select((phone, i) => new Contact(S.Name, string.Empty, phone, i == 0 ? S.Email : string.Empty))],
            null, S.SourceChannel, Unsubscribed: S.Unsubscribed);
        var customerId = GrainKeys.CustomerFromLead(Id);
        var linked = false;
        try
        {
            await GrainFactory.GetGrain<ICustomerGrain>(customerId).RegisterFromLead(details, S.OwnerId, aggregate.Origin(), caller);
        }
        catch (AlreadyExistsException duplicate) when (duplicate.ExistingId != customerId)
        {
            (customerId, linked) = (duplicate.ExistingId, true);
            S.ExistingOwnerId = duplicate.ExistingOwnerId ?? string.Empty;
        }
        catch (AlreadyExistsException)
        {
            // Our own customer, made by an earlier attempt whose lead write was lost: the conversion is done.
        }
        aggregate.Converted(customerId, linked);
        await Commit(aggregate, caller.UserId);
        return Conversion();
    }

    public async Task<LeadView> SetUnsubscribed(bool unsubscribed, Caller caller)
    {
        var aggregate = Aggregate();
        aggregate.EnsureCreated();
        AccessPolicy.EnsureCanChangeLead(caller, S.OwnerId, S.TeamId);
        aggregate.SetUnsubscribed(unsubscribed);
        await Commit(aggregate, caller.UserId);
        return ToView();
    }

    public Task<LeadView?> Find() => Task.FromResult(S.Created ? ToView() : null);

    public Task<IReadOnlyList<Deadline>> ArmedDeadlines() => Task.FromResult<IReadOnlyList<Deadline>>(DesiredDeadlines());

    /// <summary>The aggregate for a change by <paramref name="caller"/>: the lead exists and the caller may change it, decided first.</summary>
    private LeadAggregate ForChange(Caller caller)
    {
        var aggregate = Aggregate();
        aggregate.EnsureCreated();
        AccessPolicy.EnsureCanChangeLead(caller, S.OwnerId, S.TeamId);
        return aggregate;
    }

    private List<Deadline> DesiredDeadlines() => _deadlines.WithEffectsRetry(Aggregate().WantedDeadlines(_holidays), _effects.HasPending);

    /// <summary>Re-checks a due deadline against the current state and acts at most once.</summary>
    private async Task OnDeadlineDue(Deadline deadline)
    {
        if (deadline.DueAt > clock.GetUtcNow() || !DesiredDeadlines().Contains(deadline))
        {
            await _deadlines.ScheduleAsync(DesiredDeadlines());
            return;
        }
        if (_deadlines.TakeEffectsRetry(deadline))
        {
            await AfterWrite();
            return;
        }
        var aggregate = Aggregate();
        aggregate.DeadlineDue(deadline);
        await Commit(aggregate, Caller.System.UserId);
    }

    private LeadAggregate Aggregate() => new(Id, S, options.Value, fieldWork.Value);

    private async Task Commit(LeadAggregate aggregate, string actorId)
    {
        try
        {
            if (!aggregate.Changed)
            {
                return;
            }
            aggregate.Record(_outbox, new EventScope(EntityType.Lead, Id, actorId, S.TeamId, S.OwnerId), ToContract, S.Effects, ToEffect);
            S.ReminderDueAt = await _deadlines.ReminderForWriteAsync(DesiredDeadlines());
            await state.WriteWithEventsAsync(_outbox, LeadAggregate.Entity, Id);
        }
        finally
        {
            (_reservingKeys, _reservingOwner) = (null, null);
        }
        await AfterWrite(); // never throws: the change is stored
    }

    private async Task AfterWrite()
    {
        await _effects.RunAsync();
        await _deadlines.ScheduleAsync(DesiredDeadlines());
        S.ReminderDueAt = _deadlines.ReminderDueAt;
    }

    public RequestLedger Requests => S.Requests;

    public ValueTask<object?> ReplayAsync(string method, AppliedRequest applied) => ValueTask.FromResult<object?>(method switch
    {
        nameof(LogContact) => new LeadContactResult(ToView(), applied.Noted == "real"),
        nameof(Convert) => Conversion(),
        _ => ToView(),
    });

    private LeadConversion Conversion() => new(ToView(), S.CustomerId, S.LinkedToExisting, S.LinkedToExisting ? S.ExistingOwnerId : S.OwnerId);

    private LeadView ToView() => new(Id, S.TeamId, S.OwnerId, S.SourceChannel, S.ArrivedAt, S.Name, S.Company, [.. S.Phones], S.Email, S.Notes,
        S.Status, S.DisqualifyReason, S.BasicsRecordedAt, S.FirstContactAt, S.QualifiedAt, S.CustomerId, S.LinkedToExisting, S.Unsubscribed,
        [.. S.MissedRules], S.ContactCount, S.CreatedAt, S.Version);
}
