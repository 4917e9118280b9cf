using ActorSales.Contracts.V1;
using ActorSales.ReadModel.Analytics;
using Google.Protobuf.WellKnownTypes;
using static ActorSales.ReadModel.Tests.AnalyticsSeed;

namespace ActorSales.ReadModel.Tests;

// Orders' payments, receivables and totals: both stores derive the same facts from the order each event carries, keep
// the latest (a reversal rewrites the payment), filter by the same scope, and a rebuild gives the live facts.
public abstract partial class ReadModelStoreContractTests
{
    private static Payment PaymentOf(string id, string amount, double receivedDay, double recordedDay, double? reversedDay = null)
    {
        var payment = new Payment
        {
            PaymentId = id, Amount = amount, ReceivedAt = Timestamp.FromDateTimeOffset(Day(receivedDay)),
            RecordedAt = Timestamp.FromDateTimeOffset(Day(recordedDay)), BankReference = "ref-" + id,
        };
        if (reversedDay is { } reversed)
        {
            payment.Reversed = true;
            payment.ReversedAt = Timestamp.FromDateTimeOffset(Day(reversed));
        }
        return payment;
    }

    /// <summary>
    /// team-a: o1 (rep-a1, 300 EUR, day 1; 100 paid day 5, 50 paid day 12 then reversed day 20), o2 (rep-a2, 200 USD,
    /// day 15, unpaid), o4 (rep-a1, 500 EUR, day 16, cancelled); team-b: o3 (rep-b1, 100 EUR, day 2, paid day 3).
    /// </summary>
    private static EventBuilder CollectionSeed()
    {
        var b = new EventBuilder(T0);
        b.Team("team-a", "Team A", "EMEA", "mgr-a", "rep-a1", "rep-a2");
        b.Team("team-b", "Team B", "APAC", "mgr-b", "rep-b1");
        void Put(Order order, Action<DomainEvent, Order> change) =>
            b.Event(EntityType.Order, order.OrderId, order.TeamId, order.OwnerId, e => change(e, order));

        var o1 = OrderDoc("o1", "team-a", "rep-a1", 1, OrderStatus.Open, (10, "150.00", "100.00"), (40, "150.00", "0.00"));
        o1.Total = "300.00";
        Put(o1, (e, o) => e.OrderCreated = new OrderCreated { Order = o });
        o1 = o1.Clone();
        o1.Payments.Add(PaymentOf("p1", "100.00", 5, 6));
        Put(o1, (e, o) => e.OrderPaymentRecorded = new OrderPaymentRecorded { Order = o, Payment = o.Payments[0] });
        o1 = o1.Clone();
        o1.Payments.Add(PaymentOf("p2", "50.00", 12, 12));
        o1.Instalments[0].Paid = "150.00";
        Put(o1, (e, o) => e.OrderPaymentRecorded = new OrderPaymentRecorded { Order = o, Payment = o.Payments[1] });

        var o2 = OrderDoc("o2", "team-a", "rep-a2", 15, OrderStatus.Open, (45, "200.00", "0.00"));
        o2.Currency = "USD";
        o2.Total = "200.00";
        Put(o2, (e, o) => e.OrderCreated = new OrderCreated { Order = o });

        var o3 = OrderDoc("o3", "team-b", "rep-b1", 2, OrderStatus.Paid, (2, "100.00", "100.00"));
        o3.Payments.Add(PaymentOf("p3", "100.00", 3, 3));
        Put(o3, (e, o) => e.OrderPaymentRecorded = new OrderPaymentRecorded { Order = o, Payment = o.Payments[0] });

        var o4 = OrderDoc("o4", "team-a", "rep-a1", 16, OrderStatus.Cancelled, (20, "500.00", "0.00"));
        o4.Total = "500.00";
        Put(o4, (e, o) => e.OrderCancelled = new OrderCancelled { Order = o });

        // The reversal of p2 (day 20) reopens o1's first instalment.
        o1 = o1.Clone();
        o1.Payments[1].Reversed = true;
        o1.Payments[1].ReversedAt = Timestamp.FromDateTimeOffset(Day(20));
        o1.Instalments[0].Paid = "100.00";
        Put(o1, (e, o) => e.OrderPaymentReversed = new OrderPaymentReversed { Order = o, Payment = o.Payments[1] });
        return b;
    }

