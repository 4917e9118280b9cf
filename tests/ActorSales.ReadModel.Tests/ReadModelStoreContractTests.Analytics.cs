using ActorSales.Contracts.V1;
using ActorSales.ReadModel.Analytics;
using static ActorSales.ReadModel.Tests.AnalyticsSeed;
using ReadScope = ActorSales.Domain.Identity.ReadScope;

namespace ActorSales.ReadModel.Tests;

// The analytics figures over AnalyticsSeed, to the unit, through the store's facts and the shared AnalyticsFigures:
// every store must return the facts that make exactly these numbers.
public abstract partial class ReadModelStoreContractTests
{
    private static readonly Period March = new(Day(0), Day(30));
    private static AnalyticsFilter TeamA => new(ManagerA, TeamId: "team-a");

    protected async Task<IReadModelStore> AnalyticsStoreAsync()
    {
        var store = await CreateStoreAsync();
        var events = AnalyticsSeed.Build();
        await store.ApplyAsync(events.All, events.All[^1].Position, Ct);
        return store;
    }

    private static async Task<IReadOnlyList<FunnelStageFigures>> FunnelAsync(IReadModelQueries store, AnalyticsFilter filter, Period period)
    {
        var facts = await store.StageEntriesAsync(filter, "default", period, Ct);
        return AnalyticsFigures.Funnel(facts, AnalyticsFigures.StageOrder(DefaultStages, facts));
    }

    [Fact]
    public async Task Funnel_counts_each_stage_entry_of_the_period_and_what_became_of_it()
    {
        var store = await AnalyticsStoreAsync();

        var funnel = await FunnelAsync(store, TeamA, March);

        Assert.Equal(DefaultStages, funnel.Select(s => s.Stage));
        // NeedsConfirmed: o1, o2, o3, o4, o5 (twice); on: o1, o2, o5 twice; lost: o3; open: o4; won: o1.
        var needs = funnel[0];
        Assert.Equal((6, 4, 0, 1, 1, 1), (needs.Entered, needs.MovedOn, needs.MovedBack, needs.Lost, needs.StillOpen, needs.Won));
        Assert.Equal(66.67m, needs.ConversionToNext.Percent);
        Assert.Equal(16.67m, needs.ConversionToWon.Percent);
        // Left after 1, 2, 3, 6, 6 days: median the 3rd, p90 the ceil(4.5) = 5th.
        Assert.Equal(TimeSpan.FromDays(3), needs.MedianTimeInStage);
        Assert.Equal(TimeSpan.FromDays(6), needs.P90TimeInStage);
        Assert.Equal([("competitor", 1L)], needs.Losses);
        // ProposalSubmitted: o1 on, o2 lost (price), o5 back, o5 again (open); 1, 2, 5 days.
        var proposal = funnel[1];
        Assert.Equal((4, 1, 1, 1, 1, 1), (proposal.Entered, proposal.MovedOn, proposal.MovedBack, proposal.Lost, proposal.StillOpen, proposal.Won));
        Assert.Equal(25m, proposal.ConversionToNext.Percent);
        Assert.Equal(TimeSpan.FromDays(2), proposal.MedianTimeInStage);
        Assert.Equal(TimeSpan.FromDays(5), proposal.P90TimeInStage);
        Assert.Equal([("price", 1L)], proposal.Losses);
        var negotiation = funnel[2];
        Assert.Equal((1, 1, 1), (negotiation.Entered, negotiation.MovedOn, negotiation.Won));
        Assert.Equal(100m, negotiation.ConversionToWon.Percent);
        Assert.Equal(TimeSpan.FromDays(10), negotiation.MedianTimeInStage);
        var approval = funnel[3];
        Assert.Equal(0, approval.Entered);
        Assert.Equal(0m, approval.ConversionToNext.Percent);
        Assert.Null(approval.MedianTimeInStage);
        Assert.Null(approval.P90TimeInStage);
    }

