using ActorSales.Domain.Commission;
using ActorSales.Domain.Errors;

namespace ActorSales.Domain.UnitTests;

internal sealed class TestCommissionAccountState : ICommissionAccountState
{
    public Dictionary<string, CommissionStatement> Statements { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, SettledPayment> Settled { get; } = new(StringComparer.Ordinal);
    public CommissionPeriod? FirstFinal { get; set; }
    public CommissionPeriod? LastFinal { get; set; }
    public long Version { get; set; }
}

internal sealed class TestCommissionPlanState : ICommissionPlanState
{
    public List<CommissionPlan> Versions { get; } = [];
    public long Version { get; set; }
}

public sealed class CommissionCalculatorTests
{
    private static readonly CommissionPeriod January = new(2026, 1);
    private static readonly CommissionPeriod February = new(2026, 2);
    private static readonly DateTimeOffset Now = new(2026, 2, 2, 9, 0, 0, TimeSpan.Zero);

    private static CommissionPlanDraft Draft(string cap = "1500", string floor = "", string currency = "EUR") => new(
        "Field sales", "2026-01-01",
        [new CurrencyScheduleDraft(currency, [new TierDraft("0", "2"), new TierDraft("10000", "4"), new TierDraft("20000", "6")], cap, floor, "1000",
            [new TierDraft("5000", "1"), new TierDraft("20000", "2")])],
        [new RateDraft("service", "10")],
        [new ProcessMetricDraft(ProcessMetric.EffectiveVisits, "60", "10"), new ProcessMetricDraft(ProcessMetric.JourneyPenetration, "40", "80")]);

    private static CommissionPlan Plan(string cap = "1500", string floor = "") => CommissionRules.Validate("default", Draft(cap, floor), "fin", Now) with { Version = 1 };

    private static CollectedPayment Paid(string id, decimal amount, int month, int day, bool partner = false, DateTimeOffset? reversedAt = null,
        DateTimeOffset? recordedAt = null, params OrderLineShare[] lines)
    {
        var received = new DateTimeOffset(2026, month, day, 12, 0, 0, TimeSpan.Zero);
        return new CollectedPayment(id, "order-" + id, "cus-1", "EUR", amount, received, recordedAt ?? received, reversedAt,
            lines.Length == 0 ? [new OrderLineShare(string.Empty, 1m)] : lines, partner);
    }

    private static readonly OrderLineShare[] OrderA = [new("imaging", 12000m), new("service", 3000m)];

    private static CommissionInputs January_inputs(CommissionPlan plan) => new(plan, January,
        [Paid("p1", 9000m, 1, 10, partner: true, lines: OrderA), Paid("p2", 6000m, 1, 20, partner: true, lines: OrderA), Paid("p3", 12000m, 1, 25)],
        [], new Dictionary<string, SettledPayment>(), null, null, new ProcessActuals(6, 75), []);

    private static string Lines(StatementFigures figures) => string.Join("\n", figures.Lines.Select(l => $"{l.Component} {l.Rule} {l.PaymentId} {l.BaseAmount:0.00} x {l.RatePercent:0.####} = {l.Result:0.00}"));

    [Fact]
    public void The_worked_example_pays_marginal_tiers_product_line_rates_process_and_the_cap_with_partner_rebates_beside()
    {
        var figures = CommissionCalculator.Calculate(January_inputs(Plan()));

        Assert.Equal(string.Join("\n",
            "Collection tier:1 p1 7200.00 x 2 = 144.00",
            "Collection product_line:service p1 1800.00 x 10 = 180.00",
            "Collection tier:1 p2 1000.00 x 2 = 20.00",
            "Collection tier:2 p2 3800.00 x 4 = 152.00",
            "Collection product_line:service p2 1200.00 x 10 = 120.00",
            "Collection tier:2 p3 5000.00 x 4 = 200.00",
            "Collection tier:3 p3 7000.00 x 6 = 420.00",
            "Process process:effective_visits  600.00 x 60 = 360.00",
            "Process process:journey_penetration  400.00 x 93.75 = 375.00",
            "Limit cap  1971.00 x  = -471.00",
            "Rebate rebate:1 p1 9000.00 x 1 = 90.00",
            "Rebate rebate:1 p2 6000.00 x 1 = 60.00"), Lines(figures));
        Assert.Equal([new ComponentTotal(StatementComponent.Collection, "EUR", 1236m), new ComponentTotal(StatementComponent.Process, "EUR", 735m),
            new ComponentTotal(StatementComponent.Limit, "EUR", -471m), new ComponentTotal(StatementComponent.Rebate, "EUR", 150m)], figures.Totals);
        Assert.Equal([new CurrencyAmount("EUR", 1500m)], figures.Payable);
    }

