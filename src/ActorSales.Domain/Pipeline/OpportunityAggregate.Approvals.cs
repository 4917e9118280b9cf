using ActorSales.Domain.Errors;

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

    /// <summary>The pending approval goes to <paramref name="toApproverId"/> (the first approver is leaving).</summary>
    public void RerouteApproval(string approvalId, string fromApproverId, string toApproverId)
    {
        if (!CheckReroute(approvalId, fromApproverId))
        {
            return;
        }
        var request = state.PendingApproval! with { ApproverId = toApproverId };
        state.PendingApproval = request;
        Then(new OpportunityFollowUp.FileApproval(approvalId, request)); // the approval grain moves it to the new approver
        Raise(new OpportunityEvent.ApprovalRerouted(approvalId, request, fromApproverId, state.StageEnteredAt));
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
        state.ApprovedValue = null;
        Then(new OpportunityFollowUp.FileApproval(approvalId, request));
        Raise(new OpportunityEvent.ApprovalRequested(approvalId, request, now));
    }

    private bool NeedsReapproval(OpportunityTerms terms) =>
        terms.Value != state.Terms!.Value
        && ApprovalRules.NeedsReapproval(state.Pipeline!, state.Stage, state.ApprovedValue, terms.Value, options.Approval);
}