    [Fact]
    public async Task Funnel_median_of_an_even_count_is_the_mean_of_the_middle_two_and_follows_the_scope()
    {
        var store = await AnalyticsStoreAsync();

        var rep = await FunnelAsync(store, new AnalyticsFilter(RepA1), March);
        var teamB = await FunnelAsync(store, new AnalyticsFilter(new ReadScope("team-b", "mgr-b")), March);
        var region = await FunnelAsync(store, new AnalyticsFilter(All, Region: "emea"), March);
        var early = await FunnelAsync(store, TeamA, new Period(Day(0), Day(1)));

        // rep-a1: o1 (2 days), o2 (3 days).
        Assert.Equal(2, rep[0].Entered);
        Assert.Equal(TimeSpan.FromDays(2.5), rep[0].MedianTimeInStage);
        Assert.Equal(TimeSpan.FromDays(3), rep[0].P90TimeInStage);
        Assert.Equal((1, 1), (teamB[0].Entered, teamB[0].MovedOn));
        Assert.Equal(6, region[0].Entered);
        Assert.Equal(1, early[0].Entered); // only o1 entered on day 0; the period's end is exclusive
    }

    [Fact]
    public async Task Funnel_cells_drill_down_to_the_opportunities_behind_them()
    {
        var store = await AnalyticsStoreAsync();
        var facts = await store.StageEntriesAsync(TeamA, "default", March, Ct);
        var order = AnalyticsFigures.StageOrder(DefaultStages, facts);

        Assert.Equal(["o1", "o2", "o5"], AnalyticsFigures.FunnelCellIds(facts, order, "NeedsConfirmed", FunnelCellKind.MovedOn, null));
        Assert.Equal(["o3"], AnalyticsFigures.FunnelCellIds(facts, order, "NeedsConfirmed", FunnelCellKind.Lost, "competitor"));
        Assert.Empty(AnalyticsFigures.FunnelCellIds(facts, order, "NeedsConfirmed", FunnelCellKind.Lost, "price"));
        Assert.Equal(["o5"], AnalyticsFigures.FunnelCellIds(facts, order, "ProposalSubmitted", FunnelCellKind.MovedBack, null));
        Assert.Equal(["o1", "o2", "o3", "o4", "o5"], AnalyticsFigures.FunnelCellIds(facts, order, "NeedsConfirmed", FunnelCellKind.Entered, null));
        var found = await store.OpportunitiesAsync(["o3", "o1", "missing"], Ct);
        Assert.Equal(["o1", "o3"], found.Select(o => o.OpportunityId).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Heatmap_counts_open_opportunities_by_stage_stall_level_and_age_bucket()
    {
        var store = await AnalyticsStoreAsync();

        var counts = await store.OpenCountsAsync(TeamA, null, Day(30), Ct);

        var byStall = counts.GroupBy(c => (c.PipelineKey, c.Stage, c.StallLevel)).ToDictionary(g => g.Key, g => g.Sum(c => c.Count));
        Assert.Equal(new Dictionary<(string, string, StallLevel), long>
        {
            [("default", "NeedsConfirmed", StallLevel.Unspecified)] = 1,
            [("default", "ProposalSubmitted", StallLevel.Unspecified)] = 1,
            [("hospital", "Screening", StallLevel.Yellow)] = 1,
            [("hospital", "Screening", StallLevel.Red)] = 2,
        }, byStall);
        var byAge = counts.GroupBy(c => (c.Stage, c.AgeBucket)).ToDictionary(g => g.Key, g => g.Sum(c => c.Count));
        Assert.Equal(new Dictionary<(string, AgeBucket), long>
        {
            [("NeedsConfirmed", AgeBucket.Days1530)] = 1, // o4, 27 days
            [("ProposalSubmitted", AgeBucket.Days1530)] = 1, // o5, 21 days
            [("Screening", AgeBucket.Days07)] = 1, // o7, 5 days
            [("Screening", AgeBucket.Days814)] = 1, // o8, exactly 8 days
            [("Screening", AgeBucket.DaysOver30)] = 1, // o9, 50 days
        }, byAge);
        Assert.Equal(2, (await store.OpenCountsAsync(TeamA, "default", Day(30), Ct)).Sum(c => c.Count));
        Assert.Equal(1, (await store.OpenCountsAsync(new AnalyticsFilter(All, TeamId: "team-b"), null, Day(30), Ct)).Sum(c => c.Count));
    }

    [Fact]
    public async Task Heatmap_age_buckets_drill_down_through_the_opportunity_query()
    {
        var store = await AnalyticsStoreAsync();
        async Task<List<string>> Bucket(AgeBucket bucket)
        {
            var (from, to) = AnalyticsFigures.EnteredRange(bucket, Day(30));
            return await OpportunityIdsAsync(store, new OpportunityQuery(ManagerA, 50, TeamId: "team-a", Stage: "Screening", Status: OpportunityStatus.Open,
                Sort: OpportunitySort.TimeInStage, Descending: true, StageEnteredFrom: from, StageEnteredTo: to));
        }

        Assert.Equal(["o7"], await Bucket(AgeBucket.Days07));
        Assert.Equal(["o8"], await Bucket(AgeBucket.Days814));
        Assert.Empty(await Bucket(AgeBucket.Days1530));
        Assert.Equal(["o9"], await Bucket(AgeBucket.DaysOver30));
        Assert.Equal(["o9", "o8"], await OpportunityIdsAsync(store, new OpportunityQuery(ManagerA, 50, Stage: "Screening", Status: OpportunityStatus.Open,
            StallLevel: StallLevel.Red, Sort: OpportunitySort.TimeInStage, Descending: true)));
    }

    [Fact]
    public async Task Cycle_times_run_from_first_contact_to_the_win_per_month()
    {
        var store = await AnalyticsStoreAsync();

        var months = AnalyticsFigures.CycleTimes(await store.WonCyclesAsync(TeamA, new Period(Day(0), Day(60)), Ct));

        // March: o1 16 days (c1's first follow-up day 1 to day 17), o10 8 (c2's day 6 to day 14), o12 6 (day 6 to 12):
        // median 8, mean 10, population variance 56/3, deviation 4.3205. April: o11 3 days (c3's follow-up came after the
        // win, so from its creation).
        Assert.Equal([new CycleMonth("2026-03", 3, 8m, 4.32m), new CycleMonth("2026-04", 1, 3m, 0m)], months);
        Assert.Single(AnalyticsFigures.CycleTimes(await store.WonCyclesAsync(new AnalyticsFilter(RepA1), new Period(Day(0), Day(60)), Ct)), m => m.Month == "2026-03" && m.Won == 1);
        Assert.Empty(await store.WonCyclesAsync(TeamA, new Period(Day(18), Day(30)), Ct));
    }

    [Fact]
    public async Task Process_health_measures_penetration_first_contact_and_effective_visits()
    {
        var store = await AnalyticsStoreAsync();
        var keyActions = new Dictionary<(string, int), IReadOnlySet<string>>
        {
            [("default", 1)] = new HashSet<string> { "meeting_minutes", "proposal_document", "quote" },
            [("hospital", 1)] = new HashSet<string>(),
        };

        var penetration = AnalyticsFigures.Penetration(await store.CreatedOpportunitiesAsync(TeamA, March, Ct), keyActions);
        var followUp = await store.NewCustomerFollowUpAsync(TeamA, March, Ct);
        var repFollowUp = await store.NewCustomerFollowUpAsync(new AnalyticsFilter(RepA1), March, Ct);
        var visits = await store.VisitsAsync(TeamA, March, Ct);

        // o1 3/3, o2 1/3, o3 0/3, o4 1/3 (site_photos is no key action), o5 2/3: mean 46.666..%; hospital requires none.
        Assert.Equal(5, penetration.Opportunities);
        Assert.Equal(46.67m, penetration.AveragePercent);
        Assert.Equal(["o3", "o2", "o4", "o5", "o1"], penetration.Lowest.Select(p => p.OpportunityId));
        Assert.Equal(33.33m, penetration.Lowest[1].Penetration.Percent);
        // c1 met, c2 and c3 missed, c4 pending; c6 was registered before the period.
        Assert.Equal(new FollowUpCounts(4, 1, 2), followUp);
        Assert.Equal(new FollowUpCounts(2, 1, 1), repFollowUp);
        Assert.Equal(33.33m, new Share(followUp.Met, followUp.Met + followUp.Missed).Percent);
        Assert.Equal([new VisitCount("rep-a1", 2, 1), new VisitCount("rep-a2", 1, 1)], visits.OrderBy(v => v.SalespersonId, StringComparer.Ordinal));
        Assert.Equal([new VisitCount("rep-a1", 2, 1)], await store.VisitsAsync(new AnalyticsFilter(RepA1), March, Ct));
    }

    [Fact]
    public async Task Data_health_measures_completeness_late_updates_and_refused_duplicates()
    {
        var store = await AnalyticsStoreAsync();
        var required = new AnalyticsOptions().RequiredMask();

        var completeness = await store.CompletenessAsync(TeamA, required, Ct);
        var late = await store.LateUpdatesAsync(TeamA, Day(30) - TimeSpan.FromDays(5), Ct);

        // Complete: c1, c6 of c1, c2, c3, c4, c6.
        Assert.Equal((5, 2), (completeness.Customers, completeness.Complete));
        Assert.Equal(40m, new Share(completeness.Complete, completeness.Customers).Percent);
        Assert.Equal(new Dictionary<CustomerField, long>
        {
            [CustomerField.Industry] = 1,
            [CustomerField.Phone] = 1,
            [CustomerField.ContactName] = 0,
            [CustomerField.Address] = 3,
        }, completeness.Missing);
        // Open: o4 (day 3), o5 (day 9), o7 (day 25: not before the cutoff), o8 (day 22; the system's stall change does not
        // count), o9 (day -20).
        Assert.Equal(new LateUpdates(5, 4), late);
        Assert.Equal(1, await store.RefusalsAsync(TeamA, March, Ct));
        Assert.Equal(2, await store.RefusalsAsync(new AnalyticsFilter(All), March, Ct));
        Assert.Equal(0, await store.RefusalsAsync(new AnalyticsFilter(RepA2), March, Ct));
    }

    [Fact]
    public async Task Analytics_facts_after_a_rebuild_equal_the_live_ones()
    {
        var store = await AnalyticsStoreAsync();
        async Task<string> Figures()
        {
            var parts = new List<string>();
            parts.AddRange((await FunnelAsync(store, new AnalyticsFilter(All), March)).Select(s => $"{s} {string.Join(',', s.Losses)}"));
            parts.AddRange((await store.OpenCountsAsync(new AnalyticsFilter(All), null, Day(30), Ct)).Select(c => c.ToString()).Order(StringComparer.Ordinal));
            parts.AddRange(AnalyticsFigures.CycleTimes(await store.WonCyclesAsync(new AnalyticsFilter(All), new Period(Day(0), Day(60)), Ct)).Select(m => m.ToString()));
            parts.Add((await store.NewCustomerFollowUpAsync(new AnalyticsFilter(All), March, Ct)).ToString());
            parts.AddRange((await store.VisitsAsync(new AnalyticsFilter(All), March, Ct)).Select(v => v.ToString()).Order(StringComparer.Ordinal));
            parts.Add((await store.LateUpdatesAsync(new AnalyticsFilter(All), Day(25), Ct)).ToString());
            parts.Add((await store.RefusalsAsync(new AnalyticsFilter(All), new Period(Day(-30), Day(60)), Ct)).ToString());
            parts.AddRange((await store.CreatedOpportunitiesAsync(new AnalyticsFilter(All), March, Ct))
                .Select(o => $"{o.OpportunityId} {o.PipelineVersion} {string.Join(',', o.EvidenceKinds.Order(StringComparer.Ordinal))}").Order(StringComparer.Ordinal));
            return string.Join('\n', parts);
        }
        var live = await Figures();

        await store.RebuildAsync(Ct);

        Assert.Equal(live, await Figures());
        Assert.Equal(3, await store.RefusalsAsync(new AnalyticsFilter(All), new Period(Day(-30), Day(60)), Ct)); // the facts came back, not just vanished alike
        Assert.Equal(4, (await store.VisitsAsync(new AnalyticsFilter(All), new Period(Day(-30), Day(60)), Ct)).Sum(v => v.Visits));
    }
}
