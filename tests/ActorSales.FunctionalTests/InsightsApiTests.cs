using ActorSales.Contracts.V1;
using ActorSales.Testing;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.TestingHost;

namespace ActorSales.FunctionalTests;

/// <summary>
/// Anomalies and the weekly forecast history through gRPC on fake time, in a Berlin team from Monday 2 March 2026: the
/// team's deadlines evaluate each working day's end and each week's start from the read model; the manager is told; the
/// board shows goals and anomalies; every role sees only its own.
/// </summary>
public sealed class InsightsApiTests : IAsyncLifetime
{
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));
    private TestHost _host = null!;

    public async ValueTask InitializeAsync() => _host = await TestHost.StartAsync(
        builder =>
        {
            builder.Services.AddSingleton<TimeProvider>(_clock);
            builder.Services.UseTimeProviderForBackgroundAreas(TimeProvider.System);
        },
        "--ActorSales:Profile=Local", $"--ActorSales:ClusterId=insights-{Guid.NewGuid():N}");

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    private AnalyticsService.AnalyticsServiceClient Analytics => new(_host.Channel);

    private OpportunitiesService.OpportunitiesServiceClient Opportunities => new(_host.Channel);

    private static AnalyticsPeriod March => new()
    {
        From = Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero)),
        To = Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 4, 1, 0, 0, 0, TimeSpan.Zero)),
    };

    /// <summary>Local midnight starting the given March day in Berlin (UTC+1 in early March).</summary>
    private static DateTimeOffset BerlinMidnight(int day) => new(new DateTime(2026, 3, day, 0, 0, 0), Berlin.GetUtcOffset(new DateTime(2026, 3, day)));

    /// <summary>Registers a customer for the rep and waits until the read model shows it (the day's figures count it).</summary>
    private async Task CustomerAsync(ApiTeam team)
    {
        var created = await _host.Customers.CreateCustomerAsync(new CreateCustomerRequest
        {
            Name = "Clinic", Company = $"Clinic {Guid.NewGuid():N}", Tier = CustomerTier.B, SourceChannel = SourceChannel.Referral,
        }, team.Rep);
        await _host.Customers.ListCustomersAsync(new ListCustomersRequest { PageSize = 1, ConsistencyToken = created.ConsistencyToken }, team.Rep);
    }

    /// <summary>
    /// Moves the fake clock and waits (real time, bounded) until the read side shows what the team's deadlines did; each
    /// poll nudges the clock by a second, so a deadline armed at "now" by the previous firing fires too, and so does one
    /// deferred a minute because the read model had not caught up at its due time.
    /// </summary>
    private async Task<T> AfterAsync<T>(DateTimeOffset to, Func<Task<T>> read, Func<T, bool> until)
    {
        _clock.SetUtcNow(to);
        return await Polling.EventuallyAsync(async () =>
        {
            _clock.Advance(TimeSpan.FromSeconds(1));
            return await read();
        }, until, TimeSpan.FromSeconds(15));
    }

    [Fact]
    public async Task A_rep_below_target_two_working_days_running_is_an_anomaly_the_manager_is_told_of_and_that_clears()
    {
        var a = await _host.CreateTeamAsync();
        var b = await _host.CreateTeamAsync();
        // 10 new customers in the week of 5 working days: 2 a day.
        await Analytics.SetGoalAsync(new SetGoalRequest
        {
            TeamId = a.TeamId, OwnerId = a.RepId, Metric = GoalMetric.NewCustomers, PeriodKind = GoalPeriodKind.Week, PeriodStart = "2026-03-02", Target = "10",
        }, a.Manager);
        await CustomerAsync(a); // Monday: 1 of 2

        // Tuesday: none. Just after Wednesday 00:05 Berlin both days are evaluated, in order.
        var listed = await AfterAsync(BerlinMidnight(4).AddMinutes(6),
            async () => await Analytics.ListAnomaliesAsync(new ListAnomaliesRequest { Scope = new AnalyticsScope { TeamId = a.TeamId }, PageSize = 10 }, a.Manager),
            r => r.Anomalies.Count > 0);

        var anomaly = Assert.Single(listed.Anomalies);
        Assert.Equal(
            ($"rep-new-customers:{a.RepId}:2026-03-03", a.TeamId, a.RepId, AnomalyKind.RepBelowDailyTarget, GoalMetric.NewCustomers, "2026-03-03", AnomalyStatus.Active, "0.00", "2.00", 2),
            (anomaly.AnomalyId, anomaly.TeamId, anomaly.OwnerId, anomaly.Kind, anomaly.Metric, anomaly.Day, anomaly.Status, anomaly.Actual, anomaly.Threshold, anomaly.ConsecutiveDays));
        Assert.InRange(anomaly.DetectedAt.ToDateTimeOffset(), BerlinMidnight(4).AddMinutes(5), _clock.GetUtcNow()); // fired once due, as the clock jumped
        Assert.Equal($"{a.RepId}: 0.00 new customers on 2026-03-03, below the daily target of 2.00 for 2 working days in a row", anomaly.Message);

        var inbox = await Polling.EventuallyAsync(
            async () => await new NotificationsService.NotificationsServiceClient(_host.Channel).ListNotificationsAsync(new ListNotificationsRequest(), a.Manager),
            r => r.Notifications.Any(n => n.Kind == "anomaly"), TimeSpan.FromSeconds(10));
        var notice = Assert.Single(inbox.Notifications, n => n.Kind == "anomaly");
        Assert.Equal((anomaly.Message, "team", a.TeamId), (notice.Message, notice.EntityType, notice.EntityId));

        // Scope: the rep sees their own, the other rep and the other team nothing; naming team A is refused to B's manager.
        Assert.Single((await Analytics.ListAnomaliesAsync(new ListAnomaliesRequest { PageSize = 10 }, a.Rep)).Anomalies);
        Assert.Empty((await Analytics.ListAnomaliesAsync(new ListAnomaliesRequest { PageSize = 10 }, _host.As(a.OtherRepId, "rep"))).Anomalies);
        Assert.Empty((await Analytics.ListAnomaliesAsync(new ListAnomaliesRequest { PageSize = 10 }, b.Manager)).Anomalies);
        var denied = await Assert.ThrowsAsync<RpcException>(async () =>
            await Analytics.ListAnomaliesAsync(new ListAnomaliesRequest { Scope = new AnalyticsScope { TeamId = a.TeamId }, PageSize = 10 }, b.Manager));
        Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);

        // The board shows the active anomaly and the goal's progress (1 + 0 of 10 so far).
        using (var board = Analytics.WatchBoard(new WatchBoardRequest { Scope = new AnalyticsScope { TeamId = a.TeamId } }, a.Manager))
        {
            Assert.True(await board.ResponseStream.MoveNext(TestContext.Current.CancellationToken));
            var first = board.ResponseStream.Current;
            Assert.Equal(anomaly.AnomalyId, Assert.Single(first.Anomalies).AnomalyId);
            var goal = Assert.Single(first.Goals);
            Assert.Equal((a.RepId, "1"), (goal.Goal.OwnerId, goal.Actual));
        }

        // Wednesday: 2 new customers, the target met; Thursday 00:05 clears it.
        await CustomerAsync(a);
        await CustomerAsync(a);
        var cleared = await AfterAsync(BerlinMidnight(5).AddMinutes(6),
            async () => await Analytics.ListAnomaliesAsync(new ListAnomaliesRequest { Scope = new AnalyticsScope { TeamId = a.TeamId }, PageSize = 10 }, a.Manager),
            r => r.Anomalies.Count == 1 && r.Anomalies[0].Status == AnomalyStatus.Cleared);
        Assert.InRange(Assert.Single(cleared.Anomalies).ClearedAt.ToDateTimeOffset(), BerlinMidnight(5).AddMinutes(5), _clock.GetUtcNow());
        Assert.Empty((await Analytics.ListAnomaliesAsync(new ListAnomaliesRequest { Status = AnomalyStatus.Active, PageSize = 10 }, a.Manager)).Anomalies);
    }

    [Fact]
    public async Task The_weekly_snapshot_keeps_the_forecast_and_measures_it_against_what_was_won()
    {
        var a = await _host.CreateTeamAsync();
        var b = await _host.CreateTeamAsync();
        var customer = (await _host.Customers.CreateCustomerAsync(new CreateCustomerRequest
        {
            Name = "Clinic", Company = $"Clinic {Guid.NewGuid():N}", Tier = CustomerTier.B, SourceChannel = SourceChannel.Referral,
        }, a.Rep)).Customer.CustomerId;
        async Task<string> DealAsync(string amount, int closeInDays, bool demo)
        {
            var id = (await Opportunities.CreateOpportunityAsync(new CreateOpportunityRequest
            {
                CustomerId = customer, Title = "Deal", Value = new Money { Amount = amount, Currency = "EUR" },
                ExpectedCloseAt = Timestamp.FromDateTimeOffset(_clock.GetUtcNow().AddDays(closeInDays)),
            }, a.Rep)).Opportunity.OpportunityId;
            if (demo)
            {
                await Opportunities.AddEvidenceAsync(new AddEvidenceRequest { OpportunityId = id, Kind = "demo_acceptance", Reference = "DEMO-1" }, a.Rep);
                await Opportunities.SetSignalAsync(new SetSignalRequest { OpportunityId = id, Signal = ForecastSignal.L2 }, a.Rep);
            }
            return id;
        }
        await DealAsync("10000", 10, demo: true);             // in the window, L2: 3,000 weighted
        var small = await DealAsync("5000", 12, demo: true);  // in the window, L2: 1,500 weighted
        await DealAsync("20000", 60, demo: true);             // expected after the window: not in the snapshot
        await DealAsync("800", 5, demo: false);               // in the window, no signal: weight 0
        await Polling.EventuallyAsync(async () => await Opportunities.QueryOpportunitiesAsync(new QueryOpportunitiesRequest { PageSize = 10 }, a.Rep),
            r => r.Opportunities.Count == 4 && r.Opportunities.Count(o => o.Signal == ForecastSignal.L2) == 3, TimeSpan.FromSeconds(10));

        // Monday 9 March 00:05 Berlin: the week's snapshot.
        var request = new GetForecastHistoryRequest { Scope = new AnalyticsScope { TeamId = a.TeamId }, Period = March };
        var history = await AfterAsync(BerlinMidnight(9).AddMinutes(6),
            async () => await Analytics.GetForecastHistoryAsync(request, a.Manager), r => r.Weeks.Count == 2);

        var rows = history.Weeks.Select(w => (w.OwnerId, w.WeekStart, w.Currency, w.OpenAmount, w.WeightedAmount, w.OpportunityCount, w.WonAmount, w.AccuracyPercent, w.Final)).ToList();
        Assert.Equal(
        [
            ("", "2026-03-09", "EUR", "15800.00", "4500.00", 3L, "0.00", "0.00", false),
            (a.RepId, "2026-03-09", "EUR", "15800.00", "4500.00", 3L, "0.00", "0.00", false),
        ], rows);
        var week = history.Weeks[0];
        Assert.Equal((BerlinMidnight(9), BerlinMidnight(9).AddDays(28)), (week.Window.From.ToDateTimeOffset(), week.Window.To.ToDateTimeOffset()));
        Assert.InRange(week.TakenAt.ToDateTimeOffset(), BerlinMidnight(9).AddMinutes(5), _clock.GetUtcNow());

        // The smaller deal is won in the window: 5,000 against a forecast of 4,500.
        foreach (var (kind, next) in new[] { ("meeting_minutes", "ProposalSubmitted"), ("proposal_document", "PriceNegotiation"), ("quote", "ContractApproval") })
        {
            await Opportunities.AddEvidenceAsync(new AddEvidenceRequest { OpportunityId = small, Kind = kind, Reference = "DOC-" + kind }, a.Rep);
            await Opportunities.ChangeStageAsync(new ChangeStageRequest { OpportunityId = small, ToStage = next }, a.Rep);
        }
        await Opportunities.AddEvidenceAsync(new AddEvidenceRequest { OpportunityId = small, Kind = "signed_contract", Reference = "DOC-s" }, a.Rep);
        var won = await Opportunities.WinOpportunityAsync(new WinOpportunityRequest { OpportunityId = small, WinFactor = "product_fit" }, a.Rep);
        request.ConsistencyToken = won.ConsistencyToken;
        var after = await Analytics.GetForecastHistoryAsync(request, a.Manager);
        Assert.All(after.Weeks, w => Assert.Equal(("5000.00", 1L, "500.00", "88.89"), (w.WonAmount, w.WonCount, w.Deviation, w.AccuracyPercent)));

        // After the window the figures are final. The rep reads their own row; another team's manager nothing of A.
        _clock.SetUtcNow(BerlinMidnight(9).AddDays(29));
        Assert.All((await Analytics.GetForecastHistoryAsync(new GetForecastHistoryRequest { Scope = new AnalyticsScope { TeamId = a.TeamId }, Period = March }, a.Manager)).Weeks,
            w => Assert.True(w.Final));
        Assert.Equal([a.RepId], (await Analytics.GetForecastHistoryAsync(new GetForecastHistoryRequest { Period = March }, a.Rep)).Weeks.Select(w => w.OwnerId));
        Assert.Empty((await Analytics.GetForecastHistoryAsync(new GetForecastHistoryRequest { Period = March }, b.Manager)).Weeks);
        var denied = await Assert.ThrowsAsync<RpcException>(async () =>
            await Analytics.GetForecastHistoryAsync(new GetForecastHistoryRequest { Scope = new AnalyticsScope { OwnerId = a.RepId }, Period = March }, b.Manager));
        Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);
    }

    [Fact]
    public async Task Hostile_anomaly_and_history_queries_are_refused_naming_the_field()
    {
        var a = await _host.CreateTeamAsync();
        var cases = new (Func<Task>, string Field)[]
        {
            (async () => await Analytics.ListAnomaliesAsync(new ListAnomaliesRequest(), a.Manager), "page_size"),
            (async () => await Analytics.ListAnomaliesAsync(new ListAnomaliesRequest { PageSize = 501 }, a.Manager), "page_size"),
            (async () => await Analytics.ListAnomaliesAsync(new ListAnomaliesRequest { PageSize = 10, Status = (AnomalyStatus)77 }, a.Manager), "status"),
            (async () => await Analytics.ListAnomaliesAsync(new ListAnomaliesRequest { PageSize = 10, PageToken = new string('x', 100_000) }, a.Manager), "page_token"),
            (async () => await Analytics.ListAnomaliesAsync(new ListAnomaliesRequest { PageSize = 10, Period = new AnalyticsPeriod { From = March.To, To = March.From } }, a.Manager), "period"),
            (async () => await Analytics.ListAnomaliesAsync(new ListAnomaliesRequest { PageSize = 10, Scope = new AnalyticsScope { TeamId = new string('t', 100_000) } }, a.Manager), "scope"),
            (async () => await Analytics.GetForecastHistoryAsync(new GetForecastHistoryRequest(), a.Manager), "period"),
            (async () => await Analytics.GetForecastHistoryAsync(new GetForecastHistoryRequest
            {
                Period = new AnalyticsPeriod { From = Timestamp.FromDateTimeOffset(new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero)), To = March.To },
            }, a.Manager), "period"),
        };
        foreach (var (call, field) in cases)
        {
            var refused = await Assert.ThrowsAsync<RpcException>(call);
            Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
            Assert.StartsWith(field, refused.Status.Detail, StringComparison.Ordinal);
        }
    }
}
