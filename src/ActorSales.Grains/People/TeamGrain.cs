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
using ActorSales.Grains.Infrastructure;
using Role = ActorSales.Domain.Identity.Role;

using SalespersonStatus = ActorSales.Domain.People.SalespersonStatus;

using CurrencyForecast = ActorSales.Domain.Pipeline.CurrencyForecast;

using StallLevel = ActorSales.Domain.Deadlines.StallLevel;

namespace ActorSales.Grains.People;

public sealed class TeamGrain(
    [PersistentState("team", StorageNames.Default)] IPersistentState<TeamState> state,
    TimeProvider clock,
    ILogger<TeamGrain> logger) : Grain, ITeamGrain, IRemindable
{
    private const string Entity = "team";

    private EventOutbox _outbox = null!;
    private GrainEffects<TeamState> _effects = null!;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _outbox = EventOutbox.For(this, () => state.State.Outbox);
        _effects = new GrainEffects<TeamState>(this, state, Entity, clock, logger);
        await _outbox.ActivateAsync();
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

    private string Id => this.GetPrimaryKeyString();

    public async Task<TeamView> Create(TeamProfile profile, Caller caller)
    {
        AccessPolicy.EnsureCanAdministerOrganisation(caller);
        Guard.Id(Id, "team_id");
        var valid = PeopleRules.Validate(profile);
        if (state.State.Created)
        {
            throw new AlreadyExistsException($"team '{Id}' already exists", Id);
        }
        state.State.Created = true;
        state.State.Profile = valid;
        state.State.CreatedAt = clock.GetUtcNow();
        state.State.Version = 1;
        Raise(caller.UserId, e => e.TeamCreated = new TeamCreated { Team = ToView().ToContract() });
        state.State.Effects.Add(new AddTeamToRegion(valid.Region, Id));
        await state.WriteWithEventsAsync(_outbox, Entity, Id);
        await _effects.RunAsync();
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
        Guard.Version(Guard.ExpectedVersion(expectedVersion), state.State.Version, Entity, Id);
        var current = state.State.Profile!;
        var profile = PeopleRules.Validate(new TeamProfile(
            changes.Name ?? current.Name, changes.Region ?? current.Region, changes.TimeZone ?? current.TimeZone));
        var changed = new List<string>();
        if (profile.Name != current.Name) changed.Add("name");
        if (profile.Region != current.Region) changed.Add("region");
        if (profile.TimeZone != current.TimeZone) changed.Add("time_zone");
        if (changes.ManagerId is { } managerId && managerId != state.State.ManagerId)
        {
            await EnsureEligibleManager(Guard.Id(managerId, "manager_id"));
            changed.Add("manager_id");
        }
        if (changes.DirectorId is { } directorId && directorId != state.State.DirectorId)
        {
            await EnsureEligibleDirector(Guard.Id(directorId, "director_id"));
            changed.Add("director_id");
        }
        if (changed.Count == 0)
        {
            return ToView();
        }
        state.State.Profile = profile;
        state.State.ManagerId = changes.ManagerId ?? state.State.ManagerId;
        state.State.DirectorId = changes.DirectorId ?? state.State.DirectorId;
        state.State.Version++;
        Raise(caller.UserId, e =>
        {
            var updated = new TeamUpdated { Team = ToView().ToContract() };
            updated.ChangedFields.AddRange(changed);
            e.TeamUpdated = updated;
        });
        if (profile.Region != current.Region)
        {
            state.State.Effects.Add(new RemoveTeamFromRegion(current.Region, Id));
            state.State.Effects.Add(new AddTeamToRegion(profile.Region, Id));
        }
        await state.WriteWithEventsAsync(_outbox, Entity, Id);
        await _effects.RunAsync();
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
        var changed = level == StallLevel.None
            ? state.State.Stalled.Remove(opportunityId)
            : !state.State.Stalled.TryGetValue(opportunityId, out var current) || current != level;
        if (level != StallLevel.None)
        {
            state.State.Stalled[opportunityId] = level;
        }
        if (changed)
        {
            await state.WriteOrConflictAsync(Entity, Id);
        }
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
        if (warned ? state.State.AboutToRelease.Add(customerId) : state.State.AboutToRelease.Remove(customerId))
        {
            await state.WriteOrConflictAsync(Entity, Id);
        }
    }

    public Task<IReadOnlyList<string>> AboutToRelease(Caller caller)
    {
        EnsureCreated();
        AccessPolicy.EnsureCanReadTeamBook(caller, Id);
        return Task.FromResult<IReadOnlyList<string>>([.. state.State.AboutToRelease]);
    }

    public async Task SetIntervention(string opportunityId, bool needed)
    {
        if (needed ? state.State.Interventions.Add(opportunityId) : state.State.Interventions.Remove(opportunityId))
        {
            await state.WriteOrConflictAsync(Entity, Id);
        }
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
        EnsureCreated();
        if (!state.State.Members.Add(salespersonId))
        {
            return;
        }
        state.State.Version++;
        Raise(Caller.System.UserId, e => e.TeamMemberJoined = new TeamMemberJoined { SalespersonId = salespersonId });
        await state.WriteWithEventsAsync(_outbox, Entity, Id);
    }

    public async Task RemoveMember(string salespersonId)
    {
        if (!state.State.Members.Remove(salespersonId))
        {
            return;
        }
        if (state.State.ManagerId == salespersonId)
        {
            state.State.ManagerId = null;
        }
        state.State.Version++;
        Raise(Caller.System.UserId, e => e.TeamMemberLeft = new TeamMemberLeft { SalespersonId = salespersonId });
        await state.WriteWithEventsAsync(_outbox, Entity, Id);
    }

    /// <summary>Adds the event of the change in progress (at the new version) to the outbox; teams have no owner.</summary>
    private void Raise(string actorId, Action<DomainEvent> setChange) =>
        _outbox.Add(EntityType.Team, Id, state.State.Version, actorId, Id, null, setChange);

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

    private TeamView ToView() => new(Id, state.State.Profile!, state.State.ManagerId, [.. state.State.Members], state.State.Version, state.State.CreatedAt, state.State.DirectorId);
}
