using ActorSales.Domain.Deadlines;
using ActorSales.Domain.Identity;
using ActorSales.Domain.Pipeline;
using ActorSales.Grains.Abstractions;
using ActorSales.Grains.Abstractions.Customers;
using ActorSales.Grains.Abstractions.Notifications;
using ActorSales.Grains.Abstractions.Opportunities;
using ActorSales.Domain.Customers;

namespace ActorSales.Grains.Tests;

/// <summary>
/// Deadlines beyond Orleans' grain-timer limit (2^32-2 ms, about 49.7 days): a stage of 60 or 90 days, or a limit of 10
/// years an admin may define, fires once at its due time on fake time, and the change that armed it answers normally.
/// Its own cluster: jumping the clock by years would age every other test's records.
/// </summary>
public sealed class LongDeadlineTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    private static readonly PipelineDefinition Long = new($"long-{Guid.NewGuid():N}"[..13], 0, "Long stages",
    [
        new StageDefinition("Trial", "Clinical trial", [], [], TimeSpan.FromDays(60), TimeSpan.FromDays(90)),
        new StageDefinition("Framework", "Framework agreement", [], [], TimeSpan.FromDays(3650) - TimeSpan.FromDays(30), TimeSpan.FromDays(3650)),
    ], AllowSkipping: false);

    private async Task<(TestTeam Team, IOpportunityGrain Deal)> OpenLongDealAsync()
    {
        await fixture.Grains.GetGrain<IPipelineGrain>(Long.Key).Define(Long, ClusterFixture.Admin);
        var team = await fixture.CreateTeamAsync();
        var customer = await fixture.RegisterCustomerAsync(team, team.Rep.UserId, CustomerTier.C);
        var deal = fixture.Grains.GetGrain<IOpportunityGrain>(GrainKeys.NewOpportunityId());
        var now = fixture.Clock.GetUtcNow();
        await deal.Open(new OpportunityDraft(customer.GetPrimaryKeyString(), new OpportunityTerms("Trial deal", new Money(90_000m, "EUR"), now.AddDays(400)), Long.Key), team.Rep);
        return (team, deal);
    }

    private Task<IReadOnlyList<Notification>> StallNotices(Caller user) => fixture.NoticesAsync(user, "stage_stall");

    private static Task<OpportunityView> LevelIs(IOpportunityGrain deal, Caller owner, StallLevel level) => ClusterFixture.StallLevelIsAsync(deal, owner, level);

    [Fact]
    public async Task A_60_day_warning_and_a_90_day_limit_fire_once_each_at_their_due_time()
    {
        var (team, deal) = await OpenLongDealAsync();

        fixture.Clock.Advance(TimeSpan.FromDays(60) - TimeSpan.FromSeconds(1));
        var before60 = await deal.Get(team.Rep);
        fixture.Clock.Advance(TimeSpan.FromSeconds(1));
        var at60 = await LevelIs(deal, team.Rep, StallLevel.Yellow);
        fixture.Clock.Advance(TimeSpan.FromDays(30) - TimeSpan.FromSeconds(2));
        var before90 = await deal.Get(team.Rep);
        fixture.Clock.Advance(TimeSpan.FromSeconds(2));
        var at90 = await LevelIs(deal, team.Rep, StallLevel.Red);
        var notices = await ClusterFixture.EventuallyAsync(() => StallNotices(team.Rep), n => n.Count >= 2);
        fixture.Clock.Advance(TimeSpan.FromDays(200));
        var later = await deal.Get(team.Rep);

        Assert.Equal(StallLevel.None, before60.StallLevel);
        Assert.Equal(StallLevel.Yellow, at60.StallLevel);
        Assert.Equal(StallLevel.Yellow, before90.StallLevel);
        Assert.Equal(StallLevel.Red, at90.StallLevel);
        Assert.Equal(StallLevel.Red, later.StallLevel);
        Assert.Equal([NotificationSeverity.Warning, NotificationSeverity.Critical], (await StallNotices(team.Rep)).Select(n => n.Severity).Order());
        Assert.Equal(2, notices.Count);
    }

    [Fact]
    public async Task Entering_a_stage_with_a_ten_year_limit_answers_normally_and_the_limit_fires_once_after_ten_years()
    {
        var (team, deal) = await OpenLongDealAsync();

        var moved = await deal.ChangeStage("Framework", "", 0, team.Rep);
        var evidence = await deal.AddEvidence("minutes", "DOC-1", "", team.Rep); // a later write on the same deal still works
        fixture.Clock.Advance(TimeSpan.FromDays(3650) - TimeSpan.FromSeconds(1));
        var beforeLimit = await LevelIs(deal, team.Rep, StallLevel.Yellow);
        fixture.Clock.Advance(TimeSpan.FromSeconds(1));
        var atLimit = await LevelIs(deal, team.Rep, StallLevel.Red);
        var notices = await ClusterFixture.EventuallyAsync(() => StallNotices(team.Rep), n => n.Count >= 2);
        fixture.Clock.Advance(TimeSpan.FromDays(365));
        var later = await deal.Get(team.Rep);

        Assert.Equal("Framework", moved.Stage);
        Assert.Single(evidence.Evidence);
        Assert.Equal(StallLevel.Yellow, beforeLimit.StallLevel);
        Assert.Equal(StallLevel.Red, atLimit.StallLevel);
        Assert.Equal(StallLevel.Red, later.StallLevel);
        Assert.Equal(2, notices.Count);
        Assert.Equal(2, (await StallNotices(team.Rep)).Count);
    }
}
