using ActorSales.Contracts.V1;
using ActorSales.Testing;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.TestingHost;

namespace ActorSales.FunctionalTests;

/// <summary>
/// Collection figures through gRPC on fake time, every number exact: collected against collected-amount goals, outstanding,
/// overdue and its rate, days sales outstanding, ageing; the collected-amount goal's progress; cycle time to first
/// payment; each role sees only its reach.
/// </summary>
public sealed class CollectionApiTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    // March 2026 in Europe/Berlin (the test teams' zone): 30 days 23 hours.
    private static readonly AnalyticsPeriod BerlinMarch = new()
    {
        From = Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 2, 28, 23, 0, 0, TimeSpan.Zero)),
        To = Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 3, 31, 22, 0, 0, TimeSpan.Zero)),
    };

    private readonly FakeTimeProvider _clock = new(Start);
    private TestHost _host = null!;

    public async ValueTask InitializeAsync() => _host = await TestHost.StartAsync(
        builder =>
        {
            builder.Services.AddSingleton<TimeProvider>(_clock);
            builder.Services.UseTimeProviderForBackgroundAreas(TimeProvider.System);
        },
        "--ActorSales:Profile=Local", $"--ActorSales:ClusterId=collection-{Guid.NewGuid():N}");

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    private OrdersService.OrdersServiceClient Orders => new(_host.Channel);

    private AnalyticsService.AnalyticsServiceClient Analytics => new(_host.Channel);

    private static OrderLine Line(string price) => new() { Name = "Cath lab", ProductLine = "imaging", Quantity = "1", UnitPrice = price };

    private static Timestamp Day(double days) => Timestamp.FromDateTimeOffset(Start.AddDays(days));

    private async Task<RecordPaymentResponse> PayAsync(ApiTeam team, string order, string amount, double receivedDay)
    {
        _clock.SetUtcNow(Start.AddDays(receivedDay).AddHours(1));
        return await Orders.RecordPaymentAsync(new RecordPaymentRequest
        {
            OrderId = order, Amount = amount, ReceivedAt = Day(receivedDay), BankReference = "ICBC-1", EvidenceReference = "DOC-slip",
            TermType = PaymentTerms.Custom,
        }, team.Manager);
    }

    /// <summary>
    /// Team a: the rep's order 1 (8,000 EUR: 3,000 due day 5, 5,000 due day 40) and order 3 (1,000 USD, cash on delivery);
    /// the other rep's order 2 (2,000 EUR, net 30). Paid: order 3 in full on day 1, order 1 1,000 on day 2 and 500 on day 3
    /// (reversed on day 4), order 2 in full on day 10. Goals for Berlin's March: team 10,000 EUR, the rep 5,000 EUR.
    /// </summary>
    private async Task<(ApiTeam Team, string ConsistencyToken)> SeedAsync()
    {
        var a = await _host.CreateTeamAsync();
        var (_, d1) = await _host.CreateDealAsync(a.Rep, Start.AddMonths(1), "8000");
        var (_, d2) = await _host.CreateDealAsync(a.OtherRep, Start.AddMonths(1), "2000");
        var (_, d3) = await _host.CreateDealAsync(a.Rep, Start.AddMonths(1), "1000", "USD");
        await Orders.CreateOrderAsync(new CreateOrderRequest
        {
            OpportunityId = d1, Currency = "EUR", Terms = PaymentTerms.Custom, Lines = { Line("8000") },
            Instalments = { new PlannedInstalment { DueAt = Day(5), Amount = "3000" }, new PlannedInstalment { DueAt = Day(40), Amount = "5000" } },
        }, a.Rep);
        await Orders.CreateOrderAsync(new CreateOrderRequest { OpportunityId = d2, Currency = "EUR", Terms = PaymentTerms.Net30, Lines = { Line("2000") } }, a.OtherRep);
        await Orders.CreateOrderAsync(new CreateOrderRequest { OpportunityId = d3, Currency = "USD", Terms = PaymentTerms.CashOnDelivery, Lines = { Line("1000") } }, a.Rep);
        foreach (var (owner, target) in new[] { ("", "10000"), (a.RepId, "5000") })
        {
            await Analytics.SetGoalAsync(new SetGoalRequest
            {
                TeamId = a.TeamId, OwnerId = owner, Metric = GoalMetric.CollectedAmount, PeriodKind = GoalPeriodKind.Month,
                PeriodStart = "2026-03-01", Target = target, Currency = "EUR",
            }, a.Manager);
        }

        await PayAsync(a, d3, "1000", 1);
        await PayAsync(a, d1, "1000", 2);
        var reversed = (await PayAsync(a, d1, "500", 3)).Payment.PaymentId;
        _clock.SetUtcNow(Start.AddDays(4));
        await Orders.ReversePaymentAsync(new ReversePaymentRequest { OrderId = d1, PaymentId = reversed, Reason = "bounced" }, a.Manager);
        var last = await PayAsync(a, d2, "2000", 10);
        _clock.SetUtcNow(Start.AddDays(20));
        // Queries pass the last change's token (read-your-writes: a loaded machine may project it seconds later).
        return (a, last.ConsistencyToken);
    }

    private async Task<GetCollectionResponse> CollectionAsync(Metadata who, string consistencyToken) =>
        await Analytics.GetCollectionAsync(new GetCollectionRequest { Period = BerlinMarch, ConsistencyToken = consistencyToken }, who);

    private static string Describe(CollectionFigures c) =>
        $"{c.Currency} collected {c.Collected} ({c.Payments}) target {c.Target} rate {c.CollectionRatePercent} outstanding {c.Outstanding} "
        + $"overdue {c.Overdue} ({c.OverdueRatePercent}%) ordered {c.Ordered} dso {c.DaysSalesOutstanding} ageing "
        + string.Join(" ", c.Ageing.Select(b => $"{b.Band}:{b.Amount}/{b.Instalments}"));

    [Fact]
    public async Task Collection_figures_are_exact_for_each_reach()
    {
        var (a, written) = await SeedAsync();
        var team = new AnalyticsScope { TeamId = a.TeamId };
        var figures = await Analytics.GetCollectionAsync(new GetCollectionRequest { Scope = team, Period = BerlinMarch, ConsistencyToken = written }, a.Manager);

        // EUR: 1,000 + 2,000 collected (the reversed 500 does not count) of the team's 10,000; order 1 still owes 7,000, of
        // which 2,000 of the day-5 instalment is 15 days overdue (28.57 %); DSO = (10,000 - 3,000) / 10,000 x 30.958333 days.
        // USD: collected in full, nothing owed, no target.
        Assert.Equal(
        [
            "EUR collected 3000.00 (2) target 10000.00 rate 30.00 outstanding 7000.00 overdue 2000.00 (28.57%) ordered 10000.00 dso 21.67 "
                + "ageing NotDue:5000.00/1 Days130:2000.00/1 Days3160:0.00/0 Days6190:0.00/0 Over90:0.00/0",
            "USD collected 1000.00 (1) target  rate  outstanding 0.00 overdue 0.00 (0.00%) ordered 1000.00 dso 0.00 "
                + "ageing NotDue:0.00/0 Days130:0.00/0 Days3160:0.00/0 Days6190:0.00/0 Over90:0.00/0",
        ], figures.Currencies.Select(Describe));
        Assert.Equal(Start.AddDays(20), figures.AsOf.ToDateTimeOffset());

        // The rep's own: their goal of 5,000; DSO = 7,000 / 8,000 x 30.958333 = 27.0885 -> 27.09.
        var rep = await CollectionAsync(a.Rep, written);
        Assert.Equal("EUR collected 1000.00 (1) target 5000.00 rate 20.00 outstanding 7000.00 overdue 2000.00 (28.57%) ordered 8000.00 dso 27.09 "
            + "ageing NotDue:5000.00/1 Days130:2000.00/1 Days3160:0.00/0 Days6190:0.00/0 Over90:0.00/0", Describe(rep.Currencies[0]));
        Assert.Equal(["EUR", "USD"], rep.Currencies.Select(c => c.Currency));
        // The other rep: no goal, nothing owed.
        var other = await CollectionAsync(a.OtherRep, written);
        Assert.Equal("EUR collected 2000.00 (1) target  rate  outstanding 0.00 overdue 0.00 (0.00%) ordered 2000.00 dso 0.00 "
            + "ageing NotDue:0.00/0 Days130:0.00/0 Days3160:0.00/0 Days6190:0.00/0 Over90:0.00/0", Describe(Assert.Single(other.Currencies)));
        // Finance reads everything (here: team a's figures); the ageing moves with time (day 50: 45 and 10 days late).
        _clock.SetUtcNow(Start.AddDays(50));
        var later = await CollectionAsync(_host.As("finance-1", "finance"), written);
        Assert.Equal("EUR collected 3000.00 (2) target 10000.00 rate 30.00 outstanding 7000.00 overdue 7000.00 (100.00%) ordered 10000.00 dso 21.67 "
            + "ageing NotDue:0.00/0 Days130:5000.00/1 Days3160:2000.00/1 Days6190:0.00/0 Over90:0.00/0", Describe(later.Currencies[0]));

        // Nobody reads past their reach, and the refusal says nothing of the figures.
        var b = await _host.CreateTeamAsync();
        foreach (var (who, scope) in new[] { (a.Rep, new AnalyticsScope { OwnerId = a.OtherRepId }), (b.Manager, team), (a.Manager, new AnalyticsScope { TeamId = b.TeamId }) })
        {
            var refused = await Assert.ThrowsAsync<RpcException>(async () => await Analytics.GetCollectionAsync(new GetCollectionRequest { Scope = scope, Period = BerlinMarch }, who));
            Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
        }
        Assert.Empty((await Analytics.GetCollectionAsync(new GetCollectionRequest { Period = BerlinMarch }, b.Rep)).Currencies);
    }

    [Fact]
    public async Task Collected_goals_and_cycle_times_to_first_payment_count_payments_still_standing()
    {
        var (a, written) = await SeedAsync();
        var progress = await Analytics.GetGoalProgressAsync(
            new GetGoalProgressRequest { Scope = new AnalyticsScope { TeamId = a.TeamId }, Period = BerlinMarch, ConsistencyToken = written }, a.Manager);
        Assert.Equal([("", "3000", "10000"), (a.RepId, "1000", "5000")],
            progress.Progress.Select(p => (p.Goal.OwnerId, p.Actual, p.Goal.Target)).OrderBy(p => p.OwnerId, StringComparer.Ordinal));

        // Won at the start; first payments still standing after 1 (USD), 2 and 10 days: median 2, population stddev 4.03.
        var cycles = await Analytics.GetCycleTimesAsync(new GetCycleTimesRequest { Scope = new AnalyticsScope { TeamId = a.TeamId }, Period = BerlinMarch, ConsistencyToken = written }, a.Manager);
        var march = Assert.Single(cycles.Months);
        Assert.Equal(("2026-03", 3L, 3L, 2.0, 4.03), (march.Month, march.Won, march.Paid, march.MedianDaysToFirstPayment, march.StddevDaysToFirstPayment));
    }

    [Fact]
    public async Task A_customers_grade_counts_its_payment_record_once_an_instalment_is_due()
    {
        var a = await _host.CreateTeamAsync();
        var (customer, deal) = await _host.CreateDealAsync(a.Rep, Start.AddMonths(1), "2000");
        await Orders.CreateOrderAsync(new CreateOrderRequest
        {
            OpportunityId = deal, Currency = "EUR", Terms = PaymentTerms.Custom, Lines = { Line("2000") },
            Instalments = { new PlannedInstalment { DueAt = Day(5), Amount = "1000" }, new PlannedInstalment { DueAt = Day(15), Amount = "1000" } },
        }, a.Rep);
        async Task<GradeFactor> RecordAsync(Func<GradeFactor, bool> until) => await Polling.EventuallyAsync(async () =>
        {
            _clock.Advance(TimeSpan.FromMilliseconds(1));
            var grade = await _host.Customers.GetCustomerGradeAsync(new GetCustomerGradeRequest { CustomerId = customer }, a.Rep);
            return grade.Factors.Single(f => f.Factor == "payment_record");
        }, until, TimeSpan.FromSeconds(15));

        // Nothing due yet: shown, not counted.
        var none = await RecordAsync(_ => true);
        Assert.Equal((0, "no instalment due yet: not counted"), (none.Weight, none.Detail));
        // The first instalment is paid a day early; once due, the customer's 72-hourly regrade (day 6) counts it. The
        // second falls due unpaid: its overdue deadline regrades the customer at once.
        await PayAsync(a, deal, "1000", 4);
        _clock.SetUtcNow(Start.AddDays(6).AddMinutes(1));
        var onTime = await RecordAsync(f => f.Detail.StartsWith("1 of 1", StringComparison.Ordinal));
        Assert.Equal((100, 20, 100.0), (onTime.Score, onTime.Weight, onTime.RawValue));
        _clock.SetUtcNow(Start.AddDays(15).AddMinutes(1));
        var missed = await RecordAsync(f => f.Detail.StartsWith("1 of 2", StringComparison.Ordinal));
        Assert.Equal((50, "1 of 2 instalments due paid on time"), (missed.Score, missed.Detail));
    }

    [Fact]
    public async Task Hostile_collection_requests_are_refused_naming_the_field()
    {
        var a = await _host.CreateTeamAsync();
        var cases = new (GetCollectionRequest Request, string Field)[]
        {
            (new GetCollectionRequest(), "period"),
            (new GetCollectionRequest { Period = new AnalyticsPeriod { From = Day(0), To = Day(400) } }, "period"),
            (new GetCollectionRequest { Period = new AnalyticsPeriod { From = Day(5), To = Day(1) } }, "period"),
            (new GetCollectionRequest { Period = BerlinMarch, Scope = new AnalyticsScope { TeamId = new string('t', 100_000) } }, "scope"),
            (new GetCollectionRequest { Period = BerlinMarch, ConsistencyToken = "not-a-token" }, "consistency_token"),
        };
        foreach (var (request, field) in cases)
        {
            var refused = await Assert.ThrowsAsync<RpcException>(async () => await Analytics.GetCollectionAsync(request, a.Manager));
            Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
            Assert.StartsWith(field, refused.Status.Detail, StringComparison.Ordinal);
        }
    }
}
