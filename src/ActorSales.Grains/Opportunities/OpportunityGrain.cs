using ActorSales.Contracts.V1;
using ActorSales.Domain.Deadlines;
using ActorSales.Domain.Errors;
using ActorSales.Domain.Identity;
using ActorSales.Domain.Pipeline;
using ActorSales.Grains.Abstractions.Customers;
using ActorSales.Grains.Abstractions.Handovers;
using ActorSales.Grains.Abstractions.Opportunities;
using ActorSales.Grains.Abstractions.People;
using ActorSales.Grains.Deadlines;
using ActorSales.Grains.Effects;
using ActorSales.Grains.Events;
using ActorSales.Grains.Infrastructure;
using ActorSales.Grains.Requests;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ActorSales.Grains.Opportunities;

/// <summary>
/// The shell around <see cref="OpportunityAggregate"/>: looks up what a command needs, lets the aggregate decide over
/// the state, records its events and follow-ups, writes once, then runs the effects and arms the deadlines.
/// Approval decisions and lookups of approvers are in <c>OpportunityGrain.Approvals.cs</c>, the next action's
/// follow-through in <c>OpportunityGrain.NextAction.cs</c>.
/// </summary>
public sealed partial class OpportunityGrain(
    [PersistentState("opportunity", StorageNames.Default)] IPersistentState<OpportunityState> state,
    IOptions<OpportunityOptions> options,
    IOptions<DeadlineOptions> deadlineOptions,
    TimeProvider clock,
    ILogger<OpportunityGrain> logger) : Grain, IOpportunityGrain, IRemindable, IRetrySafeGrain
{
    private const string Entity = OpportunityAggregate.Entity;

    private DeadlineScheduler _deadlines = null!;
    private EventOutbox _outbox = null!;
    private EffectDispatcher _effects = null!;

    private string Id => this.GetPrimaryKeyString();

    private OpportunityState S => state.State;

    /// <summary>A fresh aggregate per command over the current state.</summary>
    private OpportunityAggregate Aggregate() => new(Id, S, options.Value, deadlineOptions.Value);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _deadlines = new DeadlineScheduler(this, clock, OnDeadlineDue, logger, S.ReminderDueAt);
        _effects = EffectDispatcher.For(this, () => S.Effects, _deadlines, logger);
        _outbox = EventOutbox.For(this, () => S.Outbox);
        await _outbox.ActivateAsync();
        var legacy = Aggregate();
        legacy.TakeLegacyFollowUps(clock.GetUtcNow());
        Record(legacy, Caller.System.UserId); // effects only, stored with the next write
        await ReconcileApprovalAsync();
        await AfterCommit();
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => _outbox.ReleaseAsync();

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (!await _outbox.ReceiveReminderAsync(reminderName))
        {
            await CheckDeadlines();
        }
    }

    public async Task<OpportunityView> Open(OpportunityDraft draft, Caller caller)
    {
        var aggregate = Aggregate();
        aggregate.EnsureMayOpen(caller);
        var now = clock.GetUtcNow();
        var found = await GrainFactory.GetGrain<ICustomerGrain>(draft.CustomerId).Find()
            ?? throw new NotFoundException("customer", draft.CustomerId);
        var customer = new OpportunityCustomer(found.Id, found.OwnerId, found.OwnerTeamId);
        aggregate.CheckOpen(caller, customer, draft.Terms, now);
        var pipelineKey = draft.PipelineKey ?? options.Value.DefaultPipeline;
        var pipeline = await GrainFactory.GetGrain<IPipelineGrain>(pipelineKey).Get(0)
            ?? throw new NotFoundException("pipeline", pipelineKey);
        aggregate.Open(caller, customer, draft.Terms, pipeline, now);
        await Commit(aggregate, caller.UserId);
        return ToView();
    }

    public Task<OpportunityView> Get(Caller caller)
    {
        Aggregate().EnsureMayRead(caller);
        return Task.FromResult(ToView());
    }

    public async Task<OpportunityView> AddEvidence(string kind, string reference, string note, Caller caller)
    {
        var aggregate = Aggregate();
        aggregate.AddEvidence(kind, reference, note, caller, clock.GetUtcNow());
        await Commit(aggregate, caller.UserId);
        return ToView();
    }

    public async Task<OpportunityView> ChangeStage(string toStage, string reason, long expectedVersion, Caller caller)
    {
        var aggregate = Aggregate();
        var approverId = aggregate.CheckChangeStage(toStage, reason, expectedVersion, caller) ? await ResolveApprover() : null;
        aggregate.ChangeStage(toStage, reason, expectedVersion, caller, approverId, clock.GetUtcNow());
        await Commit(aggregate, caller.UserId);
        return ToView();
    }

    public async Task<OpportunityView> SetSignal(SignalChange change, long expectedVersion, Caller caller)
    {
        var aggregate = Aggregate();
        aggregate.CheckSetSignal(change.DecisionMakers, expectedVersion, caller);
        var domains = await CustomerEmailDomains();
        aggregate.SetSignal(change.Signal, change.DecisionMakers, change.ContractReviewAt, domains, expectedVersion, caller, clock.GetUtcNow());
        await Commit(aggregate, caller.UserId);
        return ToView();
    }

    public async Task<OpportunityView> UpdateTerms(TermsChanges changes, long expectedVersion, Caller caller)
    {
        var aggregate = Aggregate();
        var now = clock.GetUtcNow();
        var approverId = aggregate.CheckUpdateTerms(changes.Title, changes.Value, changes.ExpectedCloseAt, expectedVersion, caller, now)
            ? await ResolveApprover() // a value the granted approval does not cover goes back to the approver
            : null;
        aggregate.UpdateTerms(changes.Title, changes.Value, changes.ExpectedCloseAt, expectedVersion, caller, approverId, now);
        await Commit(aggregate, caller.UserId);
        return ToView();
    }

    public async Task<OpportunityView> SetNextAction(string? nextAction, DateTimeOffset? dueAt, Caller caller)
    {
        var aggregate = Aggregate();
        aggregate.SetNextAction(nextAction, dueAt, caller, clock.GetUtcNow());
        await Commit(aggregate, caller.UserId);
        return ToView();
    }

    public async Task<OpportunityView> Win(string winFactor, string note, long expectedVersion, Caller caller)
    {
        var aggregate = Aggregate();
        aggregate.Win(winFactor, note, expectedVersion, caller, clock.GetUtcNow());
        await Commit(aggregate, caller.UserId);
        return ToView();
    }

    public async Task<OpportunityView> Lose(string reason, string note, long expectedVersion, Caller caller)
    {
        var aggregate = Aggregate();
        aggregate.Lose(reason, note, expectedVersion, caller, clock.GetUtcNow());
        await Commit(aggregate, caller.UserId);
        return ToView();
    }

    public async Task<IReadOnlyList<DepartmentTaskView>> ListTasks(Caller caller)
    {
        Aggregate().EnsureMayRead(caller);
        var ids = S.TaskIds.ToList(); // before the first await: this read interleaves with changes
        var tasks = await Task.WhenAll(ids.Select(id => GrainFactory.GetGrain<IDepartmentTaskGrain>(id).Find()));
        return tasks.OfType<DepartmentTaskView>().ToList();
    }

    public Task<OpportunityView?> Find() => Task.FromResult(S.Created ? ToView() : null);

    public async Task<HandoverOutcome> HandOver(string handoverId, string fromOwnerId, string toOwnerId, string actorId)
    {
        var aggregate = Aggregate();
        var move = aggregate.CheckHandOver(handoverId, fromOwnerId);
        if (move == HandoverMove.AlreadyApplied)
        {
            await AfterCommit(); // a replay finishes the owners' open lists if they failed the first time
            EnsureLinked();
            return HandoverOutcome.AlreadyApplied;
        }
        // Looked up before the first change: a failed lookup must not leave the handover recorded in memory, or the
        // retry would count a deal that never moved.
        var receiver = move != HandoverMove.Moves ? null : await GrainFactory.GetGrain<ISalespersonGrain>(toOwnerId).GetIdentity()
            ?? throw new NotFoundException("salesperson", toOwnerId);
        aggregate.HandOver(handoverId, fromOwnerId, receiver is null ? null : new OpportunityOwner(receiver.Id, receiver.TeamId));
        await Commit(aggregate, actorId);
        if (move == HandoverMove.NotOwnedByLeaver)
        {
            return HandoverOutcome.NotOwnedByLeaver;
        }
        EnsureLinked();
        return HandoverOutcome.Moved;
    }

    public async Task OwnerTeamChanged(string ownerId, string newTeamId)
    {
        var aggregate = Aggregate();
        aggregate.OwnerTeamChanged(ownerId, newTeamId);
        await Commit(aggregate, Caller.System.UserId);
    }

    /// <summary>The handover counts the deal as moved only once the owners' open lists show it; otherwise it retries.</summary>
    private void EnsureLinked()
    {
        if (_effects.HasPending)
        {
            throw new ConcurrencyConflictException($"opportunity '{Id}' moved, but its owners' lists are still being updated; retry");
        }
    }

    /// <summary>Stall and decay deadlines still to act on, plus the effects retry while effects wait.</summary>
    private List<Deadline> DesiredDeadlines() => _deadlines.WithEffectsRetry(Aggregate().Deadlines(), _effects.HasPending);

    /// <summary>A timer or the reminder says a deadline may be due: the aggregate re-checks it and acts at most once.</summary>
    private async Task OnDeadlineDue(Deadline deadline)
    {
        var now = clock.GetUtcNow();
        if (deadline.DueAt > now || !DesiredDeadlines().Contains(deadline))
        {
            await _deadlines.ScheduleAsync(DesiredDeadlines()); // the world moved on: re-arm for what is still wanted
            return;
        }
        if (_deadlines.TakeEffectsRetry(deadline))
        {
            await AfterCommit(); // re-arms the retry if something still fails
            return;
        }
        if (FollowThroughRules.IsRule(deadline.Rule))
        {
            await NextActionFollowThroughDue(deadline, now);
            return;
        }
        if (ApprovalFollowThrough.IsRule(deadline.Rule))
        {
            var escalateTo = deadline.Rule == ApprovalFollowThrough.Escalate ? await ResolveEscalation() : null;
            var approvals = Aggregate();
            approvals.ApprovalFollowThroughDue(deadline, escalateTo, now);
            await Commit(approvals, Caller.System.UserId);
            return;
        }
        var aggregate = Aggregate();
        aggregate.DeadlineDue(deadline, now);
        await Commit(aggregate, Caller.System.UserId);
    }

    /// <summary>After a restart the timers are gone; the reminder lands here and every due deadline is handled.</summary>
    private Task CheckDeadlines() => _deadlines.FireDueAsync(DesiredDeadlines);

    /// <summary>
    /// The one way this grain stores a change: the aggregate's events go to the outbox (built from the state as the
    /// command left it) and its follow-ups to the effects, all in one write; then the effects run and the deadlines are
    /// armed. A command that changed nothing writes nothing.
    /// </summary>
    private async Task Commit(OpportunityAggregate aggregate, string actorId)
    {
        if (!aggregate.Changed)
        {
            return;
        }
        Record(aggregate, actorId);
        S.ReminderDueAt = await _deadlines.ReminderForWriteAsync(DesiredDeadlines());
        await state.WriteWithEventsAsync(_outbox, Entity, Id);
        await AfterCommit();
    }

    private void Record(OpportunityAggregate aggregate, string actorId) =>
        aggregate.Record(_outbox, new EventScope(EntityType.Opportunity, Id, actorId, S.OwnerTeamId, S.OwnerId),
            e => OpportunityRecording.ToContract(e, Id, ToView), S.Effects, OpportunityRecording.ToEffect);

    /// <summary>Runs the change's effects (what fails is retried by the deadline engine), then arms the deadlines.</summary>
    private async Task AfterCommit()
    {
        await _effects.RunAsync();
        await _deadlines.ScheduleAsync(DesiredDeadlines());
    }

    private async Task<IReadOnlySet<string>> CustomerEmailDomains()
    {
        var customer = await GrainFactory.GetGrain<ICustomerGrain>(S.CustomerId).Find();
        var domains = new HashSet<string>(StringComparer.Ordinal);
        foreach (var contact in customer?.Details.Contacts ?? [])
        {
            var at = contact.Email.LastIndexOf('@');
            if (at > 0)
            {
                domains.Add(contact.Email[(at + 1)..].ToLowerInvariant());
            }
        }
        return domains;
    }

    public RequestLedger Requests => S.Requests;

    /// <summary>A repeated approval decision answers with the approval; every other change with the deal.</summary>
    public async ValueTask<object?> ReplayAsync(string method, AppliedRequest applied) =>
        method == nameof(DecideApproval)
            ? await GrainFactory.GetGrain<IApprovalGrain>(applied.Noted!).Find()
            : ToView();

    private OpportunityView ToView() => new(
        Id, S.CustomerId, S.OwnerId, S.OwnerTeamId, S.Terms!, S.Pipeline!.Key, S.Pipeline.Version, S.Stage, S.StageEnteredAt,
        [.. S.History], [.. S.Evidence], S.Signal, ForecastRules.Weighted(S.Terms!.Value.Amount, S.Signal, options.Value.Weights),
        [.. S.DecisionMakers], S.ContractReviewAt, S.Status, S.LostReason, S.LostNote, S.Version, S.CreatedAt, S.PendingApprovalId,
        S.NextAction, S.NextActionDueAt, S.StallLevel, S.NeedsIntervention, S.SignalChangedAt, S.WinFactor, S.WinNote);
}
