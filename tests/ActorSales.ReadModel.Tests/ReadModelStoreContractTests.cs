using ActorSales.Contracts.V1;
using ActorSales.Domain.Errors;
using ActorSales.Grains.Abstractions.Events;
using static ActorSales.ReadModel.Tests.ReadModelSeed;
using ReadScope = ActorSales.Domain.Identity.ReadScope;

namespace ActorSales.ReadModel.Tests;

/// <summary>
/// What every <see cref="IReadModelStore"/> must do, run against each store by a subclass that makes an empty one
/// (<see cref="InMemoryReadModelStoreTests"/>; the PostgreSQL tests subclass it for theirs). The world is
/// <see cref="ReadModelSeed"/>; expectations are exact lists in order.
/// </summary>
public abstract partial class ReadModelStoreContractTests
{
    public static readonly ReadScope All = ReadScope.Everything;
    public static readonly ReadScope RepA1 = new(null, "rep-a1");
    public static readonly ReadScope RepA2 = new(null, "rep-a2");
    public static readonly ReadScope ManagerA = new("team-a", "mgr-a");

    /// <summary>A new, empty store (checkpoint 0, no rows, no history).</summary>
    protected abstract Task<IReadModelStore> CreateStoreAsync();

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A store with the seed applied in one batch.</summary>
    protected async Task<(IReadModelStore Store, EventBuilder Events)> SeededAsync()
    {
        var store = await CreateStoreAsync();
        var events = Build();
        await store.ApplyAsync(events.All, events.All[^1].Position, Ct);
        return (store, events);
    }

    public static async Task<List<string>> CustomerIdsAsync(IReadModelQueries store, CustomerQuery query) =>
        [.. (await store.ListCustomersAsync(query, Ct)).Items.Select(c => c.CustomerId)];

    public static async Task<List<string>> SearchAsync(IReadModelQueries store, ReadScope scope, string text) =>
        [.. (await store.SearchCustomersAsync(new CustomerSearch(scope, text, 50, null), Ct)).Items.Select(c => c.CustomerId)];

    public static async Task<List<string>> OpportunityIdsAsync(IReadModelQueries store, OpportunityQuery query) =>
        [.. (await store.ListOpportunitiesAsync(query, Ct)).Items.Select(o => o.OpportunityId)];

    [Fact]
    public async Task Search_finds_Chinese_text_inside_a_name()
    {
        var (store, _) = await SeededAsync();

        Assert.Equal([Hospital], await SearchAsync(store, All, "中心医院"));
        Assert.Equal([Hospital], await SearchAsync(store, All, "王伟"));
    }

    [Theory]
    [InlineData("1380013")]
    [InlineData("138 0013")]
    [InlineData("+86 138-0013-8000")]
    [InlineData("８６１３８")] // full-width digits
    public async Task Search_finds_a_phone_from_a_fragment_of_its_digits_in_any_format(string query)
    {
        var (store, _) = await SeededAsync();

        Assert.Equal([Hospital], await SearchAsync(store, All, query));
    }

    [Fact]
    public async Task Search_matches_company_contact_name_and_email_ignoring_case()
    {
        var (store, _) = await SeededAsync();

        Assert.Equal([Acme], await SearchAsync(store, All, "ANNA schmidt"));
        Assert.Equal([Acme], await SearchAsync(store, All, "anna@ACME.de"));
        Assert.Equal([Hospital], await SearchAsync(store, All, "hzyy.cn"));
        Assert.Empty(await SearchAsync(store, All, "nobody by this name"));
        Assert.Empty(await SearchAsync(store, All, "   "));
    }

    [Fact]
    public async Task Search_ranks_a_field_starting_with_the_text_before_a_match_inside_it_then_by_name()
    {
        var (store, _) = await SeededAsync();

        // Prefix matches (Acme GmbH, Acme Holdings) before Aaron Acme Co, although "aaron" sorts first.
        Assert.Equal([Acme, Pooled, Aaron], await SearchAsync(store, All, "acme"));
    }

