using ActorSales.Contracts.V1;
using ActorSales.ReadModel.Analytics;

namespace ActorSales.ReadModel.InMemory;

// The analytics' facts: scans of the rows and fact lists with the same filters the PostgreSQL store applies in SQL.
public sealed partial class InMemoryReadModelStore
{
    public Task<IReadOnlyList<StageFact>> StageEntriesAsync(AnalyticsFilter filter, string pipelineKey, Period period, CancellationToken cancellationToken = default)
    {
        var match = Matcher(filter);
        IReadOnlyList<StageFact> facts = Snapshot(_opportunities)
            .Where(r => r.Doc.PipelineKey == pipelineKey)
            .SelectMany(AnalyticsFacts.StagesOf)
            .Where(f => match(f.TeamId, f.OwnerId) && period.Contains(f.EnteredAt))
            .ToList();
        return Task.FromResult(facts);
    }

    public Task<IReadOnlyList<Opportunity>> OpportunitiesAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            IReadOnlyList<Opportunity> found = ids.Distinct(StringComparer.Ordinal)
                .Select(id => _opportunities.GetValueOrDefault(id)?.Doc.Clone()).OfType<Opportunity>().ToList();
            return Task.FromResult(found);
        }
    }

    public Task<IReadOnlyList<OpenCount>> OpenCountsAsync(AnalyticsFilter filter, string? pipelineKey, DateTimeOffset asOf, CancellationToken cancellationToken = default)
    {
        var match = Matcher(filter);
        IReadOnlyList<OpenCount> counts = Snapshot(_opportunities)
            .Where(r => r.Doc.Status == OpportunityStatus.Open && match(r.TeamId, r.OwnerId) && (pipelineKey is null || r.Doc.PipelineKey == pipelineKey))
            .GroupBy(r => (r.Doc.PipelineKey, r.Doc.Stage, r.Doc.StallLevel, Bucket: AnalyticsFigures.AgeBucketOf(asOf, r.StageEnteredAt)))
            .Select(g => new OpenCount(g.Key.PipelineKey, g.Key.Stage, g.Key.StallLevel, g.Key.Bucket, g.LongCount()))
            .ToList();
        return Task.FromResult(counts);
    }

    public Task<IReadOnlyList<WonCycle>> WonCyclesAsync(AnalyticsFilter filter, Period period, CancellationToken cancellationToken = default)
    {
        var match = Matcher(filter);
        lock (_gate)
        {
            IReadOnlyList<WonCycle> wins = _opportunities.Values
                .Where(r => r.Doc.Status == OpportunityStatus.Won && r.ClosedAt is { } won && period.Contains(won) && match(r.TeamId, r.OwnerId))
                .Select(r => new WonCycle(r.Id, r.ClosedAt!.Value, r.CreatedAt, _customers.GetValueOrDefault(r.CustomerId)?.FirstFollowUpAt,
                    _orders.GetValueOrDefault(r.Id) is { } order ? CollectionFacts.FirstPaidAt(order) : null))
                .ToList();
            return Task.FromResult(wins);
        }
    }

    public Task<IReadOnlyList<OpportunityEvidence>> CreatedOpportunitiesAsync(AnalyticsFilter filter, Period period, CancellationToken cancellationToken = default)
    {
        var match = Matcher(filter);
        IReadOnlyList<OpportunityEvidence> created = Snapshot(_opportunities)
            .Where(r => period.Contains(r.CreatedAt) && match(r.TeamId, r.OwnerId))
            .Select(r => new OpportunityEvidence(r.Id, r.OwnerId, r.Doc.PipelineKey, r.Doc.PipelineVersion,
                r.Doc.Evidence.Select(e => e.Kind).ToHashSet(StringComparer.Ordinal)))
            .ToList();
        return Task.FromResult(created);
    }

    public Task<FollowUpCounts> NewCustomerFollowUpAsync(AnalyticsFilter filter, Period period, CancellationToken cancellationToken = default)
    {
        var match = Matcher(filter);
        var customers = Snapshot(_customers).Where(r => period.Contains(r.CreatedAt) && match(r.TeamId, r.OwnerId)).ToList();
        return Task.FromResult(new FollowUpCounts(
            customers.Count,
            customers.LongCount(r => r.FirstFollowUpAt is not null && !r.FirstContactMissed),
            customers.LongCount(r => r.FirstContactMissed)));
    }

    public Task<IReadOnlyList<VisitCount>> VisitsAsync(AnalyticsFilter filter, Period period, CancellationToken cancellationToken = default)
    {
        var match = Matcher(filter);
        lock (_gate)
        {
            IReadOnlyList<VisitCount> visits = _activities
                .Where(a => a.Kind == ActivityKind.Visit && period.Contains(a.OccurredAt) && match(a.TeamId, a.ActorId))
                .GroupBy(a => a.ActorId, StringComparer.Ordinal)
                .Select(g => new VisitCount(g.Key, g.LongCount(), g.LongCount(a => a.Effective)))
                .ToList();
            return Task.FromResult(visits);
        }
    }

    public Task<Completeness> CompletenessAsync(AnalyticsFilter filter, CustomerField required, CancellationToken cancellationToken = default)
    {
        var match = Matcher(filter);
        var present = Snapshot(_customers).Where(r => match(r.TeamId, r.OwnerId)).Select(r => r.PresentFields).ToList();
        var missing = AnalyticsFacts.CustomerFields.Where(f => (required & f.Field) != 0)
            .ToDictionary(f => f.Field, f => present.LongCount(p => (p & f.Field) == 0));
        return Task.FromResult(new Completeness(present.Count, present.LongCount(p => (p & required) == required), missing));
    }

    public Task<LateUpdates> LateUpdatesAsync(AnalyticsFilter filter, DateTimeOffset cutoff, CancellationToken cancellationToken = default)
    {
        var match = Matcher(filter);
        var open = Snapshot(_opportunities).Where(r => r.Doc.Status == OpportunityStatus.Open && match(r.TeamId, r.OwnerId)).ToList();
        return Task.FromResult(new LateUpdates(open.Count, open.LongCount(r => (r.LastUpdatedAt ?? DateTimeOffset.MinValue) < cutoff)));
    }

    public Task<long> RefusalsAsync(AnalyticsFilter filter, Period period, CancellationToken cancellationToken = default)
    {
        var match = Matcher(filter);
        lock (_gate)
        {
            return Task.FromResult(_refusals.LongCount(r => period.Contains(r.OccurredAt) && match(r.TeamId, r.OwnerId)));
        }
    }

    public Task<IReadOnlyList<Goal>> GoalsAsync(AnalyticsFilter filter, Period period, CancellationToken cancellationToken = default)
    {
        var match = Matcher(filter);
        lock (_gate)
        {
            IReadOnlyList<Goal> goals = _goals.Values
                .Where(g => g.Period.From.ToDateTimeOffset() < period.To && g.Period.To.ToDateTimeOffset() > period.From && match(g.TeamId, g.OwnerId))
                .Select(g => g.Clone())
                .ToList();
            return Task.FromResult(goals);
        }
    }

    public Task<TopList<Opportunity>> InterventionsAsync(AnalyticsFilter filter, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        var match = Matcher(filter);
        var all = Snapshot(_opportunities)
            .Where(r => r.Doc.Status == OpportunityStatus.Open && r.NeedsIntervention && match(r.TeamId, r.OwnerId))
            .ToList();
        IReadOnlyList<Opportunity> first = all
            .OrderBy(r => r.StageEnteredAt.UtcTicks).ThenBy(r => r.Id, StringComparer.Ordinal)
            .Take(limit)
            .Select(r => r.Doc.Clone())
            .ToList();
        return Task.FromResult(new TopList<Opportunity>(first, all.Count));
    }

    public Task<TopList<Customer>> AboutToReleaseAsync(AnalyticsFilter filter, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        var match = Matcher(filter);
        var all = Snapshot(_customers).Where(r => r.ReleaseWarned && match(r.TeamId, r.OwnerId)).ToList();
        IReadOnlyList<Customer> first = all
            .OrderBy(r => r.LastFollowUpAt?.UtcTicks ?? 0).ThenBy(r => r.Id, StringComparer.Ordinal)
            .Take(limit)
            .Select(r => r.Doc.Clone())
            .ToList();
        return Task.FromResult(new TopList<Customer>(first, all.Count));
    }

    /// <summary>The filter as a predicate over a fact's (team, owner): in reach, and in every narrowing given.</summary>
    private Func<string, string, bool> Matcher(AnalyticsFilter filter)
    {
        HashSet<string>? regionTeams = null;
        if (filter.Region is not null)
        {
            var region = SearchNormalizer.Text(filter.Region);
            regionTeams = Snapshot(_teams).Where(t => SearchNormalizer.Text(t.Doc.Region) == region).Select(t => t.Id).ToHashSet(StringComparer.Ordinal);
        }
        return (team, owner) => InScope(filter.Reach, team, owner)
            && (filter.TeamId is null || team == filter.TeamId)
            && (filter.OwnerId is null || owner == filter.OwnerId)
            && (regionTeams is null || regionTeams.Contains(team));
    }
}
