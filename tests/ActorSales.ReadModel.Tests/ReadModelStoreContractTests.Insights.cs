using ActorSales.Contracts.V1;
using ActorSales.Domain.Common;
using ActorSales.Domain.Errors;
using ActorSales.ReadModel.Analytics;
using Google.Protobuf.WellKnownTypes;
using static ActorSales.ReadModel.Tests.AnalyticsSeed;
using ForecastPart = ActorSales.Domain.Pipeline.ForecastPart;
using DomainSignal = ActorSales.Domain.Pipeline.ForecastSignal;

namespace ActorSales.ReadModel.Tests;

// Goals, anomalies, forecast snapshots and the forecast's grouping: both stores keep the latest of each from the teams'
// events, filter by the same scope, and page and compute won figures alike.
public abstract partial class ReadModelStoreContractTests
{
    private static Anomaly AnomalyOf(string team, string owner, string id, double day, AnomalyStatus status = AnomalyStatus.Active) => new()
    {
        AnomalyId = id, TeamId = team, OwnerId = owner, Rule = owner.Length > 0 ? "rep-new-customers" : "team-stalled-share",
        Kind = owner.Length > 0 ? AnomalyKind.RepBelowDailyTarget : AnomalyKind.TeamStalledShare, Day = "2026-03-02",
        DetectedAt = Timestamp.FromDateTimeOffset(Day(day)), Status = status, Actual = "0.00", Threshold = "1.40", Message = id,
    };

