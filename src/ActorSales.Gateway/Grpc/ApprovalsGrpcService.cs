using ActorSales.Contracts.V1;
using ActorSales.Domain.Common;
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
        return new ApproveRequestResponse { Approval = (await Approval(request.ApprovalId).Decide(true, request.Comment, caller)).ToContract() };
    }

    public override async Task<RejectRequestResponse> RejectRequest(RejectRequestRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        return new RejectRequestResponse { Approval = (await Approval(request.ApprovalId).Decide(false, request.Comment, caller)).ToContract() };
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

    /// <summary>Approval ids contain '/' ("{opportunity}/approval/{n}"): each segment must be a safe id.</summary>
    private IApprovalGrain Approval(string id) =>
        grains.Ref<IApprovalGrain>(RequestMapper.CompositeId(id, "approval", 3, "approval_id"));
}
