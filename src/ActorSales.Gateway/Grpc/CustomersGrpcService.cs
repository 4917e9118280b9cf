using ActorSales.Contracts.V1;
using ActorSales.Domain.Common;
using ActorSales.Gateway.Identity;
using ActorSales.Gateway.Mapping;
using ActorSales.Gateway.ReadSide;
using ActorSales.Grains.Abstractions;
using ActorSales.Grains.Abstractions.Contracts;
using ActorSales.Grains.Abstractions.Customers;
using ActorSales.Grains.Abstractions.People;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;

namespace ActorSales.Gateway.Grpc;

[Authorize]
public sealed class CustomersGrpcService(IGrainFactory grains, CallerResolver callers, ReadModelReader reads) : CustomersService.CustomersServiceBase
{
    public override async Task<CreateCustomerResponse> CreateCustomer(CreateCustomerRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        var ownerId = RequestMapper.OptionalId(request.OwnerId, "owner_id") ?? caller.UserId;
        var details = RequestMapper.ToDetails(request.Name, request.Company, request.Industry, request.Tier, request.Contacts, request.Address, request.SourceChannel, request.Location);
        var view = await grains.Ref<ICustomerGrain>(GrainKeys.NewCustomerId(caller.Request)).Register(details, ownerId, caller);
        var customer = view.ToContract();
        return new CreateCustomerResponse { Customer = customer, ConsistencyToken = ConsistencyToken.For(customer) };
    }

    public override async Task<GetCustomerResponse> GetCustomer(GetCustomerRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        var view = await Customer(request.CustomerId).Get(caller);
        return new GetCustomerResponse { Customer = view.ToContract() };
    }

    public override async Task<UpdateCustomerResponse> UpdateCustomer(UpdateCustomerRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        var values = RequestMapper.ToDetails(request.Name, request.Company, request.Industry, request.Tier, request.Contacts, request.Address, SourceChannel.Unspecified, request.Location, request.Unsubscribed);
        var changes = new CustomerChanges([.. request.UpdatePaths], values);
        var view = await Customer(request.CustomerId).Update(changes, request.ExpectedVersion, caller);
        var customer = view.ToContract();
        return new UpdateCustomerResponse { Customer = customer, ConsistencyToken = ConsistencyToken.For(customer) };
    }

    public override async Task<ListMyCustomersResponse> ListMyCustomers(ListMyCustomersRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        var ownerId = RequestMapper.OptionalId(request.OwnerId, "owner_id") ?? caller.UserId;
        var pageSize = Paging.PageSize(request.PageSize);
        var after = Paging.DecodeToken(request.PageToken, "customers");
        var page = await grains.Ref<ISalespersonGrain>(ownerId).ListCustomers(caller, pageSize, after);
        var response = new ListMyCustomersResponse
        {
            NextPageToken = page.NextCursor is { } next ? Paging.EncodeToken("customers", next) : string.Empty,
            TotalCount = (int)page.TotalCount,
        };
        response.Customers.AddRange(page.Items.Select(c => c.ToContract()));
        return response;
    }

    public override async Task<LogActivityResponse> LogActivity(LogActivityRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        var result = await Customer(request.CustomerId).LogActivity(RequestMapper.ToDraft(request), caller);
        var customer = result.Customer.ToContract();
        return new LogActivityResponse { Activity = result.Activity.ToContract(), Customer = customer, ConsistencyToken = ConsistencyToken.For(customer) };
    }

    public override async Task<ListActivitiesResponse> ListActivities(ListActivitiesRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        var pageSize = Paging.PageSize(request.PageSize);
        var before = RequestMapper.ActivityCursor(request.PageToken);
        var page = await Customer(request.CustomerId).ListActivities(caller, pageSize, before);
        var response = new ListActivitiesResponse
        {
            NextPageToken = page.NextCursor is { } next ? Paging.EncodeToken("activities", next) : string.Empty,
            TotalCount = page.TotalCount,
        };
        response.Activities.AddRange(page.Items.Select(a => a.ToContract()));
        return response;
    }

    public override async Task<ConfirmNextActionResponse> ConfirmNextAction(ConfirmNextActionRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        var customer = (await Customer(request.CustomerId).ConfirmNextAction(caller)).ToContract();
        return new ConfirmNextActionResponse { Customer = customer, ConsistencyToken = ConsistencyToken.For(customer) };
    }

    public override async Task<TransferCustomerResponse> TransferCustomer(TransferCustomerRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        var newOwnerId = Guard.Id(request.NewOwnerId, "new_owner_id");
        var view = await Customer(request.CustomerId).Transfer(newOwnerId, request.Reason, request.ExpectedVersion, caller);
        var customer = view.ToContract();
        return new TransferCustomerResponse { Customer = customer, ConsistencyToken = ConsistencyToken.For(customer) };
    }

    public override async Task<SetCustomerLockResponse> SetCustomerLock(SetCustomerLockRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        var view = await Customer(request.CustomerId).SetLock(request.Locked, caller);
        var customer = view.ToContract();
        return new SetCustomerLockResponse { Customer = customer, ConsistencyToken = ConsistencyToken.For(customer) };
    }

    public override async Task<SearchCustomersResponse> SearchCustomers(SearchCustomersRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        var query = QueryMapper.ToSearch(request);
        var token = ConsistencyToken.Parse(request.ConsistencyToken);
        query = query with { Scope = await reads.ScopeAsync(caller) };
        await reads.CatchUpAsync(token, caller, context.CancellationToken);
        var page = await reads.Queries.SearchCustomersAsync(query, context.CancellationToken);
        var response = new SearchCustomersResponse { NextPageToken = QueryMapper.NextPageToken(page.NextPageToken, QueryMapper.CustomerSearchPages) };
        response.Customers.AddRange(page.Items);
        return response;
    }

    public override async Task<ListCustomersResponse> ListCustomers(ListCustomersRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        var query = QueryMapper.ToQuery(request);
        var token = ConsistencyToken.Parse(request.ConsistencyToken);
        query = query with { Scope = await reads.ScopeAsync(caller, query.TeamId, query.OwnerId) };
        await reads.CatchUpAsync(token, caller, context.CancellationToken);
        var page = await reads.Queries.ListCustomersAsync(query, context.CancellationToken);
        var response = new ListCustomersResponse { NextPageToken = QueryMapper.NextPageToken(page.NextPageToken, QueryMapper.CustomerPages) };
        response.Customers.AddRange(page.Items);
        return response;
    }

    public override async Task<GetCustomerGradeResponse> GetCustomerGrade(GetCustomerGradeRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        var view = await Customer(request.CustomerId).GetGrade(caller);
        return view.ToContract();
    }

    private ICustomerGrain Customer(string customerId) => grains.Ref<ICustomerGrain>(Guard.Id(customerId, "customer_id"));
}
