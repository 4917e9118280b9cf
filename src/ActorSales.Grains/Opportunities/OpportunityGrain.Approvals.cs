using ActorSales.Domain.Errors;
using ActorSales.Domain.Identity;
using ActorSales.Domain.Pipeline;
using ActorSales.Grains.Abstractions.Opportunities;
using ActorSales.Grains.Abstractions.People;
using Microsoft.Extensions.Logging;

namespace ActorSales.Grains.Opportunities;

/// <summary>
/// The opportunity's side of approvals. Calls run one way, opportunity -> approval: the opportunity files a request
/// (an effect), and a decision comes in here, is recorded by the approval grain (which checks the decider first), and
/// is then applied to the deal in its own write. The approval grain never calls back.
/// </summary>
public sealed partial class OpportunityGrain
{
    public async Task<ApprovalView> DecideApproval(string approvalId, bool approve, string comment, Caller caller)
    {
        if (!S.Created)
        {
            throw new NotFoundException("approval", approvalId); // no deal, no approval of it
        }
        var approval = GrainFactory.GetGrain<IApprovalGrain>(approvalId);
        S.Requests.NoteResult(approvalId); // a retry answers with this approval
        ApprovalView decided;
        try
        {
            decided = await approval.Decide(approve, comment, caller); // access first, then the request's state
        }
        catch (PreconditionFailedException) when (Aggregate().Awaits(approvalId))
        {
            // Decided before, but this deal never applied it (it failed or died between the two writes): apply it now.
            await ApplyRecordedDecisionAsync(approval);
            throw;
        }
        await ApplyDecisionAsync(decided);
        return decided;
    }

    public async Task<string?> RerouteApproval(string approvalId, string fromApproverId, string actorId)
    {
        var aggregate = Aggregate();
        if (!aggregate.CheckReroute(approvalId, fromApproverId))
        {
            return null; // decided meanwhile, or already rerouted
        }
        var to = await ResolveApprover(excluding: fromApproverId);
        aggregate.RerouteApproval(approvalId, fromApproverId, to, clock.GetUtcNow());
        await Commit(aggregate, actorId);
        return to;
    }

    /// <summary>
    /// On activation: a deal still locked for an approval that was decided (by a release whose approval grain told the
    /// deal itself, or before a crash between the two writes) applies the recorded decision.
    /// </summary>
    private async Task ReconcileApprovalAsync()
    {
        if (S.PendingApprovalId is not { } approvalId || !Aggregate().Awaits(approvalId))
        {
            return;
        }
        try
        {
            await ApplyRecordedDecisionAsync(GrainFactory.GetGrain<IApprovalGrain>(approvalId));
        }
        catch (Exception exception)
        {
            // Harmless: the deal stays locked until the next activation or a decision retried by the approver.
            LogReconcileFailed(exception, Id, approvalId);
        }
    }

    private async Task ApplyRecordedDecisionAsync(IApprovalGrain approval)
    {
        if (await approval.Find() is { Status: not ApprovalStatus.Pending } recorded)
        {
            await ApplyDecisionAsync(recorded);
        }
    }

    private async Task ApplyDecisionAsync(ApprovalView decided)
    {
        var aggregate = Aggregate();
        aggregate.ApplyApprovalDecision(decided.Id, decided.Status == ApprovalStatus.Approved, decided.DecidedBy ?? string.Empty,
            decided.DecidedAt ?? clock.GetUtcNow(), decided.Comment ?? string.Empty, decided.RequestedAt, clock.GetUtcNow());
        await Commit(aggregate, decided.DecidedBy ?? Caller.System.UserId);
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

    /// <summary>
    /// Who a pending approval escalates to: the first active candidate of the chain above its approver (see
    /// <see cref="ApprovalFollowThrough.EscalationCandidates"/>); null when there is none. A lookup before the change, so a
    /// failed one leaves the deadline wanted and the reminder brings it back.
    /// </summary>
    private async Task<string?> ResolveEscalation()
    {
        if (Aggregate().PendingApprover is not { } approverId)
        {
            return null;
        }
        var team = await GrainFactory.GetGrain<ITeamGrain>(S.OwnerTeamId).Find();
        foreach (var candidate in ApprovalFollowThrough.EscalationCandidates(approverId, team?.ManagerId, team?.DirectorId, options.Value.Approval))
        {
            if (await IsActiveApprover(candidate))
            {
                return candidate;
            }
        }
        return null;
    }

    /// <summary>An approver that is no salesperson record (e.g. a configured service account) counts as active.</summary>
    private async Task<bool> IsActiveApprover(string approverId) =>
        await GrainFactory.GetGrain<ISalespersonGrain>(approverId).GetIdentity() is not { } identity || identity.Status == Domain.People.SalespersonStatus.Active;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Opportunity {OpportunityId}: could not read approval {ApprovalId} to apply its decision; it stays locked until retried")]
    private partial void LogReconcileFailed(Exception exception, string opportunityId, string approvalId);
}
