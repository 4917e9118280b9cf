using ActorSales.Contracts.V1;
using ActorSales.Grains.Abstractions.Events;
using ReadScope = ActorSales.Domain.Identity.ReadScope;

namespace ActorSales.ReadModel.InMemory;

/// <summary>
/// The Local profile's read model: rows, permanent history and checkpoint in this process, behind one lock, so a batch
/// is applied whole or not at all and queries never see half of one. Lost on restart like the rest of the Local
/// profile (the projector then replays the retained log). Queries scan the rows; the PostgreSQL store indexes them.
/// </summary>
public sealed partial class InMemoryReadModelStore(Projection? projection = null) : IReadModelStore
{
    private readonly Projection _projection = projection ?? Projection.Default;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, CustomerRow> _customers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, OpportunityRow> _opportunities = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TeamRow> _teams = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SalespersonRow> _salespeople = new(StringComparer.Ordinal);
    private readonly List<HistoryEntry> _history = [];
    private readonly Dictionary<(EntityType, string), long> _versions = [];
    private readonly List<Analytics.ActivityFact> _activities = [];
    private readonly List<Analytics.RefusalFact> _refusals = [];
    private readonly Dictionary<(string TeamId, string Key), Goal> _goals = [];
    private readonly Dictionary<(string TeamId, string Id), Anomaly> _anomalies = [];
    private readonly Dictionary<(string TeamId, string WeekStart, string OwnerId, string Currency), ForecastWeek> _forecastWeeks = [];
    private readonly Dictionary<string, Order> _orders = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Lead> _leads = new(StringComparer.Ordinal);
    private long _checkpoint;

    public Task ApplyAsync(IReadOnlyList<StoredEvent> events, long through, CancellationToken cancellationToken = default)
    {
        ValidateBatch(events, through);
        var parsed = events.Select(e => (e.Position, Event: e.Event.ToEvent())).ToList(); // a bad payload fails before any change
        lock (_gate)
        {
            var first = events.Count > 0 ? events[0].Position : through;
            if (first <= _checkpoint)
            {
                throw new ProjectionConflictException($"batch starts at {first} but the read model is at {_checkpoint}; re-read the checkpoint");
            }
            var staged = new Staged(this);
            foreach (var (position, e) in parsed)
            {
                staged.Apply(position, e);
            }
            staged.Commit();
            _checkpoint = through;
        }
        return Task.CompletedTask;
    }

