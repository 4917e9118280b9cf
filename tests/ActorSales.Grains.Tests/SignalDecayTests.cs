using ActorSales.Domain.Deadlines;
using ActorSales.Domain.Pipeline;
using ActorSales.Grains.Abstractions.Notifications;
using ActorSales.Grains.Abstractions.Opportunities;
using ActorSales.Grains.Abstractions.People;

namespace ActorSales.Grains.Tests;

/// <summary>Signal decay on fake time: a signal that has not advanced for 7 days puts the deal on the intervention list.</summary>
[Collection(ClusterCollection.Name)]
public sealed class SignalDecayTests(ClusterFixture fixture)
{
    [Fact]
    public async Task A_signal_stuck_for_seven_days_needs_the_manager_and_advancing_it_clears_that()
    {
        var team = await fixture.CreateTeamAsync();
        var deal = await fixture.OpenDealAsync(team, team.Rep);
        await deal.AddEvidence("price_request", "mail-1", "", team.Rep);
        await deal.SetSignal(new SignalChange(ForecastSignal.L1, [], null), 0, team.Rep);
        var teamGrain = fixture.Grains.GetGrain<ITeamGrain>(team.TeamId);

        fixture.Clock.Advance(TimeSpan.FromDays(7) - TimeSpan.FromSeconds(1));
        var before = await deal.Get(team.Rep);
        fixture.Clock.Advance(TimeSpan.FromSeconds(1));
        var stuck = await ClusterFixture.EventuallyAsync(() => deal.Get(team.Rep), v => v.NeedsIntervention);
        var list = await ClusterFixture.EventuallyAsync(() => teamGrain.ListInterventions(team.Manager), l => l.Count > 0);
        var notices = await ClusterFixture.EventuallyAsync(
            async () => (await fixture.Grains.GetGrain<INotificationInboxGrain>(team.Manager.UserId).List(team.Manager, 50, null, false)).Items
                .Where(n => n.Kind == "signal_decay").ToList(),
            n => n.Count > 0);
        await deal.AddEvidence("demo_acceptance", "mail-2", "", team.Rep);
        var advanced = await deal.SetSignal(new SignalChange(ForecastSignal.L2, [], null), 0, team.Rep);
        var cleared = await ClusterFixture.EventuallyAsync(() => teamGrain.ListInterventions(team.Manager), l => l.Count == 0);

        Assert.False(before.NeedsIntervention);
        Assert.True(stuck.NeedsIntervention);
        Assert.Equal(deal.GetPrimaryKeyString(), Assert.Single(list).Id);
        Assert.Single(notices);
        Assert.False(advanced.NeedsIntervention);
        Assert.Empty(cleared);
        await Assert.ThrowsAsync<Domain.Errors.AccessDeniedException>(() => teamGrain.ListInterventions(team.Rep));
    }

    [Fact]
    public async Task A_deal_without_a_signal_or_at_l4_does_not_decay()
    {
        var team = await fixture.CreateTeamAsync();
        var deal = await fixture.OpenDealAsync(team, team.Rep);

        fixture.Clock.Advance(TimeSpan.FromDays(30));
        var view = await deal.Get(team.Rep);

        Assert.False(view.NeedsIntervention);
    }
}
