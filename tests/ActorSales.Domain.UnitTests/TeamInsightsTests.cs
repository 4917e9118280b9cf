using ActorSales.Domain.Deadlines;
using ActorSales.Domain.Goals;
using ActorSales.Domain.Insights;
using ActorSales.Domain.People;
using ActorSales.Domain.Pipeline;

namespace ActorSales.Domain.UnitTests;

/// <summary>The team's time rules: which day and week are due, daily targets, streaks, firings once, snapshots.</summary>
public sealed class TeamInsightsTests
{
    // Monday 2 March 2026, 10:00 Berlin.
    private static readonly DateTimeOffset Created = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
    private static readonly WorkingCalendar Calendar = new(Berlin, new HashSet<DateOnly> { new(2026, 3, 4) }); // a holiday on Wednesday
    private static readonly InsightsOptions Options = new();
    private static readonly AnomalyRuleOptions NewCustomers = InsightsOptions.DefaultRules[0];
    private static readonly AnomalyRuleOptions Stalled = InsightsOptions.DefaultRules[2];

    private static (TestTeamState State, TeamAggregate Aggregate) Team()
    {
        var state = new TestTeamState();
        new TeamAggregate("north", state).Create(new TeamProfile("North", "EMEA", "Europe/Berlin"), Created);
        state.Members.Add("alice");
        state.Members.Add("mia");
        state.ManagerId = "mia";
        return (state, new TeamAggregate("north", state));
    }

    private static DateTimeOffset Berlin0(int month, int day) => InsightRules.StartOf(new DateOnly(2026, month, day), Berlin);

    [Fact]
    public void The_day_deadline_is_the_end_of_the_next_working_day_and_the_snapshot_the_next_monday()
    {
        var (state, aggregate) = Team();

        var wanted = aggregate.WantedInsightDeadlines(Options, Calendar);

        // Monday's end is Tuesday 00:00 Berlin (UTC+1), plus the evaluation delay; the first snapshot is next Monday.
        Assert.Equal(
            [new Deadline(InsightRules.DayRule, Berlin0(3, 3) + Options.EvaluationDelay), new Deadline(InsightRules.SnapshotRule, Berlin0(3, 9) + Options.EvaluationDelay)],
            wanted);
        state.Insights.EvaluatedThrough = new DateOnly(2026, 3, 3);
        Assert.Equal(Berlin0(3, 6), aggregate.WantedInsightDeadlines(Options, Calendar)[0].DueAt - Options.EvaluationDelay); // Wednesday is a holiday: Thursday's end
        state.Insights.EvaluatedThrough = new DateOnly(2026, 3, 6);
        Assert.Equal(Berlin0(3, 10), aggregate.WantedInsightDeadlines(Options, Calendar)[0].DueAt - Options.EvaluationDelay); // over the weekend to Monday's end
        state.Insights.DeferredUntil = Berlin0(3, 20);
        Assert.All(aggregate.WantedInsightDeadlines(Options, Calendar), d => Assert.Equal(Berlin0(3, 20), d.DueAt));
        Assert.Empty(aggregate.WantedInsightDeadlines(new InsightsOptions { Enabled = false }, Calendar));
    }

    [Fact]
    public void A_daily_target_is_the_goal_over_the_working_days_of_its_period_and_the_week_wins()
    {
        var (state, aggregate) = Team();
        var month = aggregate.SetGoal(GoalRules.Validate("alice", GoalMetric.NewCustomers, GoalPeriodKind.Month, "2026-03-01", "42", null), "mia", Created);
        var goals = new List<Goal> { month };

        // March 2026 has 22 weekdays, one of them the holiday: 42 / 21.
        Assert.Equal(2m, InsightRules.DailyTarget(goals, "alice", GoalMetric.NewCustomers, new DateOnly(2026, 3, 5), Calendar, null, isManager: false));
        var week = aggregate.SetGoal(GoalRules.Validate("alice", GoalMetric.NewCustomers, GoalPeriodKind.Week, "2026-03-02", "8", null), "mia", Created);
        goals.Add(week);
        Assert.Equal(2m, InsightRules.DailyTarget(goals, "alice", GoalMetric.NewCustomers, new DateOnly(2026, 3, 5), Calendar, null, false)); // 8 / 4 working days
        Assert.Equal(0.5m, InsightRules.DailyTarget([], "alice", GoalMetric.NewCustomers, new DateOnly(2026, 3, 5), Calendar, 0.5m, false));
        Assert.Null(InsightRules.DailyTarget([], "mia", GoalMetric.NewCustomers, new DateOnly(2026, 3, 5), Calendar, 0.5m, isManager: true));
        Assert.Null(InsightRules.DailyTarget(goals, "alice", GoalMetric.EffectiveVisits, new DateOnly(2026, 3, 5), Calendar, null, false));
        Assert.Equal(2, state.Goals.Count);
    }

