using ActorSales.Contracts.V1;
using ActorSales.ReadModel.Analytics;
using ReadScope = ActorSales.Domain.Identity.ReadScope;

namespace ActorSales.ReadModel.Tests;

// The live board's lists: the first N in order and the exact total, from the store (never a page-through of the scope).
public abstract partial class ReadModelStoreContractTests
{
    private static readonly DateTimeOffset BoardT0 = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// Team a (region EMEA): 105 open deals needing intervention (stage entered in a shuffled minute order, owners
    /// alternating rep-a1 / rep-a2), one open deal without, one whose intervention was cleared, one won while it needed
    /// one (all three earlier than any listed deal, so a missing filter would list them first). Team b (APAC): one.
    /// Returns the log and team a's listed deals in the expected order.
    /// </summary>
    private static (EventBuilder Events, List<(string Id, string Owner)> Expected) InterventionWorld()
    {
        var b = new EventBuilder(BoardT0);
        b.Team("team-a", "Team A", "EMEA", "mgr-a", "rep-a1", "rep-a2");
        b.Team("team-b", "Team B", "APAC", "mgr-b", "rep-b1");
        b.Customer("c-a1", "Clinic A1", "team-a", "rep-a1");
        b.Customer("c-a2", "Clinic A2", "team-a", "rep-a2");
        b.Customer("c-b", "Clinic B", "team-b", "rep-b1");
        var close = BoardT0.AddDays(90);
        var expected = new List<(long Minute, string Id, string Owner)>();
        for (var i = 0; i < 105; i++)
        {
            var id = $"d{i:D3}";
            var minute = (i * 37) % 105; // a permutation of 0..104: entry order is not id order
            b.Now = BoardT0.AddMinutes(10 + minute);
            var customer = i % 2 == 0 ? "c-a1" : "c-a2";
            b.Opportunity(id, customer, 1000m + i, "EUR", close);
            b.Intervention(id);
            expected.Add((minute, id, i % 2 == 0 ? "rep-a1" : "rep-a2"));
        }
        b.Now = BoardT0;
        b.Opportunity("calm", "c-a1", 10m, "EUR", close);
        b.Opportunity("cleared", "c-a1", 10m, "EUR", close);
        b.Intervention("cleared");
        b.Intervention("cleared", needed: false);
        b.Opportunity("won-stuck", "c-a2", 10m, "EUR", close);
        b.Intervention("won-stuck");
        b.Won("won-stuck");
        b.Opportunity("b-stuck", "c-b", 10m, "EUR", close);
        b.Intervention("b-stuck");
        return (b, [.. expected.OrderBy(e => e.Minute).ThenBy(e => e.Id, StringComparer.Ordinal).Select(e => (e.Id, e.Owner))]);
    }

    private async Task<IReadModelStore> StoreWithAsync(EventBuilder events)
    {
        var store = await CreateStoreAsync();
        await store.ApplyAsync(events.All, events.All[^1].Position, Ct);
        return store;
    }

    [Fact]
    public async Task Interventions_list_the_first_hundred_longest_in_stage_with_the_exact_total()
    {
        var (events, expected) = InterventionWorld();
        var store = await StoreWithAsync(events);

        var team = await store.InterventionsAsync(new AnalyticsFilter(ManagerA, TeamId: "team-a"), 100, Ct);

        Assert.Equal(105, team.Total);
        Assert.Equal(expected.Take(100).Select(e => e.Id), team.Items.Select(o => o.OpportunityId));
        Assert.All(team.Items, o => Assert.True(o.NeedsIntervention && o.Status == OpportunityStatus.Open));
    }

