using ActorSales.Contracts.V1;
using ActorSales.Domain.Common;
using ActorSales.Gateway.Identity;
using ActorSales.Gateway.Mapping;
using ActorSales.Gateway.ReadSide;
using ActorSales.Grains.Abstractions.Contracts;
using ActorSales.Grains.Abstractions.Customers;
using ActorSales.Grains.Abstractions.People;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using DomainTier = ActorSales.Domain.Customers.CustomerTier;

namespace ActorSales.Gateway.Grpc;

[Authorize]
public sealed class PoolGrpcService(IGrainFactory grains, CallerResolver callers) : PoolService.PoolServiceBase
{
    public override async Task<ListPoolResponse> ListPool(ListPoolRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        DomainTier? tier = request.Tier == CustomerTier.Unspecified ? null : Guard.Enum((DomainTier)request.Tier, "tier");
        var industry = RequestMapper.Unchanged(Guard.Optional(request.Industry, "industry"));
        var page = await Pool(request.TeamId).List(caller, tier, industry, Paging.PageSize(request.PageSize), Paging.DecodeToken(request.PageToken, "pool"));
        var response = new ListPoolResponse { NextPageToken = page.NextCursor is { } next ? Paging.EncodeToken("pool", next) : string.Empty };
        response.Entries.AddRange(page.Items.Select(e => e.ToContract()));
        return response;
    }

    public override async Task<ClaimCustomerResponse> ClaimCustomer(ClaimCustomerRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        var teamId = Guard.Id(request.TeamId, "team_id");
        var view = await Customer(request.CustomerId).ClaimFromPool(teamId, caller);
        var customer = view.ToContract();
        return new ClaimCustomerResponse { Customer = customer, ConsistencyToken = ConsistencyToken.For(customer) };
    }

    public override async Task<AssignPoolCustomerResponse> AssignPoolCustomer(AssignPoolCustomerRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        var teamId = Guard.Id(request.TeamId, "team_id");
        var grain = Customer(request.CustomerId);
        var view = await grain.AssignFromPool(teamId, Guard.Id(request.OwnerId, "owner_id"), caller);
        var customer = view.ToContract();
        return new AssignPoolCustomerResponse { Customer = customer, ConsistencyToken = ConsistencyToken.For(customer) };
    }

    public override async Task<ListAboutToReleaseResponse> ListAboutToRelease(ListAboutToReleaseRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        var ids = await grains.Ref<ITeamGrain>(Guard.Id(request.TeamId, "team_id")).AboutToRelease(caller);
        var customers = await Task.WhenAll(ids.Select(id => grains.Ref<ICustomerGrain>(id).Find()));
        var response = new ListAboutToReleaseResponse();
        response.Customers.AddRange(customers.OfType<CustomerView>().Where(c => !c.InPool).Select(c => c.ToContract()));
        return response;
    }

    /// <summary>Claims and assignments go to the customer, which asks the pool to reserve the claim (the pool never calls a customer).</summary>
    private ICustomerGrain Customer(string customerId) => grains.Ref<ICustomerGrain>(Guard.Id(customerId, "customer_id"));

    private IPublicPoolGrain Pool(string teamId) => grains.Ref<IPublicPoolGrain>(Guard.Id(teamId, "team_id"));
}
