using ActorSales.Contracts.V1;
using ActorSales.Domain.Common;
using ActorSales.Domain.Deadlines;
using ActorSales.Domain.Errors;
using ActorSales.Domain.Identity;
using ActorSales.Domain.Pipeline;
using ActorSales.Grains.Abstractions.Contracts;
using ActorSales.Grains.Abstractions.Customers;
using ActorSales.Grains.Abstractions.Handovers;
using ActorSales.Grains.Abstractions.Opportunities;
using ActorSales.Grains.Abstractions.People;
using ActorSales.Grains.Abstractions.Notifications;
using ActorSales.Grains.Deadlines;
using ActorSales.Grains.Effects;
using ActorSales.Grains.Events;
using ActorSales.Grains.Infrastructure;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using DomainEvidence = ActorSales.Domain.Pipeline.Evidence;
using ForecastSignal = ActorSales.Domain.Pipeline.ForecastSignal;
using OpportunityStatus = ActorSales.Domain.Pipeline.OpportunityStatus;
using ApprovalStatus = ActorSales.Domain.Pipeline.ApprovalStatus;
using ApprovalDecided = ActorSales.Contracts.V1.ApprovalDecided;
using ApprovalRequested = ActorSales.Contracts.V1.ApprovalRequested;
using StallLevel = ActorSales.Domain.Deadlines.StallLevel;
using Notification = ActorSales.Domain.Deadlines.Notification;
using NotificationSeverity = ActorSales.Domain.Deadlines.NotificationSeverity;

namespace ActorSales.Grains.Opportunities;