    [Fact]
    public void A_rep_below_target_fires_once_on_the_rule_s_day_stays_active_and_clears_when_met()
    {
        var (state, aggregate) = Team();
        var now = Berlin0(3, 3);

        aggregate.EvaluateDay(new DateOnly(2026, 3, 2), [new RepDay(NewCustomers, "alice", 1, 2)], [], now);
        Assert.Empty(aggregate.Events);
        Assert.Equal(1, state.Insights.Streaks["rep-new-customers|alice"]);

        aggregate.EvaluateDay(new DateOnly(2026, 3, 3), [new RepDay(NewCustomers, "alice", 0, 2)], [], now.AddDays(1));
        var detected = Assert.IsType<TeamEvent.AnomalyDetected>(Assert.Single(aggregate.Events).Event).Anomaly;
        Assert.Equal(("rep-new-customers:alice:2026-03-03", "alice", 0m, 2m, 2), (detected.Id, detected.OwnerId, detected.Actual, detected.Threshold, detected.ConsecutiveDays));
        Assert.Equal("alice: 0.00 new customers on 2026-03-03, below the daily target of 2.00 for 2 working days in a row", detected.Message);
        var notice = Assert.IsType<TeamFollowUp.Notify>(Assert.Single(aggregate.FollowUps));
        Assert.Equal(("mia", "anomaly:north:rep-new-customers:alice:2026-03-03", "anomaly"), (notice.RecipientId, notice.Notification.Id, notice.Notification.Kind));

        var again = new TeamAggregate("north", state);
        again.EvaluateDay(new DateOnly(2026, 3, 5), [new RepDay(NewCustomers, "alice", 1, 2)], [], now.AddDays(3));
        Assert.Empty(again.Events); // still below: the same anomaly holds, nothing fires twice
        Assert.Equal(3, state.Insights.Streaks["rep-new-customers|alice"]);

        var met = new TeamAggregate("north", state);
        met.EvaluateDay(new DateOnly(2026, 3, 6), [new RepDay(NewCustomers, "alice", 2, 2)], [], now.AddDays(4));
        var cleared = Assert.IsType<TeamEvent.AnomalyCleared>(Assert.Single(met.Events).Event).Anomaly;
        Assert.Equal((detected.Id, now.AddDays(4)), (cleared.Id, cleared.ClearedAt));
        Assert.Empty(state.Insights.Active);
        Assert.Empty(state.Insights.Streaks);
        Assert.Equal(new DateOnly(2026, 3, 6), state.Insights.EvaluatedThrough);
    }

    [Fact]
    public void A_rep_no_longer_watched_has_their_anomaly_cleared_and_streak_dropped()
    {
        var (state, aggregate) = Team();
        aggregate.EvaluateDay(new DateOnly(2026, 3, 2), [new RepDay(NewCustomers, "alice", 0, 1)], [], Created);
        aggregate.EvaluateDay(new DateOnly(2026, 3, 3), [new RepDay(NewCustomers, "alice", 0, 1)], [], Created);
        Assert.Single(state.Insights.Active);

        var left = new TeamAggregate("north", state);
        left.EvaluateDay(new DateOnly(2026, 3, 5), [], [], Created.AddDays(3)); // alice left the team (or the rule was removed)

        Assert.IsType<TeamEvent.AnomalyCleared>(Assert.Single(left.Events).Event);
        Assert.Empty(state.Insights.Streaks);
    }

    [Fact]
    public void The_stalled_share_fires_above_its_percentage_with_enough_deals_and_clears_at_or_below()
    {
        var (state, aggregate) = Team();
        var today = new DateOnly(2026, 3, 2);

        aggregate.CheckStalledShare([(Stalled, new StalledShare(4, 4))], today, Created); // fewer than 5 open deals: no trend
        aggregate.CheckStalledShare([(Stalled, new StalledShare(10, 3))], today, Created); // exactly 30 %: not above
        Assert.Empty(aggregate.Events);

        aggregate.CheckStalledShare([(Stalled, new StalledShare(10, 4))], today, Created);
        var detected = Assert.IsType<TeamEvent.AnomalyDetected>(Assert.Single(aggregate.Events).Event).Anomaly;
        Assert.Equal("team north: 40.00% of open deals stalled red (4 of 10), above 30.00%", detected.Message);
        Assert.Equal(("team-stalled-share:team:2026-03-02", 40m, 30m), (detected.Id, detected.Actual, detected.Threshold));
        Assert.Null(state.Insights.StalledShareCheckAt);

        var still = new TeamAggregate("north", state);
        still.CheckStalledShare([(Stalled, new StalledShare(10, 5))], today, Created);
        Assert.Empty(still.Events);
        var down = new TeamAggregate("north", state);
        down.EvaluateDay(today, [], [(Stalled, new StalledShare(10, 3))], Created.AddHours(1));
        Assert.IsType<TeamEvent.AnomalyCleared>(Assert.Single(down.Events).Event);
    }

    [Fact]
    public void A_stalled_share_check_is_scheduled_once_until_it_runs()
    {
        var (state, aggregate) = Team();

        aggregate.ScheduleStalledShareCheck(Created.AddMinutes(1));
        aggregate.ScheduleStalledShareCheck(Created.AddMinutes(5));

        Assert.Equal(Created.AddMinutes(1), state.Insights.StalledShareCheckAt);
        Assert.Contains(new Deadline(InsightRules.StalledShareRule, Created.AddMinutes(1)), aggregate.WantedInsightDeadlines(Options, Calendar));
    }

