using System.Globalization;
using ActorSales.Contracts.V1;

namespace ActorSales.ReadModel.Analytics;

// What collection figures, collected-amount goals, cycle times to first payment and commission read of orders: pure
// functions of the order each order event carries, so both stores keep the same facts and a rebuild gives the live ones.
// Scope columns are the order's owner and team (the deal's when it was won).

/// <summary>One payment of an order (reversed ones included, flagged); amounts in the order's currency.</summary>
public sealed record PaymentFact(
    string PaymentId,
    string OrderId,
    string CustomerId,
    string OwnerId,
    string TeamId,
    string Currency,
    decimal Amount,
    DateTimeOffset ReceivedAt,
    DateTimeOffset RecordedAt,
    bool Reversed,
    DateTimeOffset? ReversedAt);

/// <summary>What is still to be collected on one instalment of an open order.</summary>
public sealed record ReceivableFact(string OrderId, int Number, string OwnerId, string TeamId, string Currency, DateTimeOffset DueAt, decimal Outstanding);

/// <summary>
/// Per currency, for days sales outstanding: totals of orders (not cancelled) made in the period, of those made before its
/// end, and the payments (not reversed) received on those before its end.
/// </summary>
public sealed record OrderTotals(string Currency, decimal OrderedInPeriod, decimal OrderedBeforeEnd, decimal PaidBeforeEnd);

public static class CollectionFacts
{
    /// <summary>Every payment of <paramref name="order"/>.</summary>
    public static IEnumerable<PaymentFact> PaymentsOf(Order order) => order.Payments.Select(p => new PaymentFact(
        p.PaymentId, order.OrderId, order.CustomerId, order.OwnerId, order.TeamId, order.Currency, Amount(p.Amount),
        p.ReceivedAt.ToDateTimeOffset(), p.RecordedAt.ToDateTimeOffset(), p.Reversed, p.Reversed ? p.ReversedAt?.ToDateTimeOffset() : null));

    /// <summary>The instalments of an open order not fully paid (a paid or cancelled order owes nothing).</summary>
    public static IEnumerable<ReceivableFact> ReceivablesOf(Order order) => order.Status != OrderStatus.Open
        ? []
        : order.Instalments
            .Select(i => new ReceivableFact(order.OrderId, i.Number, order.OwnerId, order.TeamId, order.Currency, i.DueAt.ToDateTimeOffset(), Amount(i.Amount) - Amount(i.Paid)))
            .Where(r => r.Outstanding > 0);

    /// <summary>The order's total, 0 when cancelled (it never was a sale).</summary>
    public static decimal SaleOf(Order order) => order.Status == OrderStatus.Cancelled ? 0m : Amount(order.Total);

    /// <summary>When the first payment still counting (not reversed) arrived, if any.</summary>
    public static DateTimeOffset? FirstPaidAt(Order order) =>
        order.Payments.Where(p => !p.Reversed).Select(p => (DateTimeOffset?)p.ReceivedAt.ToDateTimeOffset()).Min();

    /// <summary>
    /// <see cref="OrderTotals"/> of <paramref name="orders"/> for <paramref name="period"/>: what the PostgreSQL store
    /// computes in SQL.
    /// </summary>
    public static IReadOnlyList<OrderTotals> TotalsOf(IEnumerable<Order> orders, Period period) => orders
        .Where(o => o.Status != OrderStatus.Cancelled && o.CreatedAt.ToDateTimeOffset() < period.To)
        .GroupBy(o => o.Currency, StringComparer.Ordinal)
        .OrderBy(g => g.Key, StringComparer.Ordinal)
        .Select(g => new OrderTotals(
            g.Key,
            g.Where(o => period.Contains(o.CreatedAt.ToDateTimeOffset())).Sum(SaleOf),
            g.Sum(SaleOf),
            g.SelectMany(PaymentsOf).Where(p => !p.Reversed && p.ReceivedAt < period.To).Sum(p => p.Amount)))
        .ToList();

    /// <summary>A decimal amount of an order (empty: 0).</summary>
    public static decimal Amount(string text) =>
        decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out var value) ? value : 0m;
}