    private static ForecastWeek Row(string team, string owner, string currency, decimal open, decimal weighted, long count) => new()
    {
        TeamId = team, OwnerId = owner, WeekStart = "2026-03-02", TakenAt = Timestamp.FromDateTimeOffset(Day(0)),
        Window = new AnalyticsPeriod { From = Timestamp.FromDateTimeOffset(Day(0)), To = Timestamp.FromDateTimeOffset(Day(28)) },
        Currency = currency, OpenAmount = open.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture),
        WeightedAmount = weighted.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture), OpportunityCount = count,
    };

    /// <summary>Two teams' deals, goals, anomalies (one cleared later) and a weekly snapshot of team a.</summary>
    private static EventBuilder InsightSeed()
    {
        var b = new EventBuilder(T0);
        b.Team("team-a", "Team A", "EMEA", "mgr-a", "rep-a1", "rep-a2");
        b.Team("team-b", "Team B", "APAC", "mgr-b", "rep-b1");
        b.Customer("c1", "Clinic One", "team-a", "rep-a1");
        b.Customer("c2", "Clinic Two", "team-a", "rep-a2");
        b.Customer("c3", "Clinic Three", "team-b", "rep-b1");
        b.Opportunity("o1", "c1", 1000m, "EUR", Day(10));
        b.Signal("o1", ForecastSignal.L2);
        b.Opportunity("o2", "c1", 2000m, "EUR", Day(40)); // expected after the window
        b.Opportunity("o3", "c2", 3000m, "USD", Day(5));
        b.Opportunity("o4", "c3", 4000m, "EUR", Day(5)); // team b
        b.Opportunity("o5", "c2", 500m, "EUR", Day(6));
        b.Opportunity("o6", "c1", 250m, "EUR", Day(60));
        b.Opportunity("o7", "c3", 900m, "EUR", Day(5));
        b.Event(EntityType.Team, "team-a", "team-a", "", e => e.ForecastSnapshotTaken = new ForecastSnapshotTaken
        {
            WeekStart = "2026-03-02", TakenAt = Timestamp.FromDateTimeOffset(Day(0)),
            Rows = { Row("team-a", "rep-a1", "EUR", 1000, 300, 1), Row("team-a", "rep-a2", "EUR", 800, 400, 1), Row("team-a", "", "EUR", 1800, 700, 2) },
        });
        b.Event(EntityType.Team, "team-a", "team-a", "", e => e.GoalSet = new GoalSet { Goal = new Goal
        {
            TeamId = "team-a", OwnerId = "rep-a1", Metric = GoalMetric.NewCustomers, PeriodKind = GoalPeriodKind.Week, PeriodStart = "2026-03-02", Target = "7",
            Period = new AnalyticsPeriod { From = Timestamp.FromDateTimeOffset(Day(0)), To = Timestamp.FromDateTimeOffset(Day(7)) },
        } });
        b.Event(EntityType.Team, "team-b", "team-b", "", e => e.GoalSet = new GoalSet { Goal = new Goal
        {
            TeamId = "team-b", OwnerId = "", Metric = GoalMetric.OpportunitiesCreated, PeriodKind = GoalPeriodKind.Month, PeriodStart = "2026-04-01", Target = "9",
            Period = new AnalyticsPeriod { From = Timestamp.FromDateTimeOffset(Day(30)), To = Timestamp.FromDateTimeOffset(Day(60)) },
        } });
        b.Now = Day(1);
        b.Event(EntityType.Team, "team-a", "team-a", "", e => e.AnomalyDetected = new AnomalyDetected { Anomaly = AnomalyOf("team-a", "rep-a1", "a1", 1) });
        b.Now = Day(2);
        b.Event(EntityType.Team, "team-a", "team-a", "", e => e.AnomalyDetected = new AnomalyDetected { Anomaly = AnomalyOf("team-a", "", "a2", 2) });
        b.Now = Day(3);
        b.Event(EntityType.Team, "team-b", "team-b", "", e => e.AnomalyDetected = new AnomalyDetected { Anomaly = AnomalyOf("team-b", "rep-b1", "a3", 3) });
        b.Now = Day(4);
        var cleared = AnomalyOf("team-a", "rep-a1", "a1", 1, AnomalyStatus.Cleared);
        cleared.ClearedAt = Timestamp.FromDateTimeOffset(Day(4));
        b.Event(EntityType.Team, "team-a", "team-a", "", e => e.AnomalyCleared = new AnomalyCleared { Anomaly = cleared });
        b.Now = Day(6);
        b.Won("o5"); // rep-a2, EUR, in the window
        b.Won("o7"); // team b: counts for nobody in team a
        b.Now = Day(30);
        b.Won("o6"); // rep-a1, after the window
        return b;
    }

    private async Task<IReadModelStore> InsightStoreAsync()
    {
        var store = await CreateStoreAsync();
        var events = InsightSeed();
        await store.ApplyAsync(events.All, events.All[^1].Position, Ct);
        return store;
    }

    [Fact]
    public async Task Forecast_parts_group_open_deals_by_owner_currency_and_signal_before_a_close_date()
    {
        var store = await InsightStoreAsync();

        var window = await store.ForecastPartsAsync(new AnalyticsFilter(All, TeamId: "team-a"), Day(28), Ct);
        var open = await store.ForecastPartsAsync(new AnalyticsFilter(ManagerA), null, Ct);
        var rep = await store.ForecastPartsAsync(new AnalyticsFilter(RepA1), null, Ct);

        static string[] Text(IEnumerable<ForecastPart> parts) =>
            [.. parts.Select(p => $"{p.OwnerId} {p.Currency} {p.Signal} {p.Count} {p.Amount:0.##}").Order(StringComparer.Ordinal)];
        Assert.Equal(["rep-a1 EUR L2 1 1000", "rep-a2 USD None 1 3000"], Text(window));
        Assert.Equal(["rep-a1 EUR L2 1 1000", "rep-a1 EUR None 1 2000", "rep-a2 USD None 1 3000"], Text(open));
        Assert.Equal(["rep-a1 EUR L2 1 1000", "rep-a1 EUR None 1 2000"], Text(rep));
        Assert.Equal(DomainSignal.L2, window.Single(p => p.OwnerId == "rep-a1").Signal);
    }

    [Fact]
    public async Task Anomalies_keep_their_latest_state_newest_first_within_the_scope()
    {
        var store = await InsightStoreAsync();

        async Task<string[]> Ids(AnalyticsFilter filter, Period? period = null, AnomalyStatus? status = null) =>
            [.. (await store.AnomaliesAsync(new AnomalyQuery(filter, period, status, 100, null), Ct)).Items.Select(a => $"{a.AnomalyId}:{a.Status}")];

        Assert.Equal(["a3:Active", "a2:Active", "a1:Cleared"], await Ids(new AnalyticsFilter(All)));
        Assert.Equal(["a3:Active", "a2:Active"], await Ids(new AnalyticsFilter(All), status: AnomalyStatus.Active));
        Assert.Equal(["a1:Cleared"], await Ids(new AnalyticsFilter(All), status: AnomalyStatus.Cleared));
        Assert.Equal(["a2:Active", "a1:Cleared"], await Ids(new AnalyticsFilter(ManagerA)));
        Assert.Equal(["a1:Cleared"], await Ids(new AnalyticsFilter(RepA1)));
        Assert.Equal(["a3:Active"], await Ids(new AnalyticsFilter(All, Region: "apac")));
        Assert.Equal(["a3:Active", "a2:Active"], await Ids(new AnalyticsFilter(All), new Period(Day(1.5), Day(10))));
        var cleared = (await store.AnomaliesAsync(new AnomalyQuery(new AnalyticsFilter(RepA1), null, null, 10, null), Ct)).Items.Single();
        Assert.Equal(Day(4), cleared.ClearedAt.ToDateTimeOffset());

        var walked = new List<string>();
        string? token = null;
        do
        {
            var page = await store.AnomaliesAsync(new AnomalyQuery(new AnalyticsFilter(All), null, null, 1, token), Ct);
            walked.AddRange(page.Items.Select(a => a.AnomalyId));
            token = page.NextPageToken;
        }
        while (token is not null);
        Assert.Equal(["a3", "a2", "a1"], walked);
        var forged = await Assert.ThrowsAsync<ValidationException>(() => store.AnomaliesAsync(new AnomalyQuery(new AnalyticsFilter(All), null, null, 1, "not-a-token"), Ct));
        Assert.Equal("page_token", forged.Field);
    }

    [Fact]
    public async Task Forecast_history_counts_what_each_row_won_in_its_window()
    {
        var store = await InsightStoreAsync();

        var rows = ForecastHistoryFigures.Ordered((await store.ForecastHistoryAsync(new AnalyticsFilter(ManagerA), new Period(Day(-1), Day(7)), Ct))
            .Select(r => ForecastHistoryFigures.Complete(r, Day(10))));

        Assert.Equal(
            [
                " EUR 700.00 won 500.00 x1 dev -200.00 acc 71.43 False",
                "rep-a1 EUR 300.00 won 0.00 x0 dev -300.00 acc 0.00 False",
                "rep-a2 EUR 400.00 won 500.00 x1 dev 100.00 acc 75.00 False",
            ],
            rows.Select(r => $"{r.OwnerId} {r.Currency} {r.WeightedAmount} won {r.WonAmount} x{r.WonCount} dev {r.Deviation} acc {r.AccuracyPercent} {r.Final}"));
        Assert.True(ForecastHistoryFigures.Complete(rows[0].Clone(), Day(28)).Final);
        Assert.Equal(["rep-a1"], (await store.ForecastHistoryAsync(new AnalyticsFilter(RepA1), new Period(Day(-1), Day(7)), Ct)).Select(r => r.OwnerId));
        Assert.Empty(await store.ForecastHistoryAsync(new AnalyticsFilter(All, TeamId: "team-b"), new Period(Day(-1), Day(7)), Ct));
        Assert.Empty(await store.ForecastHistoryAsync(new AnalyticsFilter(All), new Period(Day(1), Day(7)), Ct)); // taken before the period
    }

    [Fact]
    public async Task Goals_keep_the_latest_per_key_whose_period_overlaps_within_the_scope()
    {
        var store = await InsightStoreAsync();

        string[] Keys(IEnumerable<Goal> goals) => [.. goals.Select(g => $"{g.TeamId}/{g.OwnerId}/{g.Metric}/{g.Target}").Order(StringComparer.Ordinal)];

        Assert.Equal(["team-a/rep-a1/NewCustomers/7", "team-b//OpportunitiesCreated/9"], Keys(await store.GoalsAsync(new AnalyticsFilter(All), new Period(Day(-1), Day(60)), Ct)));
        Assert.Equal(["team-a/rep-a1/NewCustomers/7"], Keys(await store.GoalsAsync(new AnalyticsFilter(All), new Period(Day(6.9), Day(7)), Ct)));
        Assert.Empty(await store.GoalsAsync(new AnalyticsFilter(All), new Period(Day(7), Day(30)), Ct)); // ends are exclusive
        Assert.Equal(["team-a/rep-a1/NewCustomers/7"], Keys(await store.GoalsAsync(new AnalyticsFilter(RepA1), new Period(Day(-1), Day(60)), Ct)));
        Assert.Empty(await store.GoalsAsync(new AnalyticsFilter(new Domain.Identity.ReadScope("team-b", "mgr-b"), OwnerId: "rep-a1"), new Period(Day(-1), Day(60)), Ct));

        // The same key set again, in a later batch: the new target replaces the old.
        var events = InsightSeed();
        events.Event(EntityType.Team, "team-a", "team-a", "", e => e.GoalSet = new GoalSet { Goal = new Goal
        {
            TeamId = "team-a", OwnerId = "rep-a1", Metric = GoalMetric.NewCustomers, PeriodKind = GoalPeriodKind.Week, PeriodStart = "2026-03-02", Target = "9",
            Period = new AnalyticsPeriod { From = Timestamp.FromDateTimeOffset(Day(0)), To = Timestamp.FromDateTimeOffset(Day(7)) },
        } });
        store = await CreateStoreAsync();
        await store.ApplyAsync(events.All[..^1], events.All[^2].Position, Ct);
        await store.ApplyAsync(events.All[^1..], events.All[^1].Position, Ct);
        Assert.Equal(["team-a/rep-a1/NewCustomers/9"], Keys(await store.GoalsAsync(new AnalyticsFilter(RepA1), new Period(Day(-1), Day(60)), Ct)));
    }

    [Fact]
    public async Task Rebuilding_gives_back_the_same_goals_anomalies_and_forecast_history()
    {
        var store = await InsightStoreAsync();
        async Task<string> Everything()
        {
            var anomalies = (await store.AnomaliesAsync(new AnomalyQuery(new AnalyticsFilter(All), null, null, 100, null), Ct)).Items;
            var weeks = ForecastHistoryFigures.Ordered(await store.ForecastHistoryAsync(new AnalyticsFilter(All), new Period(Day(-1), Day(7)), Ct));
            var goals = (await store.GoalsAsync(new AnalyticsFilter(All), new Period(Day(-1), Day(60)), Ct)).OrderBy(g => g.TeamId, StringComparer.Ordinal);
            return string.Join('\n', anomalies.Select(a => a.ToString()).Concat(weeks.Select(w => w.ToString())).Concat(goals.Select(g => g.ToString())));
        }
        var live = await Everything();

        await store.RebuildAsync(Ct);

        Assert.Equal(live, await Everything());
        Assert.Equal(3, live.Split('\n').Count(l => l.Contains("anomalyId", StringComparison.Ordinal)));
    }
}

