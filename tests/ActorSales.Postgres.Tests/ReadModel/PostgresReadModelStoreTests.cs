using ActorSales.Contracts.V1;
using ActorSales.Domain.Errors;
using ActorSales.Grains.Abstractions.Events;
using ActorSales.Infrastructure.Postgres.ReadModel;
using ActorSales.ReadModel;
using ActorSales.ReadModel.Analytics;
using static ActorSales.Postgres.Tests.ReadModel.ReadModelEvents;
using ReadScope = ActorSales.Domain.Identity.ReadScope;

namespace ActorSales.Postgres.Tests.ReadModel;

/// <summary>
/// The PostgreSQL read model against a real server: projection, exactly-once application, every filter and sort,
/// search (Chinese, phone fragments, hostile text), the read scope, paging, timelines and rebuild.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresReadModelStoreTests(PostgresServerFixture postgres)
{
    private static readonly ReadScope Everything = ReadScope.Everything;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>
    /// Two teams (t1 east: manager m1, reps r1, r2; t2 north: manager m2, rep r3), five customers, four deals, a task.
    /// </summary>
    private static ReadModelEvents World()
    {
        var log = new ReadModelEvents();
        log.CreateTeam("t1", "east", "m1");
        log.CreateTeam("t2", "north", "m2");
        foreach (var (id, team, role) in new[] { ("m1", "t1", Role.Manager), ("r1", "t1", Role.Rep), ("r2", "t1", Role.Rep), ("m2", "t2", Role.Manager), ("r3", "t2", Role.Rep) })
        {
            log.CreateSalesperson(id, team, role);
            log.JoinTeam(team, id);
        }
        log.Depart("r2", "t1");

        var c1 = Customer("c1", "杭州市第一中心医院", "t1", "r1", 1, CustomerTier.A, "healthcare", SourceChannel.Referral, "杭州医疗集团",
            new Contact { Name = "王伟", Phone = "+86 138 0013 8000", Email = "Wang.Wei@HZYY.cn" });
        var c2 = Customer("c2", "Acme Trading", "t1", "r2", 2, CustomerTier.B, "manufacturing", SourceChannel.Outbound, "Acme Ltd");
        var c3 = Customer("c3", "Beta Hospital", "t2", "r3", 3, CustomerTier.C, "healthcare", SourceChannel.MarketingEvent, "",
            new Contact { Name = "Li Na", Phone = "021-5555-1234", Email = "li.na@beta.example" });
        var c4 = Customer("c4", "上海中心医院", "t2", "r3", 4, CustomerTier.A, "healthcare", SourceChannel.InboundWebForm);
        var c5 = Customer("c5", "100% Real_Deal \\ Shop", "t1", "r1", 5, CustomerTier.C, "retail", SourceChannel.InboundWebForm, "Acme Supplies");
        foreach (var c in new[] { c1, c2, c3, c4, c5 })
        {
            log.Register(c);
        }
        log.FollowUp(c1, Day0.AddDays(5), 1);
        var lockedC2 = c2.Clone();
        lockedC2.Locked = true;
        log.Update(lockedC2, Day0.AddDays(3), "locked");
        log.ReleaseWarning(c2, Day0.AddDays(20));
        log.Release(c3, Day0.AddDays(30));
        log.FollowUp(c4, Day0.AddDays(8), 1);
        log.FollowUp(c4, Day0.AddDays(9), 2, isFollowUp: false);

        var o1 = Opportunity("o1", "c1", "t1", "r1", 50_000m, 40, enteredDay: 1);
        var o2 = Opportunity("o2", "c1", "t1", "r1", 120_000m, 60, enteredDay: 1);
        var o3 = Opportunity("o3", "c2", "t1", "r2", 8_000m, null, currency: "USD");
        var o4 = Opportunity("o4", "c4", "t2", "r3", 300_000m, 50, enteredDay: 2, pipeline: "tender");
        foreach (var o in new[] { o1, o2, o3, o4 })
        {
            log.Open(o);
        }
        log.ChangeStage(o1, "proposal", Day0.AddDays(10));
        log.Signal(o1, ForecastSignal.L3, Day0.AddDays(12));
        log.Stall(o1, StallLevel.Yellow, Day0.AddDays(15));
        log.Win(o2, Day0.AddDays(20));
        log.Lose(o3, Day0.AddDays(25));
        log.Task("task-1", "t1");
        return log;
    }

    private async Task<(PostgresReadModelStore Store, string Database, ReadModelEvents Log)> ProjectedWorldAsync()
    {
        var (store, database) = await PostgresReadModelStores.CreateAsync(postgres);
        var log = World();
        // Several batches, as the projector would apply them.
        foreach (var chunk in log.Log.Chunk(7))
        {
            await store.ApplyAsync(chunk, chunk[^1].Position, Ct);
        }
        return (store, database, log);
    }

    [Fact]
    public async Task Applied_events_become_rows_history_versions_and_the_checkpoint()
    {
        var (store, database, log) = await ProjectedWorldAsync();
        await using var _ = store;

        Assert.Equal(log.Log[^1].Position, await store.CheckpointAsync(Ct));
        Assert.Equal(log.Log.Count, await Sql.ScalarAsync<long>(database, "SELECT count(*) FROM actorsales_rm_history"));
        Assert.Equal(2, await store.ProjectedVersionAsync(EntityType.Customer, "c1", Ct));
        Assert.Equal(4, await store.ProjectedVersionAsync(EntityType.Opportunity, "o1", Ct));
        Assert.Equal(1, await store.ProjectedVersionAsync(EntityType.Task, "task-1", Ct));
        Assert.Equal(0, await store.ProjectedVersionAsync(EntityType.Customer, "nobody", Ct));

        var customers = (await store.ListCustomersAsync(new CustomerQuery(Everything, 50), Ct)).Items.ToDictionary(c => c.CustomerId);
        Assert.Equal(ReadModelEvents.Day0.AddDays(5), customers["c1"].LastFollowUpAt.ToDateTimeOffset());
        Assert.Equal(2, customers["c1"].Version);
        Assert.True(customers["c3"].InPool);
        Assert.Equal(string.Empty, customers["c3"].OwnerId);
        Assert.Equal("t2", customers["c3"].OwnerTeamId);
        Assert.True(customers["c2"].Locked);
        Assert.Equal(ReadModelEvents.Day0.AddDays(8), customers["c4"].LastFollowUpAt.ToDateTimeOffset()); // the later activity was no follow-up
        Assert.Equal(2, customers["c4"].ActivityCount);

        var o1 = (await store.ListOpportunitiesAsync(new OpportunityQuery(Everything, 50, CustomerId: "c1"), Ct)).Items.Single(o => o.OpportunityId == "o1");
        Assert.Equal("proposal", o1.Stage);
        Assert.Equal(StallLevel.Yellow, o1.StallLevel);
        Assert.Equal(ForecastSignal.L3, o1.Signal);
        Assert.Single(o1.History);

        var t1 = (await store.ListTeamsAsync(new TeamQuery(Everything, 10, Region: "east"), Ct)).Items.Single();
        Assert.Equal(["m1", "r1", "r2"], t1.MemberIds);
        var r2 = (await store.ListSalespeopleAsync(new SalespersonQuery(Everything, 10, Status: SalespersonStatus.Departing), Ct)).Items.Single();
        Assert.Equal("r2", r2.SalespersonId);
    }

    [Fact]
    public async Task A_batch_that_does_not_start_after_the_checkpoint_is_refused_and_changes_nothing()
    {
        var (store, database) = await PostgresReadModelStores.CreateAsync(postgres);
        await using var _ = store;
        var log = World().Log;
        await store.ApplyAsync(log[..10], log[9].Position, Ct);
        var rows = await SnapshotAsync(database);

        await Assert.ThrowsAsync<ProjectionConflictException>(() => store.ApplyAsync(log[5..15], log[14].Position, Ct));
        await Assert.ThrowsAsync<ProjectionConflictException>(() => store.ApplyAsync(log[9..15], log[14].Position, Ct));
        await Assert.ThrowsAsync<ProjectionConflictException>(() => store.ApplyAsync([], log[3].Position, Ct));
        Assert.Equal(log[9].Position, await store.CheckpointAsync(Ct));
        Assert.Equal(rows, await SnapshotAsync(database));

        // The next batch applies; an empty batch moves the checkpoint past positions the projector skipped.
        await store.ApplyAsync(log[10..], log[^1].Position, Ct);
        await store.ApplyAsync([], log[^1].Position + 10, Ct);
        Assert.Equal(log[^1].Position + 10, await store.CheckpointAsync(Ct));
        Assert.Equal(log.Count, await Sql.ScalarAsync<long>(database, "SELECT count(*) FROM actorsales_rm_history"));
    }

    [Fact]
    public async Task Two_projectors_racing_with_the_same_batch_apply_it_exactly_once()
    {
        var (storeA, database) = await PostgresReadModelStores.CreateAsync(postgres);
        await using var _ = storeA;
        await using var storeB = new PostgresReadModelStore(database, Projection.Default);
        var log = World().Log;

        var results = await Task.WhenAll(new[] { storeA, storeB }.Select(async store =>
        {
            try
            {
                await store.ApplyAsync(log, log[^1].Position, Ct);
                return true;
            }
            catch (ProjectionConflictException)
            {
                return false;
            }
        }));

        Assert.Single(results, applied => applied);
        Assert.Equal(log.Count, await Sql.ScalarAsync<long>(database, "SELECT count(*) FROM actorsales_rm_history"));
        Assert.Equal(log[^1].Position, await storeB.CheckpointAsync(Ct));
    }

    [Fact]
    public async Task Every_customer_filter_selects_exactly_its_rows()
    {
        var (store, _, _) = await ProjectedWorldAsync();
        await using var __ = store;
        Task<List<string>> Ids(CustomerQuery q) => AllCustomerIdsAsync(store, q);
        var all = new CustomerQuery(Everything, 2);

        Assert.Equal(["c1", "c2", "c5"], Sorted(await Ids(all with { TeamId = "t1" })));
        Assert.Equal(["c4"], Sorted(await Ids(all with { OwnerId = "r3" }))); // c3 went to the pool
        Assert.Equal(["c1", "c4"], Sorted(await Ids(all with { Tier = CustomerTier.A })));
        Assert.Equal(["c1", "c3", "c4"], Sorted(await Ids(all with { Industry = "healthcare" })));
        Assert.Equal(["c1"], Sorted(await Ids(all with { SourceChannel = SourceChannel.Referral })));
        Assert.Equal(["c3"], Sorted(await Ids(all with { InPool = true })));
        Assert.Equal(["c1", "c2", "c4", "c5"], Sorted(await Ids(all with { InPool = false })));
        Assert.Equal(["c2"], Sorted(await Ids(all with { Locked = true })));
        Assert.Equal(["c2"], Sorted(await Ids(all with { ReleaseWarned = true })));
        // Never followed up counts as "before" any time.
        Assert.Equal(["c1", "c2", "c3", "c5"], Sorted(await Ids(all with { FollowedUpBefore = Day0.AddDays(6) })));
        Assert.Equal(["c4"], Sorted(await Ids(all with { FollowedUpAfter = Day0.AddDays(6) })));
        Assert.Equal(["c2", "c3"], Sorted(await Ids(all with { CreatedFrom = Day0.AddDays(2), CreatedTo = Day0.AddDays(4) })));
        Assert.Equal(["c4"], Sorted(await Ids(all with { TeamId = "t2", Tier = CustomerTier.A, InPool = false })));
    }

    [Fact]
    public async Task Customer_sorts_page_through_every_row_in_order_both_ways()
    {
        var (store, _, _) = await ProjectedWorldAsync();
        await using var __ = store;
        var expected = new Dictionary<CustomerSort, string[]>
        {
            [CustomerSort.Created] = ["c1", "c2", "c3", "c4", "c5"],
            // Never followed up first (the most neglected), by id; then c1 (day 5), c4 (day 8).
            [CustomerSort.LastFollowUp] = ["c2", "c3", "c5", "c1", "c4"],
            // Code point order: "100%..." < "Acme" < "Beta" < 上 (U+4E0A) < 杭 (U+676D).
            [CustomerSort.Name] = ["c5", "c2", "c3", "c4", "c1"],
        };
        foreach (var (sort, ascending) in expected)
        {
            foreach (var pageSize in new[] { 1, 2, 5 })
            {
                Assert.Equal(ascending, await AllCustomerIdsAsync(store, new CustomerQuery(Everything, pageSize, Sort: sort, Descending: false)));
                Assert.Equal(ascending.Reverse(), await AllCustomerIdsAsync(store, new CustomerQuery(Everything, pageSize, Sort: sort, Descending: true)));
            }
        }
    }

    [Fact]
    public async Task Every_opportunity_filter_and_sort_selects_and_orders_its_rows()
    {
        var (store, _, log) = await ProjectedWorldAsync();
        await using var __ = store;
        Task<List<string>> Ids(OpportunityQuery q) => AllOpportunityIdsAsync(store, q);
        var all = new OpportunityQuery(Everything, 2);

        Assert.Equal(["o1", "o2"], Sorted(await Ids(all with { CustomerId = "c1" })));
        Assert.Equal(["o3"], Sorted(await Ids(all with { OwnerId = "r2" })));
        Assert.Equal(["o4"], Sorted(await Ids(all with { TeamId = "t2" })));
        Assert.Equal(["o4"], Sorted(await Ids(all with { Region = "north" })));
        Assert.Equal(["o4"], Sorted(await Ids(all with { PipelineKey = "tender" })));
        Assert.Equal(["o1"], Sorted(await Ids(all with { Stage = "proposal" })));
        Assert.Equal(["o1", "o4"], Sorted(await Ids(all with { Status = OpportunityStatus.Open })));
        Assert.Equal(["o2"], Sorted(await Ids(all with { Status = OpportunityStatus.Won })));
        Assert.Equal(["o3"], Sorted(await Ids(all with { Status = OpportunityStatus.Lost })));
        Assert.Equal(["o1"], Sorted(await Ids(all with { StallLevel = StallLevel.Yellow })));
        Assert.Equal(["o1"], Sorted(await Ids(all with { Signal = ForecastSignal.L3 })));
        Assert.Equal(["o3"], Sorted(await Ids(all with { Currency = "USD" })));
        Assert.Equal(["o1", "o2"], Sorted(await Ids(all with { AmountMin = 50_000m, AmountMax = 120_000m })));
        Assert.Equal(["o2", "o4"], Sorted(await Ids(all with { ExpectedCloseFrom = Day0.AddDays(45) }))); // o3 has no close date
        // No close date counts as the earliest (the shared rows' ExpectedCloseAt), as in the in-memory store.
        Assert.Equal(["o1", "o3", "o4"], Sorted(await Ids(all with { ExpectedCloseTo = Day0.AddDays(55) })));

        Assert.Equal(["o3", "o1", "o2", "o4"], await Ids(all with { Sort = OpportunitySort.Amount }));
        Assert.Equal(["o4", "o2", "o1", "o3"], await Ids(all with { Sort = OpportunitySort.Amount, Descending = true }));
        Assert.Equal(["o3", "o1", "o4", "o2"], await Ids(all with { Sort = OpportunitySort.ExpectedClose })); // no close date first
        Assert.Equal(["o2", "o4", "o1", "o3"], await Ids(all with { Sort = OpportunitySort.ExpectedClose, Descending = true }));
        // Time in stage, shortest first: o2 won on day 20, o1 reached proposal on day 10, o4 entered day 2, o3 day 0.
        Assert.Equal(["o2", "o1", "o4", "o3"], await Ids(all with { Sort = OpportunitySort.TimeInStage }));
        Assert.Equal(["o3", "o4", "o1", "o2"], await Ids(all with { Sort = OpportunitySort.TimeInStage, Descending = true }));

        // The region filter follows the team: t2 moving east moves its deals.
        var moved = log.UpdateTeamRegion("t2", "east", "m2");
        await store.ApplyAsync([moved], moved.Position, Ct);
        Assert.Equal(["o1", "o2", "o3", "o4"], Sorted(await Ids(all with { Region = "east" })));
    }

    [Fact]
    public async Task Teams_and_salespeople_filter_by_region_team_role_and_status_within_the_scope()
    {
        var (store, _, _) = await ProjectedWorldAsync();
        await using var __ = store;
        async Task<List<string>> People(SalespersonQuery q) => (await store.ListSalespeopleAsync(q, Ct)).Items.Select(s => s.SalespersonId).ToList();
        async Task<List<string>> Teams(TeamQuery q) => (await store.ListTeamsAsync(q, Ct)).Items.Select(t => t.TeamId).ToList();

        Assert.Equal(["t1", "t2"], await Teams(new TeamQuery(Everything, 10)));
        Assert.Equal(["t2"], await Teams(new TeamQuery(Everything, 10, Region: "north")));
        Assert.Equal(["t1"], await Teams(new TeamQuery(new ReadScope("t1", "m1"), 10)));
        Assert.Equal(["m1", "r1", "r2"], await People(new SalespersonQuery(Everything, 10, TeamId: "t1")));
        Assert.Equal(["r1", "r2", "r3"], await People(new SalespersonQuery(Everything, 10, Role: Role.Rep)));
        Assert.Equal(["r2"], await People(new SalespersonQuery(Everything, 10, Status: SalespersonStatus.Departing)));
        Assert.Equal(["m1", "r1", "r2"], await People(new SalespersonQuery(new ReadScope("t1", "m1"), 10)));
        Assert.Equal(["r1"], await People(new SalespersonQuery(new ReadScope(null, "r1"), 10)));
        Assert.Empty(await People(new SalespersonQuery(new ReadScope("t1", "m1"), 10, TeamId: "t2")));
        var paged = new List<string>();
        string? token = null;
        do
        {
            var page = await store.ListSalespeopleAsync(new SalespersonQuery(Everything, 2, token), Ct);
            paged.AddRange(page.Items.Select(s => s.SalespersonId));
            token = page.NextPageToken;
        }
        while (token is not null);
        Assert.Equal(["m1", "m2", "r1", "r2", "r3"], paged);
    }

    [Fact]
    public async Task Search_finds_chinese_fragments_phone_digits_emails_and_contacts_within_the_scope()
    {
        var (store, _, _) = await ProjectedWorldAsync();
        await using var __ = store;
        Task<List<string>> Search(string text, ReadScope? scope = null) => AllSearchIdsAsync(store, scope ?? Everything, text);

        Assert.Equal(["c1", "c4"], Sorted(await Search("中心医院")));
        Assert.Equal(["c1"], await Search("杭州市第一中心医院"));
        Assert.Equal(["c1"], await Search("杭")); // one character
        Assert.Equal(["c1"], await Search("医疗")); // company
        Assert.Equal(["c1"], await Search("王伟")); // contact name
        Assert.Equal(["c1"], await Search("1380013")); // a fragment of +86 138 0013 8000
        Assert.Equal(["c1"], await Search("138 0013-8000"));
        Assert.Equal(["c3"], await Search("5555")); // 021-5555-1234
        Assert.Equal(["c1"], await Search("wang.wei@HZYY")); // emails ignore case
        Assert.Equal(["c3"], await Search("  li   NA ")); // contact name, case and spacing ignored
        Assert.Equal(["c3"], await Search("hospital"));

        // The read scope: a rep finds only their own, a manager their team's (the pool included).
        Assert.Equal(["c1"], await Search("中心医院", new ReadScope(null, "r1")));
        Assert.Empty(await Search("中心医院", new ReadScope(null, "r2")));
        Assert.Equal(["c4"], await Search("中心医院", new ReadScope("t2", "m2")));
        Assert.Equal(["c3"], await Search("hospital", new ReadScope("t2", "m2")));
        Assert.Empty(await Search("hospital", new ReadScope("t1", "m1")));
    }

    [Fact]
    public async Task Search_ranks_name_matches_first_and_treats_hostile_text_as_data()
    {
        var (store, database, _) = await ProjectedWorldAsync();
        await using var __ = store;
        Task<List<string>> Search(string text) => AllSearchIdsAsync(store, Everything, text);

        // Both have a field starting with it (c2 its name, c5 its company): one rank, then by name ("100% ..." < "acme ...").
        Assert.Equal(["c5", "c2"], await Search("acme"));
        Assert.Equal(["c5"], await Search("%"));
        Assert.Equal(["c5"], await Search("_"));
        Assert.Equal(["c5"], await Search("\\"));
        Assert.Equal(["c5"], await Search("100% real_deal"));
        Assert.Empty(await Search("'; DROP TABLE actorsales_rm_customers; --"));
        Assert.Empty(await Search("' OR 1=1 --"));
        Assert.Empty(await Search("   "));
        Assert.Empty(await Search(new string('x', 100_000)));
        Assert.Equal(5, await Sql.ScalarAsync<long>(database, "SELECT count(*) FROM actorsales_rm_customers"));

        // Ranked pages continue where the last one ended: "a" matches four customers at several ranks.
        var onePage = (await store.SearchCustomersAsync(new CustomerSearch(Everything, "a", 500, null), Ct)).Items.Select(c => c.CustomerId).ToList();
        Assert.Equal(onePage, await Search("a"));
        Assert.Equal(4, onePage.Count);
    }

    [Fact]
    public async Task Each_role_lists_only_the_rows_its_scope_covers()
    {
        var (store, _, _) = await ProjectedWorldAsync();
        await using var __ = store;

        Assert.Equal(["c1", "c5"], Sorted(await AllCustomerIdsAsync(store, new CustomerQuery(new ReadScope(null, "r1"), 2))));
        Assert.Equal(["c1", "c2", "c5"], Sorted(await AllCustomerIdsAsync(store, new CustomerQuery(new ReadScope("t1", "m1"), 2))));
        Assert.Equal(["c3", "c4"], Sorted(await AllCustomerIdsAsync(store, new CustomerQuery(new ReadScope("t2", "m2"), 2))));
        Assert.Equal(["c1", "c2", "c3", "c4", "c5"], Sorted(await AllCustomerIdsAsync(store, new CustomerQuery(Everything, 2))));
        // A filter outside the scope finds nothing rather than widening it.
        Assert.Empty(await AllCustomerIdsAsync(store, new CustomerQuery(new ReadScope(null, "r1"), 2, OwnerId: "r3")));
        Assert.Empty(await AllCustomerIdsAsync(store, new CustomerQuery(new ReadScope("t1", "m1"), 2, TeamId: "t2")));

        Assert.Equal(["o1", "o2"], Sorted(await AllOpportunityIdsAsync(store, new OpportunityQuery(new ReadScope(null, "r1"), 2))));
        Assert.Equal(["o1", "o2", "o3"], Sorted(await AllOpportunityIdsAsync(store, new OpportunityQuery(new ReadScope("t1", "m1"), 2))));
        Assert.Equal(["o4"], Sorted(await AllOpportunityIdsAsync(store, new OpportunityQuery(new ReadScope("t2", "m2"), 2))));
    }

    [Fact]
    public async Task Page_tokens_and_page_sizes_are_checked()
    {
        var (store, _, _) = await ProjectedWorldAsync();
        await using var __ = store;
        var first = await store.ListCustomersAsync(new CustomerQuery(Everything, 2, Sort: CustomerSort.Created), Ct);
        Assert.NotNull(first.NextPageToken);

        await Assert.ThrowsAsync<ValidationException>(() => store.ListCustomersAsync(new CustomerQuery(Everything, 2, "not a token"), Ct));
        await Assert.ThrowsAsync<ValidationException>(() => store.ListCustomersAsync(new CustomerQuery(Everything, 2, "' OR 1=1 --"), Ct));
        // A token of another order (or another query) is refused, not misread.
        await Assert.ThrowsAsync<ValidationException>(() => store.ListCustomersAsync(new CustomerQuery(Everything, 2, first.NextPageToken, Sort: CustomerSort.Name), Ct));
        await Assert.ThrowsAsync<ValidationException>(() => store.ListCustomersAsync(new CustomerQuery(Everything, 2, first.NextPageToken, Descending: false), Ct));
        await Assert.ThrowsAsync<ValidationException>(() => store.ListOpportunitiesAsync(new OpportunityQuery(Everything, 2, first.NextPageToken), Ct));
        await Assert.ThrowsAsync<ValidationException>(() => store.ListCustomersAsync(new CustomerQuery(Everything, 0), Ct));
        await Assert.ThrowsAsync<ValidationException>(() => store.SearchCustomersAsync(new CustomerSearch(Everything, "a", 100_000, null), Ct));
        var last = await store.ListCustomersAsync(new CustomerQuery(Everything, 5), Ct);
        Assert.Equal(5, last.Items.Count);
        Assert.Null(last.NextPageToken); // exactly a page: no empty page after it
    }

    [Fact]
    public async Task A_customers_timeline_holds_its_own_and_its_opportunities_events_newest_first()
    {
        var (store, _, log) = await ProjectedWorldAsync();
        await using var __ = store;
        var opportunitiesOfC1 = new HashSet<string> { "o1", "o2" };
        var expected = log.Log
            .Where(e => (e.Event.EntityType == (int)EntityType.Customer && e.Event.EntityId == "c1")
                || (e.Event.EntityType == (int)EntityType.Opportunity && opportunitiesOfC1.Contains(e.Event.EntityId)))
            .Select(e => e.Event.ToEvent().EventId)
            .Reverse()
            .ToList();
        Assert.Equal(8, expected.Count);

        Assert.Equal(expected, await AllTimelineAsync(store, EntityType.Customer, "c1", 2));
        Assert.Equal(expected, await AllTimelineAsync(store, EntityType.Customer, "c1", 500));
        Assert.Equal(["4/o1/4", "4/o1/3", "4/o1/2", "4/o1/1"], await AllTimelineAsync(store, EntityType.Opportunity, "o1", 3));
        var newest = (await store.TimelineAsync(new TimelineQuery(EntityType.Opportunity, "o1", 1), Ct)).Items.Single();
        Assert.Equal(DomainEvent.ChangeOneofCase.OpportunityStallChanged, newest.ChangeCase);
        Assert.Equal("system", newest.ActorId);
        Assert.Empty(await AllTimelineAsync(store, EntityType.Customer, "nobody", 5));
    }

    [Fact]
    public async Task Rebuilding_from_the_history_gives_the_same_rows_as_the_live_projection()
    {
        var (store, database, log) = await ProjectedWorldAsync();
        await using var __ = store;
        var live = await SnapshotAsync(database);
        var checkpoint = await store.CheckpointAsync(Ct);

        await Sql.ScalarAsync<int>(database, "UPDATE actorsales_rm_customers SET sort_name = 'damaged' WHERE customer_id = 'c1' RETURNING 1");
        await store.RebuildAsync(Ct);

        Assert.Equal(live, await SnapshotAsync(database));
        Assert.Equal(checkpoint, await store.CheckpointAsync(Ct));
        Assert.Equal(["c1"], await AllSearchIdsAsync(store, Everything, "1380013"));
        Assert.Equal(log.Log.Count, await Sql.ScalarAsync<long>(database, "SELECT count(*) FROM actorsales_rm_history"));
    }

    /// <summary>Every row of every query table, as text, in a fixed order.</summary>
    private static async Task<List<string>> SnapshotAsync(string database) =>
    [
        .. await Sql.ColumnAsync(database, "SELECT t::text FROM actorsales_rm_customers t ORDER BY customer_id"),
        .. await Sql.ColumnAsync(database, "SELECT t::text FROM actorsales_rm_opportunities t ORDER BY opportunity_id"),
        .. await Sql.ColumnAsync(database, "SELECT t::text FROM actorsales_rm_teams t ORDER BY team_id"),
        .. await Sql.ColumnAsync(database, "SELECT t::text FROM actorsales_rm_salespeople t ORDER BY salesperson_id"),
        .. await Sql.ColumnAsync(database, "SELECT t::text FROM actorsales_rm_history t ORDER BY position"),
    ];

    private static List<string> Sorted(List<string> ids) => [.. ids.Order(StringComparer.Ordinal)];

    private static async Task<List<string>> AllCustomerIdsAsync(PostgresReadModelStore store, CustomerQuery query) =>
        await AllPagesAsync(async token => await store.ListCustomersAsync(query with { PageToken = token }, Ct), c => c.CustomerId);

    private static async Task<List<string>> AllOpportunityIdsAsync(PostgresReadModelStore store, OpportunityQuery query) =>
        await AllPagesAsync(async token => await store.ListOpportunitiesAsync(query with { PageToken = token }, Ct), o => o.OpportunityId);

    private static async Task<List<string>> AllSearchIdsAsync(PostgresReadModelStore store, ReadScope scope, string text) =>
        await AllPagesAsync(async token => await store.SearchCustomersAsync(new CustomerSearch(scope, text, 1, token), Ct), c => c.CustomerId);

    private static async Task<List<string>> AllTimelineAsync(PostgresReadModelStore store, EntityType type, string id, int pageSize) =>
        await AllPagesAsync(async token => await store.TimelineAsync(new TimelineQuery(type, id, pageSize, token), Ct), e => e.EventId);

    [Fact]
    public async Task An_activity_leaves_the_search_row_alone_and_a_rename_rewrites_it()
    {
        var (store, database) = await PostgresReadModelStores.CreateAsync(postgres);
        await using var _ = store;
        var log = new ReadModelEvents();
        var c1 = Customer("c1", "杭州市第一中心医院", "t1", "r1", 1, CustomerTier.A, "healthcare", SourceChannel.Referral, "",
            new Contact { Name = "王伟", Phone = "+86 138 0013 8000" });
        log.Register(c1);
        await store.ApplyAsync(log.Log, log.Log[^1].Position, Ct);
        const string SearchRowVersion = "SELECT xmin::text FROM actorsales_rm_customer_search WHERE customer_id = 'c1'";
        var written = await Sql.ScalarAsync<string>(database, SearchRowVersion);

        // A follow-up moves the customer row (follow-up time, version) but not its searchable text.
        var followUp = log.FollowUp(c1, ReadModelEvents.Day0.AddDays(3), 1);
        await store.ApplyAsync([followUp], followUp.Position, Ct);
        Assert.Equal(written, await Sql.ScalarAsync<string>(database, SearchRowVersion));
        Assert.Equal(["c1"], await AllSearchIdsAsync(store, Everything, "1380013"));

        var renamed = c1.Clone();
        renamed.Name = "Hangzhou First Central Hospital";
        var update = log.Update(renamed, ReadModelEvents.Day0.AddDays(4), "name");
        await store.ApplyAsync([update], update.Position, Ct);
        Assert.NotEqual(written, await Sql.ScalarAsync<string>(database, SearchRowVersion));
        Assert.Equal(["c1"], await AllSearchIdsAsync(store, Everything, "first central"));
        Assert.Empty(await AllSearchIdsAsync(store, Everything, "中心医院"));

        // A rebuild writes the search rows again from the history.
        await store.RebuildAsync(Ct);
        Assert.Equal(["c1"], await AllSearchIdsAsync(store, Everything, "first central"));
        Assert.Equal(1L, await Sql.ScalarAsync<long>(database, "SELECT count(*) FROM actorsales_rm_customer_search"));
    }

    [Fact]
    public async Task A_query_statement_run_by_raw_Npgsql_returns_the_rows_the_store_returns()
    {
        var (store, database, _) = await ProjectedWorldAsync();
        await using var __ = store;
        await using var source = Npgsql.NpgsqlDataSource.Create(database);
        async Task<List<string>> RunAsync(ReadModelStatement statement, Func<byte[], string> id)
        {
            await using var command = statement.CreateCommand(source);
            await using var reader = await command.ExecuteReaderAsync(Ct);
            var ids = new List<string>();
            while (await reader.ReadAsync(Ct) && ids.Count < statement.PageSize)
            {
                ids.Add(id(reader.GetFieldValue<byte[]>(0)));
            }
            return ids;
        }
        static string CustomerId(byte[] payload) => ActorSales.Contracts.V1.Customer.Parser.ParseFrom(payload).CustomerId;

        var search = new CustomerSearch(new ReadScope("t1", "m1"), "acme", 10, null);
        var list = new CustomerQuery(Everything, 3, Tier: CustomerTier.A, Sort: CustomerSort.Name, Descending: false);
        var deals = new OpportunityQuery(Everything, 10, Sort: OpportunitySort.Amount, Descending: true);
        var statement = PostgresReadModelStore.Statement(search)!;
        Assert.Equal((await store.SearchCustomersAsync(search, Ct)).Items.Select(c => c.CustomerId), await RunAsync(statement, CustomerId));
        Assert.Equal((await store.SearchCustomersAsync(search, Ct)).Items.Select(c => c.CustomerId), await RunAsync(statement, CustomerId)); // runs again
        Assert.Equal((await store.ListCustomersAsync(list, Ct)).Items.Select(c => c.CustomerId), await RunAsync(PostgresReadModelStore.Statement(list), CustomerId));
        Assert.Equal((await store.ListOpportunitiesAsync(deals, Ct)).Items.Select(o => o.OpportunityId),
            await RunAsync(PostgresReadModelStore.Statement(deals), p => ActorSales.Contracts.V1.Opportunity.Parser.ParseFrom(p).OpportunityId));
        Assert.Null(PostgresReadModelStore.Statement(new CustomerSearch(Everything, "  ", 10, null)));
    }

    [Fact]
    public async Task Keyset_lists_walk_their_sort_index_instead_of_sorting()
    {
        var (store, database, _) = await ProjectedWorldAsync();
        await using var __ = store;

        // The index gives the order: no Sort node (a sort of the numeric cast needed one, over every matching row). On
        // these few rows the planner would rather scan, so scans other than by index are switched off.
        foreach (var statement in new[]
        {
            PostgresReadModelStore.Statement(new OpportunityQuery(Everything, 10, Sort: OpportunitySort.ExpectedClose)),
            PostgresReadModelStore.Statement(new CustomerQuery(Everything, 10, Sort: CustomerSort.Created, Descending: true)),
            PostgresReadModelStore.Statement(new CustomerQuery(new ReadScope("t1", null), 10, Sort: CustomerSort.Name, Descending: false)),
        })
        {
            var plan = await PlanAsync(database, statement);
            Assert.DoesNotContain("Sort", plan, StringComparison.Ordinal);
            Assert.Contains("Index", plan, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_team_board_reads_the_team_from_its_indexes_alone()
    {
        var (store, database, _) = await ProjectedWorldAsync();
        await using var __ = store;
        await Sql.ScalarAsync<object>(database, "VACUUM ANALYZE actorsales_rm_opportunities, actorsales_rm_customers, actorsales_rm_stage_facts");
        var board = new AnalyticsFilter(new ReadScope("t1", "m1"), TeamId: "t1"); // a manager's reach, narrowed to the team
        var heatmap = PostgresReadModelStore.OpenCountsStatement(board, null, Day0.AddDays(30));
        var forecast = PostgresReadModelStore.ForecastPartsStatement(board, null);
        var funnel = PostgresReadModelStore.StageEntriesStatement(board, "default", new Period(Day0, Day0.AddDays(30)));
        var interventions = PostgresReadModelStore.InterventionsStatement(board, 100);
        var warned = PostgresReadModelStore.AboutToReleaseStatement(board, 100);

        // The narrowing implies the reach, so the reach's "team or owner" is left out: an OR would bitmap-scan two
        // indexes and visit the heap (0012_board_indexes.sql, measured at 1,000,000 opportunities).
        Assert.All(new[] { heatmap, forecast, funnel, interventions, warned }, s => Assert.DoesNotContain("owner_id =", s.Sql, StringComparison.Ordinal));
        // Counts and facts from covering indexes, never the heap.
        Assert.Contains("Index Only Scan using actorsales_rm_opportunities_team_open", await PlanAsync(database, heatmap), StringComparison.Ordinal);
        Assert.Contains("Index Only Scan using actorsales_rm_opportunities_team_open", await PlanAsync(database, forecast), StringComparison.Ordinal);
        Assert.Contains("Index Only Scan using actorsales_rm_stage_facts_team_funnel", await PlanAsync(database, funnel), StringComparison.Ordinal);
        // The lists: the count from the team's partial index alone, the first 100 walked in a partial index's order (no
        // sort below the limit; on these empty lists the planner may take the everything-scope one and filter by team).
        // Status and flags are literals, or the planner could not match the partial indexes' predicates.
        foreach (var (statement, team, all) in new[]
        {
            (interventions, "actorsales_rm_opportunities_team_interventions", "actorsales_rm_opportunities_interventions"),
            (warned, "actorsales_rm_customers_team_release_warned", "actorsales_rm_customers_all_release_warned"),
        })
        {
            var plan = await PlanAsync(database, statement);
            Assert.Contains($"Index Only Scan using {team}", plan, StringComparison.Ordinal);
            Assert.True(System.Text.RegularExpressions.Regex.IsMatch(plan, $@"Limit[^\n]*\n\s*->  Index Scan using ({team}|{all}) "), plan);
        }
    }

    /// <summary>EXPLAIN of a statement, with scans other than by index switched off (the tests' tables are tiny).</summary>
    private static async Task<string> PlanAsync(string database, ReadModelStatement statement)
    {
        await using var source = Npgsql.NpgsqlDataSource.Create(database);
        await using var connection = await source.OpenConnectionAsync(Ct);
        await using (var off = new Npgsql.NpgsqlCommand("SET enable_seqscan = off; SET enable_bitmapscan = off", connection))
        {
            await off.ExecuteNonQueryAsync(Ct);
        }
        await using var explain = new Npgsql.NpgsqlCommand("EXPLAIN " + statement.Sql, connection);
        foreach (var parameter in statement.Parameters)
        {
            explain.Parameters.Add(parameter.Clone());
        }
        var lines = new List<string>();
        await using var reader = await explain.ExecuteReaderAsync(Ct);
        while (await reader.ReadAsync(Ct))
        {
            lines.Add(reader.GetString(0));
        }
        return string.Join("\n", lines);
    }

    /// <summary>Follows the page tokens to the end; a page never repeats an item and the walk ends.</summary>
    private static async Task<List<string>> AllPagesAsync<T>(Func<string?, Task<ResultPage<T>>> page, Func<T, string> id)
    {
        var ids = new List<string>();
        string? token = null;
        for (var pages = 0; pages < 100; pages++)
        {
            var result = await page(token);
            ids.AddRange(result.Items.Select(id));
            token = result.NextPageToken;
            if (token is null)
            {
                Assert.Equal(ids.Count, ids.Distinct().Count());
                return ids;
            }
        }
        throw new InvalidOperationException("paging did not end");
    }
}
