using ActorSales.Contracts.V1;
using Google.Protobuf.WellKnownTypes;
using ReadScope = ActorSales.Domain.Identity.ReadScope;

namespace ActorSales.ReadModel.Tests;

// Leads: both stores keep each lead as its latest event left it, list them newest arrival first within the reader's
// scope with the same filters and page tokens, give the same lead-health facts, and a rebuild gives the live rows.
public abstract partial class ReadModelStoreContractTests
{
    private static readonly DateTimeOffset LeadT0 = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// team-a: l1 (rep-a1, fair, hour 1, qualified), l2 (rep-a2, web, hour 2, not qualified = invalid, unsubscribed),
    /// l3 (pool, fair, hour 3), l4 (rep-a1 after a reassignment from rep-a2, web, hour 4); team-b: l5 (rep-b1, fair, hour 5).
    /// </summary>
    private static EventBuilder LeadSeed()
    {
        var b = new EventBuilder(LeadT0);
        b.Team("team-a", "Team A", "EMEA", "mgr-a", "rep-a1", "rep-a2");
        b.Team("team-b", "Team B", "APAC", "mgr-b", "rep-b1");
        Lead Doc(string id, string team, string owner, SourceChannel channel, int hour) => new()
        {
            LeadId = id, TeamId = team, OwnerId = owner, SourceChannel = channel, ArrivedAt = Timestamp.FromDateTimeOffset(LeadT0.AddHours(hour)),
            Name = $"Contact {id}", Company = $"Company {id}", Status = LeadStatus.New,
        };
        void Put(Lead lead, Action<DomainEvent, Lead> change) =>
            b.Event(EntityType.Lead, lead.LeadId, lead.TeamId, lead.OwnerId, e => change(e, lead.Clone()));

        var l1 = Doc("l1", "team-a", "rep-a1", SourceChannel.MarketingEvent, 1);
        Put(l1, (e, l) => e.LeadCreated = new LeadCreated { Lead = l });
        l1.Status = LeadStatus.Qualified;
        Put(l1, (e, l) => e.LeadQualified = new LeadQualified { Lead = l });

        var l2 = Doc("l2", "team-a", "rep-a2", SourceChannel.InboundWebForm, 2);
        Put(l2, (e, l) => e.LeadCreated = new LeadCreated { Lead = l });
        l2.Status = LeadStatus.NotQualified;
        l2.Invalid = true;
        Put(l2, (e, l) => e.LeadQualified = new LeadQualified { Lead = l });
        l2.Unsubscribed = true;
        Put(l2, (e, l) => e.LeadUnsubscribedChanged = new LeadUnsubscribedChanged { Lead = l });

        var l3 = Doc("l3", "team-a", "", SourceChannel.MarketingEvent, 3);
        Put(l3, (e, l) => e.LeadCreated = new LeadCreated { Lead = l });

        var l4 = Doc("l4", "team-a", "rep-a2", SourceChannel.InboundWebForm, 4);
        Put(l4, (e, l) => e.LeadCreated = new LeadCreated { Lead = l });
        l4.OwnerId = "rep-a1";
        Put(l4, (e, l) => e.LeadAssigned = new LeadAssigned { Lead = l });

        var l5 = Doc("l5", "team-b", "rep-b1", SourceChannel.MarketingEvent, 5);
        Put(l5, (e, l) => e.LeadCreated = new LeadCreated { Lead = l });
        return b;
    }

    private static async Task<List<string>> LeadIdsAsync(IReadModelQueries store, LeadQuery query)
    {
        var ids = new List<string>();
        string? token = null;
        do
        {
            var page = await store.ListLeadsAsync(query with { PageToken = token }, Ct);
            ids.AddRange(page.Items.Select(l => l.LeadId));
            token = page.NextPageToken;
        }
        while (token is not null);
        return ids;
    }

