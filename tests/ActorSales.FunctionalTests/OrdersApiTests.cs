using ActorSales.Contracts.V1;
using ActorSales.Testing;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.TestingHost;

namespace ActorSales.FunctionalTests;

/// <summary>
/// Orders and collection through gRPC on fake time: a won deal becomes an order with two instalments; payments by the
/// manager and finance, over-payment refused, reversals kept; instalment deadlines remind, fall overdue (owner and
/// manager told), are cleared by payment; the customer's timeline shows it all; every role sees only its own.
/// </summary>
public sealed class OrdersApiTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _clock = new(Start);
    private TestHost _host = null!;

    public async ValueTask InitializeAsync() => _host = await TestHost.StartAsync(
        builder =>
        {
            builder.Services.AddSingleton<TimeProvider>(_clock);
            builder.Services.UseTimeProviderForBackgroundAreas(TimeProvider.System);
        },
        "--ActorSales:Profile=Local", $"--ActorSales:ClusterId=orders-{Guid.NewGuid():N}");

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    private OrdersService.OrdersServiceClient Orders => new(_host.Channel);

    private OpportunitiesService.OpportunitiesServiceClient Opportunities => new(_host.Channel);

    private Metadata Finance => _host.As("finance-1", "finance");

    /// <summary>A customer and a deal of the team's rep, walked to won; returns (customer, deal).</summary>
    private async Task<(string Customer, string Deal)> WonDealAsync(ApiTeam team, bool win = true)
    {
        var customer = (await _host.Customers.CreateCustomerAsync(new CreateCustomerRequest
        {
            Name = "Clinic", Company = $"Clinic {Guid.NewGuid():N}", Tier = CustomerTier.B, SourceChannel = SourceChannel.Referral,
        }, team.Rep)).Customer.CustomerId;
        var deal = (await Opportunities.CreateOpportunityAsync(new CreateOpportunityRequest
        {
            CustomerId = customer, Title = "Cath lab", Value = new Money { Amount = "9000", Currency = "EUR" },
            ExpectedCloseAt = Timestamp.FromDateTimeOffset(_clock.GetUtcNow().AddMonths(1)),
        }, team.Rep)).Opportunity.OpportunityId;
        if (win)
        {
            foreach (var (kind, next) in new[] { ("meeting_minutes", "ProposalSubmitted"), ("proposal_document", "PriceNegotiation"), ("quote", "ContractApproval") })
            {
                await Opportunities.AddEvidenceAsync(new AddEvidenceRequest { OpportunityId = deal, Kind = kind, Reference = "DOC-" + kind }, team.Rep);
                await Opportunities.ChangeStageAsync(new ChangeStageRequest { OpportunityId = deal, ToStage = next }, team.Rep);
            }
            await Opportunities.AddEvidenceAsync(new AddEvidenceRequest { OpportunityId = deal, Kind = "signed_contract", Reference = "DOC-s" }, team.Rep);
            await Opportunities.WinOpportunityAsync(new WinOpportunityRequest { OpportunityId = deal, WinFactor = "product_fit" }, team.Rep);
        }
        return (customer, deal);
    }

    private CreateOrderRequest TwoInstalments(string deal) => new()
    {
        OpportunityId = deal, Currency = "EUR", Terms = PaymentTerms.Custom,
        Lines =
        {
            new OrderLine { Name = "Cath lab table", ProductLine = "imaging", Quantity = "1", UnitPrice = "8000" },
            new OrderLine { Name = "Service, per year", ProductLine = "service", Quantity = "3", UnitPrice = "333.33", DiscountPercent = "10" },
        },
        Instalments =
        {
            new PlannedInstalment { DueAt = Timestamp.FromDateTimeOffset(Start.AddDays(5)), Amount = "4000" },
            new PlannedInstalment { DueAt = Timestamp.FromDateTimeOffset(Start.AddDays(40)), Amount = "4899.99" },
        },
    };

    private static RecordPaymentRequest Pay(string order, string amount) => new()
    {
        OrderId = order, Amount = amount, BankReference = "ICBC-7781", EvidenceReference = "DOC-slip-1", TermType = PaymentTerms.Custom,
    };

    private async Task<T> AfterAsync<T>(DateTimeOffset to, Func<Task<T>> read, Func<T, bool> until)
    {
        _clock.SetUtcNow(to);
        return await Polling.EventuallyAsync(async () =>
        {
            _clock.Advance(TimeSpan.FromMilliseconds(1));
            return await read();
        }, until, TimeSpan.FromSeconds(15));
    }

    private async Task<IReadOnlyList<Notification>> NoticesAsync(Metadata who) =>
        (await new NotificationsService.NotificationsServiceClient(_host.Channel).ListNotificationsAsync(new ListNotificationsRequest { PageSize = 100 }, who))
            .Notifications.Where(n => n.EntityType == "order").ToList();

    [Fact]
    public async Task A_won_deal_becomes_an_order_whose_instalments_fall_overdue_until_paid()
    {
        var a = await _host.CreateTeamAsync();
        var b = await _host.CreateTeamAsync();
        var (customer, deal) = await WonDealAsync(a);

        var created = await Orders.CreateOrderAsync(TwoInstalments(deal), a.Rep);
        var order = created.Order;
        // 8000 + 3 x 333.33 x 0.9 = 8000 + 899.991 -> 899.99.
        Assert.Equal((deal, customer, a.RepId, a.TeamId, "8899.99", "0.00", "8899.99", OrderStatus.Open),
            (order.OrderId, order.CustomerId, order.OwnerId, order.TeamId, order.Total, order.Paid, order.Outstanding, order.Status));
        Assert.Equal(["8000.00", "899.99"], order.Lines.Select(l => l.Total));
        var again = await Assert.ThrowsAsync<RpcException>(async () => await Orders.CreateOrderAsync(TwoInstalments(deal), a.Rep));
        Assert.Equal(StatusCode.AlreadyExists, again.StatusCode);

        // Who may collect: the team's manager and finance; not the rep; another team's manager may not even see it.
        var byRep = await Assert.ThrowsAsync<RpcException>(async () => await Orders.RecordPaymentAsync(Pay(deal, "100"), a.Rep));
        Assert.Equal(StatusCode.PermissionDenied, byRep.StatusCode);
        var byOther = await Assert.ThrowsAsync<RpcException>(async () => await Orders.RecordPaymentAsync(Pay(deal, "100"), b.Manager));
        Assert.Equal(StatusCode.PermissionDenied, byOther.StatusCode);
        Assert.Contains("read", byOther.Status.Detail, StringComparison.Ordinal);
        var first = await Orders.RecordPaymentAsync(Pay(deal, "1500"), a.Manager);
        Assert.Equal(("1500.00", a.ManagerId, "ICBC-7781"), (first.Payment.Amount, first.Payment.RecordedBy, first.Payment.BankReference));
        var over = await Assert.ThrowsAsync<RpcException>(async () => await Orders.RecordPaymentAsync(Pay(deal, "8000"), Finance));
        Assert.Equal(StatusCode.FailedPrecondition, over.StatusCode);
        Assert.Equal("amount: 8000.00 is more than the 7399.99 EUR outstanding", over.Status.Detail);

        // Day 5: the first instalment (2,500 of 4,000 left) is overdue: the owner and the manager are told.
        var overdue = await AfterAsync(Start.AddDays(5).AddMinutes(1),
            async () => (await Orders.GetOrderAsync(new GetOrderRequest { OrderId = deal }, a.Manager)).Order, o => o.Version >= 3);
        Assert.Equal(("2500.00", true, "1500.00"), (overdue.OverdueAmount, overdue.Instalments[0].Overdue, overdue.Instalments[0].Paid));
        var ownerNotice = Assert.Single(await Polling.EventuallyAsync(() => NoticesAsync(a.Rep), n => n.Count > 0, TimeSpan.FromSeconds(10)));
        Assert.Equal(("instalment-overdue", $"order {deal}: instalment 1 of 4000.00 EUR due 2026-03-07, 2500.00 outstanding is overdue"),
            (ownerNotice.Kind, ownerNotice.Message));
        Assert.Single(await Polling.EventuallyAsync(() => NoticesAsync(a.Manager), n => n.Count > 0, TimeSpan.FromSeconds(10)));
        var list = new ListOrdersRequest { OverdueOnly = true, PageSize = 10 };
        var listed = await Polling.EventuallyAsync(async () => await Orders.ListOrdersAsync(list, a.Manager), r => r.Orders.Count == 1, TimeSpan.FromSeconds(10));
        Assert.Equal(("2500.00", true), (listed.Orders[0].OverdueAmount, listed.Orders[0].Instalments[0].Overdue));
        Assert.Empty((await Orders.ListOrdersAsync(list, b.Manager)).Orders);

        // Finance pays the rest of the first instalment: no longer overdue, and its escalation never comes.
        var paid = await Orders.RecordPaymentAsync(Pay(deal, "2500"), Finance);
        list.ConsistencyToken = paid.ConsistencyToken;
        Assert.Empty((await Orders.ListOrdersAsync(list, a.Manager)).Orders);
        Assert.Equal("0.00", paid.Order.OverdueAmount);

        // Day 33: the second instalment's reminder (7 days before) to the owner only; nothing escalated for the first.
        var reminders = await AfterAsync(Start.AddDays(33).AddMinutes(1), () => NoticesAsync(a.Rep), n => n.Count == 2);
        Assert.Equal("instalment-reminder", reminders[0].Kind);
        Assert.DoesNotContain(await NoticesAsync(a.Manager), n => n.Kind == "instalment-escalation");

        // A payment reversed by finance stays on the order, marked; the customer's timeline shows the order's story.
        var reversed = await Orders.ReversePaymentAsync(new ReversePaymentRequest { OrderId = deal, PaymentId = first.Payment.PaymentId, Reason = "cheque bounced" }, Finance);
        Assert.Equal(("1500.00", true, "cheque bounced", "6399.99"), (reversed.Order.Payments[0].Amount, reversed.Order.Payments[0].Reversed,
            reversed.Order.Payments[0].ReversalReason, reversed.Order.Outstanding)); // 8899.99 - 2500.00
        // The reversal reopens the first instalment, long overdue: its escalation (day 19) is due at once; with no director
        // on the team, the manager hears of it.
        var timeline = await AfterAsync(_clock.GetUtcNow(), async () => await new TimelineService.TimelineServiceClient(_host.Channel).GetTimelineAsync(
            new GetTimelineRequest { CustomerId = customer, PageSize = 100, ConsistencyToken = reversed.ConsistencyToken }, a.Rep),
            t => t.Events.Count(e => e.EntityType == EntityType.Order) == 7);
        Assert.Equal(
            ["OrderInstalmentDue:instalment-escalation", "OrderPaymentReversed:", "OrderInstalmentDue:instalment-reminder", "OrderPaymentRecorded:",
             "OrderInstalmentDue:instalment-overdue", "OrderPaymentRecorded:", "OrderCreated:"],
            timeline.Events.Where(e => e.EntityType == EntityType.Order).Select(e => $"{e.ChangeCase}:{e.OrderInstalmentDue?.Kind}"));
        var escalated = await Polling.EventuallyAsync(() => NoticesAsync(a.Manager), n => n.Any(x => x.Kind == "instalment-escalation"), TimeSpan.FromSeconds(10));
        Assert.Equal(NotificationSeverity.Critical, escalated.Single(x => x.Kind == "instalment-escalation").Severity);

        // The rep reads their own order; another team's rep does not.
        Assert.Equal(deal, (await Orders.GetOrderAsync(new GetOrderRequest { OrderId = deal }, a.Rep)).Order.OrderId);
        var outsider = await Assert.ThrowsAsync<RpcException>(async () => await Orders.GetOrderAsync(new GetOrderRequest { OrderId = deal }, b.Rep));
        Assert.Equal(StatusCode.PermissionDenied, outsider.StatusCode);
    }

    [Fact]
    public async Task Only_a_won_deal_becomes_an_order_and_a_cancelled_order_takes_no_payments()
    {
        var a = await _host.CreateTeamAsync();
        var (_, open) = await WonDealAsync(a, win: false);
        var notWon = await Assert.ThrowsAsync<RpcException>(async () => await Orders.CreateOrderAsync(TwoInstalments(open), a.Rep));
        Assert.Equal(StatusCode.FailedPrecondition, notWon.StatusCode);
        var missing = await Assert.ThrowsAsync<RpcException>(async () => await Orders.CreateOrderAsync(TwoInstalments("no-such-deal"), a.Rep));
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);

        var (_, deal) = await WonDealAsync(a);
        var request = TwoInstalments(deal);
        request.RequestId = "order-1";
        var created = await Orders.CreateOrderAsync(request, a.Rep);
        Assert.Equal(created.Order.Version, (await Orders.CreateOrderAsync(request, a.Rep)).Order.Version); // the retry: the same order
        var cancelled = await Orders.CancelOrderAsync(new CancelOrderRequest { OrderId = deal, Reason = "customer withdrew" }, a.Manager);
        Assert.Equal(OrderStatus.Cancelled, cancelled.Order.Status);
        var refused = await Assert.ThrowsAsync<RpcException>(async () => await Orders.RecordPaymentAsync(Pay(deal, "10"), Finance));
        Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
        var byService = await Assert.ThrowsAsync<RpcException>(async () => await Orders.RecordPaymentAsync(Pay(deal, "10"), _host.As("svc", "service")));
        Assert.Equal(StatusCode.PermissionDenied, byService.StatusCode);
    }

    [Fact]
    public async Task Hostile_orders_and_payments_are_refused_naming_the_field()
    {
        var a = await _host.CreateTeamAsync();
        var (_, deal) = await WonDealAsync(a);
        var creates = new (Action<CreateOrderRequest> Change, string Field)[]
        {
            (r => r.Lines.Add(Enumerable.Range(0, 2000).Select(_ => new OrderLine { Name = "x", Quantity = "1", UnitPrice = "1" })), "lines"),
            (r => r.Lines.Clear(), "lines"),
            (r => r.Lines[0].UnitPrice = "-5", "lines[0].unit_price"),
            (r => r.Lines[0].Quantity = new string('9', 100_000), "lines[0].quantity"),
            (r => r.Lines[0].Quantity = "123456789012345678901234567890", "lines[0].quantity"),
            (r => r.Lines[1].DiscountPercent = "150", "lines[1].discount_percent"),
            (r => r.Lines[0].Name = new string('n', 100_000), "lines[0].name"),
            (r => r.Currency = "EURO", "currency"),
            (r => r.Terms = (PaymentTerms)77, "terms"),
            (r => r.Instalments[1].Amount = "4000", "instalments"),
            (r => r.Instalments[1].DueAt = new Timestamp { Seconds = long.MaxValue }, "instalments[1].due_at"),
            (r => r.OpportunityId = new string('o', 100_000), "opportunity_id"),
        };
        foreach (var (change, field) in creates)
        {
            var request = TwoInstalments(deal);
            change(request);
            var refused = await Assert.ThrowsAsync<RpcException>(async () => await Orders.CreateOrderAsync(request, a.Rep));
            Assert.True(refused.StatusCode == StatusCode.InvalidArgument, $"{field}: {refused.Status}");
            Assert.StartsWith(field, refused.Status.Detail, StringComparison.Ordinal);
        }
        await Orders.CreateOrderAsync(TwoInstalments(deal), a.Rep);
        var payments = new (Action<RecordPaymentRequest> Change, string Field)[]
        {
            (r => r.Amount = "-1", "amount"),
            (r => r.Amount = "123456789012345678901234567890", "amount"),
            (r => r.Amount = "0.001", "amount"),
            (r => r.Currency = "USD", "currency"),
            (r => r.TermType = (PaymentTerms)12, "term_type"),
            (r => r.BankReference = "", "bank_reference"),
            (r => r.EvidenceReference = new string('e', 100_000), "evidence_reference"),
            (r => r.ReceivedAt = Timestamp.FromDateTimeOffset(Start.AddYears(1)), "received_at"),
        };
        foreach (var (change, field) in payments)
        {
            var request = Pay(deal, "10");
            change(request);
            var refused = await Assert.ThrowsAsync<RpcException>(async () => await Orders.RecordPaymentAsync(request, a.Manager));
            Assert.True(refused.StatusCode == StatusCode.InvalidArgument, $"{field}: {refused.Status}");
            Assert.StartsWith(field, refused.Status.Detail, StringComparison.Ordinal);
        }
        var unknown = await Assert.ThrowsAsync<RpcException>(async () =>
            await Orders.ReversePaymentAsync(new ReversePaymentRequest { OrderId = deal, PaymentId = "pay-none", Reason = "x" }, Finance));
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("0.00", (await Orders.GetOrderAsync(new GetOrderRequest { OrderId = deal }, a.Rep)).Order.Paid); // nothing half-written
    }
}
