using ActorSales.Contracts.V1;
using ActorSales.Domain.Common;
using ActorSales.Domain.Errors;
using ActorSales.Domain.Identity;
using ActorSales.Domain.People;
using ActorSales.Grains.Abstractions;
using ActorSales.Grains.Abstractions.Contracts;
using ActorSales.Grains.Abstractions.Customers;
using ActorSales.Grains.Abstractions.Opportunities;
using ActorSales.Domain.Pipeline;
using ApprovalStatus = ActorSales.Domain.Pipeline.ApprovalStatus;
using OpportunityStatus = ActorSales.Domain.Pipeline.OpportunityStatus;
using ActorSales.Grains.Abstractions.People;
using ActorSales.Grains.Abstractions.Notifications;
using ActorSales.Grains.Effects;
using ActorSales.Grains.Events;
using Microsoft.Extensions.Logging;
using ActorSales.Grains.Infrastructure;

using SalespersonStatus = ActorSales.Domain.People.SalespersonStatus;

using CurrencyForecast = ActorSales.Domain.Pipeline.CurrencyForecast;

namespace ActorSales.Grains.People;

public sealed class SalespersonGrain(
    [PersistentState("salesperson", StorageNames.Default)] IPersistentState<SalespersonState> state,
    TimeProvider clock,
    ILogger<SalespersonGrain> logger) : Grain, ISalespersonGrain, IRemindable
{
    private const string Entity = "salesperson";

    private EventOutbox _outbox = null!;
    private GrainEffects<SalespersonState> _effects = null!;

    private string Id => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _outbox = EventOutbox.For(this, () => state.State.Outbox);
        _effects = new GrainEffects<SalespersonState>(this, state, Entity, clock, logger);
        await _outbox.ActivateAsync();
        if (state.State.PendingTeamMove is { } stored)
        {
            // A row of an earlier release: its team move becomes effects (persisted by the run below).
            PlanTeamMove(stored.FromTeamId, stored.ToTeamId);
            state.State.PendingTeamMove = null;
        }
        await _effects.RunAsync();
    }

    public async Task<SalespersonView> Create(SalespersonProfile profile, Caller caller)
    {
        AccessPolicy.EnsureCanAdministerOrganisation(caller);
        Guard.Id(Id, "salesperson_id");
        var valid = PeopleRules.Validate(profile);
        if (state.State.Created)
        {
            throw new AlreadyExistsException($"salesperson '{Id}' already exists", Id);
        }
        var team = await FindTeam(valid.TeamId); // every lookup before the first change: a failure leaves nothing half-made
        state.State.Created = true;
        state.State.Profile = valid;
        state.State.Status = SalespersonStatus.Active;
        state.State.CreatedAt = clock.GetUtcNow();
        state.State.Version = 1;
        PlanTeamMove(null, valid.TeamId);
        var created = ToView(team).ToContract();
        Raise(caller, e => e.SalespersonCreated = new SalespersonCreated { Salesperson = created });
        await state.WriteWithEventsAsync(_outbox, Entity, Id);
        await _effects.RunAsync(); // never throws: the change is stored
        return await ToView();
    }

    public async Task<SalespersonView> Get(Caller caller)
    {
        EnsureCreated();
        AccessPolicy.EnsureCanReadPerson(caller, Id, state.State.Profile!.TeamId);
        return await ToView();
    }

    public async Task<SalespersonView> Update(SalespersonChanges changes, long expectedVersion, Caller caller)
    {
        AccessPolicy.EnsureCanAdministerOrganisation(caller);
        EnsureCreated();
        Guard.Version(Guard.ExpectedVersion(expectedVersion), state.State.Version, Entity, Id);
        var current = state.State.Profile!;
        var profile = PeopleRules.Validate(new SalespersonProfile(
            changes.Name ?? current.Name, changes.Email ?? current.Email, changes.Role ?? current.Role, changes.TeamId ?? current.TeamId));
        var changed = new List<string>();
        if (profile.Name != current.Name) changed.Add("name");
        if (profile.Email != current.Email) changed.Add("email");
        if (profile.Role != current.Role) changed.Add("role");
        if (profile.TeamId != current.TeamId) changed.Add("team_id");
        // Every lookup before the first change: a failure leaves nothing half-changed.
        var team = profile.TeamId != current.TeamId ? await FindTeam(profile.TeamId) : await GrainFactory.GetGrain<ITeamGrain>(current.TeamId).Find();
        if (changed.Count == 0)
        {
            return ToView(team);
        }
        if (profile.TeamId != current.TeamId)
        {
            PlanTeamMove(current.TeamId, profile.TeamId);
        }
        state.State.Profile = profile;
        state.State.Version++;
        var updated = new SalespersonUpdated { Salesperson = ToView(team).ToContract() };
        updated.ChangedFields.AddRange(changed);
        Raise(caller, e => e.SalespersonUpdated = updated);
        await state.WriteWithEventsAsync(_outbox, Entity, Id);
        await _effects.RunAsync(); // never throws: the change is stored
        return await ToView();
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => _outbox.ReleaseAsync();

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (!await _outbox.ReceiveReminderAsync(reminderName))
        {
            await _effects.ReceiveReminderAsync();
        }
    }

    /// <summary>Adds the event of the change in progress (at the new version) to the outbox; a salesperson owns their own record.</summary>
    private void Raise(Caller caller, Action<DomainEvent> setChange) => Raise(caller.UserId, setChange);

    private void Raise(string actorId, Action<DomainEvent> setChange) =>
        _outbox.Add(EntityType.Salesperson, Id, state.State.Version, actorId, state.State.Profile!.TeamId, Id, setChange);

    public Task<PersonIdentity?> GetIdentity() => Task.FromResult(
        state.State.Created
            ? new PersonIdentity(Id, state.State.Profile!.Role, state.State.Profile.TeamId, state.State.Status, state.State.ReadsUntil)
            : null);

    public async Task BeginDeparture(string handoverId, DateTimeOffset readsUntil, string actorId)
    {
        EnsureCreated();
        if (state.State.HandoverId == handoverId && state.State.Status is SalespersonStatus.Departing or SalespersonStatus.Departed)
        {
            return; // a retried start: already frozen by this handover
        }
        if (state.State.Status != SalespersonStatus.Active)
        {
            throw new PreconditionFailedException($"salesperson '{Id}' is {state.State.Status.ToString().ToLowerInvariant()}, not active; a departure cannot start");
        }
        state.State.Status = SalespersonStatus.Departing;
        state.State.ReadsUntil = readsUntil;
        state.State.HandoverId = handoverId;
        state.State.Version++;
        Raise(actorId, e => e.SalespersonDepartureStarted = new SalespersonDepartureStarted
        {
            SalespersonId = Id,
            HandoverId = handoverId,
            ReadsUntil = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(readsUntil),
        });
        await state.WriteWithEventsAsync(_outbox, Entity, Id);
    }

    public async Task CompleteDeparture(string handoverId, string actorId)
    {
        EnsureCreated();
        if (state.State.HandoverId != handoverId)
        {
            throw new PreconditionFailedException($"salesperson '{Id}' is not departing under handover '{handoverId}'");
        }
        var teamId = state.State.Profile!.TeamId;
        if (state.State.Status != SalespersonStatus.Departed)
        {
            state.State.Status = SalespersonStatus.Departed;
            state.State.ReadsUntil = null;
            state.State.Version++;
            Raise(actorId, e => e.SalespersonDeparted = new SalespersonDeparted { SalespersonId = Id, TeamId = teamId });
            await state.WriteWithEventsAsync(_outbox, Entity, Id);
        }
        // Idempotent effects, repeated by a retried completion: claim rights end with the status (the policy refuses
        // a departed caller), the team no longer counts the leaver, and the inbox takes nothing more.
        await GrainFactory.GetGrain<ITeamGrain>(teamId).RemoveMember(Id);
        await GrainFactory.GetGrain<INotificationInboxGrain>(Id).Close();
    }

    public Task<IReadOnlyList<string>> OwnedCustomerIds() => Task.FromResult<IReadOnlyList<string>>([.. state.State.CustomerIds]);

    public async Task<int> ReconcileBook(IReadOnlyList<string> customerIds, IReadOnlyList<string> opportunityIds, bool expectOwned)
    {
        EnsureCreated();
        // Every change of this activation was written before it returned, so storage is at least as new as memory; it is
        // newer when another activation wrote during a silo loss, and that write is exactly what this read picks up.
        await state.ReadStateAsync();
        var books = state.State;
        var customers = await Disagreeing(customerIds, books.CustomerIds, expectOwned, async id =>
            await GrainFactory.GetGrain<ICustomerGrain>(id).Find() is { } c && c.OwnerId == Id && !c.InPool);
        var deals = await Disagreeing(opportunityIds, books.OpenOpportunityIds, expectOwned, async id =>
            await GrainFactory.GetGrain<IOpportunityGrain>(id).Find() is { } o && o.OwnerId == Id && o.Status == OpportunityStatus.Open);
        var corrected = 0;
        foreach (var (id, owns) in customers)
        {
            corrected += (owns ? books.CustomerIds.Add(id) : books.CustomerIds.Remove(id)) ? 1 : 0;
            if (!owns)
            {
                books.WonCustomerIds.Remove(id);
            }
        }
        foreach (var (id, owns) in deals)
        {
            corrected += (owns ? books.OpenOpportunityIds.Add(id) : books.OpenOpportunityIds.Remove(id)) ? 1 : 0;
        }
        if (corrected > 0)
        {
            await state.WriteOrConflictAsync(Entity, Id);
        }
        return corrected;
    }

    /// <summary>Entries whose presence in <paramref name="book"/> differs from the expectation, with what their record says.</summary>
    private static async Task<List<(string Id, bool Owns)>> Disagreeing(
        IReadOnlyList<string> ids, SortedSet<string> book, bool expectOwned, Func<string, Task<bool>> ownsPerRecord)
    {
        var results = new List<(string, bool)>();
        foreach (var chunk in ids.Distinct(StringComparer.Ordinal).Where(id => book.Contains(id) != expectOwned).Chunk(100))
        {
            var answers = await Task.WhenAll(chunk.Select(ownsPerRecord));
            results.AddRange(chunk.Zip(answers));
        }
        return results;
    }

    public async Task LinkHandoverPackage(string handoverId, bool addressed)
    {
        EnsureCreated();
        var packages = state.State.HandoverPackages;
        var changed = addressed ? !packages.Contains(handoverId) : packages.Remove(handoverId);
        if (addressed && changed)
        {
            packages.Add(handoverId);
        }
        if (changed)
        {
            await state.WriteOrConflictAsync(Entity, Id);
        }
    }

    public Task<IReadOnlyList<string>> HandoverPackageIds() =>
        Task.FromResult<IReadOnlyList<string>>(Enumerable.Reverse(state.State.HandoverPackages).ToList());

    public Task<int> OwnedCount() => Task.FromResult(state.State.CustomerIds.Count - state.State.WonCustomerIds.Count);

    public async Task MarkCustomerWon(string customerId)
    {
        if (state.State.CustomerIds.Contains(customerId) && state.State.WonCustomerIds.Add(customerId))
        {
            await state.WriteOrConflictAsync(Entity, Id);
        }
    }

    public async Task AddCustomer(string customerId)
    {
        EnsureCreated();
        if (state.State.CustomerIds.Add(customerId))
        {
            await state.WriteOrConflictAsync(Entity, Id);
        }
    }

    public async Task RemoveCustomer(string customerId)
    {
        state.State.WonCustomerIds.Remove(customerId);
        if (state.State.CustomerIds.Remove(customerId))
        {
            await state.WriteOrConflictAsync(Entity, Id);
        }
    }

    public async Task LinkOpportunity(string opportunityId, bool open)
    {
        EnsureCreated();
        var changed = open ? state.State.OpenOpportunityIds.Add(opportunityId) : state.State.OpenOpportunityIds.Remove(opportunityId);
        if (changed)
        {
            await state.WriteOrConflictAsync(Entity, Id);
        }
    }

    public Task<IReadOnlyList<string>> OpenOpportunityIds() => Task.FromResult<IReadOnlyList<string>>([.. state.State.OpenOpportunityIds]);

    public async Task<Page<OpportunityView>> ListOpportunities(Caller caller, string? stage, int pageSize, string? afterId)
    {
        EnsureCreated();
        AccessPolicy.EnsureCanRead(caller, Id, state.State.Profile!.TeamId, "that salesperson's pipeline");
        var ids = state.State.OpenOpportunityIds.Where(id => afterId is null || string.CompareOrdinal(id, afterId) > 0).ToList();
        var (matching, hasMore) = await BookPaging.PageAsync(ids, id => GrainFactory.GetGrain<IOpportunityGrain>(id).Find(),
            o => o.OwnerId == Id && o.Status == OpportunityStatus.Open && (stage is null || o.Stage == stage), pageSize);
        return new Page<OpportunityView>(matching, hasMore ? matching[^1].Id : null, state.State.OpenOpportunityIds.Count);
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
        var previous = state.State.Delegation;
        state.State.Delegation = delegation;
        if (previous is not null && previous.DelegateId != delegation?.DelegateId)
        {
            state.State.Effects.Add(new LinkDelegator(previous.DelegateId, Id, false));
        }
        if (delegation is not null)
        {
            state.State.Effects.Add(new LinkDelegator(delegation.DelegateId, Id, true));
        }
        await state.WriteOrConflictAsync(Entity, Id);
        await _effects.RunAsync(); // never throws: the delegation is stored
    }

    public Task<Delegation?> GetDelegation() => Task.FromResult(state.State.Delegation);

    public async Task LinkDelegator(string approverId, bool active)
    {
        EnsureCreated();
        if (active ? state.State.Delegators.Add(approverId) : state.State.Delegators.Remove(approverId))
        {
            await state.WriteOrConflictAsync(Entity, Id);
        }
    }

    public async Task LinkApproval(string approvalId, bool pending)
    {
        EnsureCreated();
        if (pending ? state.State.PendingApprovalIds.Add(approvalId) : state.State.PendingApprovalIds.Remove(approvalId))
        {
            await state.WriteOrConflictAsync(Entity, Id);
        }
    }

    public Task<IReadOnlyList<string>> PendingApprovalIds() => Task.FromResult<IReadOnlyList<string>>([.. state.State.PendingApprovalIds]);

    public async Task<IReadOnlyList<ApprovalView>> ListPendingApprovals(Caller caller)
    {
        EnsureCreated();
        AccessPolicy.EnsureCanListApprovals(caller, Id);
        var now = clock.GetUtcNow();
        var ids = new List<string>(state.State.PendingApprovalIds);
        // Who named this person delegate: the index, plus the list rows of the previous release kept here.
        var delegators = new SortedSet<string>(await GrainFactory.GetGrain<IDelegatorsGrain>(Id).Approvers(), StringComparer.Ordinal);
        delegators.UnionWith(state.State.Delegators);
        foreach (var approverId in delegators)
        {
            var approver = GrainFactory.GetGrain<ISalespersonGrain>(approverId);
            if (await approver.GetDelegation() is { } delegation && delegation.DelegateId == Id && delegation.IsActive(now))
            {
                ids.AddRange(await approver.PendingApprovalIds());
            }
        }
        var approvals = await Task.WhenAll(ids.Distinct(StringComparer.Ordinal).Select(id => GrainFactory.GetGrain<IApprovalGrain>(id).Find()));
        // An approval rerouted away from its approver stays out even if the old list still names it.
        return approvals.OfType<ApprovalView>()
            .Where(a => a.Status == ApprovalStatus.Pending && (a.ApproverId == Id || delegators.Contains(a.ApproverId)))
            .OrderBy(a => a.RequestedAt).ToList();
    }

    public Task<IReadOnlyList<CurrencyForecast>> GetForecast(Caller caller)
    {
        EnsureCreated();
        AccessPolicy.EnsureCanRead(caller, Id, state.State.Profile!.TeamId, "that salesperson's forecast");
        return ComputeForecast();
    }

    public async Task<IReadOnlyList<CurrencyForecast>> ComputeForecast()
    {
        var opportunities = await Task.WhenAll(state.State.OpenOpportunityIds.Select(id => GrainFactory.GetGrain<IOpportunityGrain>(id).Find()));
        return ForecastRules.Combine(opportunities.OfType<OpportunityView>()
            .Where(o => o.OwnerId == Id && o.Status == OpportunityStatus.Open)
            .Select(o => new CurrencyForecast(o.Terms.Value.Currency, o.Terms.Value.Amount, o.WeightedAmount, 1)));
    }

    public async Task<Page<CustomerView>> ListCustomers(Caller caller, int pageSize, string? afterId)
    {
        EnsureCreated();
        AccessPolicy.EnsureCanRead(caller, Id, state.State.Profile!.TeamId, "that salesperson's book");
        var ids = state.State.CustomerIds;
        IEnumerable<string> candidates = afterId is null ? ids
            : ids.Max is { } max && string.CompareOrdinal(afterId, max) < 0 ? ids.GetViewBetween(afterId, max).SkipWhile(id => id == afterId)
            : [];
        var pageIds = candidates.Take(pageSize + 1).ToList();
        var hasMore = pageIds.Count > pageSize;
        if (hasMore)
        {
            pageIds.RemoveAt(pageIds.Count - 1);
        }
        var customers = await Task.WhenAll(pageIds.Select(id => GrainFactory.GetGrain<ICustomerGrain>(id).Find()));
        // A customer mid-transfer may already name its new owner; it is listed in that owner's book instead.
        var items = customers.OfType<CustomerView>().Where(c => c.OwnerId == Id).ToList();
        return new Page<CustomerView>(items, hasMore ? pageIds[^1] : null, ids.Count);
    }

    /// <summary>
    /// The effects of joining <paramref name="toTeamId"/> (from <paramref name="fromTeamId"/>, if any): both teams'
    /// member lists, and every owned customer and open deal re-scoped to the new team (its manager, lists, forecast).
    /// </summary>
    private void PlanTeamMove(string? fromTeamId, string toTeamId)
    {
        var effects = state.State.Effects;
        if (fromTeamId is not null)
        {
            effects.Add(new RemoveTeamMember(fromTeamId, Id));
        }
        effects.Add(new AddTeamMember(toTeamId, Id));
        if (fromTeamId is null)
        {
            return;
        }
        effects.AddRange(state.State.CustomerIds.Select(customerId => new MoveCustomerToTeam(customerId, Id, toTeamId)));
        effects.AddRange(state.State.OpenOpportunityIds.Select(opportunityId => new MoveOpportunityToTeam(opportunityId, Id, toTeamId)));
    }

    private async Task<TeamView> FindTeam(string teamId) =>
        await GrainFactory.GetGrain<ITeamGrain>(teamId).Find()
        ?? throw new PreconditionFailedException($"team_id: team '{teamId}' does not exist; create it first");

    private void EnsureCreated()
    {
        if (!state.State.Created)
        {
            throw new NotFoundException(Entity, Id);
        }
    }

    private async Task<SalespersonView> ToView() => ToView(await GrainFactory.GetGrain<ITeamGrain>(state.State.Profile!.TeamId).Find());

    private SalespersonView ToView(TeamView? team) => new(Id, state.State.Profile!, team?.ManagerId, state.State.Status,
        state.State.CustomerIds.Count, state.State.Version, state.State.CreatedAt);
}
