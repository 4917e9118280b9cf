using ActorSales.Domain.Common;
using ActorSales.Domain.Errors;
using ActorSales.Domain.Goals;
using ActorSales.Domain.People;

namespace ActorSales.Domain.UnitTests;

public sealed class GoalAggregateTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 10, 12, 0, 0, TimeSpan.Zero);

    private static TestTeamState Team()
    {
        var state = new TestTeamState();
        new TeamAggregate("north", state).Create(new TeamProfile("North", "EMEA", "Europe/Berlin"), Now);
        state.Members.Add("alice");
        return state;
    }

    private static GoalTarget Target(string owner, GoalMetric metric, string target, string? currency = null, GoalPeriodKind kind = GoalPeriodKind.Month, string start = "2026-03-01") =>
        GoalRules.Validate(owner, metric, kind, start, target, currency);

    [Fact]
    public void Setting_a_goal_fixes_the_month_in_the_team_time_zone_and_raises_goal_set()
    {
        var state = Team();
        var aggregate = new TeamAggregate("north", state);

        var goal = aggregate.SetGoal(Target("alice", GoalMetric.NewCustomers, "20"), "mia", Now);

        // Berlin: March starts at UTC+1, April at UTC+2 (summer time from 29 March).
        Assert.Equal(new DateTimeOffset(2026, 2, 28, 23, 0, 0, TimeSpan.Zero), goal.From);
        Assert.Equal(new DateTimeOffset(2026, 3, 31, 22, 0, 0, TimeSpan.Zero), goal.To);
        Assert.Equal(20m, goal.Target);
        Assert.Equal([new Raised<TeamEvent>(2, new TeamEvent.GoalSet(goal))], aggregate.Events);
        Assert.Same(goal, state.Goals[goal.Key.Text]);
    }

    [Fact]
    public void The_same_target_again_changes_nothing_and_another_replaces_it()
    {
        var state = Team();
        new TeamAggregate("north", state).SetGoal(Target("", GoalMetric.WonAmount, "1000.50", "EUR"), "mia", Now);

        var same = new TeamAggregate("north", state);
        same.SetGoal(Target("", GoalMetric.WonAmount, "1000.5", "EUR"), "mia", Now);
        Assert.False(same.Changed);

        var other = new TeamAggregate("north", state);
        var replaced = other.SetGoal(Target("", GoalMetric.WonAmount, "2000", "EUR"), "mia", Now);
        Assert.Single(other.Events);
        Assert.Equal(2000m, replaced.Target);
        Assert.Single(state.Goals);
    }

    [Fact]
    public void A_goal_for_someone_outside_the_team_is_refused_before_any_change()
    {
        var state = Team();
        var aggregate = new TeamAggregate("north", state);

        var error = Assert.Throws<PreconditionFailedException>(() => aggregate.SetGoal(Target("bob", GoalMetric.NewCustomers, "5"), "mia", Now));

        Assert.Contains("owner_id", error.Message);
        Assert.Empty(state.Goals);
        Assert.False(aggregate.Changed);
    }

    [Theory]
    [InlineData(GoalMetric.Unspecified, GoalPeriodKind.Month, "2026-03-01", "5", null, "metric")]
    [InlineData((GoalMetric)99, GoalPeriodKind.Month, "2026-03-01", "5", null, "metric")]
    [InlineData(GoalMetric.NewCustomers, (GoalPeriodKind)7, "2026-03-01", "5", null, "period_kind")]
    [InlineData(GoalMetric.NewCustomers, GoalPeriodKind.Month, "2026-03-02", "5", null, "period_start")]
    [InlineData(GoalMetric.NewCustomers, GoalPeriodKind.Week, "2026-03-01", "5", null, "period_start")]
    [InlineData(GoalMetric.NewCustomers, GoalPeriodKind.Month, "1999-12-01", "5", null, "period_start")]
    [InlineData(GoalMetric.NewCustomers, GoalPeriodKind.Month, "2026-3-1", "5", null, "period_start")]
    [InlineData(GoalMetric.NewCustomers, GoalPeriodKind.Month, "2026-03-01", "0", null, "target")]
    [InlineData(GoalMetric.NewCustomers, GoalPeriodKind.Month, "2026-03-01", "2.5", null, "target")]
    [InlineData(GoalMetric.NewCustomers, GoalPeriodKind.Month, "2026-03-01", "-3", null, "target")]
    [InlineData(GoalMetric.WonAmount, GoalPeriodKind.Month, "2026-03-01", "1000000000000.01", "EUR", "target")]
    [InlineData(GoalMetric.WonAmount, GoalPeriodKind.Month, "2026-03-01", "10.001", "EUR", "target")]
    [InlineData(GoalMetric.WonAmount, GoalPeriodKind.Month, "2026-03-01", "10", "", "currency")]
    [InlineData(GoalMetric.WonAmount, GoalPeriodKind.Month, "2026-03-01", "10", "eur", "currency")]
    [InlineData(GoalMetric.NewCustomers, GoalPeriodKind.Month, "2026-03-01", "10", "EUR", "currency")]
    public void Invalid_goals_are_refused_naming_the_field(GoalMetric metric, GoalPeriodKind kind, string start, string target, string? currency, string field)
    {
        var error = Assert.Throws<ValidationException>(() => GoalRules.Validate("", metric, kind, start, target, currency));
        Assert.Equal(field, error.Field);
    }

    [Fact]
    public void Collected_amount_is_an_amount_in_a_currency()
    {
        var goal = GoalRules.Validate("", GoalMetric.CollectedAmount, GoalPeriodKind.Month, "2026-03-01", "1000.50", "EUR");
        Assert.Equal((1000.50m, "EUR"), (goal.Target, goal.Currency));
        Assert.Equal("currency", Assert.Throws<ValidationException>(() => GoalRules.Validate("", GoalMetric.CollectedAmount, GoalPeriodKind.Month, "2026-03-01", "10", "")).Field);
        Assert.Equal("target", Assert.Throws<ValidationException>(() => GoalRules.Validate("", GoalMetric.CollectedAmount, GoalPeriodKind.Month, "2026-03-01", "10.001", "EUR")).Field);
    }

    [Fact]
    public void A_week_runs_monday_to_monday_in_the_time_zone()
    {
        var key = new GoalKey("", GoalMetric.EffectiveVisits, GoalPeriodKind.Week, new DateOnly(2026, 3, 2));
        var (from, to) = GoalRules.Period(key, TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai"));
        Assert.Equal(new DateTimeOffset(2026, 3, 1, 16, 0, 0, TimeSpan.Zero), from);
        Assert.Equal(new DateTimeOffset(2026, 3, 8, 16, 0, 0, TimeSpan.Zero), to);
    }

    [Fact]
    public void Progress_measures_against_a_linear_pace()
    {
        // 10 days of 40 elapsed: pace = 20 x 0.25 = 5; actual 4 -> deviation -1, -20 %, attainment 20 %.
        var from = new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
        var goal = new Goal(new GoalKey("", GoalMetric.NewCustomers, GoalPeriodKind.Month, new DateOnly(2026, 3, 1)), from, from.AddDays(40), 20m, "", "mia", from);

        var p = GoalRules.Progress(goal, 4m, from.AddDays(10));

        Assert.Equal(new GoalProgress(4m, 0.25m, 5m, -1m, -20m, 20m), p);
        Assert.Equal(0m, GoalRules.Progress(goal, 3m, from.AddDays(-1)).DeviationPercent); // before the period: no pace
        Assert.Equal(1m, GoalRules.Progress(goal, 3m, from.AddDays(99)).ElapsedShare);     // after: the whole target
        // 1/3 elapsed of 10: pace 3.333.. -> 3.33; actual 3 -> deviation -0.33, -10 %.
        var third = GoalRules.Progress(goal with { Target = 10m, To = from.AddDays(30) }, 3m, from.AddDays(10));
        Assert.Equal(new GoalProgress(3m, 0.3333m, 3.33m, -0.33m, -10m, 30m), third);
    }
}
