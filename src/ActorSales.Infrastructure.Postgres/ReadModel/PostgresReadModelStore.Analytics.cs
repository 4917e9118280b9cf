using ActorSales.Contracts.V1;
using ActorSales.ReadModel;
using ActorSales.ReadModel.Analytics;
using Google.Protobuf;
using Npgsql;
using NpgsqlTypes;

namespace ActorSales.Infrastructure.Postgres.ReadModel;

// The analytics' facts (migration 0008): every query filters by the scope's team or owner first and then by time, so it
// reads through a (team_id | owner_id, time) index; counts are aggregated in SQL, facts the shared AnalyticsFigures
// reduce are returned narrow. Same filters as the in-memory store's. The board's statements (heatmap, funnel,
// interventions, about to release, goals; the forecast's and anomalies' are in the .Insights part) are public builders,
// as the queries' are: what an operator EXPLAINs and what the board benchmark's raw-Npgsql baseline runs.
public sealed partial class PostgresReadModelStore
{
    public async Task<IReadOnlyList<StageFact>> StageEntriesAsync(AnalyticsFilter filter, string pipelineKey, Period period, CancellationToken cancellationToken = default) =>
        await ReadAsync(StageEntriesStatement(filter, pipelineKey, period), r => new StageFact(r.GetString(0), r.GetInt32(1), r.GetString(2), r.GetString(3),
            r.GetString(4), r.GetString(5), r.GetInt32(6), r.GetString(7), Utc(r.GetInt64(8)), r.IsDBNull(9) ? null : Utc(r.GetInt64(9)),
            (StageOutcome)r.GetInt16(10), r.GetString(11), r.GetString(12), (OpportunityStatus)r.GetInt16(13)), cancellationToken);

