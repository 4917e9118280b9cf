using ActorSales.Contracts.V1;
using ActorSales.Domain.Common;
using ActorSales.Domain.Errors;
using ActorSales.Domain.Identity;
using ActorSales.Domain.People;
using ActorSales.Domain.Pipeline;
using ActorSales.Grains.Abstractions.Contracts;
using ActorSales.Grains.Abstractions.People;
using ActorSales.Grains.Effects;
using ActorSales.Grains.Events;
using ActorSales.Grains.Infrastructure;
using ActorSales.Grains.Requests;
using Microsoft.Extensions.Logging;
using SalespersonStatus = ActorSales.Domain.People.SalespersonStatus;

namespace ActorSales.Grains.People;

/// <summary>
/// A salesperson (see <see cref="ISalespersonGrain"/>): looks up what a change needs, lets
/// <see cref="SalespersonAggregate"/> decide, writes state, events and effects in one write, then runs the effects.
/// The book is read from <see cref="IBookGrain"/>; the reads of lists and forecasts are in SalespersonGrain.Reads.cs.
/// </summary>
public sealed partial class SalespersonGrain(
    [PersistentState("salesperson", StorageNames.Default)] IPersistentState<SalespersonState> state,
    TimeProvider clock,
    ILogger<SalespersonGrain> logger) : Grain, ISalespersonGrain, IRemindable, IRetrySafeGrain
{
    private const string Entity = "salesperson";

    private EventOutbox _outbox = null!;
    private GrainEffects<SalespersonState> _effects = null!;

    private string Id => this.GetPrimaryKeyString();

    private SalespersonState S => state.State;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _outbox = EventOutbox.For(this, () => S.Outbox);
        _effects = new GrainEffects<SalespersonState>(this, state, Entity, clock, logger);
        await _outbox.ActivateAsync();
        if (S.Created && (!S.BookMoved || S.PendingTeamMove is not null))
        {
            await MigrateStoredRow();
        }
        await _effects.RunAsync();
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => _outbox.ReleaseAsync();

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (!await _outbox.ReceiveReminderAsync(reminderName))
        {
            await _effects.ReceiveReminderAsync();
        }
    }

    public async Task<SalespersonView> Create(SalespersonProfile profile, Caller caller)
    {
        AccessPolicy.EnsureCanAdministerOrganisation(caller);
        Guard.Id(Id, "salesperson_id");
        var valid = PeopleRules.Validate(profile);
        var team = await FindTeam(valid.TeamId); // every lookup before the first change: a failure leaves nothing half-made
        var aggregate = Aggregate();
        aggregate.Create(valid, clock.GetUtcNow());
        await Commit(aggregate, caller.UserId, team, ownedCustomers: 0);
        return await ToView();
    }

    public async Task<SalespersonView> Update(SalespersonChanges changes, long expectedVersion, Caller caller)
    {
        AccessPolicy.EnsureCanAdministerOrganisation(caller);
        EnsureCreated();
        var expected = Guard.ExpectedVersion(expectedVersion);
        var current = S.Profile!;
        var profile = PeopleRules.Validate(new SalespersonProfile(
            changes.Name ?? current.Name, changes.Email ?? current.Email, changes.Role ?? current.Role, changes.TeamId ?? current.TeamId));
        // Every lookup before the first change: a failure leaves nothing half-changed. A team move re-scopes the book.
        var team = profile.TeamId != current.TeamId ? await FindTeam(profile.TeamId) : await Team(current.TeamId).Find();
        var book = await Book().Read();
        var aggregate = Aggregate();
        aggregate.Update(profile, expected, book);
        await Commit(aggregate, caller.UserId, team, book.CustomerIds.Count);
        return aggregate.Changed ? await ToView() : ToView(team, book.CustomerIds.Count);
    }

    public async Task BeginDeparture(string handoverId, DateTimeOffset readsUntil, string actorId)
    {
        var aggregate = Aggregate();
        aggregate.BeginDeparture(handoverId, readsUntil);
        await Commit(aggregate, actorId);
    }

    public async Task CompleteDeparture(string handoverId, string actorId)
    {
        var aggregate = Aggregate();
        aggregate.CompleteDeparture(handoverId);
        await Commit(aggregate, actorId);
    }

    public async Task SetDelegate(Delegation? delegation, Caller caller)
    {
        EnsureCreated();
        AccessPolicy.EnsureCanSetDelegate(caller, Id);
        if (delegation is not null)
        {
            var target = await GrainFactory.GetGrain<ISalespersonGrain>(delegation.DelegateId).GetIdentity()
                ?? throw new NotFoundException("salesperson", delegation.DelegateId);
            if (target.Status != SalespersonStatus.Active)
            {
                throw new PreconditionFailedException($"delegate_id: '{delegation.DelegateId}' is not active");
            }
        }
        var aggregate = Aggregate();
        aggregate.SetDelegate(delegation);
        await Commit(aggregate, caller.UserId); // the follow-ups never throw: the delegation is stored
    }

    public RequestLedger Requests => S.Requests;

    /// <summary>A repeated Create or Update answers with the person; a repeated SetDelegate with nothing.</summary>
    public async ValueTask<object?> ReplayAsync(string method, AppliedRequest applied) =>
        method == nameof(SetDelegate) ? null : await ToView();

    public async Task LinkDelegator(string approverId, bool active)
    {
        var aggregate = Aggregate();
        aggregate.LinkDelegator(approverId, active);
        await Commit(aggregate, Caller.System.UserId);
    }

    public async Task LinkApproval(string approvalId, bool pending)
    {
        var aggregate = Aggregate();
        aggregate.LinkApproval(approvalId, pending);
        await Commit(aggregate, Caller.System.UserId);
    }

    public async Task LinkHandoverPackage(string handoverId, bool addressed)
    {
        var aggregate = Aggregate();
        aggregate.LinkHandoverPackage(handoverId, addressed);
        await Commit(aggregate, Caller.System.UserId);
    }

    /// <summary>
    /// Rows of earlier releases: the book moves to its grain, and a team move stored as a pending field becomes effects
    /// (over the book as both places hold it), in one write before anything else runs.
    /// </summary>
    private async Task MigrateStoredRow()
    {
        var aggregate = Aggregate();
        if (S.PendingTeamMove is { } stored)
        {
            var book = await Book().Read();
            aggregate.ResumeTeamMove(stored.FromTeamId, stored.ToTeamId, new BookEntries(
                [.. book.CustomerIds.Union(S.CustomerIds, StringComparer.Ordinal)], [],
                [.. book.OpenOpportunityIds.Union(S.OpenOpportunityIds, StringComparer.Ordinal)]));
            S.PendingTeamMove = null;
        }
        aggregate.HandOverBook();
        await Commit(aggregate, Caller.System.UserId, runEffects: false); // the activation runs them next
    }

    private SalespersonAggregate Aggregate() => new(Id, S);

    /// <summary>
    /// Records what the aggregate decided (events built from the state as it left it; <paramref name="team"/> and
    /// <paramref name="ownedCustomers"/> for the view in created/updated events), writes once, then runs the effects.
    /// </summary>
    private async Task Commit(SalespersonAggregate aggregate, string actorId, TeamView? team = null, int ownedCustomers = 0, bool runEffects = true)
    {
        if (!aggregate.Changed)
        {
            return;
        }
        aggregate.Record(_outbox, new EventScope(EntityType.Salesperson, Id, actorId, S.Profile?.TeamId, Id),
            e => ToContract(e, team, ownedCustomers), S.Effects, ToEffect);
        await state.WriteWithEventsAsync(_outbox, Entity, Id);
        if (runEffects)
        {
            await _effects.RunAsync(); // never throws: the change is stored
        }
    }

    private Action<DomainEvent> ToContract(SalespersonEvent @event, TeamView? team, int ownedCustomers) => @event switch
    {
        SalespersonEvent.Created => e => e.SalespersonCreated = new SalespersonCreated { Salesperson = ToView(team, ownedCustomers).ToContract() },
        SalespersonEvent.Updated updated => e =>
        {
            var contract = new SalespersonUpdated { Salesperson = ToView(team, ownedCustomers).ToContract() };
            contract.ChangedFields.AddRange(updated.ChangedFields);
            e.SalespersonUpdated = contract;
        },
        SalespersonEvent.DepartureStarted started => e => e.SalespersonDepartureStarted = new SalespersonDepartureStarted
        {
            SalespersonId = Id,
            HandoverId = started.HandoverId,
            ReadsUntil = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(started.ReadsUntil),
        },
        SalespersonEvent.Departed departed => e => e.SalespersonDeparted = new SalespersonDeparted { SalespersonId = Id, TeamId = departed.TeamId },
        _ => throw new ArgumentOutOfRangeException(nameof(@event), @event, "no contract for this salesperson event"),
    };

    private Effect ToEffect(SalespersonFollowUp followUp) => followUp switch
    {
        SalespersonFollowUp.JoinTeam join => new AddTeamMember(join.TeamId, Id),
        SalespersonFollowUp.LeaveTeam leave => new RemoveTeamMember(leave.TeamId, Id),
        SalespersonFollowUp.MoveCustomerToTeam move => new Effects.MoveCustomerToTeam(move.CustomerId, Id, move.TeamId),
        SalespersonFollowUp.MoveOpportunityToTeam move => new Effects.MoveOpportunityToTeam(move.OpportunityId, Id, move.TeamId),
        SalespersonFollowUp.LinkDelegator link => new Effects.LinkDelegator(link.DelegateId, Id, link.Active),
        SalespersonFollowUp.CloseInbox => new Effects.CloseInbox(Id),
        SalespersonFollowUp.ImportBook import => new Effects.ImportBook(Id, import.Entries),
        _ => throw new ArgumentOutOfRangeException(nameof(followUp), followUp, "no effect for this salesperson follow-up"),
    };

    private IBookGrain Book() => GrainFactory.GetGrain<IBookGrain>(Id);

    private ITeamGrain Team(string teamId) => GrainFactory.GetGrain<ITeamGrain>(teamId);

    private async Task<TeamView> FindTeam(string teamId) =>
        await Team(teamId).Find() ?? throw new PreconditionFailedException($"team_id: team '{teamId}' does not exist; create it first");

    private void EnsureCreated()
    {
        if (!S.Created)
        {
            throw new NotFoundException(Entity, Id);
        }
    }

    private async Task<SalespersonView> ToView() =>
        ToView(await Team(S.Profile!.TeamId).Find(), (await Book().CustomersAfter(null, 0)).Total);

    private SalespersonView ToView(TeamView? team, int ownedCustomers) =>
        new(Id, S.Profile!, team?.ManagerId, S.Status, ownedCustomers, S.Version, S.CreatedAt);
}
