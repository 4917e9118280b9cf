using ActorSales.Contracts.V1;
using ActorSales.Domain.Common;
using ActorSales.Domain.Deadlines;
using ActorSales.Domain.Errors;
using ActorSales.Domain.Identity;
using ActorSales.Domain.People;
using ActorSales.Domain.Pipeline;
using ActorSales.Grains.Abstractions.Contracts;
using ActorSales.Grains.Abstractions;
using ActorSales.Grains.Abstractions.Opportunities;
using ActorSales.Grains.Abstractions.People;
using ActorSales.Grains.Effects;
using ActorSales.Grains.Events;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ActorSales.Domain.Insights;
using ActorSales.Grains.Deadlines;
using ActorSales.Grains.Infrastructure;
using ActorSales.Grains.Requests;
using Role = ActorSales.Domain.Identity.Role;

using SalespersonStatus = ActorSales.Domain.People.SalespersonStatus;

using CurrencyForecast = ActorSales.Domain.Pipeline.CurrencyForecast;

using StallLevel = ActorSales.Domain.Deadlines.StallLevel;

namespace ActorSales.Grains.People;

public sealed partial class TeamGrain(
    [PersistentState("team", StorageNames.Default)] IPersistentState<TeamState> state,
    TimeProvider clock,
    IOptions<InsightsOptions> insightsOptions,
    IOptions<DeadlineOptions> deadlineOptions,
    IOptions<OpportunityOptions> opportunityOptions,
    IServiceProvider services,
    ILogger<TeamGrain> logger) : Grain, ITeamGrain, IRemindable, IRetrySafeGrain
{
    private const string Entity = "team";

    private EventOutbox _outbox = null!;
    private DeadlineScheduler _deadlines = null!;
    private EffectDispatcher _effects = null!;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _outbox = EventOutbox.For(this, () => state.State.Outbox);
        _deadlines = new DeadlineScheduler(this, clock, OnDeadlineDue, logger, state.State.ReminderDueAt);
        _effects = EffectDispatcher.For(this, () => state.State.Effects, _deadlines, logger);
        await _outbox.ActivateAsync();
        if (InsightsOn && state.State.Created)
        {
            Aggregate().StartInsightsNoEarlierThan(clock.GetUtcNow(), Calendar());
        }
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

    private string Id => this.GetPrimaryKeyString();

    public async Task<TeamView> Create(TeamProfile profile, Caller caller)
    {
        AccessPolicy.EnsureCanAdministerOrganisation(caller);
        Guard.Id(Id, "team_id");
        var aggregate = Aggregate();
        aggregate.Create(PeopleRules.Validate(profile), clock.GetUtcNow());
        await Commit(aggregate, caller.UserId);
        return ToView();
    }

    public Task<TeamView> Get(Caller caller)
    {
        EnsureCreated();
        AccessPolicy.EnsureCanReadTeam(caller, Id);
        return Task.FromResult(ToView());
    }

    public async Task<TeamView> Update(TeamChanges changes, long expectedVersion, Caller caller)
    {
        AccessPolicy.EnsureCanAdministerOrganisation(caller);
        EnsureCreated();
        var expected = Guard.ExpectedVersion(expectedVersion);
        var current = state.State.Profile!;
        var profile = PeopleRules.Validate(new TeamProfile(
            changes.Name ?? current.Name, changes.Region ?? current.Region, changes.TimeZone ?? current.TimeZone));
        // Every lookup before the first change: a new manager or director must be eligible.
        if (changes.ManagerId is { } managerId && managerId != state.State.ManagerId)
        {
            await EnsureEligibleManager(Guard.Id(managerId, "manager_id"));
        }
        if (changes.DirectorId is { } directorId && directorId != state.State.DirectorId)
        {
            await EnsureEligibleDirector(Guard.Id(directorId, "director_id"));
        }
        var aggregate = Aggregate();
        aggregate.Update(profile, changes.ManagerId, changes.DirectorId, expected);
        await Commit(aggregate, caller.UserId);
        return ToView();
    }

    public async Task<Page<OpportunityView>> ListOpportunities(Caller caller, string? stage, int pageSize, string? afterId)
    {
        EnsureCreated();
        AccessPolicy.EnsureCanReadTeamBook(caller, Id);
        var books = await Task.WhenAll(state.State.Members.Select(m => Books.ReadAsync(GrainFactory, m)));
        var ids = books.SelectMany(b => b.OpenOpportunityIds)
            .Where(id => afterId is null || string.CompareOrdinal(id, afterId) > 0)
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();
        var (matching, hasMore) = await BookPaging.PageAsync(ids, id => GrainFactory.GetGrain<IOpportunityGrain>(id).Find(),
            o => o.OwnerTeamId == Id && o.Status == Domain.Pipeline.OpportunityStatus.Open && (stage is null || o.Stage == stage), pageSize);
        return new Page<OpportunityView>(matching, hasMore ? matching[^1].Id : null, ids.Count);
    }

    public async Task SetStall(string opportunityId, StallLevel level)
    {
        var aggregate = Aggregate();
        aggregate.SetStall(opportunityId, level);
        if (aggregate.Changed && InsightsOn && state.State.Created)
        {
            aggregate.ScheduleStalledShareCheck(clock.GetUtcNow() + insightsOptions.Value.StalledShareCheckDelay);
        }
        await Commit(aggregate, Caller.System.UserId);
    }

    public async Task<IReadOnlyList<OpportunityView>> ListStalled(Caller caller)
    {
        EnsureCreated();
        AccessPolicy.EnsureCanReadTeamBook(caller, Id);
        var views = await Task.WhenAll(state.State.Stalled.Keys.Select(id => GrainFactory.GetGrain<IOpportunityGrain>(id).Find()));
        return views.OfType<OpportunityView>()
            .Where(o => o.StallLevel != StallLevel.None)
            .OrderByDescending(o => o.StallLevel).ThenBy(o => o.StageEnteredAt)
            .ToList();
    }

    public async Task SetReleaseWarning(string customerId, bool warned)
    {
        var aggregate = Aggregate();
        aggregate.SetReleaseWarning(customerId, warned);
        await Commit(aggregate, Caller.System.UserId);
    }

    public Task<IReadOnlyList<string>> AboutToRelease(Caller caller)
    {
        EnsureCreated();
        AccessPolicy.EnsureCanReadTeamBook(caller, Id);
        return Task.FromResult<IReadOnlyList<string>>([.. state.State.AboutToRelease]);
    }

    public async Task SetIntervention(string opportunityId, bool needed)
    {
        var aggregate = Aggregate();
        aggregate.SetIntervention(opportunityId, needed);
        await Commit(aggregate, Caller.System.UserId);
    }

    public async Task<IReadOnlyList<OpportunityView>> ListInterventions(Caller caller)
    {
        EnsureCreated();
        AccessPolicy.EnsureCanReadTeamBook(caller, Id);
        var views = await Task.WhenAll(state.State.Interventions.Select(id => GrainFactory.GetGrain<IOpportunityGrain>(id).Find()));
        return views.OfType<OpportunityView>().Where(o => o.NeedsIntervention).OrderBy(o => o.SignalChangedAt).ToList();
    }

    public Task<IReadOnlyList<CurrencyForecast>> GetForecast(Caller caller)
    {
        EnsureCreated();
        AccessPolicy.EnsureCanReadTeamBook(caller, Id);
        return ComputeForecast();
    }

    public async Task<IReadOnlyList<CurrencyForecast>> ComputeForecast()
    {
        var parts = await Task.WhenAll(state.State.Members.Select(id => GrainFactory.GetGrain<ISalespersonGrain>(id).ComputeForecast()));
        return ForecastRules.Combine(parts.SelectMany(p => p));
    }

    public Task<TeamView?> Find() => Task.FromResult(state.State.Created ? ToView() : null);

    public async Task AddMember(string salespersonId)
    {
        var aggregate = Aggregate();
        aggregate.AddMember(salespersonId);
        await Commit(aggregate, Caller.System.UserId);
    }

    public async Task RemoveMember(string salespersonId)
    {
        var aggregate = Aggregate();
        aggregate.RemoveMember(salespersonId);
        await Commit(aggregate, Caller.System.UserId);
    }

    private TeamAggregate Aggregate() => new(Id, state.State);

    /// <summary>
    /// Records what the aggregate decided (events built from the team as the command left it; teams have no owner),
    /// writes once, then runs the effects. A change without events or effects (a list entry) is only written.
    /// </summary>
    private async Task Commit(TeamAggregate aggregate, string actorId)
    {
        if (!aggregate.Changed)
        {
            return;
        }
        aggregate.Record(_outbox, new EventScope(EntityType.Team, Id, actorId, Id, null), ToContract, state.State.Effects, ToEffect);
        state.State.ReminderDueAt = await _deadlines.ReminderForWriteAsync(DesiredDeadlines());
        await state.WriteWithEventsAsync(_outbox, Entity, Id);
        await AfterWrite(); // never throws: the change is stored
    }

    /// <summary>Runs pending effects and makes the timers and the reminder match what the team wants now.</summary>
    private async Task AfterWrite()
    {
        await _effects.RunAsync();
        await _deadlines.ScheduleAsync(DesiredDeadlines());
        state.State.ReminderDueAt = _deadlines.ReminderDueAt;
    }

    private Action<DomainEvent> ToContract(TeamEvent @event) => @event switch
    {
        TeamEvent.Created => e => e.TeamCreated = new TeamCreated { Team = ToView().ToContract() },
        TeamEvent.Updated updated => e =>
        {
            var contract = new TeamUpdated { Team = ToView().ToContract() };
            contract.ChangedFields.AddRange(updated.ChangedFields);
            e.TeamUpdated = contract;
        },
        TeamEvent.MemberJoined joined => e => e.TeamMemberJoined = new TeamMemberJoined { SalespersonId = joined.SalespersonId },
        TeamEvent.MemberLeft left => e => e.TeamMemberLeft = new TeamMemberLeft { SalespersonId = left.SalespersonId },
        TeamEvent.GoalSet set => e => e.GoalSet = new GoalSet { Goal = GoalContract.ToContract(Id, set.Goal) },
        TeamEvent.AnomalyDetected detected => e => e.AnomalyDetected = new AnomalyDetected { Anomaly = InsightContract.ToContract(Id, detected.Anomaly) },
        TeamEvent.AnomalyCleared cleared => e => e.AnomalyCleared = new AnomalyCleared { Anomaly = InsightContract.ToContract(Id, cleared.Anomaly) },
        TeamEvent.ForecastSnapshotTaken taken => e => e.ForecastSnapshotTaken = InsightContract.ToContract(Id, taken.Snapshot),
        _ => throw new ArgumentOutOfRangeException(nameof(@event), @event, "no contract for this team event"),
    };

    private Effect ToEffect(TeamFollowUp followUp) => followUp switch
    {
        TeamFollowUp.JoinRegion join => new AddTeamToRegion(join.Region, Id),
        TeamFollowUp.LeaveRegion leave => new RemoveTeamFromRegion(leave.Region, Id),
        TeamFollowUp.Notify notify => new Notify(notify.RecipientId, notify.Notification),
        _ => throw new ArgumentOutOfRangeException(nameof(followUp), followUp, "no effect for this team follow-up"),
    };

    private async Task EnsureEligibleManager(string managerId)
    {
        var person = await GrainFactory.GetGrain<ISalespersonGrain>(managerId).GetIdentity()
            ?? throw new NotFoundException("salesperson", managerId);
        if (person.TeamId != Id || person.Role != Role.Manager || person.Status != SalespersonStatus.Active)
        {
            throw new PreconditionFailedException($"manager_id: '{managerId}' must be an active member of team '{Id}' with role ROLE_MANAGER");
        }
    }

    private async Task EnsureEligibleDirector(string directorId)
    {
        var person = await GrainFactory.GetGrain<ISalespersonGrain>(directorId).GetIdentity()
            ?? throw new NotFoundException("salesperson", directorId);
        if (person.Role != Role.Director || person.Status != SalespersonStatus.Active)
        {
            throw new PreconditionFailedException($"director_id: '{directorId}' must be an active salesperson with role ROLE_DIRECTOR");
        }
    }

    private void EnsureCreated()
    {
        if (!state.State.Created)
        {
            throw new NotFoundException(Entity, Id);
        }
    }

    public RequestLedger Requests => state.State.Requests;

    public ValueTask<object?> ReplayAsync(string method, AppliedRequest applied) =>
        ValueTask.FromResult<object?>(method == nameof(SetGoal) ? new GoalSetResult(state.State.Goals[applied.Noted!], state.State.Version) : ToView());

    private TeamView ToView() => new(Id, state.State.Profile!, state.State.ManagerId, [.. state.State.Members], state.State.Version, state.State.CreatedAt, state.State.DirectorId);
}
