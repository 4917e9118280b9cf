using ActorSales.Domain.Deadlines;
using ActorSales.Domain.Pipeline;

namespace ActorSales.Domain.UnitTests;

public sealed class StallRulesTests
{
    private static readonly DateTimeOffset Entered = new(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);
    private static readonly StageDefinition Proposal = new("ProposalSubmitted", "Proposal", [], [], TimeSpan.FromDays(7), TimeSpan.FromDays(15));

    [Fact]
    public void Yellow_falls_due_at_the_warning_age_and_red_at_the_limit_age() =>
        Assert.Equal([new Deadline(StallRules.Yellow, Entered.AddDays(7)), new Deadline(StallRules.Red, Entered.AddDays(15))],
            StallRules.DeadlinesFor(Proposal, Entered, null));

    [Fact]
    public void A_planned_next_action_holds_yellow_off_until_its_due_date_but_never_red()
    {
        Assert.Equal(Entered.AddDays(10), StallRules.DeadlinesFor(Proposal, Entered, Entered.AddDays(10))[0].DueAt);
        Assert.Equal([new Deadline(StallRules.Red, Entered.AddDays(15))], StallRules.DeadlinesFor(Proposal, Entered, Entered.AddDays(20)));
        Assert.Equal(Entered.AddDays(7), StallRules.DeadlinesFor(Proposal, Entered, Entered.AddDays(1))[0].DueAt);
    }

    [Fact]
    public void A_stage_without_ages_never_stalls() =>
        Assert.Empty(StallRules.DeadlinesFor(Proposal with { WarningAge = null, LimitAge = null }, Entered, null));

    [Theory]
    [InlineData(6.9, StallLevel.None)]
    [InlineData(7, StallLevel.Yellow)]
    [InlineData(14.9, StallLevel.Yellow)]
    [InlineData(15, StallLevel.Red)]
    public void The_level_follows_the_age_in_the_stage(double days, StallLevel expected) =>
        Assert.Equal(expected, StallRules.LevelAt(Proposal, Entered, null, Entered.AddDays(days)));

    [Fact]
    public void Firings_of_the_same_rule_and_due_time_share_one_key() =>
        Assert.Equal(new Deadline(StallRules.Red, Entered).FiringKey("opp_1"), new Deadline(StallRules.Red, Entered).FiringKey("opp_1"));
}
