using ActorSales.Contracts.V1;
using ActorSales.ReadModel;
using Google.Protobuf;
using Npgsql;
using NpgsqlTypes;
using ReadScope = ActorSales.Domain.Identity.ReadScope;

namespace ActorSales.Infrastructure.Postgres.ReadModel;

// Leads (migration 0016): the in-memory store's filters, order and lead-health facts, in SQL.
public sealed partial class PostgresReadModelStore
{
    private const string LeadShape = "leads";

    public Task<ResultPage<Lead>> ListLeadsAsync(LeadQuery query, CancellationToken cancellationToken = default) =>
        PageAsync(Statement(query), Lead.Parser, cancellationToken);

    /// <summary>The SQL ListLeads runs: newest arrival first, then by id (the page token's key).</summary>
    public static ReadModelStatement Statement(LeadQuery q)
    {
        var size = PageTokens.CheckPageSize(q.PageSize);
        var after = PageTokens.Decode(LeadShape, q.PageToken);
        var sql = new SqlBuilder();
        Scope(sql, q.Scope, "team_id", "owner_id");
        Equal(sql, "team_id", q.TeamId);
        Equal(sql, "owner_id", q.OwnerId);
        Equal(sql, "status", (short?)q.Status);
        Equal(sql, "source_channel", (short?)q.SourceChannel);
        if (q.PoolOnly)
        {
            sql.Where("owner_id = ''");
        }
        if (after is { } key)
        {
            var ticks = sql.Param((long)-key.Number, NpgsqlDbType.Bigint);
            sql.Where($"(arrived_ticks < {ticks} OR (arrived_ticks = {ticks} AND lead_id > {sql.Param(key.Id, NpgsqlDbType.Text)}))");
        }
        sql.Text = $"""
            SELECT doc, (-arrived_ticks)::numeric AS sort_number, ''::text AS sort_text, lead_id AS sort_id
            FROM actorsales_rm_leads {sql.WhereClause}
            ORDER BY arrived_ticks DESC, lead_id
            LIMIT {size + 1}
            """;
        return new ReadModelStatement(sql.Text, sql.Parameters, LeadShape, size);
    }

    public async Task<IReadOnlyList<LeadFact>> LeadFactsAsync(
        ReadScope scope, string? teamId, DateTimeOffset arrivedFrom, DateTimeOffset arrivedTo, CancellationToken cancellationToken = default)
    {
        var sql = new SqlBuilder();
        Scope(sql, scope, "team_id", "owner_id");
        Equal(sql, "team_id", teamId);
        sql.Where($"arrived_ticks >= {Ticks(sql, arrivedFrom)}");
        sql.Where($"arrived_ticks < {Ticks(sql, arrivedTo)}");
        await using var command = _db.CreateCommand($"SELECT lead_id, source_channel, arrived_ticks, invalid, unsubscribed FROM actorsales_rm_leads {sql.WhereClause}");
        command.Parameters.AddRange(sql.Parameters.ToArray());
        var facts = new List<LeadFact>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            facts.Add(new LeadFact(reader.GetString(0), (SourceChannel)reader.GetInt16(1), new DateTimeOffset(reader.GetInt64(2), TimeSpan.Zero),
                reader.GetBoolean(3), reader.GetBoolean(4)));
        }
        return facts;
    }

    public async Task<int> UnsubscribedLeadsAsync(ReadScope scope, string? teamId, CancellationToken cancellationToken = default)
    {
        var sql = new SqlBuilder();
        Scope(sql, scope, "team_id", "owner_id");
        Equal(sql, "team_id", teamId);
        sql.Where("unsubscribed");
        await using var command = _db.CreateCommand($"SELECT count(*) FROM actorsales_rm_leads {sql.WhereClause}");
        command.Parameters.AddRange(sql.Parameters.ToArray());
        return (int)(long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private static void AddLeadUpsert(NpgsqlBatch batch, List<Lead> leads)
    {
        if (leads.Count == 0)
        {
            return;
        }
        var command = new NpgsqlBatchCommand("""
            INSERT INTO actorsales_rm_leads (lead_id, team_id, owner_id, status, source_channel, arrived_ticks, invalid, unsubscribed, doc)
            SELECT * FROM unnest(@ids, @teams, @owners, @statuses, @channels, @arrived, @invalid, @unsubscribed, @docs)
            ON CONFLICT (lead_id) DO UPDATE SET
                team_id = excluded.team_id, owner_id = excluded.owner_id, status = excluded.status, source_channel = excluded.source_channel,
                arrived_ticks = excluded.arrived_ticks, invalid = excluded.invalid, unsubscribed = excluded.unsubscribed, doc = excluded.doc
            """);
        var p = command.Parameters;
        p.AddWithValue("ids", leads.Select(l => l.LeadId).ToArray());
        p.AddWithValue("teams", leads.Select(l => l.TeamId).ToArray());
        p.AddWithValue("owners", leads.Select(l => l.OwnerId).ToArray());
        p.AddWithValue("statuses", leads.Select(l => (short)l.Status).ToArray());
        p.AddWithValue("channels", leads.Select(l => (short)l.SourceChannel).ToArray());
        p.AddWithValue("arrived", leads.Select(l => LeadFacts.ArrivedAt(l).UtcTicks).ToArray());
        p.AddWithValue("invalid", leads.Select(l => l.Invalid).ToArray());
        p.AddWithValue("unsubscribed", leads.Select(l => l.Unsubscribed).ToArray());
        p.AddWithValue("docs", leads.Select(l => l.ToByteArray()).ToArray());
        batch.BatchCommands.Add(command);
    }
}