    [Fact]
    public async Task Search_never_returns_or_counts_another_reps_customers()
    {
        var (store, _) = await SeededAsync();

        Assert.Empty(await SearchAsync(store, RepA2, "中心医院"));
        Assert.Empty(await SearchAsync(store, RepA2, "1380013"));
        Assert.Equal([Hospital], await SearchAsync(store, RepA1, "中心医院"));
        // A pooled customer has no owner: its former owner no longer finds it, the team's manager does.
        Assert.Equal([Acme], await SearchAsync(store, RepA2, "acme"));
        Assert.Equal([Acme, Pooled, Aaron], await SearchAsync(store, ManagerA, "acme"));
        var page = await store.SearchCustomersAsync(new CustomerSearch(RepA2, "acme", 1, null), Ct);
        Assert.Null(page.NextPageToken);
    }

    [Fact]
    public async Task Customer_lists_apply_the_scope_of_each_role()
    {
        var (store, _) = await SeededAsync();

        Assert.Equal([Aaron, Gamma, Hospital], await CustomerIdsAsync(store, new CustomerQuery(RepA1, 50, Sort: CustomerSort.Name, Descending: false)));
        Assert.Equal([Acme], await CustomerIdsAsync(store, new CustomerQuery(RepA2, 50)));
        Assert.Equal([Pooled, Gamma, Aaron, Acme, Hospital], await CustomerIdsAsync(store, new CustomerQuery(ManagerA, 50)));
        Assert.Equal(6, (await CustomerIdsAsync(store, new CustomerQuery(All, 50))).Count);
        // A rep asking for another rep's book gets nothing, not an error that would confirm it exists.
        Assert.Empty(await CustomerIdsAsync(store, new CustomerQuery(RepA2, 50, OwnerId: "rep-a1")));
    }

    public static TheoryData<string, CustomerQuery, string[]> CustomerFilters => new()
    {
        { "tier", new CustomerQuery(All, 50, Tier: CustomerTier.A), [Hospital] },
        { "industry, any case", new CustomerQuery(All, 50, Industry: "HEALTHCARE"), [Gamma, Hospital] },
        { "source", new CustomerQuery(All, 50, SourceChannel: SourceChannel.Outbound), [Beta] },
        { "in pool", new CustomerQuery(All, 50, InPool: true), [Pooled] },
        { "not in pool", new CustomerQuery(All, 50, InPool: false), [Gamma, Aaron, Beta, Acme, Hospital] },
        { "locked", new CustomerQuery(All, 50, Locked: true), [Acme] },
        { "release warned", new CustomerQuery(All, 50, ReleaseWarned: true), [Hospital] },
        { "no follow-up since", new CustomerQuery(All, 50, FollowedUpBefore: T0.AddDays(5)), [Pooled, Gamma, Aaron, Beta, Hospital] },
        { "followed up since", new CustomerQuery(All, 50, FollowedUpAfter: T0.AddDays(5)), [Acme] },
        { "created between", new CustomerQuery(All, 50, CreatedFrom: T0.AddDays(1), CreatedTo: T0.AddDays(3)), [Beta, Acme] },
        { "team", new CustomerQuery(All, 50, TeamId: "team-b"), [Beta] },
        { "owner", new CustomerQuery(All, 50, OwnerId: "rep-a1"), [Gamma, Aaron, Hospital] },
        { "combined", new CustomerQuery(ManagerA, 50, Tier: CustomerTier.B, Industry: "healthcare"), [Gamma] },
    };

    [Theory]
    [MemberData(nameof(CustomerFilters))]
    public async Task Customer_filters_select_exactly_the_matching_rows(string filter, CustomerQuery query, string[] expected)
    {
        var (store, _) = await SeededAsync();

        Assert.True(expected.SequenceEqual(await CustomerIdsAsync(store, query)), filter);
    }