    [Fact]
    public async Task Leads_are_listed_newest_first_within_scope_with_their_latest_state()
    {
        var store = await CreateStoreAsync();
        var b = LeadSeed();
        await store.ApplyAsync(b.All, b.All[^1].Position, Ct);

        // Page size 2 walks the same order as one page.
        Assert.Equal(["l5", "l4", "l3", "l2", "l1"], await LeadIdsAsync(store, new LeadQuery(All, 2)));
        Assert.Equal(["l4", "l3", "l2", "l1"], await LeadIdsAsync(store, new LeadQuery(ManagerA, 500)));
        Assert.Equal(["l4", "l1"], await LeadIdsAsync(store, new LeadQuery(RepA1, 500))); // l4 was reassigned to rep-a1
        Assert.Equal(["l2"], await LeadIdsAsync(store, new LeadQuery(RepA2, 500)));
        Assert.Equal(["l5"], await LeadIdsAsync(store, new LeadQuery(new ReadScope("team-b", "mgr-b"), 500)));
        // Filters.
        Assert.Equal(["l3"], await LeadIdsAsync(store, new LeadQuery(ManagerA, 500, PoolOnly: true)));
        Assert.Equal(["l5", "l3", "l1"], await LeadIdsAsync(store, new LeadQuery(All, 500, SourceChannel: SourceChannel.MarketingEvent)));
        Assert.Equal(["l2"], await LeadIdsAsync(store, new LeadQuery(All, 500, Status: LeadStatus.NotQualified)));
        Assert.Equal(["l4", "l1"], await LeadIdsAsync(store, new LeadQuery(All, 500, OwnerId: "rep-a1")));
        Assert.Equal(["l5"], await LeadIdsAsync(store, new LeadQuery(All, 500, TeamId: "team-b")));

        var latest = (await store.ListLeadsAsync(new LeadQuery(All, 500, Status: LeadStatus.NotQualified), Ct)).Items.Single();
        Assert.Equal((true, true, "rep-a2", 3L), (latest.Invalid, latest.Unsubscribed, latest.OwnerId, latest.Version));
    }

    [Fact]
    public async Task Lead_health_facts_are_the_leads_in_scope_that_arrived_in_the_window()
    {
        var store = await CreateStoreAsync();
        var b = LeadSeed();
        await store.ApplyAsync(b.All, b.All[^1].Position, Ct);

        static string[] Lines(IEnumerable<LeadFact> facts) =>
            [.. facts.Select(f => $"{f.LeadId} {f.SourceChannel} {f.ArrivedAt:HH} {f.Invalid} {f.Unsubscribed}").Order(StringComparer.Ordinal)];

        Assert.Equal(["l2 InboundWebForm 11 True True", "l3 MarketingEvent 12 False False", "l4 InboundWebForm 13 False False"],
            Lines(await store.LeadFactsAsync(All, "team-a", LeadT0.AddHours(2), LeadT0.AddHours(5), Ct)));
        Assert.Equal(["l1 MarketingEvent 10 False False", "l4 InboundWebForm 13 False False"],
            Lines(await store.LeadFactsAsync(RepA1, null, LeadT0, LeadT0.AddDays(1), Ct)));
        Assert.Equal(1, await store.UnsubscribedLeadsAsync(ManagerA, null, Ct));
        Assert.Equal(0, await store.UnsubscribedLeadsAsync(All, "team-b", Ct));
        Assert.Equal(0, await store.UnsubscribedLeadsAsync(RepA1, null, Ct));
    }

    [Fact]
    public async Task Rebuilding_leads_from_history_gives_the_live_rows()
    {
        var store = await CreateStoreAsync();
        var b = LeadSeed();
        await store.ApplyAsync(b.All, b.All[^1].Position, Ct);
        var live = (await store.ListLeadsAsync(new LeadQuery(All, 500), Ct)).Items.Select(l => l.ToString()).ToList();

        await store.RebuildAsync(Ct);

        Assert.Equal(live, (await store.ListLeadsAsync(new LeadQuery(All, 500), Ct)).Items.Select(l => l.ToString()));
    }
}
