using ActorSales.Domain.Customers;
using ActorSales.Domain.Pipeline;
using ActorSales.Grains.Abstractions;
using ActorSales.Grains.Abstractions.Customers;
using ActorSales.Grains.Abstractions.Opportunities;
using ActorSales.Grains.Abstractions.People;

namespace ActorSales.Grains.Tests;

/// <summary>A book is paged without asking every grain in it: a page costs about a page of grain calls.</summary>
[Collection(ClusterCollection.Name)]
public sealed class BookPagingTests(ClusterFixture fixture)
{
    private const int Deals = 30;

    [Fact]
    public async Task Paging_a_reps_and_a_teams_open_deals_asks_a_page_of_deals_not_the_whole_book_and_visits_each_once()
    {
        var team = await fixture.CreateTeamAsync();
        var customer = await fixture.RegisterCustomerAsync(team, team.Rep.UserId, CustomerTier.B);
        var ids = new List<string>();
        for (var i = 0; i < Deals; i++)
        {
            var deal = fixture.Grains.GetGrain<IOpportunityGrain>(GrainKeys.NewOpportunityId());
            await deal.Open(new OpportunityDraft(customer.GetPrimaryKeyString(), new OpportunityTerms($"Deal {i}", new Money(1_000m, "EUR"), ClusterFixture.Start.AddDays(300)), null), team.Rep);
            ids.Add(deal.GetPrimaryKeyString());
        }
        var rep = fixture.Grains.GetGrain<ISalespersonGrain>(team.Rep.UserId);
        var teamGrain = fixture.Grains.GetGrain<ITeamGrain>(team.TeamId);

        var before = fixture.CallFaults.CallCount("opportunity", nameof(IOpportunityGrain.Find));
        var first = await rep.ListOpportunities(team.Rep, null, 5, null);
        var askedForOnePage = fixture.CallFaults.CallCount("opportunity", nameof(IOpportunityGrain.Find)) - before;
        var repPages = await AllPages((size, after) => rep.ListOpportunities(team.Rep, null, size, after));
        var teamPages = await AllPages((size, after) => teamGrain.ListOpportunities(team.Manager, null, size, after));

        Assert.Equal(5, first.Items.Count);
        Assert.True(askedForOnePage <= 6, $"one page of 5 asked {askedForOnePage} deals");
        Assert.Equal(ids.Order(StringComparer.Ordinal), repPages);
        Assert.Equal(ids.Order(StringComparer.Ordinal), teamPages);
    }

    private static async Task<List<string>> AllPages(Func<int, string?, Task<Page<OpportunityView>>> list)
    {
        var all = new List<string>();
        string? after = null;
        do
        {
            var page = await list(7, after);
            all.AddRange(page.Items.Select(o => o.Id));
            after = page.NextCursor;
        }
        while (after is not null);
        return all;
    }
}