    [Fact]
    public async Task The_grade_filter_lists_the_intervention_list_within_the_callers_scope()
    {
        var (store, events) = await SeededAsync();
        var graded = new[]
        {
            events.Graded(Gamma, CustomerGrade.C), events.Graded(Hospital, CustomerGrade.C), events.Graded(Beta, CustomerGrade.C),
            events.Graded(Acme, CustomerGrade.B), events.Graded(Hospital, CustomerGrade.A, 72.5), // Hospital left the list again
        };
        await store.ApplyAsync(graded, graded[^1].Position, Ct);

        Assert.Equal([Gamma, Beta], await CustomerIdsAsync(store, new CustomerQuery(All, 50, Grade: CustomerGrade.C)));
        Assert.Equal([Gamma], await CustomerIdsAsync(store, new CustomerQuery(ManagerA, 50, Grade: CustomerGrade.C)));
        Assert.Empty(await CustomerIdsAsync(store, new CustomerQuery(RepA2, 50, Grade: CustomerGrade.C)));
        Assert.Equal([Hospital], await CustomerIdsAsync(store, new CustomerQuery(All, 50, Grade: CustomerGrade.A)));
        Assert.Equal([Acme], await CustomerIdsAsync(store, new CustomerQuery(All, 50, Grade: CustomerGrade.B, Locked: true)));
        var hospital = (await store.ListCustomersAsync(new CustomerQuery(All, 50, Grade: CustomerGrade.A), Ct)).Items.Single();
        Assert.Equal((CustomerGrade.A, CustomerTier.A, graded[^1].Event.Sequence), (hospital.Grade, hospital.Tier, hospital.Version));
        // Customers never graded (rows from before grading) match no grade.
        Assert.Equal([Pooled, Aaron], await CustomerIdsAsync(store, new CustomerQuery(All, 50, Grade: CustomerGrade.Unspecified)));
    }

    public static TheoryData<CustomerSort, bool, string[]> CustomerSorts => new()
    {
        { CustomerSort.Created, true, [Pooled, Gamma, Aaron, Beta, Acme, Hospital] },
        { CustomerSort.Created, false, [Hospital, Acme, Beta, Aaron, Gamma, Pooled] },
        { CustomerSort.Name, false, [Aaron, Acme, Pooled, Beta, Gamma, Hospital] },
        { CustomerSort.LastFollowUp, true, [Acme, Hospital, Pooled, Gamma, Beta, Aaron] },
    };

    [Theory]
    [MemberData(nameof(CustomerSorts))]
    public async Task Customer_sorts_order_by_the_key_then_id(CustomerSort sort, bool descending, string[] expected)
    {
        var (store, _) = await SeededAsync();

        Assert.Equal(expected, await CustomerIdsAsync(store, new CustomerQuery(All, 50, Sort: sort, Descending: descending)));
    }

    [Theory]
    [InlineData(CustomerSort.Created, true)]
    [InlineData(CustomerSort.Name, false)]
    [InlineData(CustomerSort.LastFollowUp, true)]
    public async Task Pages_walk_the_whole_list_once_in_order(CustomerSort sort, bool descending)
    {
        var (store, _) = await SeededAsync();
        var whole = await CustomerIdsAsync(store, new CustomerQuery(All, 50, Sort: sort, Descending: descending));

        var walked = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = await store.ListCustomersAsync(new CustomerQuery(All, 4, token, Sort: sort, Descending: descending), Ct);
            walked.AddRange(page.Items.Select(c => c.CustomerId));
            token = page.NextPageToken;
            pages++;
        }
        while (token is not null);

