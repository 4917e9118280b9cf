using ActorSales.Contracts.V1;
using ActorSales.Grains.Abstractions.Events;
using Google.Protobuf.WellKnownTypes;
using ReadScope = ActorSales.Domain.Identity.ReadScope;

namespace ActorSales.ReadModel;

/// <summary>
/// ListOrders: the caller's scope narrowed to a customer, owner, team or status; with <see cref="OverdueAt"/>, only
/// orders with an instalment due by then and not fully paid. Newest order first.
/// </summary>
public sealed record OrderQuery(
    ReadScope Scope,
    int PageSize,
    string? PageToken = null,
    string? CustomerId = null,
    string? OwnerId = null,
    string? TeamId = null,
    OrderStatus? Status = null,
    DateTimeOffset? OverdueAt = null);

/// <summary>What the read side derives from an order's events (each carries the whole order as it stood).</summary>
public static class OrderFacts
{
    /// <summary>The order an order event carries; null for any other event.</summary>
    public static Order? OrderOf(DomainEvent e) => e.ChangeCase switch
    {
        DomainEvent.ChangeOneofCase.OrderCreated => e.OrderCreated.Order,
        DomainEvent.ChangeOneofCase.OrderPaymentRecorded => e.OrderPaymentRecorded.Order,
        DomainEvent.ChangeOneofCase.OrderPaymentReversed => e.OrderPaymentReversed.Order,
        DomainEvent.ChangeOneofCase.OrderCancelled => e.OrderCancelled.Order,
        DomainEvent.ChangeOneofCase.OrderInstalmentDue => e.OrderInstalmentDue.Order,
        _ => null,
    };

    /// <summary>When the order first falls overdue: the earliest due instalment not fully paid of an open order (null: never).</summary>
    public static DateTimeOffset? OverdueFrom(Order order) =>
        order.Status != OrderStatus.Open
            ? null
            : order.Instalments.Where(i => Amount(i.Paid) < Amount(i.Amount)).Select(i => (DateTimeOffset?)i.DueAt.ToDateTimeOffset()).Min();

    /// <summary>The stored order with its paid and overdue figures as of <paramref name="asOf"/> (the instalments' paid shares do not move with time).</summary>
    public static Order AsOf(Order stored, DateTimeOffset asOf)
    {
        var order = stored.Clone();
        var overdue = 0m;
        foreach (var instalment in order.Instalments)
        {
            var left = Amount(instalment.Amount) - Amount(instalment.Paid);
            instalment.Overdue = order.Status == OrderStatus.Open && instalment.DueAt.ToDateTimeOffset() <= asOf && left > 0;
            overdue += instalment.Overdue ? left : 0;
        }
        order.OverdueAmount = overdue.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture);
        order.AsOf = Timestamp.FromDateTimeOffset(asOf);
        return order;
    }

    private static decimal Amount(string text) =>
        decimal.TryParse(text, System.Globalization.NumberStyles.Number, System.Globalization.CultureInfo.InvariantCulture, out var value) ? value : 0m;
}
