using ActorSales.Domain.Deadlines;
using ActorSales.Domain.Errors;
using ActorSales.Domain.People;
using ActorSales.Grains.Abstractions.Opportunities;
using ActorSales.Grains.Abstractions.People;
using ActorSales.Grains.Deadlines;

namespace ActorSales.Grains.Tests;

/// <summary>
/// Team and salesperson follow-ups go through the one effects mechanism: stored with the change, run after the write,
/// retried by the deadline engine when another grain cannot be reached; the caller of a stored change gets its answer.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class EffectsTests(ClusterFixture fixture)
{
    [Fact]
    public async Task A_team_whose_region_could_not_be_told_joins_the_regions_forecast_on_the_retry()
    {
        var region = $"region-{Guid.NewGuid():N}";
        var teamId = $"team-{Guid.NewGuid():N}"[..16];
        var regionGrain = fixture.Grains.GetGrain<IRegionGrain>(region);
        fixture.CallFaults.FailNext(regionGrain, nameof(IRegionGrain.AddTeam));

        var created = await fixture.Grains.GetGrain<ITeamGrain>(teamId).Create(new TeamProfile("Far east", region, "Asia/Shanghai"), ClusterFixture.Admin);
        var rep = await fixture.CreatePersonAsync($"rep-{Guid.NewGuid():N}"[..16], Domain.Identity.Role.Rep, teamId);
        var team = new TestTeam(teamId, ClusterFixture.Admin, rep, rep);
        await fixture.OpenDealAsync(team, rep, 1_000m, "CNY");
        var before = await regionGrain.GetForecast(ClusterFixture.Admin);
        fixture.Clock.Advance(DeadlineScheduler.EffectsRetryAfter);
        var after = await ClusterFixture.EventuallyAsync(() => regionGrain.GetForecast(ClusterFixture.Admin), f => f.Count > 0);

        Assert.Equal(teamId, created.Id);
        Assert.Equal(1, fixture.CallFaults.FailedCount(regionGrain, nameof(IRegionGrain.AddTeam)));
        Assert.Empty(before);
        Assert.Equal(("CNY", 1_000m), (Assert.Single(after).Currency, after[0].OpenAmount));
    }

    [Fact]
    public async Task A_team_move_answers_ok_when_a_team_is_unreachable_and_completes_on_the_retry_deals_included()
    {
        var north = await fixture.CreateTeamAsync();
        var south = await fixture.CreateTeamAsync();
        var deal = await fixture.OpenDealAsync(north, north.Rep);
        fixture.Clock.Advance(TimeSpan.FromDays(15)); // red: on north's stalled list
        await ClusterFixture.EventuallyAsync(() => fixture.Grains.GetGrain<ITeamGrain>(north.TeamId).ListStalled(north.Manager), l => l.Count > 0);
        var northTeam = fixture.Grains.GetGrain<ITeamGrain>(north.TeamId);
        fixture.CallFaults.FailNext(northTeam, nameof(ITeamGrain.RemoveMember));

        var moved = await fixture.Grains.GetGrain<ISalespersonGrain>(north.Rep.UserId).Update(new SalespersonChanges(null, null, null, south.TeamId), 0, ClusterFixture.Admin);
        var stillListed = (await northTeam.Get(ClusterFixture.Admin)).MemberIds;
        fixture.Clock.Advance(DeadlineScheduler.EffectsRetryAfter);
        var left = await ClusterFixture.EventuallyAsync(() => northTeam.Get(ClusterFixture.Admin), t => !t.MemberIds.Contains(north.Rep.UserId));
        var southStalled = await ClusterFixture.EventuallyAsync(() => fixture.Grains.GetGrain<ITeamGrain>(south.TeamId).ListStalled(south.Manager), l => l.Count > 0);
        var rep = north.Rep with { TeamId = south.TeamId };

        Assert.Equal(south.TeamId, moved.Profile.TeamId);
        Assert.Contains(north.Rep.UserId, stillListed); // the failed step, pending
        Assert.DoesNotContain(north.Rep.UserId, left.MemberIds);
        Assert.Contains(north.Rep.UserId, (await fixture.Grains.GetGrain<ITeamGrain>(south.TeamId).Get(ClusterFixture.Admin)).MemberIds);
        Assert.Equal(south.TeamId, (await deal.Get(south.Manager)).OwnerTeamId); // the deal followed its owner
        await Assert.ThrowsAsync<AccessDeniedException>(() => deal.Get(north.Manager));
        Assert.Equal(deal.GetPrimaryKeyString(), Assert.Single(southStalled).Id);
        Assert.Empty(await northTeam.ListStalled(north.Manager));
        Assert.Equal([deal.GetPrimaryKeyString()], (await fixture.Grains.GetGrain<ITeamGrain>(south.TeamId).ListOpportunities(south.Manager, null, 50, null)).Items.Select(o => o.Id));
        Assert.Equal(StallLevel.Red, (await deal.Get(rep)).StallLevel);
    }
}