    [Fact]
    public void A_snapshot_weights_each_owner_and_the_team_per_currency()
    {
        var (state, aggregate) = Team();
        var weights = new ForecastWeights();
        ForecastPart[] parts =
        [
            new("alice", "EUR", ForecastSignal.L2, 2, 1000m),
            new("alice", "EUR", ForecastSignal.None, 1, 500m),
            new("bob", "EUR", ForecastSignal.L4, 1, 200m),
            new("bob", "USD", ForecastSignal.L1, 1, 100m),
        ];

        aggregate.TakeSnapshot(new DateOnly(2026, 3, 9), Berlin, TimeSpan.FromDays(28), parts, weights, Berlin0(3, 9));

        var snapshot = Assert.IsType<TeamEvent.ForecastSnapshotTaken>(Assert.Single(aggregate.Events).Event).Snapshot;
        Assert.Equal((Berlin0(3, 9), Berlin0(3, 9) + TimeSpan.FromDays(28)), (snapshot.WindowFrom, snapshot.WindowTo));
        var w = (ForecastSignal s) => weights.Of(s);
        Assert.Equal(
            [
                new ForecastSnapshotRow("alice", "EUR", 1500m, (1000m * w(ForecastSignal.L2)) + (500m * w(ForecastSignal.None)), 3),
                new ForecastSnapshotRow("bob", "EUR", 200m, 200m * w(ForecastSignal.L4), 1),
                new ForecastSnapshotRow("bob", "USD", 100m, 100m * w(ForecastSignal.L1), 1),
                new ForecastSnapshotRow("", "EUR", 1700m, (1000m * w(ForecastSignal.L2)) + (500m * w(ForecastSignal.None)) + (200m * w(ForecastSignal.L4)), 4),
                new ForecastSnapshotRow("", "USD", 100m, 100m * w(ForecastSignal.L1), 1),
            ],
            snapshot.Rows);
        Assert.Equal(new DateOnly(2026, 3, 9), state.Insights.SnapshotWeek);
    }

    [Theory]
    [InlineData(400, 500, 75)]
    [InlineData(400, 300, 75)]
    [InlineData(400, 900, 0)]
    [InlineData(0, 0, 100)]
    [InlineData(0, 10, 0)]
    public void Accuracy_is_one_minus_the_relative_miss_never_below_zero(int forecast, int won, int expected) =>
        Assert.Equal(expected, ForecastSnapshot.Accuracy(forecast, won));

    [Fact]
    public void Rows_of_earlier_releases_start_today_and_an_outage_replays_at_most_two_weeks()
    {
        var (state, aggregate) = Team();
        var later = Created.AddDays(60);

        aggregate.StartInsightsNoEarlierThan(later, Calendar);

        var today = InsightRules.LocalDay(later, Berlin);
        Assert.Equal(today.AddDays(-1), state.Insights.EvaluatedThrough);
        Assert.Equal(InsightRules.WeekOf(today), state.Insights.SnapshotWeek);

        state.Insights.EvaluatedThrough = today.AddDays(-40);
        aggregate.StartInsightsNoEarlierThan(later, Calendar);
        Assert.Equal(today.AddDays(-TeamAggregate.MaxReplayDays), state.Insights.EvaluatedThrough);

        var (fresh, freshAggregate) = Team();
        freshAggregate.StartInsightsNoEarlierThan(Created.AddHours(3), Calendar);
        Assert.Null(fresh.Insights.EvaluatedThrough); // a new team starts from its first day
    }

    [Fact]
    public void Settings_are_checked_with_the_path_of_each_problem()
    {
        var options = new InsightsOptions
        {
            ForecastHorizon = TimeSpan.Zero,
            Rules =
            [
                new() { Key = "dup", Kind = AnomalyKind.RepBelowDailyTarget, Metric = GoalMetric.WonAmount, ConsecutiveDays = 0 },
                new() { Key = "dup", Kind = AnomalyKind.TeamStalledShare, Percent = 100, AtLeast = StallLevel.None },
                new() { Key = "bad key!", Kind = AnomalyKind.Unspecified },
            ],
        };

        Assert.Equal(
            [
                "ActorSales:Insights:ForecastHorizon: must be between 1 and 366 days",
                "ActorSales:Insights:Rules:0:Metric: NewCustomers, EffectiveVisits or OpportunitiesCreated",
                "ActorSales:Insights:Rules:0:ConsecutiveDays: 1 to 30",
                "ActorSales:Insights:Rules:1:Key: 'dup' is used twice",
                "ActorSales:Insights:Rules:1:Percent: 0 up to (not including) 100",
                "ActorSales:Insights:Rules:1:AtLeast: Yellow or Red",
                "ActorSales:Insights:Rules:2:Key: 1 to 40 letters, digits or '-'",
                "ActorSales:Insights:Rules:2:Kind: RepBelowDailyTarget or TeamStalledShare",
            ],
            options.Validate());
        Assert.Empty(new InsightsOptions().Validate());
    }
}
