using System.Globalization;
using ActorSales.Contracts.V1;
using ActorSales.ReadModel;
using ActorSales.ReadModel.Analytics;
using Google.Protobuf;
using Npgsql;
using NpgsqlTypes;
using ForecastPart = ActorSales.Domain.Pipeline.ForecastPart;

namespace ActorSales.Infrastructure.Postgres.ReadModel;

// Anomalies, forecast snapshots (migration 0013) and the forecast's grouping: the in-memory store's filters and order, in SQL.
public sealed partial class PostgresReadModelStore
{
    private const string AnomalyShape = "anomalies";

    public async Task<IReadOnlyList<ForecastPart>> ForecastPartsAsync(AnalyticsFilter filter, DateTimeOffset? closeBefore, CancellationToken cancellationToken = default) =>
        await ReadAsync(ForecastPartsStatement(filter, closeBefore),
            r => new ForecastPart(r.GetString(0), r.GetString(1), (Domain.Pipeline.ForecastSignal)r.GetInt16(2), r.GetInt64(3), r.GetDecimal(4)), cancellationToken);

    /// <summary>The statement <see cref="ForecastPartsAsync"/> runs (the board's forecast).</summary>
    public static ReadModelStatement ForecastPartsStatement(AnalyticsFilter filter, DateTimeOffset? closeBefore)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var sql = new SqlBuilder();
        Filter(sql, filter, "team_id", "owner_id");
        sql.Where($"status = {(short)OpportunityStatus.Open}");
        if (closeBefore is { } before)
        {
            sql.Where($"expected_close_ticks < {Ticks(sql, before)}");
        }
        sql.Text = $"SELECT owner_id, currency, signal, count(*), sum(amount) FROM actorsales_rm_opportunities {sql.WhereClause} GROUP BY 1, 2, 3";
        return new ReadModelStatement(sql.Text, sql.Parameters, "analytics:forecast-parts", 0);
    }

    public Task<ResultPage<Anomaly>> AnomaliesAsync(AnomalyQuery query, CancellationToken cancellationToken = default) =>
        PageAsync(Statement(query), Anomaly.Parser, cancellationToken);

    /// <summary>The SQL ListAnomalies runs: newest detection first, then team and id (the page token's key).</summary>
    public static ReadModelStatement Statement(AnomalyQuery query)
    {
        var size = PageTokens.CheckPageSize(query.PageSize);
        var after = PageTokens.Decode(AnomalyShape, query.PageToken);
        var sql = new SqlBuilder();
        Filter(sql, query.Filter, "team_id", "owner_id");
        if (query.Detected is { } period)
        {
            During(sql, "detected_ticks", period);
        }
        if (query.Status is { } status)
        {
            sql.Where($"status = {sql.Param((short)status, NpgsqlDbType.Smallint)}");
        }
        if (after is { } key)
        {
            // The key's number is the negated detection time (descending order as an ascending key).
            var ticks = sql.Param((long)-key.Number, NpgsqlDbType.Bigint);
            sql.Where($"(detected_ticks < {ticks} OR (detected_ticks = {ticks} AND (team_id, anomaly_id) > ({sql.Param(key.Text, NpgsqlDbType.Text)}, {sql.Param(key.Id, NpgsqlDbType.Text)})))");
        }
        sql.Text = $"""
            SELECT doc, (-detected_ticks)::numeric AS sort_number, team_id AS sort_text, anomaly_id AS sort_id
            FROM actorsales_rm_anomalies {sql.WhereClause}
            ORDER BY detected_ticks DESC, team_id, anomaly_id
            LIMIT {size + 1}
            """;
        return new ReadModelStatement(sql.Text, sql.Parameters, AnomalyShape, size);
    }

    public async Task<IReadOnlyList<ForecastWeek>> ForecastHistoryAsync(AnalyticsFilter filter, Period period, CancellationToken cancellationToken = default)
    {
        var sql = new SqlBuilder();
        Filter(sql, filter, "w.team_id", "w.owner_id");
        During(sql, "w.taken_ticks", period);
        // A rep's row counts the rep's wins, the team's row the team's: each lateral is a one-time-filtered index range.
        sql.Text = $"""
            SELECT w.doc, coalesce(r.amount, t.amount, 0), coalesce(r.n, 0) + coalesce(t.n, 0)
            FROM actorsales_rm_forecast_weeks w
            LEFT JOIN LATERAL (
                SELECT sum(o.amount) AS amount, count(*) AS n FROM actorsales_rm_opportunities o
                WHERE w.owner_id <> '' AND o.owner_id = w.owner_id AND o.status = {(short)OpportunityStatus.Won} AND o.currency = w.currency
                  AND o.closed_ticks >= w.window_from_ticks AND o.closed_ticks < w.window_to_ticks) r ON true
            LEFT JOIN LATERAL (
                SELECT sum(o.amount) AS amount, count(*) AS n FROM actorsales_rm_opportunities o
                WHERE w.owner_id = '' AND o.team_id = w.team_id AND o.status = {(short)OpportunityStatus.Won} AND o.currency = w.currency
                  AND o.closed_ticks >= w.window_from_ticks AND o.closed_ticks < w.window_to_ticks) t ON true
            {sql.WhereClause}
            """;
        return await ReadAsync(sql, r =>
        {
            var row = ForecastWeek.Parser.ParseFrom((byte[])r[0]);
            row.WonAmount = r.GetDecimal(1).ToString(CultureInfo.InvariantCulture);
            row.WonCount = r.GetInt64(2);
            return row;
        }, cancellationToken);
    }

    private static void AddAnomalyUpsert(NpgsqlBatch batch, List<Anomaly> anomalies)
    {
        if (anomalies.Count == 0)
        {
            return;
        }
        var command = new NpgsqlBatchCommand("""
            INSERT INTO actorsales_rm_anomalies (team_id, anomaly_id, owner_id, detected_ticks, status, doc)
            SELECT * FROM unnest(@teams, @ids, @owners, @detected, @statuses, @docs)
            ON CONFLICT (team_id, anomaly_id) DO UPDATE SET
                owner_id = excluded.owner_id, detected_ticks = excluded.detected_ticks, status = excluded.status, doc = excluded.doc
            """);
        var p = command.Parameters;
        p.AddWithValue("teams", anomalies.Select(a => a.TeamId).ToArray());
        p.AddWithValue("ids", anomalies.Select(a => a.AnomalyId).ToArray());
        p.AddWithValue("owners", anomalies.Select(a => a.OwnerId).ToArray());
        p.AddWithValue("detected", anomalies.Select(a => a.DetectedAt.ToDateTimeOffset().UtcTicks).ToArray());
        p.AddWithValue("statuses", anomalies.Select(a => (short)a.Status).ToArray());
        p.AddWithValue("docs", anomalies.Select(a => a.ToByteArray()).ToArray());
        batch.BatchCommands.Add(command);
    }

    private static void AddForecastWeekUpsert(NpgsqlBatch batch, List<ForecastWeek> rows)
    {
        if (rows.Count == 0)
        {
            return;
        }
        var command = new NpgsqlBatchCommand("""
            INSERT INTO actorsales_rm_forecast_weeks (team_id, week_start, owner_id, currency, taken_ticks, window_from_ticks, window_to_ticks, doc)
            SELECT * FROM unnest(@teams, @weeks, @owners, @currencies, @taken, @froms, @tos, @docs)
            ON CONFLICT (team_id, week_start, owner_id, currency) DO UPDATE SET
                taken_ticks = excluded.taken_ticks, window_from_ticks = excluded.window_from_ticks, window_to_ticks = excluded.window_to_ticks, doc = excluded.doc
            """);
        var p = command.Parameters;
        p.AddWithValue("teams", rows.Select(r => r.TeamId).ToArray());
        p.AddWithValue("weeks", rows.Select(r => r.WeekStart).ToArray());
        p.AddWithValue("owners", rows.Select(r => r.OwnerId).ToArray());
        p.AddWithValue("currencies", rows.Select(r => r.Currency).ToArray());
        p.AddWithValue("taken", rows.Select(r => r.TakenAt.ToDateTimeOffset().UtcTicks).ToArray());
        p.AddWithValue("froms", rows.Select(r => r.Window.From.ToDateTimeOffset().UtcTicks).ToArray());
        p.AddWithValue("tos", rows.Select(r => r.Window.To.ToDateTimeOffset().UtcTicks).ToArray());
        p.AddWithValue("docs", rows.Select(r => r.ToByteArray()).ToArray());
        batch.BatchCommands.Add(command);
    }
}
