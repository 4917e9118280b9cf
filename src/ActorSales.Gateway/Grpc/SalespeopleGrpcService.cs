using ActorSales.Contracts.V1;
using ActorSales.Domain.Common;
using ActorSales.Domain.People;
using ActorSales.Gateway.Identity;
using ActorSales.Gateway.Mapping;
using ActorSales.Grains.Abstractions.Contracts;
using ActorSales.Grains.Abstractions.People;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using DomainRole = ActorSales.Domain.Identity.Role;

namespace ActorSales.Gateway.Grpc;

[Authorize]
public sealed class SalespeopleGrpcService(IGrainFactory grains, CallerResolver callers) : SalespeopleService.SalespeopleServiceBase
{
    public override async Task<CreateSalespersonResponse> CreateSalesperson(CreateSalespersonRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        var profile = new SalespersonProfile(request.Name, request.Email, (DomainRole)request.Role, request.TeamId);
        var view = await Person(request.SalespersonId).Create(profile, caller);
        return new CreateSalespersonResponse { Salesperson = view.ToContract() };
    }

    public override async Task<GetSalespersonResponse> GetSalesperson(GetSalespersonRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        var view = await Person(request.SalespersonId).Get(caller);
        return new GetSalespersonResponse { Salesperson = view.ToContract() };
    }

    public override async Task<UpdateSalespersonResponse> UpdateSalesperson(UpdateSalespersonRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        var changes = new SalespersonChanges(
            RequestMapper.Unchanged(request.Name),
            RequestMapper.Unchanged(request.Email),
            request.Role == Role.Unspecified ? null : (DomainRole)request.Role,
            RequestMapper.OptionalId(request.TeamId, "team_id"));
        var view = await Person(request.SalespersonId).Update(changes, request.ExpectedVersion, caller);
        callers.Forget(view.Id);
        return new UpdateSalespersonResponse { Salesperson = view.ToContract() };
    }

    private ISalespersonGrain Person(string id) => grains.Ref<ISalespersonGrain>(Guard.Id(id, "salesperson_id"));
}
