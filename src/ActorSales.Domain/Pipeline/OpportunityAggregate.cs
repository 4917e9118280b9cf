using ActorSales.Domain.Common;
using ActorSales.Domain.Deadlines;
using ActorSales.Domain.Errors;
using ActorSales.Domain.Identity;

namespace ActorSales.Domain.Pipeline;

/// <summary>
/// The decisions of one opportunity: who may change it, which moves the pipeline allows, when terms lock for an
/// approval, what a stall or a decayed signal does. The grain looks up what a command needs first (the customer, the
/// pipeline, an approver), then calls the command; anything a lookup depends on is checked by a <c>Check…</c> method
/// the command repeats, so every check comes before the first change.
/// Approvals, ownership (handover, team moves, the lists that show the deal), deadlines and the next action's
/// follow-through are in the sibling
/// <c>OpportunityAggregate.*.cs</c> files.
/// </summary>
public sealed partial class OpportunityAggregate(string id, IOpportunityData state, OpportunityOptions options, DeadlineOptions? deadlineOptions = null)
    : Aggregate<OpportunityEvent, OpportunityFollowUp>
{
    public const string Entity = "opportunity";
    public const int MaxEvidence = 200;
    public const int MaxDecisionMakers = 20;

    protected override long Version { get => state.Version; set => state.Version = value; }

    /// <summary>The caller may read the opportunity (it exists).</summary>
    public void EnsureMayRead(Caller caller)
    {
        EnsureCreated();
        AccessPolicy.EnsureCanRead(caller, state.OwnerId, state.OwnerTeamId, "this opportunity");
    }

    /// <summary>NotFound unless the opportunity was opened.</summary>
    public void EnsureCreated()
    {
        if (!state.Created)
        {
            throw new NotFoundException(Entity, id);
        }
    }

    /// <summary>The caller is active and the opportunity does not exist yet (checked before the customer is looked up).</summary>
    public void EnsureMayOpen(Caller caller)
    {
        AccessPolicy.EnsureActive(caller);
        if (state.Created)
        {
            throw new AlreadyExistsException($"opportunity '{id}' already exists", id, state.OwnerId);
        }
    }

    /// <summary>Everything <see cref="Open"/> checks before the pipeline is looked up; returns the validated terms.</summary>
    public OpportunityTerms CheckOpen(Caller caller, OpportunityCustomer customer, OpportunityTerms terms, DateTimeOffset now)
    {
        EnsureMayOpen(caller);
        AccessPolicy.EnsureCanChange(caller, customer.OwnerId, customer.OwnerTeamId, "opportunities on this customer");
        return OpportunityRules.Validate(terms, now);
    }

    /// <summary>Opens the deal on <paramref name="customer"/>'s owner, in the first stage of <paramref name="pipeline"/>.</summary>
    public void Open(Caller caller, OpportunityCustomer customer, OpportunityTerms terms, PipelineDefinition pipeline, DateTimeOffset now)
    {
        var valid = CheckOpen(caller, customer, terms, now);
        var first = pipeline.First.Key;
        state.Created = true;
        state.CustomerId = customer.Id;
        state.OwnerId = customer.OwnerId;
        state.OwnerTeamId = customer.OwnerTeamId;
        state.Terms = valid;
        state.Pipeline = pipeline;
        state.Stage = first;
        state.StageEnteredAt = now;
        state.History = [new StageChangeRecord(null, first, now, caller.UserId, "opened")];
        state.Status = OpportunityStatus.Open;
        state.CreatedAt = now;
        state.StallClockStart = now;
        ReportToCustomer();
        LinkLists(null, null);
        PlanTasks(first, now);
        Raise(new OpportunityEvent.Opened());
    }

    public void AddEvidence(string kind, string reference, string note, Caller caller, DateTimeOffset now)
    {
        EnsureChangeable(caller);
        var valid = EvidenceRules.Validate(kind, reference, note);
        if (state.Evidence.Count >= MaxEvidence)
        {
            throw new PreconditionFailedException($"opportunity '{id}' already has {MaxEvidence} evidence items");
        }
        var evidence = new Evidence(valid.Kind, valid.Reference, valid.Note, caller.UserId, now);
        state.Evidence.Add(evidence);
        FollowThroughRules.MarkDone(state); // evidence on the deal is its next step taken
        Raise(new OpportunityEvent.EvidenceAdded(evidence));
        RestartStallClock(now);
    }

    /// <summary>
    /// Everything <see cref="ChangeStage"/> checks (access, version, approval lock, evidence to leave, skips, reason to
    /// go back); true if entering <paramref name="toStage"/> needs an approver, whom the grain looks up next.
    /// </summary>
    public bool CheckChangeStage(string toStage, string reason, long expectedVersion, Caller caller)
    {
        CheckStageMove(toStage, reason, expectedVersion, caller);
        return ApprovalRules.RequiresApproval(state.Pipeline!, toStage, state.Terms!.Value, options.Approval);
    }

    /// <summary>Moves to <paramref name="toStage"/>; above the threshold the deal locks until <paramref name="approverId"/> decides.</summary>
    public void ChangeStage(string toStage, string reason, long expectedVersion, Caller caller, string? approverId, DateTimeOffset now)
    {
        var why = CheckStageMove(toStage, reason, expectedVersion, caller);
        var needsApproval = ApprovalRules.RequiresApproval(state.Pipeline!, toStage, state.Terms!.Value, options.Approval);
        if (needsApproval && approverId is null)
        {
            throw new InvalidOperationException("entering this stage needs approval: look the approver up first");
        }
        FollowThroughRules.MarkDone(state); // so is moving the deal on (a rejection's return to a stage is not)
        EnterStage(toStage, why, caller.UserId, now);
        if (needsApproval)
        {
            AskApproval(ApprovalIds.ForStageEntry(id, state.History.Count), approverId!, now);
        }
    }

    private string CheckStageMove(string toStage, string reason, long expectedVersion, Caller caller)
    {
        EnsureChangeable(caller);
        Guard.Version(Guard.ExpectedVersion(expectedVersion), state.Version, Entity, id);
        EnsureNotAwaitingApproval();
        var why = Guard.Optional(reason, "reason", Limits.SummaryMaxLength);
        PipelineRules.Decide(state.Pipeline!, state.Stage, toStage ?? string.Empty, EvidenceKinds(), why);
        return why;
    }

    /// <summary>Everything <see cref="SetSignal"/> checks before the customer's email domains are looked up.</summary>
    public void CheckSetSignal(IReadOnlyList<DecisionMaker> decisionMakers, long expectedVersion, Caller caller)
    {
        EnsureChangeable(caller);
        Guard.Version(Guard.ExpectedVersion(expectedVersion), state.Version, Entity, id);
        if (decisionMakers.Count > MaxDecisionMakers)
        {
            throw new ValidationException("decision_makers", $"at most {MaxDecisionMakers} are allowed");
        }
    }

    /// <summary>Claims a forecast signal; advancing it restarts the decay clock and clears the intervention.</summary>
    public void SetSignal(
        ForecastSignal signal, IReadOnlyList<DecisionMaker> decisionMakers, DateTimeOffset? contractReviewAt,
        IReadOnlySet<string> customerEmailDomains, long expectedVersion, Caller caller, DateTimeOffset now)
    {
        CheckSetSignal(decisionMakers, expectedVersion, caller);
        ForecastRules.EnsureMayClaim(signal, EvidenceKinds(), decisionMakers, customerEmailDomains, contractReviewAt);
        if (contractReviewAt is { } review)
        {
            Guard.Timestamp(review, "contract_review_at", Limits.LatestTimestamp);
        }
        var previous = state.Signal;
        state.Signal = signal;
        if (signal > previous)
        {
            state.SignalChangedAt = now;
            ChangeIntervention(false, null, now);
        }
        if (decisionMakers.Count > 0)
        {
            state.DecisionMakers = [.. decisionMakers];
        }
        state.ContractReviewAt = contractReviewAt ?? state.ContractReviewAt;
        Raise(new OpportunityEvent.SignalChanged(previous, signal));
        ReportToCustomer();
    }

    /// <summary>
    /// Everything <see cref="UpdateTerms"/> checks; true if the new value is not covered by the granted approval (or
    /// crosses the threshold in the approval stage), so the grain looks up an approver next.
    /// </summary>
    public bool CheckUpdateTerms(string? title, Money? value, DateTimeOffset? expectedCloseAt, long expectedVersion, Caller caller, DateTimeOffset now)
    {
        var (terms, changed) = CheckTerms(title, value, expectedCloseAt, expectedVersion, caller, now);
        return changed.Count > 0 && NeedsReapproval(terms);
    }

    /// <summary>Changes title, value or expected close (null leaves a field); a value the approval does not cover locks the deal again.</summary>
    public void UpdateTerms(
        string? title, Money? value, DateTimeOffset? expectedCloseAt, long expectedVersion, Caller caller, string? approverId, DateTimeOffset now)
    {
        var (terms, changed) = CheckTerms(title, value, expectedCloseAt, expectedVersion, caller, now);
        if (changed.Count == 0)
        {
            return;
        }
        var needsApproval = NeedsReapproval(terms);
        if (needsApproval && approverId is null)
        {
            throw new InvalidOperationException("this value needs approval: look the approver up first");
        }
        state.Terms = terms;
        Raise(new OpportunityEvent.TermsChanged(changed));
        if (changed.Contains("value"))
        {
            ReportToCustomer();
        }
        if (needsApproval)
        {
            AskApproval(ApprovalIds.ForTermsChange(id, state.History.Count, state.Version), approverId!, now);
        }
    }

    private (OpportunityTerms Terms, List<string> Changed) CheckTerms(
        string? title, Money? value, DateTimeOffset? expectedCloseAt, long expectedVersion, Caller caller, DateTimeOffset now)
    {
        EnsureChangeable(caller);
        Guard.Version(Guard.ExpectedVersion(expectedVersion), state.Version, Entity, id);
        if (state.PendingApprovalId is { } approvalId)
        {
            throw new PreconditionFailedException($"amount and terms are locked while approval '{approvalId}' is pending");
        }
        var current = state.Terms!;
        var terms = OpportunityRules.Validate(
            new OpportunityTerms(title ?? current.Title, value ?? current.Value, expectedCloseAt ?? current.ExpectedCloseAt), now);
        var changed = new List<string>();
        if (terms.Title != current.Title) changed.Add("title");
        if (terms.Value != current.Value) changed.Add("value");
        if (terms.ExpectedCloseAt != current.ExpectedCloseAt) changed.Add("expected_close_at");
        return (terms, changed);
    }

    /// <summary>Plans (or, with an empty action, clears) the next action; a due date counts as activity for the stall clock.</summary>
    public void SetNextAction(string? nextAction, DateTimeOffset? dueAt, Caller caller, DateTimeOffset now)
    {
        EnsureChangeable(caller);
        var action = Guard.Optional(nextAction, "next_action", Limits.SummaryMaxLength);
        DateTimeOffset? due = null;
        if (action.Length > 0)
        {
            due = Guard.Timestamp(dueAt ?? throw new ValidationException("due_at", "is required with a next action"), "due_at", Limits.LatestTimestamp);
        }
        FollowThroughRules.Plan(state, action.Length == 0 ? null : action, due);
        state.NextActionPlannedAt = due is null ? null : now;
        Raise(new OpportunityEvent.NextActionPlanned(action, due));
        if (due is not null)
        {
            RestartStallClock(now);
        }
    }

    /// <summary>Wins the deal from the last stage, with that stage's evidence and its key win factor, unless it waits for approval.</summary>
    public void Win(string winFactor, string note, long expectedVersion, Caller caller, DateTimeOffset now)
    {
        EnsureChangeable(caller);
        Guard.Version(Guard.ExpectedVersion(expectedVersion), state.Version, Entity, id);
        var win = OpportunityRules.ValidateWin(winFactor, note, options);
        EnsureNotAwaitingApproval();
        var last = state.Pipeline!.Stages[^1];
        if (state.Stage != last.Key)
        {
            throw new PreconditionFailedException($"an opportunity is won from the last stage '{last.Key}'; it is in '{state.Stage}'");
        }
        var missing = PipelineRules.MissingToLeave(last, EvidenceKinds());
        if (missing.Count > 0)
        {
            throw new MissingEvidenceException(state.Stage, "won", missing);
        }
        state.WinFactor = win.Factor;
        state.WinNote = win.Note;
        Close(OpportunityStatus.Won, "won", caller.UserId, now);
        Raise(new OpportunityEvent.Won());
    }

    /// <summary>Loses the deal with one of the configured reasons.</summary>
    public void Lose(string reason, string note, long expectedVersion, Caller caller, DateTimeOffset now)
    {
        EnsureChangeable(caller);
        Guard.Version(Guard.ExpectedVersion(expectedVersion), state.Version, Entity, id);
        var loss = OpportunityRules.ValidateLoss(reason, note, options);
        state.LostReason = loss.Reason;
        state.LostNote = loss.Note;
        Close(OpportunityStatus.Lost, loss.Reason, caller.UserId, now);
        Raise(new OpportunityEvent.Lost());
    }

    /// <summary>
    /// Rows written before effects existed carry their pending follow-ups as flags; they become follow-ups here (the
    /// grain stores them with its next write; until then a reactivation converts them again, which is harmless).
    /// </summary>
    public void TakeLegacyFollowUps(DateTimeOffset now)
    {
        if (!state.Created)
        {
            return;
        }
        if (state.LinksPending)
        {
            LinkLists(state.PreviousOwnerId, state.PreviousTeamId);
        }
        if (state.ApprovalRequestPending && state.PendingApprovalId is { } approvalId && state.PendingApproval is { } request)
        {
            Then(new OpportunityFollowUp.FileApproval(approvalId, request));
        }
        foreach (var plan in state.TasksToCreate)
        {
            Then(new OpportunityFollowUp.CreateTask(plan, id, state.OwnerTeamId));
        }
        if (state.StallEffectsPending)
        {
            PlanStallEffects(state.StallLevel, state.StallFiring, now);
        }
        if (state.InterventionEffectsPending)
        {
            PlanInterventionEffects(state.NeedsIntervention, state.InterventionFiring, now);
        }
        (state.LinksPending, state.ApprovalRequestPending, state.StallEffectsPending, state.InterventionEffectsPending) = (false, false, false, false);
        (state.PreviousOwnerId, state.PreviousTeamId, state.StallFiring, state.InterventionFiring) = (null, null, null, null);
        state.TasksToCreate.Clear();
    }

    private void EnsureChangeable(Caller caller)
    {
        EnsureCreated();
        AccessPolicy.EnsureCanChange(caller, state.OwnerId, state.OwnerTeamId, "this opportunity");
        OpportunityRules.EnsureOpen(state.Status, id);
    }

    private HashSet<string> EvidenceKinds() => new(state.Evidence.Select(e => e.Kind), StringComparer.Ordinal);

    /// <summary>Moves to <paramref name="stage"/>: history, tasks for the entry, a fresh stall clock, and the event.</summary>
    private void EnterStage(string stage, string reason, string actorId, DateTimeOffset now)
    {
        var change = new StageChangeRecord(state.Stage, stage, now, actorId, reason);
        state.History.Add(change);
        state.Stage = stage;
        state.StageEnteredAt = now;
        Raise(new OpportunityEvent.StageChanged(change));
        PlanTasks(stage, now);
        RestartStallClock(now);
    }

    private void Close(OpportunityStatus status, string reason, string actorId, DateTimeOffset now)
    {
        state.History.Add(new StageChangeRecord(state.Stage, status.ToString().ToLowerInvariant(), now, actorId, reason));
        state.Status = status;
        ReportToCustomer(); // before the link, so the customer never sees a closed deal without its outcome
        LinkLists(null, null);
        ChangeStall(StallLevel.None, null, now);
        ChangeIntervention(false, null, now);
    }

    /// <summary>Plans the tasks the configured rules attach to entering <paramref name="stage"/>; ids are per stage entry and rule.</summary>
    private void PlanTasks(string stage, DateTimeOffset enteredAt)
    {
        var plans = TaskRules.ForStageEntry(options.TaskRules, id, state.Pipeline!.Key, stage, state.History.Count, enteredAt);
        foreach (var plan in plans.Where(p => !state.TaskIds.Contains(p.TaskId)))
        {
            state.TaskIds.Add(plan.TaskId);
            Then(new OpportunityFollowUp.CreateTask(plan, id, state.OwnerTeamId));
        }
    }

}