    public Task RebuildAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            _customers.Clear();
            _opportunities.Clear();
            _teams.Clear();
            _salespeople.Clear();
            _activities.Clear();
            _refusals.Clear();
            _goals.Clear();
            _anomalies.Clear();
            _forecastWeeks.Clear();
            _orders.Clear();
            _leads.Clear();
            foreach (var entry in _history)
            {
                ApplyToRows(entry.Event, _customers, _opportunities, _teams, _salespeople);
                AddFacts(entry.Event, _activities, _refusals);
                PutGoal(_goals, entry.Event);
                PutInsights(_anomalies, _forecastWeeks, entry.Event);
                PutOrder(_orders, entry.Event);
                PutLead(_leads, entry.Event);
            }
        }
        return Task.CompletedTask;
    }

    public Task<long> CheckpointAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult(_checkpoint);
        }
    }

    public Task<long> ProjectedVersionAsync(EntityType entityType, string entityId, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult(_versions.GetValueOrDefault((entityType, entityId)));
        }
    }

    public Task<ResultPage<Customer>> SearchCustomersAsync(CustomerSearch query, CancellationToken cancellationToken = default)
    {
        var size = PageTokens.CheckPageSize(query.PageSize);
        var after = PageTokens.Decode("customers:search", query.PageToken);
        var term = SearchNormalizer.Parse(query.Text);
        var matches = Snapshot(_customers)
            .Where(r => InScope(query.Scope, r.TeamId, r.OwnerId))
            .Select(r => (Row: r, Rank: SearchNormalizer.Rank(r, term)))
            .Where(m => m.Rank is not null)
            .Select(m => (m.Row, Key: new SortKey(m.Rank!.Value, m.Row.SortName, m.Row.Id)));
        return Task.FromResult(Page("customers:search", matches, false, after, size, r => r.Doc.Clone()));
    }

    public Task<ResultPage<Customer>> ListCustomersAsync(CustomerQuery q, CancellationToken cancellationToken = default)
    {
        var size = PageTokens.CheckPageSize(q.PageSize);
        var shape = $"customers:{q.Sort}:{(q.Descending ? "desc" : "asc")}";
        var after = PageTokens.Decode(shape, q.PageToken);
        var industry = q.Industry is null ? null : SearchNormalizer.Text(q.Industry);
        var rows = Snapshot(_customers).Where(r =>
            InScope(q.Scope, r.TeamId, r.OwnerId)
            && (q.TeamId is null || r.TeamId == q.TeamId)
            && (q.OwnerId is null || r.OwnerId == q.OwnerId)
            && (q.Tier is null || r.Tier == q.Tier)
            && (q.Grade is null || r.Grade == q.Grade)
            && (industry is null || SearchNormalizer.Text(r.Industry) == industry)
            && (q.SourceChannel is null || r.SourceChannel == q.SourceChannel)
            && (q.InPool is null || r.InPool == q.InPool)
            && (q.Locked is null || r.Locked == q.Locked)
            && (q.ReleaseWarned is null || r.ReleaseWarned == q.ReleaseWarned)
            && (q.FollowedUpBefore is null || r.LastFollowUpAt is null || r.LastFollowUpAt < q.FollowedUpBefore)
            && (q.FollowedUpAfter is null || r.LastFollowUpAt >= q.FollowedUpAfter)
            && (q.CreatedFrom is null || r.CreatedAt >= q.CreatedFrom)
            && (q.CreatedTo is null || r.CreatedAt < q.CreatedTo));
        var keyed = rows.Select(r => (Row: r, Key: q.Sort switch
        {
            CustomerSort.Name => new SortKey(0, r.SortName, r.Id),
            CustomerSort.LastFollowUp => new SortKey(r.LastFollowUpAt?.UtcTicks ?? 0, string.Empty, r.Id),
            _ => new SortKey(r.CreatedAt.UtcTicks, string.Empty, r.Id),
        }));
        return Task.FromResult(Page(shape, keyed, q.Descending, after, size, r => r.Doc.Clone()));
    }

    public Task<ResultPage<Opportunity>> ListOpportunitiesAsync(OpportunityQuery q, CancellationToken cancellationToken = default)
    {
        var size = PageTokens.CheckPageSize(q.PageSize);
        var shape = $"opportunities:{q.Sort}:{(q.Descending ? "desc" : "asc")}";
        var after = PageTokens.Decode(shape, q.PageToken);
        HashSet<string>? regionTeams = null;
        if (q.Region is not null)
        {
            var region = SearchNormalizer.Text(q.Region);
            regionTeams = Snapshot(_teams).Where(t => SearchNormalizer.Text(t.Doc.Region) == region).Select(t => t.Id).ToHashSet(StringComparer.Ordinal);
        }
        var rows = Snapshot(_opportunities).Where(r =>
            InScope(q.Scope, r.TeamId, r.OwnerId)
            && (q.CustomerId is null || r.CustomerId == q.CustomerId)
            && (q.OwnerId is null || r.OwnerId == q.OwnerId)
            && (q.TeamId is null || r.TeamId == q.TeamId)
            && (regionTeams is null || regionTeams.Contains(r.TeamId))
            && (q.PipelineKey is null || r.Doc.PipelineKey == q.PipelineKey)
            && (q.Stage is null || r.Doc.Stage == q.Stage)
            && (q.Status is null || r.Doc.Status == q.Status)
            && (q.StallLevel is null || r.Doc.StallLevel == q.StallLevel)
            && (q.Signal is null || r.Doc.Signal == q.Signal)
            && (q.Currency is null || r.Currency == q.Currency)
            && (q.AmountMin is null || r.Amount >= q.AmountMin)
            && (q.AmountMax is null || r.Amount <= q.AmountMax)
            && (q.ExpectedCloseFrom is null || r.ExpectedCloseAt >= q.ExpectedCloseFrom)
            && (q.ExpectedCloseTo is null || r.ExpectedCloseAt < q.ExpectedCloseTo)
            && (q.StageEnteredFrom is null || r.StageEnteredAt >= q.StageEnteredFrom)
            && (q.StageEnteredTo is null || r.StageEnteredAt < q.StageEnteredTo));
        var keyed = rows.Select(r => (Row: r, Key: q.Sort switch
        {
            OpportunitySort.Amount => new SortKey(r.Amount, string.Empty, r.Id),
            OpportunitySort.TimeInStage => new SortKey(-r.StageEnteredAt.UtcTicks, string.Empty, r.Id),
            _ => new SortKey(r.ExpectedCloseAt.UtcTicks, string.Empty, r.Id),
        }));
        return Task.FromResult(Page(shape, keyed, q.Descending, after, size, r => r.Doc.Clone()));
    }

    public Task<ResultPage<Team>> ListTeamsAsync(TeamQuery q, CancellationToken cancellationToken = default)
    {
        var size = PageTokens.CheckPageSize(q.PageSize);
        var after = PageTokens.Decode("teams", q.PageToken);
        var region = q.Region is null ? null : SearchNormalizer.Text(q.Region);
        var rows = Snapshot(_teams).Where(r =>
            (InScope(q.Scope, r.Id, r.Doc.ManagerId) || (q.Scope.OwnerId is { Length: > 0 } owner && r.Doc.MemberIds.Contains(owner)))
            && (region is null || SearchNormalizer.Text(r.Doc.Region) == region));
        return Task.FromResult(Page("teams", rows.Select(r => (r, new SortKey(0, r.SortName, r.Id))), false, after, size, r => r.Doc.Clone()));
    }

    public Task<ResultPage<Salesperson>> ListSalespeopleAsync(SalespersonQuery q, CancellationToken cancellationToken = default)
    {
        var size = PageTokens.CheckPageSize(q.PageSize);
        var after = PageTokens.Decode("salespeople", q.PageToken);
        var rows = Snapshot(_salespeople).Where(r =>
            InScope(q.Scope, r.TeamId, r.Id)
            && (q.TeamId is null || r.TeamId == q.TeamId)
            && (q.Role is null || r.Doc.Role == q.Role)
            && (q.Status is null || r.Doc.Status == q.Status));
        return Task.FromResult(Page("salespeople", rows.Select(r => (r, new SortKey(0, r.SortName, r.Id))), false, after, size, r => r.Doc.Clone()));
    }

    public Task<ResultPage<DomainEvent>> TimelineAsync(TimelineQuery q, CancellationToken cancellationToken = default)
    {
        var size = PageTokens.CheckPageSize(q.PageSize);
        var after = PageTokens.Decode("timeline", q.PageToken);
        List<HistoryEntry> entries;
        lock (_gate)
        {
            entries = _history.Where(h => q.EntityType switch
            {
                EntityType.Customer => h.CustomerId == q.EntityId,
                EntityType.Opportunity => h.OpportunityId == q.EntityId,
                _ => h.EntityType == q.EntityType && h.EntityId == q.EntityId,
            }).ToList();
        }
        var keyed = entries.Select(h => (h, new SortKey(h.Position, string.Empty, string.Empty)));
        return Task.FromResult(Page("timeline", keyed, true, after, size, h => h.Event.Clone()));
    }

    /// <summary>The scope rule: a row matches if the scope's team is its team or the scope's owner its owner; no scope matches all.</summary>
    public static bool InScope(ReadScope scope, string teamId, string ownerId) =>
        (scope.TeamId is null && scope.OwnerId is null)
        || (scope.TeamId is { Length: > 0 } team && team == teamId)
        || (scope.OwnerId is { Length: > 0 } owner && owner == ownerId);

    private static void ValidateBatch(IReadOnlyList<StoredEvent> events, long through)
    {
        for (var i = 1; i < events.Count; i++)
        {
            if (events[i].Position <= events[i - 1].Position)
            {
                throw new ArgumentException("events must be in ascending position order", nameof(events));
            }
        }
        if (events.Count > 0 && through < events[^1].Position)
        {
            throw new ArgumentOutOfRangeException(nameof(through), through, "the checkpoint must cover the batch");
        }
    }

    private List<T> Snapshot<T>(Dictionary<string, T> rows)
    {
        lock (_gate)
        {
            return [.. rows.Values];
        }
    }

    private static ResultPage<TOut> Page<TRow, TOut>(
        string shape, IEnumerable<(TRow Row, SortKey Key)> rows, bool descending, SortKey? after, int size, Func<TRow, TOut> project)
    {
        var ordered = descending ? rows.OrderByDescending(r => r.Key) : rows.OrderBy(r => r.Key);
        var remaining = after is { } last
            ? ordered.Where(r => descending ? r.Key.CompareTo(last) < 0 : r.Key.CompareTo(last) > 0)
            : ordered;
        var page = remaining.Take(size + 1).ToList();
        var more = page.Count > size;
        if (more)
        {
            page.RemoveAt(size);
        }
        return new ResultPage<TOut>(page.Select(r => project(r.Row)).ToList(), more ? PageTokens.Encode(shape, page[^1].Key) : null);
    }

    private void ApplyToRows(
        DomainEvent e,
        IDictionary<string, CustomerRow> customers,
        IDictionary<string, OpportunityRow> opportunities,
        IDictionary<string, TeamRow> teams,
        IDictionary<string, SalespersonRow> salespeople)
    {
        switch (e.EntityType)
        {
            case EntityType.Customer:
                Put(customers, e.EntityId, _projection.Apply(customers.TryGetValue(e.EntityId, out var c) ? c : null, e));
                break;
            case EntityType.Opportunity:
                Put(opportunities, e.EntityId, _projection.Apply(opportunities.TryGetValue(e.EntityId, out var o) ? o : null, e));
                break;
            case EntityType.Team:
                Put(teams, e.EntityId, _projection.Apply(teams.TryGetValue(e.EntityId, out var t) ? t : null, e));
                break;
            case EntityType.Salesperson:
                Put(salespeople, e.EntityId, _projection.Apply(salespeople.TryGetValue(e.EntityId, out var s) ? s : null, e));
                break;
            default:
                break; // tasks and handovers: history only
        }
    }

    /// <summary>The append-only facts an event adds (Analytics.AnalyticsFacts): a logged activity, a refused registration.</summary>
    private static void AddFacts(DomainEvent e, List<Analytics.ActivityFact> activities, List<Analytics.RefusalFact> refusals)
    {
        if (Analytics.AnalyticsFacts.ActivityOf(e) is { } activity)
        {
            activities.Add(activity);
        }
        if (Analytics.AnalyticsFacts.RefusalOf(e) is { } refusal)
        {
            refusals.Add(refusal);
        }
    }

    /// <summary>A GoalSet event replaces the team's goal with the same key.</summary>
    private static void PutGoal(Dictionary<(string TeamId, string Key), Goal> goals, DomainEvent e)
    {
        if (Analytics.AnalyticsFacts.GoalOf(e) is { } goal)
        {
            goals[(goal.TeamId, Analytics.AnalyticsFacts.GoalKey(goal))] = goal;
        }
    }

    /// <summary>An anomaly event replaces the anomaly's row; a snapshot event adds its forecast rows.</summary>
    private static void PutInsights(
        Dictionary<(string TeamId, string Id), Anomaly> anomalies,
        Dictionary<(string TeamId, string WeekStart, string OwnerId, string Currency), ForecastWeek> weeks,
        DomainEvent e)
    {
        if (Analytics.AnalyticsFacts.AnomalyOf(e) is { } anomaly)
        {
            anomalies[(anomaly.TeamId, anomaly.AnomalyId)] = anomaly;
        }
        foreach (var row in Analytics.AnalyticsFacts.ForecastRowsOf(e))
        {
            weeks[Analytics.AnalyticsFacts.ForecastKey(row)] = row;
        }
    }

    /// <summary>An order event replaces the order's row with the order it carries.</summary>
    private static void PutOrder(Dictionary<string, Order> orders, DomainEvent e)
    {
        if (OrderFacts.OrderOf(e) is { } order)
        {
            orders[order.OrderId] = order.Clone();
        }
    }

    private static void Put<T>(IDictionary<string, T> rows, string id, T? row)
        where T : class
    {
        if (row is not null)
        {
            rows[id] = row;
        }
    }

    /// <summary>One batch's changes, kept aside until every event of it applied, then committed together.</summary>
    private sealed class Staged(InMemoryReadModelStore store)
    {
        private readonly Overlay<CustomerRow> _customers = new(store._customers);
        private readonly Overlay<OpportunityRow> _opportunities = new(store._opportunities);
        private readonly Overlay<TeamRow> _teams = new(store._teams);
        private readonly Overlay<SalespersonRow> _salespeople = new(store._salespeople);
        private readonly List<HistoryEntry> _history = [];
        private readonly Dictionary<(EntityType, string), long> _versions = [];
        private readonly List<Analytics.ActivityFact> _activities = [];
        private readonly List<Analytics.RefusalFact> _refusals = [];
        private readonly Dictionary<(string TeamId, string Key), Goal> _goals = [];
        private readonly Dictionary<(string TeamId, string Id), Anomaly> _anomalies = [];
        private readonly Dictionary<(string TeamId, string WeekStart, string OwnerId, string Currency), ForecastWeek> _forecastWeeks = [];
        private readonly Dictionary<string, Order> _orders = new(StringComparer.Ordinal);
        private readonly Dictionary<string, Lead> _leads = new(StringComparer.Ordinal);

        public void Apply(long position, DomainEvent e)
        {
            var key = (e.EntityType, e.EntityId);
            var version = _versions.TryGetValue(key, out var staged) ? staged : store._versions.GetValueOrDefault(key);
            if (e.Sequence <= version)
            {
                return; // already applied (a replayed append): history and rows have it
            }
            _versions[key] = e.Sequence;
            _history.Add(Projection.History(position, e, id => _opportunities.TryGetValue(id, out var o) ? o.CustomerId : null));
            store.ApplyToRows(e, _customers, _opportunities, _teams, _salespeople);
            AddFacts(e, _activities, _refusals);
            PutGoal(_goals, e);
            PutInsights(_anomalies, _forecastWeeks, e);
            PutOrder(_orders, e);
            PutLead(_leads, e);
        }

        public void Commit()
        {
            _customers.Commit();
            _opportunities.Commit();
            _teams.Commit();
            _salespeople.Commit();
            store._history.AddRange(_history);
            store._activities.AddRange(_activities);
            store._refusals.AddRange(_refusals);
            foreach (var (key, goal) in _goals)
            {
                store._goals[key] = goal;
            }
            foreach (var (key, anomaly) in _anomalies)
            {
                store._anomalies[key] = anomaly;
            }
            foreach (var (key, row) in _forecastWeeks)
            {
                store._forecastWeeks[key] = row;
            }
            foreach (var (key, order) in _orders)
            {
                store._orders[key] = order;
            }
            foreach (var (key, lead) in _leads)
            {
                store._leads[key] = lead;
            }
            foreach (var (key, version) in _versions)
            {
                store._versions[key] = version;
            }
        }
    }

    /// <summary>Reads through to the committed rows, writes aside.</summary>
    private sealed class Overlay<T>(Dictionary<string, T> committed) : Dictionary<string, T>(StringComparer.Ordinal), IDictionary<string, T>
    {
        public new bool TryGetValue(string key, out T value) =>
            base.TryGetValue(key, out value!) || committed.TryGetValue(key, out value!);

        bool IDictionary<string, T>.TryGetValue(string key, out T value) => TryGetValue(key, out value);

        public void Commit()
        {
            foreach (var (key, row) in (Dictionary<string, T>)this)
            {
                committed[key] = row;
            }
        }
    }
}