// Orders: the latest order each order event carried, filtered by scope, status and overdue-ness, newest first.
public abstract partial class ReadModelStoreContractTests
{
    private static Order OrderDoc(string id, string team, string owner, double createdDay, OrderStatus status, params (double DueDay, string Amount, string Paid)[] plan)
    {
        var order = new Order
        {
            OrderId = id, CustomerId = "c-" + id, TeamId = team, OwnerId = owner, Currency = "EUR", Status = status, Version = 1,
            CreatedAt = Timestamp.FromDateTimeOffset(Day(createdDay)), Total = "100.00",
        };
        var n = 1;
        foreach (var (due, amount, paid) in plan)
        {
            order.Instalments.Add(new Instalment { Number = n++, DueAt = Timestamp.FromDateTimeOffset(Day(due)), Amount = amount, Paid = paid });
        }
        return order;
    }

    [Fact]
    public async Task Orders_list_newest_first_within_scope_and_overdue_as_of_a_time()
    {
        var store = await CreateStoreAsync();
        var b = new EventBuilder(T0);
        b.Team("team-a", "Team A", "EMEA", "mgr-a", "rep-a1", "rep-a2");
        b.Team("team-b", "Team B", "APAC", "mgr-b", "rep-b1");
        void Put(Order order, Action<DomainEvent, Order> change) =>
            b.Event(EntityType.Order, order.OrderId, order.TeamId, order.OwnerId, e => change(e, order));
        Put(OrderDoc("o1", "team-a", "rep-a1", 1, OrderStatus.Open, (5, "50.00", "50.00"), (10, "50.00", "0.00")), (e, o) => e.OrderCreated = new OrderCreated { Order = o });
        Put(OrderDoc("o2", "team-a", "rep-a2", 2, OrderStatus.Open, (3, "100.00", "40.00")), (e, o) => e.OrderCreated = new OrderCreated { Order = o });
        Put(OrderDoc("o3", "team-b", "rep-b1", 3, OrderStatus.Open, (4, "100.00", "0.00")), (e, o) => e.OrderCreated = new OrderCreated { Order = o });
        Put(OrderDoc("o4", "team-a", "rep-a1", 4, OrderStatus.Cancelled, (4, "100.00", "0.00")), (e, o) => e.OrderCancelled = new OrderCancelled { Order = o });
        // o2 is paid in full later: its latest event replaces the row.
        Put(OrderDoc("o2", "team-a", "rep-a2", 2, OrderStatus.Paid, (3, "100.00", "100.00")), (e, o) => e.OrderPaymentRecorded = new OrderPaymentRecorded { Order = o, Payment = new Payment() });
        await store.ApplyAsync(b.All, b.All[^1].Position, Ct);

        async Task<string[]> Ids(OrderQuery query) => [.. (await store.ListOrdersAsync(query, Ct)).Items.Select(o => $"{o.OrderId}:{o.Status}")];

        Assert.Equal(["o4:Cancelled", "o3:Open", "o2:Paid", "o1:Open"], await Ids(new OrderQuery(All, 10)));
        Assert.Equal(["o4:Cancelled", "o2:Paid", "o1:Open"], await Ids(new OrderQuery(ManagerA, 10)));
        Assert.Equal(["o4:Cancelled", "o1:Open"], await Ids(new OrderQuery(RepA1, 10)));
        Assert.Equal(["o3:Open"], await Ids(new OrderQuery(All, 10, TeamId: "team-b")));
        Assert.Equal(["o1:Open"], await Ids(new OrderQuery(All, 10, CustomerId: "c-o1")));
        Assert.Equal(["o2:Paid"], await Ids(new OrderQuery(All, 10, Status: OrderStatus.Paid)));
        // Overdue: an open order with an instalment due and not fully paid. o1's first is paid, its second due on day 10.
        Assert.Equal(["o3:Open"], await Ids(new OrderQuery(All, 10, OverdueAt: Day(9))));
        Assert.Equal(["o3:Open", "o1:Open"], await Ids(new OrderQuery(All, 10, OverdueAt: Day(10))));
        Assert.Empty(await Ids(new OrderQuery(All, 10, OverdueAt: Day(3.9))));

        var walked = new List<string>();
        string? token = null;
        do
        {
            var page = await store.ListOrdersAsync(new OrderQuery(All, 3, token), Ct);
            walked.AddRange(page.Items.Select(o => o.OrderId));
            token = page.NextPageToken;
        }
        while (token is not null);
        Assert.Equal(["o4", "o3", "o2", "o1"], walked);

        var asOf = OrderFacts.AsOf((await store.ListOrdersAsync(new OrderQuery(All, 10, CustomerId: "c-o1"), Ct)).Items[0], Day(11));
        Assert.Equal(("50.00", false, true), (asOf.OverdueAmount, asOf.Instalments[0].Overdue, asOf.Instalments[1].Overdue));
    }
}
