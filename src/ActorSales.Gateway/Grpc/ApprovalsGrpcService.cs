using ActorSales.Contracts.V1;
using ActorSales.Domain.Common;
using ActorSales.Domain.Errors;
using ActorSales.Domain.Pipeline;
using ActorSales.Gateway.Identity;
using ActorSales.Gateway.Mapping;
using ActorSales.Grains.Abstractions.Contracts;
using ActorSales.Grains.Abstractions.Opportunities;
using ActorSales.Grains.Abstractions.People;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;

namespace ActorSales.Gateway.Grpc;

[Authorize]
public sealed class ApprovalsGrpcService(IGrainFactory grains, CallerResolver callers) : ApprovalsService.ApprovalsServiceBase
{
    public override async Task<ListMyApprovalsResponse> ListMyApprovals(ListMyApprovalsRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        var approvals = await grains.Ref<ISalespersonGrain>(caller.UserId).ListPendingApprovals(caller);
        var response = new ListMyApprovalsResponse();
        response.Approvals.AddRange(approvals.Select(a => a.ToContract()));
        return response;
    }

    public override async Task<GetApprovalResponse> GetApproval(GetApprovalRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        return new GetApprovalResponse { Approval = (await Approval(request.ApprovalId).Get(caller)).ToContract() };
    }

    public override async Task<ApproveRequestResponse> ApproveRequest(ApproveRequestRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        var (opportunity, approvalId) = DealOf(request.ApprovalId);
        return new ApproveRequestResponse { Approval = (await opportunity.DecideApproval(approvalId, true, request.Comment, caller)).ToContract() };
    }

    public override async Task<RejectRequestResponse> RejectRequest(RejectRequestRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        var (opportunity, approvalId) = DealOf(request.ApprovalId);
        return new RejectRequestResponse { Approval = (await opportunity.DecideApproval(approvalId, false, request.Comment, caller)).ToContract() };
    }

    public override async Task<SetDelegateResponse> SetDelegate(SetDelegateRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        var approverId = RequestMapper.OptionalId(request.ApproverId, "approver_id") ?? caller.UserId;
        var delegation = request.DelegateId.Length == 0
            ? null
            : ApprovalRules.ValidateDelegation(request.DelegateId,
                RequestMapper.RequiredTimestamp(request.From, "from"), RequestMapper.RequiredTimestamp(request.Until, "until"), approverId);
        await grains.Ref<ISalespersonGrain>(approverId).SetDelegate(delegation, caller);
        return new SetDelegateResponse();
    }

    private IApprovalGrain Approval(string id) => grains.Ref<IApprovalGrain>(ValidApprovalId(id));

    /// <summary>
    /// Decisions go to the deal that asked for the approval (its id is the approval id's first segment), which has the
    /// approval grain record the decision and then applies it: calls between the two grains run one way.
    /// </summary>
    private (IOpportunityGrain Opportunity, string ApprovalId) DealOf(string id)
    {
        var approvalId = ValidApprovalId(id);
        return (grains.Ref<IOpportunityGrain>(ApprovalIds.OpportunityOf(approvalId)!), approvalId);
    }

    /// <summary>
    /// Approval ids contain '/' ("{opportunity}/approval/{n}", see <see cref="ApprovalIds"/>): each segment must be a safe
    /// id (else INVALID_ARGUMENT, as for any id); a safe id that is no approval id is one that was not found.
    /// </summary>
    private static string ValidApprovalId(string id)
    {
        const int MaxLength = 3 * Limits.IdMaxLength + 2;
        if (id?.Length > MaxLength)
        {
            throw new ValidationException("approval_id", $"must be at most {MaxLength} characters");
        }
        foreach (var segment in (id ?? string.Empty).Split('/'))
        {
            Guard.Id(segment, "approval_id");
        }
        return ApprovalIds.OpportunityOf(id) is null ? throw new NotFoundException("approval", id!) : id!;
    }
}
