using ActorSales.Domain.Errors;
using ActorSales.Domain.Deadlines;

namespace ActorSales.Domain.Pipeline;

/// <summary>Approval of large deals: the lock while one is pending, its decision, and its reroute when the approver leaves.</summary>
public sealed partial class OpportunityAggregate
{
    /// <summary>Whether <paramref name="approvalId"/> is the approval the deal waits for.</summary>
    public bool Awaits(string approvalId) => state.Created && state.PendingApprovalId == approvalId && state.PendingApproval is not null;

    /// <summary>
    /// The approval grain recorded a decision on <paramref name="approvalId"/>: the deal unlocks, and a rejection returns
    /// it to the configured stage. Nothing happens if the deal no longer waits for it (applied already, or superseded).
    /// </summary>
    public void ApplyApprovalDecision(
        string approvalId, bool approved, string decidedBy, DateTimeOffset decidedAt, string comment, DateTimeOffset requestedAt, DateTimeOffset now)
    {
        if (!Awaits(approvalId))
        {
            return;
        }
        var request = state.PendingApproval!;
        state.PendingApprovalId = null;
        state.PendingApproval = null;
        state.PendingApprovalSince = null;
        state.ApprovedValue = approved ? request.Value : null;
        Raise(new OpportunityEvent.ApprovalDecided(approvalId, request, approved, requestedAt, decidedBy, decidedAt, comment));
        var returnTo = options.Approval.RejectedReturnsTo;
        if (!approved && state.Status == OpportunityStatus.Open && state.Pipeline!.IndexOf(returnTo) >= 0)
        {
            EnterStage(returnTo, $"approval rejected by {decidedBy}: {comment}", decidedBy, now);
        }
    }

    /// <summary>Whether the deal still waits for <paramref name="approvalId"/> from <paramref name="fromApproverId"/> (else a reroute does nothing).</summary>
    public bool CheckReroute(string approvalId, string fromApproverId)
    {
        EnsureCreated();
        return Awaits(approvalId) && state.PendingApproval!.ApproverId == fromApproverId;
    }

    /// <summary>
    /// The pending approval goes to <paramref name="toApproverId"/> (the first approver is leaving); its reminder and
    /// escalation count afresh from now, since the new approver has only just got it.
    /// </summary>
    public void RerouteApproval(string approvalId, string fromApproverId, string toApproverId, DateTimeOffset now)
    {
        if (!CheckReroute(approvalId, fromApproverId))
        {
            return;
        }
        var request = state.PendingApproval! with { ApproverId = toApproverId };
        state.PendingApproval = request;
        state.PendingApprovalSince = now;
        Then(new OpportunityFollowUp.FileApproval(approvalId, request)); // the approval grain moves it to the new approver
        Raise(new OpportunityEvent.ApprovalRerouted(approvalId, request, fromApproverId, state.StageEnteredAt));
    }

    /// <summary>The approver the pending approval waits for (null: none), for the escalation's lookup of the chain.</summary>
    public string? PendingApprover => state.PendingApprovalId is null ? null : state.PendingApproval?.ApproverId;

    /// <summary>
    /// The pending approval's reminder and escalation, counted from when it reached its approver (rows from before this
    /// rule: from the stage entry). None while nothing is pending, and none once escalated.
    /// </summary>
    private IReadOnlyList<Deadline> ApprovalDeadlines() =>
        state.PendingApprovalId is null || state.PendingApproval is not { } request
            ? []
            : ApprovalFollowThrough.DeadlinesFor(state.PendingApprovalSince ?? state.StageEnteredAt, options.Approval)
                .Where(d => d.Rule == ApprovalFollowThrough.Remind || request.EscalatedToId is null).ToList();