    [Fact]
    public async Task Payments_receivables_and_order_totals_are_the_latest_facts_within_scope()
    {
        var store = await CreateStoreAsync();
        var b = CollectionSeed();
        await store.ApplyAsync(b.All, b.All[^1].Position, Ct);

        static string[] Lines(IEnumerable<PaymentFact> payments) =>
            [.. payments.Select(p => $"{p.PaymentId} {p.OrderId} {p.OwnerId} {p.Currency} {p.Amount:0.00} {p.ReceivedAt:MM-dd} {p.Reversed}").Order(StringComparer.Ordinal)];

        var month = new Period(Day(0), Day(30));
        Assert.Equal(["p1 o1 rep-a1 EUR 100.00 03-07 False", "p2 o1 rep-a1 EUR 50.00 03-14 True", "p3 o3 rep-b1 EUR 100.00 03-05 False"],
            Lines(await store.PaymentsAsync(new AnalyticsFilter(All), month, Ct)));
        Assert.Equal(["p1 o1 rep-a1 EUR 100.00 03-07 False", "p2 o1 rep-a1 EUR 50.00 03-14 True"],
            Lines(await store.PaymentsAsync(new AnalyticsFilter(ManagerA), month, Ct)));
        Assert.Empty(await store.PaymentsAsync(new AnalyticsFilter(RepA2), month, Ct));
        Assert.Equal(["p3 o3 rep-b1 EUR 100.00 03-05 False"], Lines(await store.PaymentsAsync(new AnalyticsFilter(All, Region: "apac"), month, Ct)));
        // Received: from inclusive, to exclusive.
        Assert.Equal(["p1 o1 rep-a1 EUR 100.00 03-07 False"], Lines(await store.PaymentsAsync(new AnalyticsFilter(All), new Period(Day(5), Day(12)), Ct)));
        // Changed: recorded or reversed in the period (p2 reversed on day 20; p1 recorded on day 6).
        Assert.Equal(["p2 o1 rep-a1 EUR 50.00 03-14 True"], Lines(await store.PaymentsChangedAsync(new AnalyticsFilter(All), new Period(Day(19), Day(21)), Ct)));
        Assert.Equal(["p1 o1 rep-a1 EUR 100.00 03-07 False"], Lines(await store.PaymentsChangedAsync(new AnalyticsFilter(All), new Period(Day(6), Day(7)), Ct)));
        var reversed = (await store.PaymentsAsync(new AnalyticsFilter(All, OwnerId: "rep-a1"), month, Ct)).Single(p => p.Reversed);
        Assert.Equal((Day(20), Day(12)), (reversed.ReversedAt, reversed.RecordedAt));

        // Receivables: open orders' instalments not fully paid (o3 is paid, o4 cancelled).
        Assert.Equal(["o1#1 EUR 50.00 03-12", "o1#2 EUR 150.00 04-11", "o2#1 USD 200.00 04-16"],
            (await store.ReceivablesAsync(new AnalyticsFilter(All), Ct)).Select(r => $"{r.OrderId}#{r.Number} {r.Currency} {r.Outstanding:0.00} {r.DueAt:MM-dd}").Order(StringComparer.Ordinal));
        Assert.Equal(["o2#1"], (await store.ReceivablesAsync(new AnalyticsFilter(RepA2), Ct)).Select(r => $"{r.OrderId}#{r.Number}"));

        // Totals: ordered in days 10..30 (o2 USD; o4 is cancelled), before day 30, paid before day 30 (p2 reversed).
        Assert.Equal([new OrderTotals("EUR", 0m, 400m, 200m), new OrderTotals("USD", 200m, 200m, 0m)],
            await store.OrderTotalsAsync(new AnalyticsFilter(All), new Period(Day(10), Day(30)), Ct));
        Assert.Equal([new OrderTotals("EUR", 300m, 300m, 100m)],
            await store.OrderTotalsAsync(new AnalyticsFilter(All, OwnerId: "rep-a1"), new Period(Day(0), Day(5.5)), Ct));

        Assert.Equal(["o1:2", "o3:1"], (await store.OrdersByIdAsync(["o3", "o1", "missing", "o1"], Ct))
            .Select(o => $"{o.OrderId}:{o.Payments.Count}").Order(StringComparer.Ordinal));

        // A rebuild from the permanent history gives the same facts.
        var live = Lines(await store.PaymentsAsync(new AnalyticsFilter(All), month, Ct));
        var liveOwed = (await store.ReceivablesAsync(new AnalyticsFilter(All), Ct)).Count;
        await store.RebuildAsync(Ct);
        Assert.Equal(live, Lines(await store.PaymentsAsync(new AnalyticsFilter(All), month, Ct)));
        Assert.Equal(liveOwed, (await store.ReceivablesAsync(new AnalyticsFilter(All), Ct)).Count);
    }
}
