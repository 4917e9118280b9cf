using ActorSales.Domain.Customers;
using ActorSales.Domain.Errors;
using ActorSales.Domain.Pipeline;
using ActorSales.Grains.Abstractions;
using ActorSales.Grains.Abstractions.Customers;
using ActorSales.Grains.Abstractions.Opportunities;
using ActorSales.Grains.Abstractions.People;

namespace ActorSales.Grains.Tests;

[Collection(ClusterCollection.Name)]
public sealed class ForecastTests(ClusterFixture fixture)
{
    private async Task<string> OpenAsync(TestTeam team, Domain.Identity.Caller owner, decimal amount, string currency, bool withPriceRequest)
    {
        var opportunity = await fixture.OpenDealAsync(team, owner, amount, currency);
        if (withPriceRequest)
        {
            await opportunity.AddEvidence("price_request", "mail-1", "", owner);
            await opportunity.SetSignal(new SignalChange(ForecastSignal.L1, [], null), 0, owner);
        }
        return opportunity.GetPrimaryKeyString();
    }

    [Fact]
    public async Task Forecasts_sum_per_currency_for_a_rep_their_team_and_the_region()
    {
        var region = $"Region {Guid.NewGuid():N}";
        var north = await fixture.CreateTeamAsync();
        var south = await fixture.CreateTeamAsync();
        await fixture.Grains.GetGrain<ITeamGrain>(north.TeamId).Update(new TeamChanges(null, region, null, null), 0, ClusterFixture.Admin);
        await fixture.Grains.GetGrain<ITeamGrain>(south.TeamId).Update(new TeamChanges(null, region, null, null), 0, ClusterFixture.Admin);
        await OpenAsync(north, north.Rep, 100_000m, "EUR", withPriceRequest: true);
        await OpenAsync(north, north.Rep, 50_000m, "EUR", withPriceRequest: false);
        await OpenAsync(north, north.OtherRep, 10_000m, "USD", withPriceRequest: true);
        var lost = await OpenAsync(south, south.Rep, 70_000m, "EUR", withPriceRequest: true);
        await OpenAsync(south, south.Rep, 30_000m, "EUR", withPriceRequest: true);
        await fixture.Grains.GetGrain<IOpportunityGrain>(lost).Lose("price", "", 0, south.Rep);

        var rep = await fixture.Grains.GetGrain<ISalespersonGrain>(north.Rep.UserId).GetForecast(north.Rep);
        var team = await fixture.Grains.GetGrain<ITeamGrain>(north.TeamId).GetForecast(north.Manager);
        var whole = await fixture.Grains.GetGrain<IRegionGrain>(region).GetForecast(ClusterFixture.Admin);

        Assert.Equal([new CurrencyForecast("EUR", 150_000m, 10_000m, 2)], rep);
        Assert.Equal([new CurrencyForecast("EUR", 150_000m, 10_000m, 2), new CurrencyForecast("USD", 10_000m, 1_000m, 1)], team);
        Assert.Equal([new CurrencyForecast("EUR", 180_000m, 13_000m, 3), new CurrencyForecast("USD", 10_000m, 1_000m, 1)], whole);
    }

    [Fact]
    public async Task Team_and_region_forecasts_are_for_managers_and_above()
    {
        var team = await fixture.CreateTeamAsync();
        var other = await fixture.CreateTeamAsync();

        await Assert.ThrowsAsync<AccessDeniedException>(() => fixture.Grains.GetGrain<ITeamGrain>(team.TeamId).GetForecast(team.Rep));
        await Assert.ThrowsAsync<AccessDeniedException>(() => fixture.Grains.GetGrain<ITeamGrain>(team.TeamId).GetForecast(other.Manager));
        await Assert.ThrowsAsync<AccessDeniedException>(() => fixture.Grains.GetGrain<IRegionGrain>("EMEA").GetForecast(team.Manager));
        await Assert.ThrowsAsync<AccessDeniedException>(() => fixture.Grains.GetGrain<ISalespersonGrain>(team.OtherRep.UserId).GetForecast(team.Rep));
        Assert.Empty(await fixture.Grains.GetGrain<ITeamGrain>(team.TeamId).GetForecast(team.Manager));
    }
}
