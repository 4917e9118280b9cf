using ActorSales.Contracts.V1;
using ActorSales.Domain.Common;
using ActorSales.Domain.People;
using ActorSales.Gateway.Identity;
using ActorSales.Gateway.Mapping;
using ActorSales.Gateway.ReadSide;
using ActorSales.Grains.Abstractions.Contracts;
using ActorSales.Grains.Abstractions.People;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using DomainRole = ActorSales.Domain.Identity.Role;

namespace ActorSales.Gateway.Grpc;

[Authorize]
public sealed class SalespeopleGrpcService(IGrainFactory grains, CallerResolver callers, ReadModelReader reads) : SalespeopleService.SalespeopleServiceBase
{
    public override async Task<CreateSalespersonResponse> CreateSalesperson(CreateSalespersonRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        var profile = new SalespersonProfile(request.Name, request.Email, (DomainRole)request.Role, request.TeamId);
        var view = await Person(request.SalespersonId).Create(profile, caller);
        var salesperson = view.ToContract();
        return new CreateSalespersonResponse { Salesperson = salesperson, ConsistencyToken = ConsistencyToken.For(salesperson) };
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
        var salesperson = view.ToContract();
        return new UpdateSalespersonResponse { Salesperson = salesperson, ConsistencyToken = ConsistencyToken.For(salesperson) };
    }

    public override async Task<ListSalespeopleResponse> ListSalespeople(ListSalespeopleRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        var query = QueryMapper.ToQuery(request);
        var token = ConsistencyToken.Parse(request.ConsistencyToken);
        query = query with { Scope = await reads.ScopeAsync(caller, query.TeamId) };
        await reads.CatchUpAsync(token, caller, context.CancellationToken);
        var page = await reads.Queries.ListSalespeopleAsync(query, context.CancellationToken);
        var response = new ListSalespeopleResponse { NextPageToken = QueryMapper.NextPageToken(page.NextPageToken, QueryMapper.SalespersonPages) };
        response.Salespeople.AddRange(page.Items);
        return response;
    }

    private ISalespersonGrain Person(string id) => grains.Ref<ISalespersonGrain>(Guard.Id(id, "salesperson_id"));
}
