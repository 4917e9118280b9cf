using ActorSales.Contracts.V1;
using ActorSales.Domain.Common;
using ActorSales.Gateway.Identity;
using ActorSales.Grains.Abstractions.Contracts;
using ActorSales.Grains.Abstractions.Opportunities;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;

namespace ActorSales.Gateway.Grpc;

[Authorize]
public sealed class DepartmentsGrpcService(IGrainFactory grains, CallerResolver callers) : DepartmentsService.DepartmentsServiceBase
{
    public override async Task<GetDepartmentResponse> GetDepartment(GetDepartmentRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        var view = await Department(request.Department).Get(caller);
        return new GetDepartmentResponse { Department = view.ToContract() };
    }

    public override async Task<SetDepartmentMembersResponse> SetDepartmentMembers(SetDepartmentMembersRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        var view = await Department(request.Department).SetMembers([.. request.MemberIds], request.ExpectedVersion, caller);
        return new SetDepartmentMembersResponse { Department = view.ToContract() };
    }

    public override async Task<SetDepartmentLeadResponse> SetDepartmentLead(SetDepartmentLeadRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        var view = await Department(request.Department).SetLead(request.LeadId, request.ExpectedVersion, caller);
        return new SetDepartmentLeadResponse { Department = view.ToContract() };
    }

    public override async Task<AddDepartmentMemberResponse> AddDepartmentMember(AddDepartmentMemberRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        var view = await Department(request.Department).AddMember(request.MemberId, request.ExpectedVersion, caller);
        return new AddDepartmentMemberResponse { Department = view.ToContract() };
    }

    public override async Task<RemoveDepartmentMemberResponse> RemoveDepartmentMember(RemoveDepartmentMemberRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        var view = await Department(request.Department).RemoveMember(request.MemberId, request.ExpectedVersion, caller);
        return new RemoveDepartmentMemberResponse { Department = view.ToContract() };
    }

    private IDepartmentQueueGrain Department(string id) => grains.Ref<IDepartmentQueueGrain>(Guard.Id(id, "department"));
}