        Assert.Equal(whole, walked);
        Assert.Equal(2, pages);
    }

    [Fact]
    public async Task Search_pages_keep_the_ranking()
    {
        var (store, _) = await SeededAsync();

        var first = await store.SearchCustomersAsync(new CustomerSearch(All, "acme", 2, null), Ct);
        var second = await store.SearchCustomersAsync(new CustomerSearch(All, "acme", 2, first.NextPageToken), Ct);

        Assert.Equal([Acme, Pooled], first.Items.Select(c => c.CustomerId));
        Assert.Equal([Aaron], second.Items.Select(c => c.CustomerId));
        Assert.Null(second.NextPageToken);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(501)]
    [InlineData(100000)]
    public async Task A_page_size_outside_1_to_500_is_refused_naming_the_field(int pageSize)
    {
        var store = await CreateStoreAsync();

        var error = await Assert.ThrowsAsync<ValidationException>(() => store.ListCustomersAsync(new CustomerQuery(All, pageSize), Ct));
        Assert.Equal("page_size", error.Field);
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("'; DROP TABLE customers; --")]
    public async Task A_token_the_store_did_not_make_is_refused_naming_the_field(string token)
    {
        var (store, _) = await SeededAsync();

        var error = await Assert.ThrowsAsync<ValidationException>(() => store.ListCustomersAsync(new CustomerQuery(All, 2, token), Ct));
        Assert.Equal("page_token", error.Field);
    }

    [Fact]
    public async Task A_token_of_another_sort_is_refused()
    {
        var (store, _) = await SeededAsync();
        var page = await store.ListCustomersAsync(new CustomerQuery(All, 2, Sort: CustomerSort.Name, Descending: false), Ct);

        var error = await Assert.ThrowsAsync<ValidationException>(() =>
            store.ListCustomersAsync(new CustomerQuery(All, 2, page.NextPageToken, Sort: CustomerSort.Created), Ct));
        Assert.Equal("page_token", error.Field);
    }

    public static TheoryData<string, OpportunityQuery, string[]> OpportunityFilters => new()
    {
        { "region", new OpportunityQuery(All, 50, Region: "east"), [HospitalDeal, AcmeDeal] },
        { "other region", new OpportunityQuery(All, 50, Region: "West"), [BetaDeal] },
        { "open", new OpportunityQuery(All, 50, Status: OpportunityStatus.Open), [HospitalDeal] },
        { "won", new OpportunityQuery(All, 50, Status: OpportunityStatus.Won), [AcmeDeal] },
        { "lost", new OpportunityQuery(All, 50, Status: OpportunityStatus.Lost), [BetaDeal] },
        { "stall", new OpportunityQuery(All, 50, StallLevel: StallLevel.Yellow), [HospitalDeal] },
        { "signal", new OpportunityQuery(All, 50, Signal: ForecastSignal.L2), [HospitalDeal] },
        { "amount from", new OpportunityQuery(All, 50, AmountMin: 50_000m), [HospitalDeal, AcmeDeal] },
        { "amount to", new OpportunityQuery(All, 50, AmountMax: 49_999.99m), [BetaDeal] },
        { "currency", new OpportunityQuery(All, 50, Currency: "EUR"), [BetaDeal, AcmeDeal] },
        { "expected close", new OpportunityQuery(All, 50, ExpectedCloseFrom: T0.AddDays(40), ExpectedCloseTo: T0.AddDays(60)), [BetaDeal] },
        { "pipeline", new OpportunityQuery(All, 50, PipelineKey: "hospital"), [HospitalDeal] },
        { "stage", new OpportunityQuery(All, 50, Stage: "ProposalSubmitted"), [AcmeDeal] },
        { "customer", new OpportunityQuery(All, 50, CustomerId: Acme), [AcmeDeal] },
        { "owner", new OpportunityQuery(All, 50, OwnerId: "rep-a1"), [HospitalDeal] },
        { "team", new OpportunityQuery(All, 50, TeamId: "team-b"), [BetaDeal] },
        { "rep scope", new OpportunityQuery(RepA2, 50), [AcmeDeal] },
        { "manager scope", new OpportunityQuery(ManagerA, 50), [HospitalDeal, AcmeDeal] },
    };

    [Theory]
    [MemberData(nameof(OpportunityFilters))]
    public async Task Opportunity_filters_select_exactly_the_matching_rows(string filter, OpportunityQuery query, string[] expected)
    {
        var (store, _) = await SeededAsync();

        Assert.True(expected.SequenceEqual(await OpportunityIdsAsync(store, query)), filter);
    }

    public static TheoryData<OpportunitySort, bool, string[]> OpportunitySorts => new()
    {
        { OpportunitySort.ExpectedClose, false, [HospitalDeal, BetaDeal, AcmeDeal] },
        { OpportunitySort.Amount, true, [HospitalDeal, AcmeDeal, BetaDeal] },
        { OpportunitySort.TimeInStage, false, [AcmeDeal, BetaDeal, HospitalDeal] },
        { OpportunitySort.TimeInStage, true, [HospitalDeal, BetaDeal, AcmeDeal] },
    };

    [Theory]
    [MemberData(nameof(OpportunitySorts))]
    public async Task Opportunity_sorts_order_by_the_key_then_id(OpportunitySort sort, bool descending, string[] expected)
    {
        var (store, _) = await SeededAsync();

        Assert.Equal(expected, await OpportunityIdsAsync(store, new OpportunityQuery(All, 50, Sort: sort, Descending: descending)));
    }

    [Fact]
    public async Task Opportunity_rows_show_the_deltas_applied()
    {
        var (store, _) = await SeededAsync();

        var deal = Assert.Single((await store.ListOpportunitiesAsync(new OpportunityQuery(All, 50, CustomerId: Hospital), Ct)).Items);
        Assert.Equal(ForecastSignal.L2, deal.Signal);
        Assert.Equal("300000", deal.WeightedValue.Amount); // 30 % of 1,000,000
        Assert.Equal(StallLevel.Yellow, deal.StallLevel);
        Assert.Equal(3, deal.Version);
        var won = Assert.Single((await store.ListOpportunitiesAsync(new OpportunityQuery(All, 50, CustomerId: Acme), Ct)).Items);
        Assert.Equal("ProposalSubmitted", won.Stage);
        Assert.Equal(3, won.History.Count); // opened, ProposalSubmitted, and the closing "won" entry the aggregate adds
    }

    [Fact]
    public async Task Teams_list_by_region_and_scope()
    {
        var (store, _) = await SeededAsync();

        async Task<List<string>> Teams(TeamQuery query) => [.. (await store.ListTeamsAsync(query, Ct)).Items.Select(t => t.TeamId)];
        Assert.Equal(["team-a", "team-b"], await Teams(new TeamQuery(All, 50)));
        Assert.Equal(["team-b"], await Teams(new TeamQuery(All, 50, Region: "west")));
        Assert.Equal(["team-a"], await Teams(new TeamQuery(RepA1, 50)));
        Assert.Equal(["team-b"], await Teams(new TeamQuery(new ReadScope(null, "rep-b1"), 50))); // joined after creation
        Assert.Equal(["team-a"], await Teams(new TeamQuery(ManagerA, 50)));
        var west = Assert.Single((await store.ListTeamsAsync(new TeamQuery(All, 50, Region: "West"), Ct)).Items);
        Assert.Equal(["mgr-b", "rep-b1"], west.MemberIds);
    }

    [Fact]
    public async Task Salespeople_list_by_team_role_status_and_scope()
    {
        var (store, _) = await SeededAsync();

        async Task<List<string>> People(SalespersonQuery query) => [.. (await store.ListSalespeopleAsync(query, Ct)).Items.Select(s => s.SalespersonId)];
        Assert.Equal(["rep-a1", "rep-a2", "mgr-a"], await People(new SalespersonQuery(All, 50, TeamId: "team-a")));
        Assert.Equal(["mgr-b", "mgr-a"], await People(new SalespersonQuery(All, 50, Role: Role.Manager)));
        Assert.Equal(["rep-b1"], await People(new SalespersonQuery(All, 50, Status: SalespersonStatus.Departing)));
        Assert.Equal(["rep-a1"], await People(new SalespersonQuery(RepA1, 50)));
        Assert.Equal(["rep-a1", "rep-a2", "mgr-a"], await People(new SalespersonQuery(ManagerA, 50)));
    }

    [Fact]
    public async Task A_customers_timeline_holds_its_deals_events_newest_first()
    {
        var (store, events) = await SeededAsync();

        var timeline = await store.TimelineAsync(new TimelineQuery(EntityType.Customer, Hospital, 50), Ct);

        Assert.Equal(
            ["customer_follow_up_overdue", "opportunity_stall_changed", "department_task_changed", "forecast_signal_changed",
             "opportunity_opened", "activity_logged", "customer_registered"],
            timeline.Items.Select(e => EventTypes.NameOf(e.ChangeCase)));
        var expected = events.All.Where(s => s.Event.EntityId is Hospital or HospitalDeal or "task-1").Select(s => s.Event.ToEvent()).Reverse();
        Assert.Equal(expected, timeline.Items);
    }

    [Fact]
    public async Task A_deals_timeline_holds_only_its_own_events_and_pages()
    {
        var (store, _) = await SeededAsync();

        var first = await store.TimelineAsync(new TimelineQuery(EntityType.Opportunity, HospitalDeal, 3), Ct);
        var second = await store.TimelineAsync(new TimelineQuery(EntityType.Opportunity, HospitalDeal, 3, first.NextPageToken), Ct);

        Assert.Equal(["opportunity_stall_changed", "department_task_changed", "forecast_signal_changed"], first.Items.Select(e => EventTypes.NameOf(e.ChangeCase)));
        Assert.Equal(["opportunity_opened"], second.Items.Select(e => EventTypes.NameOf(e.ChangeCase)));
        Assert.Null(second.NextPageToken);
        Assert.Empty((await store.TimelineAsync(new TimelineQuery(EntityType.Customer, "c-unknown", 3), Ct)).Items);
    }

    [Fact]
    public async Task The_projected_version_is_the_entitys_last_applied_sequence()
    {
        var (store, _) = await SeededAsync();

        Assert.Equal(3, await store.ProjectedVersionAsync(EntityType.Customer, Hospital, Ct));
        Assert.Equal(3, await store.ProjectedVersionAsync(EntityType.Opportunity, HospitalDeal, Ct));
        Assert.Equal(1, await store.ProjectedVersionAsync(EntityType.Task, "task-1", Ct));
        Assert.Equal(0, await store.ProjectedVersionAsync(EntityType.Customer, "c-unknown", Ct));
    }

    [Fact]
    public async Task Ownership_changes_move_rows_between_scopes()
    {
        var (store, events) = await SeededAsync();
        var checkpoint = await store.CheckpointAsync(Ct);

        var claim = events.Claim(Pooled, "rep-a1");
        var transfer = events.Transfer(Acme, "rep-b1", "team-b");
        await store.ApplyAsync([claim, transfer], transfer.Position, Ct);

        Assert.Equal(transfer.Position, await store.CheckpointAsync(Ct));
        Assert.True(checkpoint < transfer.Position);
        Assert.Empty(await CustomerIdsAsync(store, new CustomerQuery(RepA2, 50)));
        Assert.Contains(Pooled, await CustomerIdsAsync(store, new CustomerQuery(RepA1, 50)));
        Assert.Equal([Pooled, Gamma, Aaron, Hospital], await CustomerIdsAsync(store, new CustomerQuery(ManagerA, 50)));
        Assert.Empty(await CustomerIdsAsync(store, new CustomerQuery(All, 50, InPool: true)));
        Assert.Empty(await SearchAsync(store, RepA2, "anna"));
        Assert.Equal([Acme], await SearchAsync(store, new ReadScope("team-b", "mgr-b"), "anna"));
    }

    [Fact]
    public async Task A_batch_at_or_before_the_checkpoint_is_refused_and_changes_nothing()
    {
        var (store, events) = await SeededAsync();
        var checkpoint = await store.CheckpointAsync(Ct);
        var before = await SnapshotAsync(store);

        // A projector that lost its lease re-sends the last event, and another starts its batch at the checkpoint.
        await Assert.ThrowsAsync<ProjectionConflictException>(() => store.ApplyAsync([events.All[^1]], events.All[^1].Position, Ct));
        var lock1 = events.Lock(Beta);
        var overlapping = new StoredEvent(checkpoint, lock1.Event);
        await Assert.ThrowsAsync<ProjectionConflictException>(() => store.ApplyAsync([overlapping, lock1], lock1.Position, Ct));
        await Assert.ThrowsAsync<ProjectionConflictException>(() => store.ApplyAsync([], checkpoint, Ct));

        Assert.Equal(checkpoint, await store.CheckpointAsync(Ct));
        Assert.Equal(before, await SnapshotAsync(store));
        Assert.Empty(await CustomerIdsAsync(store, new CustomerQuery(All, 50, TeamId: "team-b", Locked: true)));

        await store.ApplyAsync([lock1], lock1.Position, Ct); // the next batch after the checkpoint applies once
        Assert.Equal([Beta], await CustomerIdsAsync(store, new CustomerQuery(All, 50, TeamId: "team-b", Locked: true)));
    }

    [Fact]
    public async Task Applying_in_small_batches_gives_the_rows_of_one_batch()
    {
        var (whole, events) = await SeededAsync();
        var batched = await CreateStoreAsync();

        foreach (var chunk in events.All.Chunk(4))
        {
            await batched.ApplyAsync(chunk, chunk[^1].Position, Ct);
        }

        Assert.Equal(await SnapshotAsync(whole), await SnapshotAsync(batched));
    }

    [Fact]
    public async Task Rebuilding_from_history_gives_the_rows_of_the_live_projection()
    {
        var (store, events) = await SeededAsync();
        var more = new[] { events.Claim(Pooled, "rep-a2"), events.Activity(Hospital, ActivityKind.Meeting, "budget", isFollowUp: true), events.OpportunityOwner(HospitalDeal, "rep-a2", "team-a") };
        await store.ApplyAsync(more, more[^1].Position, Ct);
        var live = await SnapshotAsync(store);
        var checkpoint = await store.CheckpointAsync(Ct);

        await store.RebuildAsync(Ct);

        Assert.Equal(live, await SnapshotAsync(store));
        Assert.Equal(checkpoint, await store.CheckpointAsync(Ct));
        Assert.Empty(await CustomerIdsAsync(store, new CustomerQuery(All, 50, ReleaseWarned: true))); // the meeting ended the warning
    }

    /// <summary>Everything the queries show, as comparable text: every row of every list and every timeline.</summary>
    public static async Task<string> SnapshotAsync(IReadModelQueries store)
    {
        var parts = new List<string>();
        var customers = (await store.ListCustomersAsync(new CustomerQuery(All, 500, Sort: CustomerSort.Name, Descending: false), Ct)).Items;
        parts.AddRange(customers.Select(c => c.ToString()));
        parts.AddRange((await store.ListCustomersAsync(new CustomerQuery(All, 500, ReleaseWarned: true), Ct)).Items.Select(c => "warned " + c.CustomerId));
        var opportunities = (await store.ListOpportunitiesAsync(new OpportunityQuery(All, 500), Ct)).Items;
        parts.AddRange(opportunities.Select(o => o.ToString()));
        parts.AddRange((await store.ListTeamsAsync(new TeamQuery(All, 500), Ct)).Items.Select(t => t.ToString()));
        parts.AddRange((await store.ListSalespeopleAsync(new SalespersonQuery(All, 500), Ct)).Items.Select(s => s.ToString()));
        foreach (var c in customers)
        {
            parts.AddRange((await store.TimelineAsync(new TimelineQuery(EntityType.Customer, c.CustomerId, 500), Ct)).Items.Select(e => $"{c.CustomerId}: {e.EventId}"));
        }
        return string.Join('\n', parts);
    }
}
