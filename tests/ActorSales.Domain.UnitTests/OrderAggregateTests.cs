using ActorSales.Domain.Deadlines;
using ActorSales.Domain.Errors;
using ActorSales.Domain.Orders;

namespace ActorSales.Domain.UnitTests;

internal sealed class TestOrderState : IOrderState
{
    public bool Created { get; set; }
    public string CustomerId { get; set; } = string.Empty;
    public string OwnerId { get; set; } = string.Empty;
    public string TeamId { get; set; } = string.Empty;
    public string Currency { get; set; } = string.Empty;
    public List<OrderLine> Lines { get; set; } = [];
    public decimal Total { get; set; }
    public PaymentTerms Terms { get; set; }
    public List<Instalment> Plan { get; set; } = [];
    public List<Payment> Payments { get; } = [];
    public OrderStatus Status { get; set; }
    public string? CancelReason { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public string CreatedBy { get; set; } = string.Empty;
    public long Version { get; set; }
    public HashSet<string> Fired { get; } = new(StringComparer.Ordinal);
}

/// <summary>Orders: totals to the cent, plans per term, payments and reversals, instalment deadlines once each.</summary>
public sealed class OrderAggregateTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);
    private static readonly WonDeal Deal = new("deal-1", "cust-1", "alice", "north");
    private static readonly OrderOptions Options = new();

    private static OrderLine Line(decimal quantity, decimal price, decimal discount = 0, string name = "Scanner") => new(name, "imaging", quantity, price, discount);

    private static OrderDraft Custom(params (int Days, string Amount)[] plan) =>
        new([Line(3, 333.33m, 10)], "eur", PaymentTerms.Custom, [.. plan.Select(p => new PlannedInstalment(Now.AddDays(p.Days), p.Amount))]);

    private static (TestOrderState State, OrderAggregate Aggregate) Order(OrderDraft draft)
    {
        var state = new TestOrderState();
        var aggregate = new OrderAggregate("deal-1", state);
        aggregate.Create(Deal, draft, "alice", Now);
        return (state, aggregate);
    }

    private static PaymentDraft Pay(string id, string amount, PaymentTerms term = PaymentTerms.Custom) =>
        new(id, amount, "", Now.AddDays(1), "BANK-1", "DOC-slip-1", term);

    [Fact]
    public void Lines_round_to_the_cent_half_away_from_zero_and_the_terms_set_the_plan()
    {
        // 3 x 333.33 x 0.9 = 899.991 -> 899.99; 1 x 0.05 x 0.5 = 0.025 -> 0.03.
        var (lines, total, plan) = OrderRules.Validate(new OrderDraft([Line(3, 333.33m, 10), Line(1, 0.05m, 50, "Cable")], "EUR", PaymentTerms.Net30, []), Now);

        Assert.Equal([899.99m, 0.03m], lines.Select(l => l.Total));
        Assert.Equal(900.02m, total);
        Assert.Equal([new Instalment(1, Now.AddDays(30), 900.02m)], plan);
        Assert.Equal(Now, OrderRules.Validate(new OrderDraft([Line(1, 10)], "EUR", PaymentTerms.CashOnDelivery, []), Now).Plan[0].DueAt);
        Assert.Equal(Now.AddDays(60), OrderRules.Validate(new OrderDraft([Line(1, 10)], "EUR", PaymentTerms.Net60, []), Now).Plan[0].DueAt);
    }

    [Theory]
    [InlineData("instalments", 10, "400.00", 40, "400.00")] // 800.00 of 899.99
    [InlineData("instalments[1].due_at", 40, "400.00", 10, "499.99")] // not after the previous
    [InlineData("instalments[0].amount", 10, "-1", 40, "900.99")]
    [InlineData("instalments[0].amount", 10, "1.001", 40, "898.989")]
    [InlineData("instalments[0].amount", 10, "123456789012345678901234567890", 40, "1")]
    public void A_custom_plan_must_add_up_with_dates_in_order(string field, int firstDays, string first, int secondDays, string second)
    {
        var error = Assert.Throws<ValidationException>(() => OrderRules.Validate(Custom((firstDays, first), (secondDays, second)), Now));
        Assert.Equal(field, error.Field);
    }

    [Fact]
    public void Hostile_lines_are_refused_naming_the_field()
    {
        void Refused(string field, params OrderLine[] lines) =>
            Assert.Equal(field, Assert.Throws<ValidationException>(() => OrderRules.Validate(new OrderDraft(lines, "EUR", PaymentTerms.Net30, []), Now)).Field);

        Refused("lines");
        Refused("lines[0].quantity", Line(0, 10));
        Refused("lines[0].quantity", Line(1.00001m, 10));
        Refused("lines[0].unit_price", Line(1, -1));
        Refused("lines[0].unit_price", Line(1, 1_000_000_000_001m));
        Refused("lines[0].discount_percent", Line(1, 10, 101));
        Refused("lines[0].name", Line(1, 10, 0, ""));
        Refused("lines", Line(1, 0));
        Refused("lines", Line(1_000_000, 1_000_000_000_000m)); // the total is beyond the largest amount
        Assert.Equal("currency", Assert.Throws<ValidationException>(() => OrderRules.Validate(new OrderDraft([Line(1, 1)], "euro", PaymentTerms.Net30, []), Now)).Field);
        Assert.Equal("instalments", Assert.Throws<ValidationException>(() => OrderRules.Validate(
            new OrderDraft([Line(1, 1)], "EUR", PaymentTerms.Net30, [new PlannedInstalment(Now, "1")]), Now)).Field);
    }

    [Fact]
    public void Payments_fill_the_earliest_instalment_first_over_payment_is_refused_and_a_reversal_reopens()
    {
        var (state, aggregate) = Order(Custom((10, "400.00"), (40, "499.99")));

        aggregate.RecordPayment(Pay("p1", "450.00"), "finance-1", Now);
        Assert.Equal([400m, 50m], OrderRules.PaidPerInstalment(state.Plan, aggregate.Paid));
        var over = Assert.Throws<PreconditionFailedException>(() => aggregate.RecordPayment(Pay("p2", "450.00"), "finance-1", Now));
        Assert.Equal("amount: 450.00 is more than the 449.99 EUR outstanding", over.Message);
        Assert.Equal("currency", Assert.Throws<ValidationException>(() => aggregate.RecordPayment(Pay("p2", "1.00") with { Currency = "USD" }, "f", Now)).Field);
        Assert.Equal("received_at", Assert.Throws<ValidationException>(() => aggregate.RecordPayment(Pay("p2", "1.00") with { ReceivedAt = Now.AddDays(3) }, "f", Now)).Field);
        Assert.Equal("term_type", Assert.Throws<ValidationException>(() => aggregate.RecordPayment(Pay("p2", "1.00", (PaymentTerms)9), "f", Now)).Field);

        aggregate.RecordPayment(Pay("p2", "449.99"), "finance-1", Now);
        Assert.Equal(OrderStatus.Paid, state.Status);
        Assert.Same(state.Payments[1], aggregate.RecordPayment(Pay("p2", "449.99"), "finance-1", Now)); // the same payment id: nothing new
        var reversed = aggregate.ReversePayment("p1", "bounced", "finance-1", Now.AddDays(2));
        Assert.Equal(("finance-1", "bounced", true), (reversed.ReversedBy, reversed.ReversalReason, reversed.Reversed));
        Assert.Equal((OrderStatus.Open, 449.99m, 450.00m), (state.Status, aggregate.Paid, aggregate.Outstanding));
        Assert.Equal(2, state.Payments.Count); // never deleted
        Assert.Throws<PreconditionFailedException>(() => aggregate.ReversePayment("p1", "again", "finance-1", Now));
        Assert.Throws<NotFoundException>(() => aggregate.ReversePayment("nope", "x", "finance-1", Now));
    }

    [Fact]
    public void A_cancelled_order_takes_no_payments_and_one_with_payments_cannot_be_cancelled()
    {
        var (state, aggregate) = Order(Custom((10, "899.99")));
        aggregate.RecordPayment(Pay("p1", "100.00"), "f", Now);
        Assert.Throws<PreconditionFailedException>(() => aggregate.Cancel("customer withdrew"));

        aggregate.ReversePayment("p1", "wrong order", "f", Now);
        aggregate.Cancel("customer withdrew");

        Assert.Equal(OrderStatus.Cancelled, state.Status);
        Assert.Equal($"order 'deal-1' is cancelled and takes no payments", Assert.Throws<PreconditionFailedException>(() => aggregate.RecordPayment(Pay("p2", "1.00"), "f", Now)).Message);
        Assert.Empty(aggregate.WantedDeadlines(Options));
    }

    [Fact]
    public void Each_unpaid_instalment_wants_a_reminder_overdue_and_escalation_that_fire_once_and_payment_clears_them()
    {
        var (state, aggregate) = Order(Custom((3, "400.00"), (40, "499.99")));

        // The first is due in 3 days: its reminder (7 days before) would be before the order, so none.
        Assert.Equal(
            [
                new Deadline("instalment-overdue:1", Now.AddDays(3)),
                new Deadline("instalment-escalation:1", Now.AddDays(17)),
                new Deadline("instalment-reminder:2", Now.AddDays(33)),
                new Deadline("instalment-overdue:2", Now.AddDays(40)),
                new Deadline("instalment-escalation:2", Now.AddDays(54)),
            ],
            aggregate.WantedDeadlines(Options));

        var overdue = new Deadline("instalment-overdue:1", Now.AddDays(3));
        aggregate = new OrderAggregate("deal-1", state);
        aggregate.DeadlineDue(overdue, directorId: "dora", Now.AddDays(3));
        aggregate.DeadlineDue(overdue, directorId: "dora", Now.AddDays(3)); // a timer and a reminder for the same firing: once
        var due = Assert.IsType<OrderEvent.InstalmentDeadline>(Assert.Single(aggregate.Events).Event);
        Assert.Equal(("instalment-overdue", 1, 400m), (due.Kind, due.Instalment.Number, due.Outstanding));
        Assert.Equal(3, aggregate.FollowUps.Count); // owner, manager, and the customer's payment record
        var owner = Assert.IsType<OrderFollowUp.Notify>(aggregate.FollowUps[0]);
        Assert.Equal(("alice", "order deal-1: instalment 1 of 400.00 EUR due 2026-03-05, 400.00 outstanding is overdue"), (owner.RecipientId, owner.Notification.Message));
        Assert.IsType<OrderFollowUp.NotifyTeamManager>(aggregate.FollowUps[1]);
        var report = Assert.IsType<OrderFollowUp.ReportToCustomer>(aggregate.FollowUps[2]);
        Assert.Equal((1, 0), report.Facts.Punctuality(report.Facts.Instalments[0].DueAt));
        Assert.DoesNotContain(overdue, aggregate.WantedDeadlines(Options));

        var escalate = new OrderAggregate("deal-1", state);
        escalate.DeadlineDue(new Deadline("instalment-escalation:1", Now.AddDays(17)), directorId: "dora", Now.AddDays(17));
        var director = Assert.IsType<OrderFollowUp.Notify>(Assert.Single(escalate.FollowUps));
        Assert.Equal(("dora", NotificationSeverity.Critical), (director.RecipientId, director.Notification.Severity));

        // A reminder that comes only after its instalment fell due (the grain was down) is dropped, but counts as fired.
        var late = new OrderAggregate("deal-1", state);
        late.DeadlineDue(new Deadline("instalment-reminder:2", Now.AddDays(33)), null, Now.AddDays(41));
        Assert.Empty(late.Events);
        Assert.DoesNotContain(new Deadline("instalment-reminder:2", Now.AddDays(33)), late.WantedDeadlines(Options));

        // Paying the first instalment leaves only the second's deadlines.
        new OrderAggregate("deal-1", state).RecordPayment(Pay("p1", "400.00"), "f", Now.AddDays(20));
        Assert.All(aggregate.WantedDeadlines(Options), d => Assert.EndsWith(":2", d.Rule, StringComparison.Ordinal));
        Assert.Equal(0m, aggregate.OverdueAmount(Now.AddDays(20)));
        Assert.Equal(499.99m, aggregate.OverdueAmount(Now.AddDays(41)));
    }

    [Fact]
    public void An_order_is_made_once_per_deal()
    {
        var (state, aggregate) = Order(Custom((10, "899.99")));
        Assert.Throws<AlreadyExistsException>(() => aggregate.Create(Deal, Custom((10, "899.99")), "alice", Now));
        Assert.Equal(("cust-1", "alice", "north", "EUR", 1L), (state.CustomerId, state.OwnerId, state.TeamId, state.Currency, state.Version));
    }
}
