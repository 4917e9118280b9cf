using ActorSales.Domain.Deadlines;
using ActorSales.Domain.Identity;
using ActorSales.Domain.Pipeline;
using ActorSales.Grains.Abstractions.Notifications;
using ActorSales.Grains.Abstractions.Opportunities;
using ActorSales.Grains.Abstractions.People;
using ActorSales.Grains.Deadlines;

namespace ActorSales.Grains.Tests;

/// <summary>
/// Stage-stall deadlines on fake time. The fixture's B2B pipeline warns after 7 days in NeedsConfirmed and passes
/// the limit after 15.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class StageStallTests(ClusterFixture fixture)
{
    private Task<IReadOnlyList<Notification>> StallNotices(Caller user) => fixture.NoticesAsync(user, "stage_stall");

    private static Task<OpportunityView> LevelIs(IOpportunityGrain deal, Caller owner, StallLevel level) => ClusterFixture.StallLevelIsAsync(deal, owner, level);

    [Fact]
    public async Task Yellow_fires_at_the_warning_age_not_before_and_only_once()
    {
        var team = await fixture.CreateTeamAsync();
        var deal = await fixture.OpenDealAsync(team, team.Rep);

        fixture.Clock.Advance(TimeSpan.FromDays(7) - TimeSpan.FromSeconds(1));
        var before = await deal.Get(team.Rep);
        fixture.Clock.Advance(TimeSpan.FromSeconds(1));
        var at = await LevelIs(deal, team.Rep, StallLevel.Yellow);
        var notices = await ClusterFixture.EventuallyAsync(() => StallNotices(team.Rep), n => n.Count > 0);
        fixture.Clock.Advance(TimeSpan.FromDays(1));
        var later = await deal.Get(team.Rep);

        Assert.Equal(StallLevel.None, before.StallLevel);
        Assert.Equal(StallLevel.Yellow, at.StallLevel);
        var notice = Assert.Single(notices);
        Assert.Equal((NotificationSeverity.Warning, deal.GetPrimaryKeyString()), (notice.Severity, notice.EntityId));
        Assert.Equal(StallLevel.Yellow, later.StallLevel);
        Assert.Single(await StallNotices(team.Rep));
        Assert.Empty(await StallNotices(team.Manager)); // yellow is for the owner
    }

    [Fact]
    public async Task Red_tells_owner_and_manager_and_puts_the_deal_on_the_managers_stalled_list()
    {
        var team = await fixture.CreateTeamAsync();
        var deal = await fixture.OpenDealAsync(team, team.Rep);

        fixture.Clock.Advance(TimeSpan.FromDays(7));
        await LevelIs(deal, team.Rep, StallLevel.Yellow);
        fixture.Clock.Advance(TimeSpan.FromDays(8));
        await LevelIs(deal, team.Rep, StallLevel.Red);
        var managerNotices = await ClusterFixture.EventuallyAsync(() => StallNotices(team.Manager), n => n.Count > 0);
        var stalled = await ClusterFixture.EventuallyAsync(
            () => fixture.Grains.GetGrain<ITeamGrain>(team.TeamId).ListStalled(team.Manager), l => l.Any(o => o.StallLevel == StallLevel.Red));

        Assert.Equal(NotificationSeverity.Critical, Assert.Single(managerNotices).Severity);
        Assert.Equal(2, (await StallNotices(team.Rep)).Count); // yellow, then red
        Assert.Equal(deal.GetPrimaryKeyString(), Assert.Single(stalled).Id);
    }

    [Fact]
    public async Task A_stage_change_clears_the_stall_and_restarts_the_clock_but_an_unrelated_edit_does_not()
    {
        var team = await fixture.CreateTeamAsync();
        var deal = await fixture.OpenDealAsync(team, team.Rep);
        fixture.Clock.Advance(TimeSpan.FromDays(7));
        await LevelIs(deal, team.Rep, StallLevel.Yellow);

        var edited = await deal.UpdateTerms(new TermsChanges("Renamed deal", null, null), 0, team.Rep);
        await deal.AddEvidence("meeting_minutes", "DOC-1", "", team.Rep);
        var moved = await deal.ChangeStage("ProposalSubmitted", "", 0, team.Rep);
        var teamList = await ClusterFixture.EventuallyAsync(
            () => fixture.Grains.GetGrain<ITeamGrain>(team.TeamId).ListStalled(team.Manager), l => l.Count == 0);
        fixture.Clock.Advance(TimeSpan.FromDays(7) - TimeSpan.FromSeconds(1));
        var beforeNewWarning = await deal.Get(team.Rep);
        fixture.Clock.Advance(TimeSpan.FromSeconds(1));
        await LevelIs(deal, team.Rep, StallLevel.Yellow);

        Assert.Equal(StallLevel.Yellow, edited.StallLevel);
        Assert.Equal(StallLevel.None, moved.StallLevel);
        Assert.Empty(teamList);
        Assert.Equal(StallLevel.None, beforeNewWarning.StallLevel);
    }

    [Fact]
    public async Task A_planned_next_action_holds_yellow_off_until_its_due_date()
    {
        var team = await fixture.CreateTeamAsync();
        var deal = await fixture.OpenDealAsync(team, team.Rep);
        await deal.SetNextAction("demo at the hospital", fixture.Clock.GetUtcNow().AddDays(10), team.Rep);

        fixture.Clock.Advance(TimeSpan.FromDays(9));
        var held = await deal.Get(team.Rep);
        fixture.Clock.Advance(TimeSpan.FromDays(1));
        var due = await LevelIs(deal, team.Rep, StallLevel.Yellow);

        Assert.Equal(StallLevel.None, held.StallLevel);
        Assert.Equal(StallLevel.Yellow, due.StallLevel);
    }

    [Fact]
    public async Task A_reminder_after_the_timer_fired_acts_no_second_time()
    {
        var team = await fixture.CreateTeamAsync();
        var deal = await fixture.OpenDealAsync(team, team.Rep);
        fixture.Clock.Advance(TimeSpan.FromDays(7));
        await LevelIs(deal, team.Rep, StallLevel.Yellow);
        var versionAfterFiring = (await ClusterFixture.EventuallyAsync(() => StallNotices(team.Rep), n => n.Count == 1)).Count;

        var remindable = deal.AsReference<IRemindable>();
        await remindable.ReceiveReminder(DeadlineScheduler.ReminderName, default, TestContext.Current.CancellationToken);
        await remindable.ReceiveReminder(DeadlineScheduler.ReminderName, default, TestContext.Current.CancellationToken);

        Assert.Equal(1, versionAfterFiring);
        Assert.Single(await StallNotices(team.Rep));
        Assert.Equal(StallLevel.Yellow, (await deal.Get(team.Rep)).StallLevel);
    }

    [Fact]
    public async Task A_closed_deal_stops_its_deadlines()
    {
        var team = await fixture.CreateTeamAsync();
        var deal = await fixture.OpenDealAsync(team, team.Rep);
        await deal.Lose("timing", "", 0, team.Rep);

        fixture.Clock.Advance(TimeSpan.FromDays(20));
        var view = await deal.Get(team.Rep);

        Assert.Equal(StallLevel.None, view.StallLevel);
        Assert.Empty(await StallNotices(team.Rep));
    }

    [Fact]
    public async Task A_deadline_that_fell_due_while_the_grain_was_deactivated_fires_when_it_wakes()
    {
        var team = await fixture.CreateTeamAsync();
        var deal = await fixture.OpenDealAsync(team, team.Rep);
        await deal.Cast<Orleans.Core.Internal.IGrainManagementExtension>().DeactivateOnIdle(TestContext.Current.CancellationToken);

        fixture.Clock.Advance(TimeSpan.FromDays(8)); // no activation, so no timer: only the durable state knows
        var remindable = deal.AsReference<IRemindable>();
        await remindable.ReceiveReminder(DeadlineScheduler.ReminderName, default, TestContext.Current.CancellationToken);
        var woken = await LevelIs(deal, team.Rep, StallLevel.Yellow);

        Assert.Equal(StallLevel.Yellow, woken.StallLevel);
        Assert.Single(await ClusterFixture.EventuallyAsync(() => StallNotices(team.Rep), n => n.Count > 0));
    }
}
