using ActorSales.Contracts.V1;
using ActorSales.ReadModel.Analytics;
using ForecastPart = ActorSales.Domain.Pipeline.ForecastPart;

namespace ActorSales.ReadModel.InMemory;

// Anomalies, forecast snapshots and the forecast's grouping: the same filters and order as the PostgreSQL store's SQL.
public sealed partial class InMemoryReadModelStore
{
    public Task<IReadOnlyList<ForecastPart>> ForecastPartsAsync(AnalyticsFilter filter, DateTimeOffset? closeBefore, CancellationToken cancellationToken = default)
    {
        var match = Matcher(filter);
        IReadOnlyList<ForecastPart> parts = Snapshot(_opportunities)
            .Where(r => r.Doc.Status == OpportunityStatus.Open && match(r.TeamId, r.OwnerId) && (closeBefore is null || r.ExpectedCloseAt < closeBefore))
            .GroupBy(r => (r.OwnerId, r.Currency, r.Doc.Signal))
            .Select(g => new ForecastPart(g.Key.OwnerId, g.Key.Currency, (Domain.Pipeline.ForecastSignal)g.Key.Signal, g.LongCount(), g.Sum(r => r.Amount)))
            .ToList();
        return Task.FromResult(parts);
    }

    public Task<ResultPage<Anomaly>> AnomaliesAsync(AnomalyQuery query, CancellationToken cancellationToken = default)
    {
        var size = PageTokens.CheckPageSize(query.PageSize);
        var after = PageTokens.Decode(AnomalyShape, query.PageToken);
        var match = Matcher(query.Filter);
        List<Anomaly> rows;
        lock (_gate)
        {
            rows = [.. _anomalies.Values];
        }
        var keyed = rows
            .Where(a => match(a.TeamId, a.OwnerId)
                && (query.Detected is not { } period || period.Contains(a.DetectedAt.ToDateTimeOffset()))
                && (query.Status is not { } status || a.Status == status))
            .Select(a => (Row: a, Key: AnomalyKey(a)));
        return Task.FromResult(Page(AnomalyShape, keyed, false, after, size, a => a.Clone()));
    }

    public Task<IReadOnlyList<ForecastWeek>> ForecastHistoryAsync(AnalyticsFilter filter, Period period, CancellationToken cancellationToken = default)
    {
        var match = Matcher(filter);
        lock (_gate)
        {
            var won = _opportunities.Values.Where(r => r.Doc.Status == OpportunityStatus.Won && r.ClosedAt is not null).ToList();
            IReadOnlyList<ForecastWeek> rows = _forecastWeeks.Values
                .Where(w => match(w.TeamId, w.OwnerId) && period.Contains(w.TakenAt.ToDateTimeOffset()))
                .Select(w =>
                {
                    var (from, to) = (w.Window.From.ToDateTimeOffset(), w.Window.To.ToDateTimeOffset());
                    var wins = won.Where(r => r.Currency == w.Currency && r.ClosedAt >= from && r.ClosedAt < to
                        && (w.OwnerId.Length > 0 ? r.OwnerId == w.OwnerId : r.TeamId == w.TeamId)).ToList();
                    var row = w.Clone();
                    row.WonAmount = wins.Sum(r => r.Amount).ToString(System.Globalization.CultureInfo.InvariantCulture);
                    row.WonCount = wins.Count;
                    return row;
                })
                .ToList();
            return Task.FromResult(rows);
        }
    }

    private const string AnomalyShape = "anomalies";

    /// <summary>Newest first: the negated detection time, then team and id (the PostgreSQL store's ORDER BY).</summary>
    internal static SortKey AnomalyKey(Anomaly anomaly) => new(-anomaly.DetectedAt.ToDateTimeOffset().UtcTicks, anomaly.TeamId, anomaly.AnomalyId);
}

// Orders: the latest order each order event carried; newest first.
public sealed partial class InMemoryReadModelStore
{
    private const string OrderShape = "orders";

    public Task<ResultPage<Order>> ListOrdersAsync(OrderQuery q, CancellationToken cancellationToken = default)
    {
        var size = PageTokens.CheckPageSize(q.PageSize);
        var after = PageTokens.Decode(OrderShape, q.PageToken);
        List<Order> rows;
        lock (_gate)
        {
            rows = [.. _orders.Values];
        }
        var keyed = rows
            .Where(o => InScope(q.Scope, o.TeamId, o.OwnerId)
                && (q.CustomerId is null || o.CustomerId == q.CustomerId)
                && (q.OwnerId is null || o.OwnerId == q.OwnerId)
                && (q.TeamId is null || o.TeamId == q.TeamId)
                && (q.Status is null || o.Status == q.Status)
                && (q.OverdueAt is not { } at || OrderFacts.OverdueFrom(o) <= at))
            .Select(o => (Row: o, Key: OrderKey(o)));
        return Task.FromResult(Page(OrderShape, keyed, false, after, size, o => o.Clone()));
    }

    /// <summary>Newest first: the negated creation time, then the id (the PostgreSQL store's ORDER BY).</summary>
    internal static SortKey OrderKey(Order order) => new(-order.CreatedAt.ToDateTimeOffset().UtcTicks, string.Empty, order.OrderId);
}
