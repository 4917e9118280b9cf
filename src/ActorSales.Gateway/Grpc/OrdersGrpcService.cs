using ActorSales.Contracts.V1;
using ActorSales.Domain.Common;
using ActorSales.Gateway.Identity;
using ActorSales.Gateway.Mapping;
using ActorSales.Gateway.ReadSide;
using ActorSales.Grains.Abstractions.Contracts;
using ActorSales.Grains.Abstractions.Orders;
using ActorSales.ReadModel;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;

namespace ActorSales.Gateway.Grpc;

/// <summary>Orders and payment collection (README "Orders and collection"): changes go to the order grain, lists to the read model.</summary>
[Authorize]
public sealed class OrdersGrpcService(IGrainFactory grains, CallerResolver callers, ReadModelReader reads, TimeProvider clock) : OrdersService.OrdersServiceBase
{
    public override async Task<CreateOrderResponse> CreateOrder(CreateOrderRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        var id = Guard.Id(request.OpportunityId, "opportunity_id");
        var draft = OrderMapper.ToDraft(request);
        var order = (await grains.Ref<IOrderGrain>(id).Create(draft, caller)).ToContract(clock.GetUtcNow());
        return new CreateOrderResponse { Order = order, ConsistencyToken = Token(order) };
    }

    public override async Task<GetOrderResponse> GetOrder(GetOrderRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        var order = await grains.Ref<IOrderGrain>(Guard.Id(request.OrderId, "order_id")).Get(caller);
        return new GetOrderResponse { Order = order.ToContract(clock.GetUtcNow()) };
    }

    public override async Task<ListOrdersResponse> ListOrders(ListOrdersRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        var now = clock.GetUtcNow();
        var query = OrderMapper.ToQuery(request, now);
        var token = ConsistencyToken.Parse(request.ConsistencyToken);
        query = query with { Scope = await reads.ScopeAsync(caller, query.TeamId, query.OwnerId) };
        await reads.CatchUpAsync(token, caller, context.CancellationToken);
        var page = await reads.Queries.ListOrdersAsync(query, context.CancellationToken);
        var response = new ListOrdersResponse { NextPageToken = QueryMapper.NextPageToken(page.NextPageToken, OrderMapper.OrderPages) };
        response.Orders.AddRange(page.Items.Select(o => OrderFacts.AsOf(o, now)));
        return response;
    }

    public override async Task<RecordPaymentResponse> RecordPayment(RecordPaymentRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        var id = Guard.Id(request.OrderId, "order_id");
        var result = await grains.Ref<IOrderGrain>(id).RecordPayment(OrderMapper.ToDraft(request), caller);
        var order = result.Order.ToContract(clock.GetUtcNow());
        return new RecordPaymentResponse { Order = order, Payment = OrderContract.ToContract(result.Payment), ConsistencyToken = Token(order) };
    }

    public override async Task<ReversePaymentResponse> ReversePayment(ReversePaymentRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        var id = Guard.Id(request.OrderId, "order_id");
        var paymentId = Guard.Id(request.PaymentId, "payment_id");
        var order = (await grains.Ref<IOrderGrain>(id).ReversePayment(paymentId, request.Reason, caller)).ToContract(clock.GetUtcNow());
        return new ReversePaymentResponse { Order = order, ConsistencyToken = Token(order) };
    }

    public override async Task<CancelOrderResponse> CancelOrder(CancelOrderRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        var id = Guard.Id(request.OrderId, "order_id");
        var order = (await grains.Ref<IOrderGrain>(id).Cancel(request.Reason, caller)).ToContract(clock.GetUtcNow());
        return new CancelOrderResponse { Order = order, ConsistencyToken = Token(order) };
    }

    private static string Token(Order order) => ConsistencyToken.For(EntityType.Order, order.OrderId, order.Version);
}