    [Fact]
    public async Task Interventions_follow_the_scope_and_count_all_beyond_a_short_limit()
    {
        var (events, expected) = InterventionWorld();
        var store = await StoreWithAsync(events);
        async Task<(long Total, string Ids)> Top(AnalyticsFilter filter, int limit)
        {
            var top = await store.InterventionsAsync(filter, limit, Ct);
            return (top.Total, string.Join(",", top.Items.Select(o => o.OpportunityId)));
        }
        string First(IEnumerable<(string Id, string Owner)> deals, int count) => string.Join(",", deals.Take(count).Select(e => e.Id));

        // The manager's own reach (team or own book), no narrowing: the same 105.
        Assert.Equal((105, First(expected, 3)), await Top(new AnalyticsFilter(ManagerA), 3));
        Assert.Equal((53, First(expected.Where(e => e.Owner == "rep-a1"), 5)), await Top(new AnalyticsFilter(RepA1), 5));
        Assert.Equal((52, First(expected.Where(e => e.Owner == "rep-a2"), 2)), await Top(new AnalyticsFilter(ManagerA, OwnerId: "rep-a2"), 2));
        Assert.Equal((1, "b-stuck"), await Top(new AnalyticsFilter(All, Region: "apac"), 100));
        Assert.Equal((106, "b-stuck"), await Top(new AnalyticsFilter(All), 1)); // b-stuck entered first
        Assert.Equal((0, ""), await Top(new AnalyticsFilter(ManagerA, TeamId: "team-b"), 100)); // outside the reach
        Assert.Equal((105, ""), await Top(new AnalyticsFilter(ManagerA, TeamId: "team-a"), 0));
    }

    /// <summary>
    /// Team a: 105 release-warned customers, every third never followed up (they come first), the others followed up at
    /// shuffled times before their warning; one warned and then followed up (the warning is over), one warned and then
    /// released to the pool. Team b (APAC): one warned. Returns the log and team a's listed customers in order.
    /// </summary>
    private static (EventBuilder Events, List<string> Expected) ReleaseWorld()
    {
        var b = new EventBuilder(BoardT0);
        b.Team("team-a", "Team A", "EMEA", "mgr-a", "rep-a1", "rep-a2");
        b.Team("team-b", "Team B", "APAC", "mgr-b", "rep-b1");
        var expected = new List<(long FollowUp, string Id)>();
        for (var i = 0; i < 105; i++)
        {
            var id = $"w{i:D3}";
            b.Now = BoardT0;
            b.Customer(id, $"Warned {i}", "team-a", i % 2 == 0 ? "rep-a1" : "rep-a2");
            long followUp = 0;
            if (i % 3 != 0)
            {
                b.Now = BoardT0.AddMinutes(1 + ((i * 37) % 105));
                b.Activity(id, ActivityKind.Call, "called", isFollowUp: true);
                followUp = b.Now.UtcTicks;
            }
            b.Now = BoardT0.AddDays(60);
            b.ReleaseWarning(id);
            expected.Add((followUp, id));
        }
        b.Now = BoardT0;
        b.Customer("followed-up", "Followed Up", "team-a", "rep-a1");
        b.ReleaseWarning("followed-up");
        b.Activity("followed-up", ActivityKind.Visit, "visited", isFollowUp: true);
        b.Customer("released", "Released", "team-a", "rep-a1");
        b.ReleaseWarning("released");
        b.Release("released");
        b.Customer("b-warned", "B Warned", "team-b", "rep-b1");
        b.ReleaseWarning("b-warned");
        return (b, [.. expected.OrderBy(e => e.FollowUp).ThenBy(e => e.Id, StringComparer.Ordinal).Select(e => e.Id)]);
    }

    [Fact]
    public async Task About_to_release_lists_the_first_hundred_earliest_follow_up_first_with_the_exact_total()
    {
        var (events, expected) = ReleaseWorld();
        var store = await StoreWithAsync(events);

        var team = await store.AboutToReleaseAsync(new AnalyticsFilter(ManagerA, TeamId: "team-a"), 100, Ct);
        var rep = await store.AboutToReleaseAsync(new AnalyticsFilter(new ReadScope(null, "rep-a2")), 4, Ct);
        var region = await store.AboutToReleaseAsync(new AnalyticsFilter(All, Region: "APAC"), 100, Ct);
        var none = await store.AboutToReleaseAsync(new AnalyticsFilter(ManagerA, TeamId: "team-b"), 100, Ct);

        Assert.Equal(105, team.Total);
        Assert.Equal(expected.Take(100), team.Items.Select(c => c.CustomerId));
        var reps = expected.Where(id => int.Parse(id[1..], System.Globalization.CultureInfo.InvariantCulture) % 2 == 1).Take(4);
        Assert.Equal((52L, string.Join(",", reps)), (rep.Total, string.Join(",", rep.Items.Select(c => c.CustomerId))));
        Assert.Equal((1L, "b-warned"), (region.Total, string.Join(",", region.Items.Select(c => c.CustomerId))));
        Assert.Equal((0L, 0), (none.Total, none.Items.Count));
        Assert.Equal(106, (await store.AboutToReleaseAsync(new AnalyticsFilter(All), 1, Ct)).Total);
    }
}