    /// <summary>The statement <see cref="StageEntriesAsync"/> runs (the funnel's facts).</summary>
    public static ReadModelStatement StageEntriesStatement(AnalyticsFilter filter, string pipelineKey, Period period)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(pipelineKey);
        var sql = new SqlBuilder();
        Filter(sql, filter, "team_id", "owner_id");
        sql.Where($"pipeline_key = {sql.Param(pipelineKey, NpgsqlDbType.Text)}");
        During(sql, "entered_ticks", period);
        sql.Text = $"""
            SELECT opportunity_id, entry, customer_id, owner_id, team_id, pipeline_key, pipeline_version, stage, entered_ticks, left_ticks,
                outcome, to_stage, lost_reason, final_status
            FROM actorsales_rm_stage_facts {sql.WhereClause}
            """;
        return new ReadModelStatement(sql.Text, sql.Parameters, "analytics:stage-entries", 0);
    }

    public async Task<IReadOnlyList<Opportunity>> OpportunitiesAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken = default)
    {
        var sql = new SqlBuilder();
        sql.Text = $"SELECT payload FROM actorsales_rm_opportunities WHERE opportunity_id = ANY({sql.Param(ids.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text)})";
        return await ReadAsync(sql, r => Opportunity.Parser.ParseFrom(r.GetFieldValue<byte[]>(0)), cancellationToken);
    }

    public async Task<IReadOnlyList<OpenCount>> OpenCountsAsync(AnalyticsFilter filter, string? pipelineKey, DateTimeOffset asOf, CancellationToken cancellationToken = default) =>
        await ReadAsync(OpenCountsStatement(filter, pipelineKey, asOf),
            r => new OpenCount(r.GetString(0), r.GetString(1), (StallLevel)r.GetInt16(2), (AgeBucket)r.GetInt32(3), r.GetInt64(4)), cancellationToken);

    /// <summary>The statement <see cref="OpenCountsAsync"/> runs (the stall heatmap's counts).</summary>
    public static ReadModelStatement OpenCountsStatement(AnalyticsFilter filter, string? pipelineKey, DateTimeOffset asOf)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var sql = new SqlBuilder();
        Filter(sql, filter, "team_id", "owner_id");
        sql.Where($"status = {(short)OpportunityStatus.Open}");
        Equal(sql, "pipeline_key", pipelineKey);
        // AnalyticsFigures.AgeBucketOf: age in stage below 8, 15, 31 days.
        var at = sql.Param(asOf.UtcTicks, NpgsqlDbType.Bigint);
        sql.Text = $"""
            SELECT pipeline_key, stage, stall_level,
                CASE WHEN {at} - stage_entered_ticks < {TimeSpan.FromDays(8).Ticks} THEN {(int)AgeBucket.Days07}
                     WHEN {at} - stage_entered_ticks < {TimeSpan.FromDays(15).Ticks} THEN {(int)AgeBucket.Days814}
                     WHEN {at} - stage_entered_ticks < {TimeSpan.FromDays(31).Ticks} THEN {(int)AgeBucket.Days1530}
                     ELSE {(int)AgeBucket.DaysOver30} END AS bucket,
                count(*)
            FROM actorsales_rm_opportunities {sql.WhereClause}
            GROUP BY 1, 2, 3, 4
            """;
        return new ReadModelStatement(sql.Text, sql.Parameters, "analytics:open-counts", 0);
    }

    public async Task<IReadOnlyList<WonCycle>> WonCyclesAsync(AnalyticsFilter filter, Period period, CancellationToken cancellationToken = default)
    {
        var sql = new SqlBuilder();
        Filter(sql, filter, "o.team_id", "o.owner_id");
        sql.Where($"o.status = {(short)OpportunityStatus.Won}");
        During(sql, "o.closed_ticks", period);
        sql.Text = $"""
            SELECT o.opportunity_id, o.closed_ticks, o.created_ticks, c.first_follow_up_ticks,
                   (SELECT min(p.received_ticks) FROM actorsales_rm_payments p WHERE p.order_id = o.opportunity_id AND p.reversed_ticks IS NULL)
            FROM actorsales_rm_opportunities o LEFT JOIN actorsales_rm_customers c ON c.customer_id = o.customer_id
            {sql.WhereClause}
            """;
        return await ReadAsync(sql, r => new WonCycle(r.GetString(0), Utc(r.GetInt64(1)), Utc(r.GetInt64(2)), r.IsDBNull(3) ? null : Utc(r.GetInt64(3)),
            r.IsDBNull(4) ? null : Utc(r.GetInt64(4))), cancellationToken);
    }

    public async Task<IReadOnlyList<OpportunityEvidence>> CreatedOpportunitiesAsync(AnalyticsFilter filter, Period period, CancellationToken cancellationToken = default)
    {
        var sql = new SqlBuilder();
        Filter(sql, filter, "team_id", "owner_id");
        During(sql, "created_ticks", period);
        sql.Text = $"SELECT opportunity_id, owner_id, pipeline_key, pipeline_version, evidence_kinds FROM actorsales_rm_opportunities {sql.WhereClause}";
        return await ReadAsync(sql, r => new OpportunityEvidence(r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt32(3),
            r.GetFieldValue<string[]>(4).ToHashSet(StringComparer.Ordinal)), cancellationToken);
    }

    public async Task<FollowUpCounts> NewCustomerFollowUpAsync(AnalyticsFilter filter, Period period, CancellationToken cancellationToken = default)
    {
        var sql = new SqlBuilder();
        Filter(sql, filter, "team_id", "owner_id");
        During(sql, "created_ticks", period);
        sql.Text = $"""
            SELECT count(*), count(*) FILTER (WHERE first_follow_up_ticks IS NOT NULL AND NOT first_contact_missed), count(*) FILTER (WHERE first_contact_missed)
            FROM actorsales_rm_customers {sql.WhereClause}
            """;
        return (await ReadAsync(sql, r => new FollowUpCounts(r.GetInt64(0), r.GetInt64(1), r.GetInt64(2)), cancellationToken))[0];
    }

    public async Task<IReadOnlyList<VisitCount>> VisitsAsync(AnalyticsFilter filter, Period period, CancellationToken cancellationToken = default)
    {
        var sql = new SqlBuilder();
        Filter(sql, filter, "team_id", "actor_id");
        sql.Where($"kind = {(short)ActivityKind.Visit}");
        During(sql, "occurred_ticks", period);
        sql.Text = $"SELECT actor_id, count(*), count(*) FILTER (WHERE effective) FROM actorsales_rm_activity_facts {sql.WhereClause} GROUP BY actor_id";
        return await ReadAsync(sql, r => new VisitCount(r.GetString(0), r.GetInt64(1), r.GetInt64(2)), cancellationToken);
    }

    public async Task<Completeness> CompletenessAsync(AnalyticsFilter filter, CustomerField required, CancellationToken cancellationToken = default)
    {
        var sql = new SqlBuilder();
        Filter(sql, filter, "team_id", "owner_id");
        var fields = AnalyticsFacts.CustomerFields.Where(f => (required & f.Field) != 0).Select(f => f.Field).ToList();
        var missing = string.Concat(fields.Select(f => $", count(*) FILTER (WHERE present_fields & {(int)f} = 0)"));
        sql.Text = $"SELECT count(*), count(*) FILTER (WHERE present_fields & {(int)required} = {(int)required}){missing} FROM actorsales_rm_customers {sql.WhereClause}";
        return (await ReadAsync(sql, r => new Completeness(r.GetInt64(0), r.GetInt64(1),
            fields.Select((f, i) => (f, r.GetInt64(2 + i))).ToDictionary(x => x.f, x => x.Item2)), cancellationToken))[0];
    }

    public async Task<LateUpdates> LateUpdatesAsync(AnalyticsFilter filter, DateTimeOffset cutoff, CancellationToken cancellationToken = default)
    {
        var sql = new SqlBuilder();
        Filter(sql, filter, "team_id", "owner_id");
        sql.Where($"status = {(short)OpportunityStatus.Open}");
        sql.Text = $"""
            SELECT count(*), count(*) FILTER (WHERE coalesce(last_update_ticks, 0) < {Ticks(sql, cutoff)})
            FROM actorsales_rm_opportunities {sql.WhereClause}
            """;
        return (await ReadAsync(sql, r => new LateUpdates(r.GetInt64(0), r.GetInt64(1)), cancellationToken))[0];
    }

    public async Task<long> RefusalsAsync(AnalyticsFilter filter, Period period, CancellationToken cancellationToken = default)
    {
        var sql = new SqlBuilder();
        Filter(sql, filter, "team_id", "owner_id");
        During(sql, "occurred_ticks", period);
        sql.Text = $"SELECT count(*) FROM actorsales_rm_refusal_facts {sql.WhereClause}";
        return (await ReadAsync(sql, r => r.GetInt64(0), cancellationToken))[0];
    }

    public async Task<IReadOnlyList<Goal>> GoalsAsync(AnalyticsFilter filter, Period period, CancellationToken cancellationToken = default) =>
        await ReadAsync(GoalsStatement(filter, period), r => Goal.Parser.ParseFrom((byte[])r[0]), cancellationToken);

    /// <summary>The statement <see cref="GoalsAsync"/> runs (ListGoals, goal progress and the board's goals).</summary>
    public static ReadModelStatement GoalsStatement(AnalyticsFilter filter, Period period)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var sql = new SqlBuilder();
        Filter(sql, filter, "team_id", "owner_id");
        sql.Where($"from_ticks < {Ticks(sql, period.To)}");
        sql.Where($"to_ticks > {Ticks(sql, period.From)}");
        sql.Text = $"SELECT doc FROM actorsales_rm_goals {sql.WhereClause}";
        return new ReadModelStatement(sql.Text, sql.Parameters, "analytics:goals", 0);
    }

    public async Task<TopList<Opportunity>> InterventionsAsync(AnalyticsFilter filter, int limit, CancellationToken cancellationToken = default) =>
        await TopAsync(InterventionsStatement(filter, limit), Opportunity.Parser, cancellationToken);

    /// <summary>
    /// The statement <see cref="InterventionsAsync"/> runs: the total and the first <paramref name="limit"/> payloads in
    /// one round trip (a row with the total and no payload when there are none).
    /// </summary>
    public static ReadModelStatement InterventionsStatement(AnalyticsFilter filter, int limit)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        var sql = new SqlBuilder();
        Filter(sql, filter, "team_id", "owner_id");
        // Literals, not parameters: the planner must see the partial indexes' predicate (0012_board_indexes.sql).
        sql.Where($"status = {(short)OpportunityStatus.Open}");
        sql.Where("needs_intervention");
        return Top(sql, "actorsales_rm_opportunities", "stage_entered_ticks", "opportunity_id", limit, "analytics:interventions");
    }

    public async Task<TopList<Customer>> AboutToReleaseAsync(AnalyticsFilter filter, int limit, CancellationToken cancellationToken = default) =>
        await TopAsync(AboutToReleaseStatement(filter, limit), Customer.Parser, cancellationToken);

    /// <summary>The statement <see cref="AboutToReleaseAsync"/> runs, shaped as <see cref="InterventionsStatement"/>.</summary>
    public static ReadModelStatement AboutToReleaseStatement(AnalyticsFilter filter, int limit)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        var sql = new SqlBuilder();
        Filter(sql, filter, "team_id", "owner_id");
        sql.Where("release_warned");
        return Top(sql, "actorsales_rm_customers", "coalesce(last_follow_up_ticks, 0)", "customer_id", limit, "analytics:about-to-release");
    }

    /// <summary>
    /// (total, payload) rows: the count of every row matching, beside the first <paramref name="limit"/> by (order, id).
    /// The count and the list read the same conditions through the same indexes; the outer LEFT JOIN keeps the total
    /// when the list is empty.
    /// </summary>
    private static ReadModelStatement Top(SqlBuilder sql, string table, string order, string id, int limit, string shape)
    {
        sql.Text = $"""
            SELECT t.total, f.payload
            FROM (SELECT count(*) AS total FROM {table} {sql.WhereClause}) t
            LEFT JOIN LATERAL (
                SELECT payload, {order} AS sort_number, {id} AS sort_id FROM {table} {sql.WhereClause}
                ORDER BY {order}, {id}
                LIMIT {sql.Param(limit, NpgsqlDbType.Integer)}
            ) f ON true
            ORDER BY f.sort_number, f.sort_id
            """;
        return new ReadModelStatement(sql.Text, sql.Parameters, shape, limit);
    }

    private async Task<TopList<T>> TopAsync<T>(ReadModelStatement statement, MessageParser<T> parser, CancellationToken cancellationToken)
        where T : class, IMessage<T>
    {
        var rows = await ReadAsync(statement, r => (Total: r.GetInt64(0), Item: r.IsDBNull(1) ? null : parser.ParseFrom(r.GetFieldValue<byte[]>(1))), cancellationToken);
        return new TopList<T>([.. rows.Select(r => r.Item).OfType<T>()], rows.Count == 0 ? 0 : rows[0].Total);
    }

    /// <summary>The caller's reach (the shared scope rule) and the filter's narrowing: team, owner, the region's teams.</summary>
    private static void Filter(SqlBuilder sql, AnalyticsFilter filter, string teamColumn, string ownerColumn)
    {
        // A narrowing to the reach's own team (a manager's team board) or own owner implies the reach. Leaving the
        // reach's OR out lets the planner read the narrowing's index alone: with it, a team board ORed the owner index
        // into a bitmap and visited every heap row of the team (no index-only scan), seen at 1,000,000 opportunities.
        var reach = filter.Reach;
        var implied = (filter.TeamId is { Length: > 0 } team && team == reach.TeamId) || (filter.OwnerId is { Length: > 0 } owner && owner == reach.OwnerId);
        if (!implied)
        {
            Scope(sql, reach, teamColumn, ownerColumn);
        }
        if (filter.TeamId is not null)
        {
            sql.Where($"{teamColumn} = {sql.Param(filter.TeamId, NpgsqlDbType.Text)}");
        }
        if (filter.OwnerId is not null)
        {
            sql.Where($"{ownerColumn} = {sql.Param(filter.OwnerId, NpgsqlDbType.Text)}");
        }
        if (filter.Region is not null)
        {
            sql.Where($"{teamColumn} IN (SELECT team_id FROM actorsales_rm_teams WHERE region = {sql.Param(SearchNormalizer.Text(filter.Region), NpgsqlDbType.Text)})");
        }
    }

    private static void During(SqlBuilder sql, string column, Period period)
    {
        sql.Where($"{column} >= {Ticks(sql, period.From)}");
        sql.Where($"{column} < {Ticks(sql, period.To)}");
    }

    private static DateTimeOffset Utc(long ticks) => new(ticks, TimeSpan.Zero);

    private Task<List<T>> ReadAsync<T>(SqlBuilder sql, Func<NpgsqlDataReader, T> read, CancellationToken cancellationToken) =>
        ReadAsync(new ReadModelStatement(sql.Text, sql.Parameters, "analytics", 0), read, cancellationToken);

    private async Task<List<T>> ReadAsync<T>(ReadModelStatement statement, Func<NpgsqlDataReader, T> read, CancellationToken cancellationToken)
    {
        await using var command = statement.CreateCommand(_db);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var items = new List<T>();
        while (await reader.ReadAsync(cancellationToken))
        {
            items.Add(read(reader));
        }
        return items;
    }
}