public sealed partial class OpportunityGrain(
    [PersistentState("opportunity", StorageNames.Default)] IPersistentState<OpportunityState> state,
    IOptions<OpportunityOptions> options,
    TimeProvider clock,
    ILogger<OpportunityGrain> logger) : Grain, IOpportunityGrain, IRemindable
{
    private const string Entity = "opportunity";
    private const int MaxEvidence = 200;
    private const int MaxDecisionMakers = 20;

    private DeadlineScheduler _deadlines = null!;
    private EventOutbox _outbox = null!;
    private EffectDispatcher _effects = null!;

    private string Id => this.GetPrimaryKeyString();

    private OpportunityState S => state.State;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _deadlines = new DeadlineScheduler(this, clock, OnDeadlineDue, logger, S.ReminderDueAt);
        _effects = EffectDispatcher.For(this, () => S.Effects, _deadlines, logger);
        _outbox = EventOutbox.For(this, () => S.Outbox);
        await _outbox.ActivateAsync();
        MigrateLegacyFollowUps();
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
        AccessPolicy.EnsureActive(caller);
        if (S.Created)
        {
            throw new AlreadyExistsException($"opportunity '{Id}' already exists", Id, S.OwnerId);
        }
        var customer = await GrainFactory.GetGrain<ICustomerGrain>(draft.CustomerId).Find()
            ?? throw new NotFoundException("customer", draft.CustomerId);
        AccessPolicy.EnsureCanChange(caller, customer.OwnerId, customer.OwnerTeamId, "opportunities on this customer");
        var now = clock.GetUtcNow();
        var terms = OpportunityRules.Validate(draft.Terms, now);
        var pipelineKey = draft.PipelineKey ?? options.Value.DefaultPipeline;
        var pipeline = await GrainFactory.GetGrain<IPipelineGrain>(pipelineKey).Get(0)
            ?? throw new NotFoundException("pipeline", pipelineKey);

        S.Created = true;
        S.CustomerId = customer.Id;
        S.OwnerId = customer.OwnerId;
        S.OwnerTeamId = customer.OwnerTeamId;
        S.Terms = terms;
        S.Pipeline = pipeline;
        S.Stage = pipeline.First.Key;
        S.StageEnteredAt = now;
        S.History = [new StageChangeRecord(null, pipeline.First.Key, now, caller.UserId, "opened")];
        S.Status = OpportunityStatus.Open;
        S.CreatedAt = now;
        S.StallClockStart = now;
        PlanLinks(null, null);
        PlanTasks(pipeline.First.Key, now);
        Raise(caller, e => e.OpportunityOpened = new OpportunityOpened { Opportunity = ToView().ToContract() });
        await Commit();
        return ToView();
    }

    public Task<OpportunityView> Get(Caller caller)
    {
        EnsureCreated();
        AccessPolicy.EnsureCanRead(caller, S.OwnerId, S.OwnerTeamId, "this opportunity");
        return Task.FromResult(ToView());
    }

    public async Task<OpportunityView> AddEvidence(string kind, string reference, string note, Caller caller)
    {
        EnsureChangeable(caller);
        var valid = EvidenceRules.Validate(kind, reference, note);
        if (S.Evidence.Count >= MaxEvidence)
        {
            throw new PreconditionFailedException($"opportunity '{Id}' already has {MaxEvidence} evidence items");
        }
        var evidence = new DomainEvidence(valid.Kind, valid.Reference, valid.Note, caller.UserId, clock.GetUtcNow());
        S.Evidence.Add(evidence);
        Raise(caller, e => e.EvidenceAdded = new EvidenceAdded { OpportunityId = Id, Evidence = evidence.ToContract() });
        RestartStallClock(caller);
        await Commit();
        return ToView();
    }

    public async Task<OpportunityView> ChangeStage(string toStage, string reason, long expectedVersion, Caller caller)
    {
        EnsureChangeable(caller);
        Guard.Version(Guard.ExpectedVersion(expectedVersion), S.Version, Entity, Id);
        EnsureNotAwaitingApproval();
        var why = Guard.Optional(reason, "reason", Limits.SummaryMaxLength);
        PipelineRules.Decide(S.Pipeline!, S.Stage, toStage ?? string.Empty, EvidenceKinds(), why);
        var approverId = ApprovalRules.RequiresApproval(S.Pipeline!, toStage!, S.Terms!.Value, options.Value.Approval)
            ? await ResolveApprover()
            : null;
        EnterStage(toStage!, why, caller);
        if (approverId is not null)
        {
            // Keyed by the stage entry: a retried or replayed change asks the same approval grain, so once.
            AskApproval($"{Id}/approval/{S.History.Count}", approverId, caller);
        }
        await Commit();
        return ToView();
    }

    public async Task<OpportunityView> SetSignal(SignalChange change, long expectedVersion, Caller caller)
    {
        EnsureChangeable(caller);
        Guard.Version(Guard.ExpectedVersion(expectedVersion), S.Version, Entity, Id);
        if (change.DecisionMakers.Count > MaxDecisionMakers)
        {
            throw new ValidationException("decision_makers", $"at most {MaxDecisionMakers} are allowed");
        }
        var domains = await CustomerEmailDomains();
        ForecastRules.EnsureMayClaim(change.Signal, EvidenceKinds(), change.DecisionMakers, domains, change.ContractReviewAt);
        if (change.ContractReviewAt is { } review)
        {
            Guard.Timestamp(review, "contract_review_at", Limits.LatestTimestamp);
        }
        var previous = S.Signal;
        S.Signal = change.Signal;
        if (change.Signal > previous)
        {
            S.SignalChangedAt = clock.GetUtcNow(); // advancing restarts the decay clock and clears the intervention
            ChangeIntervention(false, null, caller);
        }
        if (change.DecisionMakers.Count > 0)
        {
            S.DecisionMakers = [.. change.DecisionMakers];
        }
        S.ContractReviewAt = change.ContractReviewAt ?? S.ContractReviewAt;
        Raise(caller, e => e.ForecastSignalChanged = new ForecastSignalChanged
        {
            OpportunityId = Id,
            Previous = (Contracts.V1.ForecastSignal)previous,
            Current = (Contracts.V1.ForecastSignal)change.Signal,
        });
        await Commit();
        return ToView();
    }

    public async Task<OpportunityView> UpdateTerms(TermsChanges changes, long expectedVersion, Caller caller)
    {
        EnsureChangeable(caller);
        Guard.Version(Guard.ExpectedVersion(expectedVersion), S.Version, Entity, Id);
        if (S.PendingApprovalId is { } approvalId)
        {
            throw new PreconditionFailedException($"amount and terms are locked while approval '{approvalId}' is pending");
        }
        var current = S.Terms!;
        var terms = OpportunityRules.Validate(new OpportunityTerms(
            changes.Title ?? current.Title, changes.Value ?? current.Value, changes.ExpectedCloseAt ?? current.ExpectedCloseAt), clock.GetUtcNow());
        var changed = new List<string>();
        if (terms.Title != current.Title) changed.Add("title");
        if (terms.Value != current.Value) changed.Add("value");
        if (terms.ExpectedCloseAt != current.ExpectedCloseAt) changed.Add("expected_close_at");
        if (changed.Count == 0)
        {
            return ToView();
        }
        // A value the granted approval does not cover goes back to the approver (looked up before the first change).
        var approverId = terms.Value != current.Value
            && ApprovalRules.NeedsReapproval(S.Pipeline!, S.Stage, S.ApprovedValue, terms.Value, options.Value.Approval)
            ? await ResolveApprover()
            : null;
        S.Terms = terms;
        Raise(caller, e =>
        {
            var termsChanged = new OpportunityTermsChanged { Opportunity = ToView().ToContract() };
            termsChanged.ChangedFields.AddRange(changed);
            e.OpportunityTermsChanged = termsChanged;
        });
        if (approverId is not null)
        {
            // Keyed by the stage entry and this change's version: a replay asks the same approval grain, so once.
            AskApproval($"{Id}/approval/{S.History.Count}-v{S.Version}", approverId, caller);
        }
        await Commit();
        return ToView();
    }

    /// <summary>Locks terms, stage and closing until <paramref name="approverId"/> decides; the request is filed after the write.</summary>
    private void AskApproval(string approvalId, string approverId, Caller caller)
    {
        S.PendingApprovalId = approvalId;
        S.PendingApproval = new ApprovalRequest(Id, S.OwnerId, S.OwnerTeamId, approverId, S.Terms!.Value);
        S.Effects.Add(new FileApproval(approvalId, S.PendingApproval));
        S.ApprovedValue = null;
        var requested = new ApprovalView(approvalId, Id, S.OwnerId, S.OwnerTeamId, approverId, S.Terms.Value,
            ApprovalStatus.Pending, clock.GetUtcNow(), null, null, null);
        Raise(caller, e => e.ApprovalRequested = new ApprovalRequested { Approval = requested.ToContract() });
    }

    public async Task<OpportunityView> SetNextAction(string? nextAction, DateTimeOffset? dueAt, Caller caller)
    {
        EnsureChangeable(caller);
        var action = Guard.Optional(nextAction, "next_action", Limits.SummaryMaxLength);
        DateTimeOffset? due = null;
        if (action.Length > 0)
        {
            due = Guard.Timestamp(dueAt ?? throw new ValidationException("due_at", "is required with a next action"), "due_at", Limits.LatestTimestamp);
        }
        S.NextAction = action.Length == 0 ? null : action;
        S.NextActionDueAt = due;
        Raise(caller, e => e.NextActionPlanned = new NextActionPlanned
        {
            OpportunityId = Id,
            NextAction = action,
            DueAt = due is { } at ? Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(at) : null,
        });
        if (due is not null)
        {
            RestartStallClock(caller);
        }
        await Commit();
        return ToView();
    }

    public async Task<OpportunityView> Win(long expectedVersion, Caller caller)
    {
        EnsureChangeable(caller);
        Guard.Version(Guard.ExpectedVersion(expectedVersion), S.Version, Entity, Id);
        EnsureNotAwaitingApproval();
        var last = S.Pipeline!.Stages[^1];
        if (S.Stage != last.Key)
        {
            throw new PreconditionFailedException($"an opportunity is won from the last stage '{last.Key}'; it is in '{S.Stage}'");
        }
        var missing = PipelineRules.MissingToLeave(last, EvidenceKinds());
        if (missing.Count > 0)
        {
            throw new MissingEvidenceException(S.Stage, "won", missing);
        }
        Close(OpportunityStatus.Won, "won", caller);
        Raise(caller, e => e.OpportunityWon = new OpportunityWon { Opportunity = ToView().ToContract() });
        await Commit();
        return ToView();
    }

    public async Task<OpportunityView> Lose(string reason, string note, long expectedVersion, Caller caller)
    {
        EnsureChangeable(caller);
        Guard.Version(Guard.ExpectedVersion(expectedVersion), S.Version, Entity, Id);
        var loss = OpportunityRules.ValidateLoss(reason, note, options.Value);
        S.LostReason = loss.Reason;
        S.LostNote = loss.Note;
        Close(OpportunityStatus.Lost, loss.Reason, caller);
        Raise(caller, e => e.OpportunityLost = new OpportunityLost { Opportunity = ToView().ToContract() });
        await Commit();
        return ToView();
    }

    public async Task ApprovalDecided(string approvalId, bool approved, string decidedBy, string comment)
    {
        if (!S.Created || S.PendingApprovalId != approvalId)
        {
            return; // already applied, or superseded
        }
        var request = S.PendingApproval!;
        S.PendingApprovalId = null;
        S.PendingApproval = null;
        S.ApprovedValue = approved ? request.Value : null;
        var decider = new Caller(decidedBy, Domain.Identity.Role.Director, null, Domain.People.SalespersonStatus.Active);
        var decided = new ApprovalView(approvalId, Id, request.OwnerId, request.OwnerTeamId, request.ApproverId, request.Value,
            approved ? ApprovalStatus.Approved : ApprovalStatus.Rejected, S.StageEnteredAt, decidedBy, clock.GetUtcNow(), comment);
        Raise(decider, e => e.ApprovalDecided = new ApprovalDecided { Approval = decided.ToContract() });
        var returnTo = options.Value.Approval.RejectedReturnsTo;
        if (!approved && S.Status == OpportunityStatus.Open && S.Pipeline!.IndexOf(returnTo) >= 0)
        {
            EnterStage(returnTo, $"approval rejected by {decidedBy}: {comment}", decider);
        }
        await Commit();
    }

    public async Task<IReadOnlyList<DepartmentTaskView>> ListTasks(Caller caller)
    {
        EnsureCreated();
        AccessPolicy.EnsureCanRead(caller, S.OwnerId, S.OwnerTeamId, "this opportunity");
        var tasks = await Task.WhenAll(S.TaskIds.Select(id => GrainFactory.GetGrain<IDepartmentTaskGrain>(id).Find()));
        return tasks.OfType<DepartmentTaskView>().ToList();
    }

    /// <summary>Plans the tasks the configured rules attach to entering <paramref name="stage"/> (effects of the stage change).</summary>
    private void PlanTasks(string stage, DateTimeOffset enteredAt)
    {
        var plans = TaskRules.ForStageEntry(options.Value.TaskRules, Id, S.Pipeline!.Key, stage, S.History.Count, enteredAt);
        foreach (var plan in plans.Where(p => !S.TaskIds.Contains(p.TaskId)))
        {
            S.TaskIds.Add(plan.TaskId);
            S.Effects.Add(new CreateDepartmentTask(plan, Id, S.OwnerTeamId));
        }
    }

    public Task<OpportunityView?> Find() => Task.FromResult(S.Created ? ToView() : null);

    public async Task<HandoverOutcome> HandOver(string handoverId, string fromOwnerId, string toOwnerId, string actorId)
    {
        EnsureCreated();
        // Applied means moved away from the leaver (who, frozen, can never get it back); a recorded id with the deal
        // still open under the leaver is a move that never happened, and it happens now.
        if (S.AppliedHandovers.Contains(handoverId) && !(S.Status == OpportunityStatus.Open && S.OwnerId == fromOwnerId))
        {
            await AfterCommit(); // a replay finishes the owners' open lists if they failed the first time
            EnsureLinked();
            return HandoverOutcome.AlreadyApplied;
        }
        var movable = S.Status == OpportunityStatus.Open && S.OwnerId == fromOwnerId;
        // Looked up before the first change: a failed lookup must not leave the handover recorded in memory, or the
        // retry would count a deal that never moved.
        var owner = !movable ? null : await GrainFactory.GetGrain<ISalespersonGrain>(toOwnerId).GetIdentity()
            ?? throw new NotFoundException("salesperson", toOwnerId);
        // Recorded in the same write as the owner change, so a replay after a crash finds it and does nothing.
        if (!S.AppliedHandovers.Contains(handoverId))
        {
            S.AppliedHandovers.Add(handoverId);
        }
        if (owner is null)
        {
            await Commit();
            return HandoverOutcome.NotOwnedByLeaver;
        }
        var previous = S.OwnerId;
        var previousTeam = owner.TeamId != S.OwnerTeamId ? S.OwnerTeamId : null;
        S.OwnerId = owner.Id;
        S.OwnerTeamId = owner.TeamId;
        PlanLinks(previous, previousTeam);
        PlanTeamLists(); // the new team's stalled and intervention lists
        var actor = new Caller(actorId, Domain.Identity.Role.Admin, null, Domain.People.SalespersonStatus.Active);
        Raise(actor, e => e.OpportunityOwnerChanged = new OpportunityOwnerChanged
        {
            OpportunityId = Id,
            PreviousOwnerId = previous,
            NewOwnerId = owner.Id,
            NewOwnerTeamId = owner.TeamId,
            Reason = $"handover {handoverId}",
        });
        await Commit();
        EnsureLinked();
        return HandoverOutcome.Moved;
    }

    public async Task OwnerTeamChanged(string ownerId, string newTeamId)
    {
        if (!S.Created || S.Status != OpportunityStatus.Open || S.OwnerId != ownerId || S.OwnerTeamId == newTeamId)
        {
            return;
        }
        // Only the teams' lists change; the owner's book does not (the owner is the salesperson whose effect called).
        S.Effects.Add(new SetTeamStall(S.OwnerTeamId, Id, StallLevel.None));
        S.Effects.Add(new SetTeamIntervention(S.OwnerTeamId, Id, false));
        S.OwnerTeamId = newTeamId;
        PlanTeamLists();
        Raise(Caller.System, e => e.OpportunityOwnerChanged = new OpportunityOwnerChanged
        {
            OpportunityId = Id,
            PreviousOwnerId = ownerId,
            NewOwnerId = ownerId,
            NewOwnerTeamId = newTeamId,
            Reason = "the owner moved to another team",
        });
        await Commit();
    }

    /// <summary>The handover counts the deal as moved only once the owners' open lists show it; otherwise it retries.</summary>
    private void EnsureLinked()
    {
        if (_effects.HasPending)
        {
            throw new ConcurrencyConflictException($"opportunity '{Id}' moved, but its owners' lists are still being updated; retry");
        }
    }

    /// <summary>The team's director, else the configured default approver; whoever is active and not <paramref name="excluding"/>.</summary>
    private async Task<string> ResolveApprover(string? excluding = null)
    {
        var team = await GrainFactory.GetGrain<ITeamGrain>(S.OwnerTeamId).Find();
        foreach (var candidate in new[] { team?.DirectorId, options.Value.Approval.DefaultApproverId }.OfType<string>().Distinct(StringComparer.Ordinal))
        {
            if (candidate != excluding && await IsActiveApprover(candidate))
            {
                return candidate;
            }
        }
        throw new PreconditionFailedException(
            $"a deal above {options.Value.Approval.Threshold:0} needs approval, but team '{S.OwnerTeamId}' has no active director{(excluding is null ? "" : $" other than '{excluding}'")} and no default approver is configured; appoint one first");
    }

    /// <summary>An approver that is no salesperson record (e.g. a configured service account) counts as active.</summary>
    private async Task<bool> IsActiveApprover(string approverId) =>
        await GrainFactory.GetGrain<ISalespersonGrain>(approverId).GetIdentity() is not { } identity || identity.Status == Domain.People.SalespersonStatus.Active;

    public async Task<string?> RerouteApproval(string approvalId, string fromApproverId, string actorId)
    {
        EnsureCreated();
        if (S.PendingApprovalId != approvalId || S.PendingApproval is not { } request || request.ApproverId != fromApproverId)
        {
            return null; // decided meanwhile, or already rerouted
        }
        var to = await ResolveApprover(excluding: fromApproverId);
        S.PendingApproval = request with { ApproverId = to };
        S.Effects.Add(new FileApproval(approvalId, S.PendingApproval)); // the approval grain moves it to the new approver
        var actor = new Caller(actorId, Domain.Identity.Role.Admin, null, Domain.People.SalespersonStatus.Active);
        var view = new ApprovalView(approvalId, Id, request.OwnerId, request.OwnerTeamId, to, request.Value, ApprovalStatus.Pending, S.StageEnteredAt, null, null, null);
        Raise(actor, e => e.ApprovalRerouted = new ApprovalRerouted { Approval = view.ToContract(), PreviousApproverId = fromApproverId });
        await Commit();
        return to;
    }

    private void EnsureNotAwaitingApproval()
    {
        if (S.PendingApprovalId is { } approvalId)
        {
            throw new PreconditionFailedException($"the deal waits for approval '{approvalId}'; it cannot change stage or close until it is decided");
        }
    }

    /// <summary>Moves to <paramref name="stage"/>: history, tasks for the entry, a fresh stall clock, and the event.</summary>
    private void EnterStage(string stage, string reason, Caller caller)
    {
        var now = clock.GetUtcNow();
        var change = new StageChangeRecord(S.Stage, stage, now, caller.UserId, reason);
        S.History.Add(change);
        S.Stage = stage;
        S.StageEnteredAt = now;
        Raise(caller, e => e.OpportunityStageChanged = new OpportunityStageChanged { OpportunityId = Id, Change = change.ToContract() });
        PlanTasks(stage, now);
        RestartStallClock(caller);
    }

    private void Close(OpportunityStatus status, string reason, Caller caller)
    {
        S.History.Add(new StageChangeRecord(S.Stage, status.ToString().ToLowerInvariant(), clock.GetUtcNow(), caller.UserId, reason));
        S.Status = status;
        PlanLinks(null, null);
        ChangeStall(StallLevel.None, null, caller);
        ChangeIntervention(false, null, caller);
    }

    /// <summary>A stage change or qualifying activity (evidence, a planned next action) restarts the stall clock and clears the level.</summary>
    private void RestartStallClock(Caller caller)
    {
        S.StallClockStart = clock.GetUtcNow();
        S.FiredDeadlines.Clear();
        ChangeStall(StallLevel.None, null, caller);
    }

    private void ChangeStall(StallLevel level, Deadline? firing, Caller caller)
    {
        if (level == S.StallLevel)
        {
            return;
        }
        var previous = S.StallLevel;
        S.StallLevel = level;
        PlanStallEffects(level, firing);
        Raise(caller, e => e.OpportunityStallChanged = new OpportunityStallChanged
        {
            OpportunityId = Id,
            Previous = (Contracts.V1.StallLevel)previous,
            Current = (Contracts.V1.StallLevel)level,
            DueAt = firing is null ? null : Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(firing.DueAt),
        });
    }

    private void ChangeIntervention(bool needed, Deadline? firing, Caller caller)
    {
        if (needed == S.NeedsIntervention)
        {
            return;
        }
        S.NeedsIntervention = needed;
        PlanInterventionEffects(needed, firing);
        Raise(caller, e => e.OpportunityInterventionChanged = new OpportunityInterventionChanged { OpportunityId = Id, NeedsIntervention = needed });
    }

    /// <summary>Stall deadlines still to act on: the current stage's, counted from the stall clock, minus those already fired.</summary>
    private List<Deadline> DesiredDeadlines()
    {
        return _deadlines.WithEffectsRetry(BusinessDeadlines(), _effects.HasPending);
    }

    /// <summary>The stall and signal-decay deadlines still to act on.</summary>
    private List<Deadline> BusinessDeadlines()
    {
        if (!S.Created || S.Status != OpportunityStatus.Open || S.Pipeline!.Find(S.Stage) is not { } stage)
        {
            return [];
        }
        var wanted = StallRules.DeadlinesFor(stage, S.StallClockStart, S.NextActionDueAt).ToList();
        if (!S.NeedsIntervention && SignalDecayRules.DeadlineFor(S.Signal, S.SignalChangedAt, options.Value.SignalDecayAfter) is { } decay)
        {
            wanted.Add(decay);
        }
        return wanted.Where(d => !S.FiredDeadlines.Contains(d.FiringKey(Id))).ToList();
    }

    /// <summary>A timer or the reminder says a deadline may be due: re-check it against the current state, act at most once.</summary>
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
        S.FiredDeadlines.Add(deadline.FiringKey(Id));
        if (deadline.Rule == SignalDecayRules.Rule)
        {
            ChangeIntervention(true, deadline, Caller.System);
        }
        else
        {
            var level = deadline.Rule == StallRules.Red ? StallLevel.Red : StallLevel.Yellow;
            if (level > S.StallLevel)
            {
                ChangeStall(level, deadline, Caller.System);
            }
        }
        await Commit();
    }

    /// <summary>After a restart the timers are gone; the reminder lands here and every due deadline is handled.</summary>
    private Task CheckDeadlines() => _deadlines.FireDueAsync(DesiredDeadlines);

    /// <summary>The team's stalled list follows the level; a firing tells the owner (and for red the manager).</summary>
    private void PlanStallEffects(StallLevel level, Deadline? firing)
    {
        S.Effects.Add(new SetTeamStall(S.OwnerTeamId, Id, level));
        if (firing is null)
        {
            return;
        }
        var red = firing.Rule == StallRules.Red;
        var days = (firing.DueAt - S.StageEnteredAt).TotalDays;
        var message = red
            ? $"'{S.Terms!.Title}' has been in {S.Stage} for {days:0.#} days, past the stage's limit"
            : $"'{S.Terms!.Title}' has been in {S.Stage} for {days:0.#} days; plan the next step";
        var key = firing.FiringKey(Id); // a replay of the firing adds no second notification
        var notice = new Notification($"{key}:{S.OwnerId}", "stage_stall", red ? NotificationSeverity.Critical : NotificationSeverity.Warning,
            "opportunity", Id, message, clock.GetUtcNow());
        S.Effects.Add(new Notify(S.OwnerId, notice));
        if (red)
        {
            S.Effects.Add(new NotifyTeamManager(S.OwnerTeamId, S.OwnerId, key, notice));
        }
    }

    /// <summary>The team's intervention list follows the flag; a decay firing tells the manager.</summary>
    private void PlanInterventionEffects(bool needed, Deadline? firing)
    {
        S.Effects.Add(new SetTeamIntervention(S.OwnerTeamId, Id, needed));
        if (firing is not null)
        {
            S.Effects.Add(new NotifyTeamManager(S.OwnerTeamId, null, firing.FiringKey(Id), new Notification(
                string.Empty, "signal_decay", NotificationSeverity.Warning, "opportunity", Id,
                $"'{S.Terms!.Title}' has stayed at signal {S.Signal} since {S.SignalChangedAt:yyyy-MM-dd}; it needs you", clock.GetUtcNow())));
        }
    }

    /// <summary>The owning team's lists show the deal's current stall level and intervention need (after a move).</summary>
    private void PlanTeamLists()
    {
        if (S.StallLevel != StallLevel.None)
        {
            S.Effects.Add(new SetTeamStall(S.OwnerTeamId, Id, S.StallLevel));
        }
        if (S.NeedsIntervention)
        {
            S.Effects.Add(new SetTeamIntervention(S.OwnerTeamId, Id, true));
        }
    }

    /// <summary>
    /// The customer's and the owner's lists show whether the deal is open; a previous owner and team let go of it;
    /// a win is recorded on the customer.
    /// </summary>
    private void PlanLinks(string? previousOwnerId, string? previousTeamId)
    {
        var open = S.Status == OpportunityStatus.Open;
        S.Effects.Add(new LinkOpportunityToCustomer(S.CustomerId, Id, open));
        S.Effects.Add(new LinkOpportunityToOwner(S.OwnerId, Id, open));
        if (previousOwnerId is not null)
        {
            S.Effects.Add(new LinkOpportunityToOwner(previousOwnerId, Id, false));
        }
        if (previousTeamId is not null)
        {
            S.Effects.Add(new SetTeamStall(previousTeamId, Id, StallLevel.None));
            S.Effects.Add(new SetTeamIntervention(previousTeamId, Id, false));
        }
        if (S.Status == OpportunityStatus.Won)
        {
            S.Effects.Add(new RecordCustomerWin(S.CustomerId, S.History[^1].At));
        }
    }

    /// <summary>
    /// Rows written before effects existed carry their pending follow-ups as flags; they become effects here (stored with
    /// the next write; until then a reactivation converts them again, which is harmless: effects are idempotent).
    /// </summary>
    private void MigrateLegacyFollowUps()
    {
        if (!S.Created)
        {
            return;
        }
        if (S.LinksPending)
        {
            PlanLinks(S.PreviousOwnerId, S.PreviousTeamId);
        }
        if (S.ApprovalRequestPending && S.PendingApprovalId is { } approvalId && S.PendingApproval is { } request)
        {
            S.Effects.Add(new FileApproval(approvalId, request));
        }
        S.Effects.AddRange(S.TasksToCreate.Select(plan => new CreateDepartmentTask(plan, Id, S.OwnerTeamId)));
        if (S.StallEffectsPending)
        {
            PlanStallEffects(S.StallLevel, S.StallFiring);
        }
        if (S.InterventionEffectsPending)
        {
            PlanInterventionEffects(S.NeedsIntervention, S.InterventionFiring);
        }
        (S.LinksPending, S.ApprovalRequestPending, S.StallEffectsPending, S.InterventionEffectsPending) = (false, false, false, false);
        (S.PreviousOwnerId, S.PreviousTeamId, S.StallFiring, S.InterventionFiring) = (null, null, null, null);
        S.TasksToCreate.Clear();
    }

    /// <summary>Writes the state with the raised events in its outbox, publishes them in order, then runs the idempotent after-effects.</summary>
    private async Task Commit()
    {
        S.ReminderDueAt = _deadlines.ReminderDueAt;
        _outbox.AddStaged(EntityType.Opportunity, Id, S.OwnerTeamId, S.OwnerId);
        await state.WriteWithEventsAsync(_outbox, Entity, Id);
        await AfterCommit();
    }

    /// <summary>Runs the change's effects (what fails is retried by the deadline engine), then arms the deadlines.</summary>
    private async Task AfterCommit()
    {
        await _effects.RunAsync();
        await _deadlines.ScheduleAsync(DesiredDeadlines());
    }

    /// <summary>Records an event of the change in progress; each gets the next version as its gap-free sequence.</summary>
    private void Raise(Caller caller, Action<DomainEvent> setChange) => _outbox.Stage(++S.Version, caller.UserId, setChange);

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

    private HashSet<string> EvidenceKinds() => new(S.Evidence.Select(e => e.Kind), StringComparer.Ordinal);

    private void EnsureChangeable(Caller caller)
    {
        EnsureCreated();
        AccessPolicy.EnsureCanChange(caller, S.OwnerId, S.OwnerTeamId, "this opportunity");
        OpportunityRules.EnsureOpen(S.Status, Id);
    }

    private void EnsureCreated()
    {
        if (!S.Created)
        {
            throw new NotFoundException(Entity, Id);
        }
    }

    private OpportunityView ToView() => new(
        Id, S.CustomerId, S.OwnerId, S.OwnerTeamId, S.Terms!, S.Pipeline!.Key, S.Pipeline.Version, S.Stage, S.StageEnteredAt,
        [.. S.History], [.. S.Evidence], S.Signal, ForecastRules.Weighted(S.Terms!.Value.Amount, S.Signal, options.Value.Weights),
        [.. S.DecisionMakers], S.ContractReviewAt, S.Status, S.LostReason, S.LostNote, S.Version, S.CreatedAt, S.PendingApprovalId,
        S.NextAction, S.NextActionDueAt, S.StallLevel, S.NeedsIntervention, S.SignalChangedAt);




}
