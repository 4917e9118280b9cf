using ActorSales.Domain.Identity;
using ActorSales.Domain.Orders;

namespace ActorSales.Grains.Abstractions.Orders;

/// <summary>An order as its grain holds it (key: the won opportunity's id).</summary>
[GenerateSerializer, Immutable, Alias("actorsales.OrderView")]
public sealed record OrderView(
    [property: Id(0)] string Id,
    [property: Id(1)] string CustomerId,
    [property: Id(2)] string OwnerId,
    [property: Id(3)] string TeamId,
    [property: Id(4)] string Currency,
    [property: Id(5)] IReadOnlyList<OrderLine> Lines,
    [property: Id(6)] decimal Total,
    [property: Id(7)] PaymentTerms Terms,
    [property: Id(8)] IReadOnlyList<Instalment> Plan,
    [property: Id(9)] IReadOnlyList<Payment> Payments,
    [property: Id(10)] OrderStatus Status,
    [property: Id(11)] string? CancelReason,
    [property: Id(12)] DateTimeOffset CreatedAt,
    [property: Id(13)] string CreatedBy,
    [property: Id(14)] long Version)
{
    public decimal Paid => Payments.Where(p => !p.Reversed).Sum(p => p.Amount);
}

/// <summary>A payment recorded, and the order after it.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.PaymentResult")]
public sealed record PaymentResult([property: Id(0)] OrderView Order, [property: Id(1)] Payment Payment);

/// <summary>
/// An order: made from a won opportunity (same key), payments recorded and reversed, instalment deadlines on the one
/// deadline engine. Calls the opportunity (a read), its team (a read) and inboxes (effects), never the other way.
/// </summary>
[Alias("actorsales.IOrderGrain")]
public interface IOrderGrain : IGrainWithStringKey
{
    [Alias("Create")]
    Task<OrderView> Create(OrderDraft draft, Caller caller);

    [Alias("Get"), ReadOnly]
    Task<OrderView> Get(Caller caller);

    [Alias("RecordPayment")]
    Task<PaymentResult> RecordPayment(PaymentDraft draft, Caller caller);

    [Alias("ReversePayment")]
    Task<OrderView> ReversePayment(string paymentId, string reason, Caller caller);

    [Alias("Cancel")]
    Task<OrderView> Cancel(string reason, Caller caller);

    /// <summary>The order without access checks (null if none), for other grains and effects.</summary>
    [Alias("Find"), ReadOnly, AlwaysInterleave]
    Task<OrderView?> Find();

    /// <summary>The instalment deadlines armed now, for tests and operators.</summary>
    [Alias("ArmedDeadlines"), ReadOnly, AlwaysInterleave]
    Task<IReadOnlyList<Domain.Deadlines.Deadline>> ArmedDeadlines();
}