    [Theory]
    [InlineData(1234.25, "24.69")] // 24.685: half away from zero, not to even
    [InlineData(1234.75, "24.70")] // 24.695
    [InlineData(0.25, "0.01")]     // 0.005
    public void Every_line_is_rounded_to_the_cent_half_away_from_zero(decimal amount, string expected)
    {
        var inputs = January_inputs(Plan()) with { Received = [Paid("p", amount, 1, 3)], Metrics = new ProcessActuals(0, 0) };

        var line = CommissionCalculator.Calculate(inputs).Lines[0];

        Assert.Equal(expected, line.Result.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Rounding_follows_the_currencys_minor_unit()
    {
        Assert.Equal(25m, CommissionRules.Round(24.5m, "JPY"));
        Assert.Equal(-25m, CommissionRules.Round(-24.5m, "JPY"));
        Assert.Equal(1.235m, CommissionRules.Round(1.2345m, "KWD"));
        Assert.Equal(1.24m, CommissionRules.Round(1.235m, "EUR"));
    }

    [Fact]
    public void A_payment_is_allocated_pro_rata_to_the_line_totals_with_the_remainder_on_the_last_line()
    {
        var shares = CommissionCalculator.Allocate(100m, [new("a", 1m), new("b", 1m), new("c", 1m)], "EUR");

        Assert.Equal([("a", 33.33m), ("b", 33.33m), ("c", 33.34m)], shares);
        Assert.Equal([("a", 0.01m), ("b", 0m), ("c", 0m)], CommissionCalculator.Allocate(0.01m, [new("a", 1m), new("b", 1m), new("c", 0m)], "EUR"));
        Assert.Equal([("x", 10m)], CommissionCalculator.Allocate(10m, [new("x", 1m), new("x", 3m)], "EUR"));
    }

    [Fact]
    public void A_floor_raises_a_thin_period_and_reversed_payments_of_the_period_do_not_count()
    {
        var inputs = January_inputs(Plan(cap: "", floor: "900")) with
        {
            Received = [Paid("p1", 1000m, 1, 3), Paid("gone", 5000m, 1, 4, reversedAt: Now)], Metrics = new ProcessActuals(0, 0),
        };

        var figures = CommissionCalculator.Calculate(inputs);

        Assert.Equal(string.Join("\n",
            "Collection tier:1 p1 1000.00 x 2 = 20.00",
            "Process process:effective_visits  600.00 x 0 = 0.00",
            "Process process:journey_penetration  400.00 x 0 = 0.00",
            "Limit floor  20.00 x  = 880.00"), Lines(figures));
        Assert.Equal([new CurrencyAmount("EUR", 900m)], figures.Payable);
    }

    [Fact]
    public void A_currency_without_a_schedule_is_listed_at_no_rate()
    {
        var payment = Paid("usd", 500m, 1, 3) with { Currency = "USD" };
        var figures = CommissionCalculator.Calculate(January_inputs(Plan()) with { Received = [payment], Metrics = new ProcessActuals(10, 80) });

        Assert.Equal(new StatementLine(StatementComponent.Collection, "no_schedule", "usd", "order-usd", string.Empty, "USD", 500m, 0m, 0m,
            "the plan pays nothing on USD"), figures.Lines[0]);
        Assert.Equal([new CurrencyAmount("EUR", 1000m), new CurrencyAmount("USD", 0m)], figures.Payable);
    }

    [Fact]
    public void After_january_is_final_february_takes_a_reversal_and_a_late_payment_as_adjustments_once()
    {
        var state = new TestCommissionAccountState();
        var account = new CommissionAccountAggregate("alice", state);
        var jan = new CommissionStatement("alice", "berlin", January, StatementStatus.Draft, CommissionCalculator.Calculate(January_inputs(Plan())), Now);
        account.Approve(jan, jan.Figures.Etag(), "manager", Now);
        account.Finalise(January, "fin", Now.AddDays(1));
        Assert.Equal(new SettledPayment(January, "EUR", 292m, false), state.Settled["p2"]);

        var reversed = Paid("p2", 6000m, 1, 20, partner: true, reversedAt: Now.AddDays(8), lines: OrderA);
        var late = Paid("p4", 1000m, 1, 30, recordedAt: Now.AddDays(13));
        var counted = Paid("p1", 9000m, 1, 10, partner: true, lines: OrderA); // changed window overlaps: settled, nothing to do
        var inputs = new CommissionInputs(Plan(), February, [Paid("p5", 1234.25m, 2, 12)], [reversed, late, counted], state.Settled,
            state.FirstFinal, state.LastFinal, new ProcessActuals(0, 0), []);

        var feb = CommissionCalculator.Calculate(inputs);

        Assert.Equal(string.Join("\n",
            "Collection tier:1 p5 1234.25 x 2 = 24.69",
            "Process process:effective_visits  600.00 x 0 = 0.00",
            "Process process:journey_penetration  400.00 x 0 = 0.00",
            "Adjustment reversal p2 -6000.00 x  = -292.00",
            "Adjustment tier:1 p4 1000.00 x 2 = 20.00"), Lines(feb));
        Assert.Equal([new CurrencyAmount("EUR", -247.31m)], feb.Payable);
        // March (not the next open period) takes none of them.
        Assert.DoesNotContain(CommissionCalculator.Calculate(inputs with { Period = new CommissionPeriod(2026, 3), Received = [] }).Lines,
            l => l.Component == StatementComponent.Adjustment);

        var febStatement = new CommissionStatement("alice", "berlin", February, StatementStatus.Draft, feb, Now.AddMonths(1));
        account.Approve(febStatement, string.Empty, "manager", Now.AddMonths(1));
        account.Finalise(February, "fin", Now.AddMonths(1));
        Assert.Equal((true, 0m), (state.Settled["p2"].Reversed, state.Settled["p2"].Result));
        var march = CommissionCalculator.Calculate(inputs with { Period = new CommissionPeriod(2026, 3), Received = [], Settled = state.Settled, LastFinal = state.LastFinal });
        Assert.DoesNotContain(march.Lines, l => l.Component == StatementComponent.Adjustment);
    }

    [Fact]
    public void Statements_are_approved_in_order_after_their_month_and_a_final_one_never_changes()
    {
        var account = new CommissionAccountAggregate("alice", new TestCommissionAccountState());
        var jan = new CommissionStatement("alice", "berlin", January, StatementStatus.Draft, CommissionCalculator.Calculate(January_inputs(Plan())), Now);

        Assert.Equal("period: 2026-01 has not ended; its statement can be approved from 2026-02-01",
            Assert.Throws<PreconditionFailedException>(() => account.Approve(jan, string.Empty, "m", new DateTimeOffset(2026, 1, 31, 23, 0, 0, TimeSpan.Zero))).Message);
        Assert.Throws<ConcurrencyConflictException>(() => account.Approve(jan, "stale", "m", Now));
        Assert.Throws<PreconditionFailedException>(() => account.Finalise(January, "fin", Now));
        account.Approve(jan, string.Empty, "m", Now);
        Assert.Contains("not final yet", Assert.Throws<PreconditionFailedException>(() => account.EnsureApprovable(February, Now.AddMonths(1))).Message, StringComparison.Ordinal);
        account.Finalise(January, "fin", Now);
        Assert.Contains("final and never changes", Assert.Throws<PreconditionFailedException>(() => account.Finalise(January, "fin", Now)).Message, StringComparison.Ordinal);
        Assert.Contains("final and never changes", Assert.Throws<PreconditionFailedException>(() => account.EnsureApprovable(January, Now)).Message, StringComparison.Ordinal);
        Assert.Equal("period: statements are approved in order; the next open period is 2026-02",
            Assert.Throws<PreconditionFailedException>(() => account.EnsureApprovable(new CommissionPeriod(2026, 3), Now.AddMonths(3))).Message);
    }

    [Fact]
    public void The_version_in_force_is_the_latest_effective_on_or_before_the_periods_first_day()
    {
        var state = new TestCommissionPlanState();
        var plans = new CommissionPlanAggregate("default", state);
        plans.Define(Draft(), "fin", Now);
        Assert.Equal(1, plans.Define(Draft(), "fin", Now).Version); // equal to the latest: nothing new
        plans.Define(Draft() with { EffectiveFrom = "2026-03-15" }, "fin", Now);
        plans.Define(Draft() with { EffectiveFrom = "2025-06-01", Name = "Back-dated" }, "fin", Now);

        Assert.Equal(3, state.Versions.Count);
        Assert.Equal(1, CommissionPlanAggregate.InForce(state.Versions, new CommissionPeriod(2026, 3))!.Version);
        Assert.Equal(2, CommissionPlanAggregate.InForce(state.Versions, new CommissionPeriod(2026, 4))!.Version);
        Assert.Equal(3, CommissionPlanAggregate.InForce(state.Versions, new CommissionPeriod(2025, 12))!.Version);
        Assert.Null(CommissionPlanAggregate.InForce(state.Versions, new CommissionPeriod(2025, 5)));
    }

    [Theory]
    [InlineData("schedules", "plan.schedules[0].tiers[0].from: must be 0: the first tier starts at nothing collected")]
    [InlineData("weights", "plan.process_metrics: weights add up to 90.00, not 100")]
    [InlineData("floor", "plan.schedules[0].floor: must not be above the cap (1500.00)")]
    [InlineData("currency", "plan.schedules[0].currency: must be an ISO 4217 code such as \"EUR\"")]
    [InlineData("huge", "plan.schedules[0].cap: must be a decimal number such as \"1250.50\"")]
    [InlineData("negative", "plan.schedules[0].cap: must be 0 or more and at most 1000000000000, with at most 2 decimals")]
    public void A_plan_is_refused_naming_the_field(string what, string message)
    {
        var draft = what switch
        {
            "schedules" => Draft() with { Schedules = [Draft().Schedules[0] with { Tiers = [new TierDraft("5", "2")] }] },
            "weights" => Draft() with { ProcessMetrics = [new ProcessMetricDraft(ProcessMetric.EffectiveVisits, "90", "10")] },
            "floor" => Draft(floor: "2000"),
            "currency" => Draft(currency: "euro"),
            "huge" => Draft(cap: new string('9', 30)),
            _ => Draft(cap: "-1"),
        };

        Assert.Equal(message, Assert.Throws<ValidationException>(() => CommissionRules.Validate("default", draft, "fin", Now)).Message);
    }
}