    /// <summary>
    /// An approval reminder or escalation may be due: re-checked against the current state, it acts once per (rule, deal,
    /// due time). The reminder tells the approver; the escalation files the request with <paramref name="escalateTo"/> too
    /// (looked up by the grain from the chain, see <see cref="ApprovalFollowThrough.EscalationCandidates"/>), tells them and
    /// tells the approver; with nobody above, the approver is told it is overdue.
    /// </summary>
    public void ApprovalFollowThroughDue(Deadline deadline, string? escalateTo, DateTimeOffset now)
    {
        if (deadline.DueAt > now || !Deadlines().Contains(deadline) || state.PendingApproval is not { } request)
        {
            return;
        }
        var key = deadline.FiringKey(id);
        state.FiredDeadlines.Add(key);
        Touch();
        var approvalId = state.PendingApprovalId!;
        var since = state.PendingApprovalSince ?? state.StageEnteredAt;
        var what = $"approval '{approvalId}' of '{state.Terms!.Title}' ({request.Value.Amount:0.##} {request.Value.Currency})";
        Notification Notice(string recipient, NotificationSeverity severity, string message) =>
            new($"{key}:{recipient}", "approval_follow_through", severity, Entity, id, message, now);
        if (deadline.Rule == ApprovalFollowThrough.Remind)
        {
            Then(new OpportunityFollowUp.Notify(request.ApproverId, Notice(request.ApproverId, NotificationSeverity.Warning,
                $"The {what} has waited for your decision since {since:yyyy-MM-dd HH:mm} UTC")));
            Raise(new OpportunityEvent.ApprovalReminded(approvalId, request, since));
            return;
        }
        if (escalateTo is null)
        {
            Then(new OpportunityFollowUp.Notify(request.ApproverId, Notice(request.ApproverId, NotificationSeverity.Critical,
                $"The {what} has waited for your decision since {since:yyyy-MM-dd HH:mm} UTC and there is nobody to escalate it to")));
            Raise(new OpportunityEvent.ApprovalEscalated(approvalId, request, since));
            return;
        }
        var escalated = request with { EscalatedToId = escalateTo, EscalatedAt = now };
        state.PendingApproval = escalated;
        Then(new OpportunityFollowUp.FileApproval(approvalId, escalated)); // the escalated approver lists it and may decide
        Then(new OpportunityFollowUp.Notify(escalateTo, Notice(escalateTo, NotificationSeverity.Critical,
            $"The {what} has waited for {request.ApproverId} since {since:yyyy-MM-dd HH:mm} UTC and was escalated to you; you may decide it")));
        Then(new OpportunityFollowUp.Notify(request.ApproverId, Notice(request.ApproverId, NotificationSeverity.Warning,
            $"The {what} waited too long for your decision and was escalated to {escalateTo}; either of you may decide it")));
        Raise(new OpportunityEvent.ApprovalEscalated(approvalId, escalated, since));
    }

    private void EnsureNotAwaitingApproval()
    {
        if (state.PendingApprovalId is { } approvalId)
        {
            throw new PreconditionFailedException($"the deal waits for approval '{approvalId}'; it cannot change stage or close until it is decided");
        }
    }

    /// <summary>Locks terms, stage and closing until <paramref name="approverId"/> decides; the request is filed after the write.</summary>
    private void AskApproval(string approvalId, string approverId, DateTimeOffset now)
    {
        var request = new ApprovalRequest(id, state.OwnerId, state.OwnerTeamId, approverId, state.Terms!.Value);
        state.PendingApprovalId = approvalId;
        state.PendingApproval = request;
        state.PendingApprovalSince = now;
        state.ApprovedValue = null;
        Then(new OpportunityFollowUp.FileApproval(approvalId, request));
        Raise(new OpportunityEvent.ApprovalRequested(approvalId, request, now));
    }

    private bool NeedsReapproval(OpportunityTerms terms) =>
        terms.Value != state.Terms!.Value
        && ApprovalRules.NeedsReapproval(state.Pipeline!, state.Stage, state.ApprovedValue, terms.Value, options.Approval);
}
