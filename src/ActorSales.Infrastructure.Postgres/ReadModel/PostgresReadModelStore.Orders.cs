using ActorSales.Contracts.V1;
using ActorSales.ReadModel;
using Google.Protobuf;
using Npgsql;
using NpgsqlTypes;

namespace ActorSales.Infrastructure.Postgres.ReadModel;

// Orders (migration 0014): the in-memory store's filters and order, in SQL.
public sealed partial class PostgresReadModelStore
{
    private const string OrderShape = "orders";

    public Task<ResultPage<Order>> ListOrdersAsync(OrderQuery query, CancellationToken cancellationToken = default) =>
        PageAsync(Statement(query), Order.Parser, cancellationToken);

    /// <summary>The SQL ListOrders runs: newest first, then by id (the page token's key).</summary>
    public static ReadModelStatement Statement(OrderQuery q)
    {
        var size = PageTokens.CheckPageSize(q.PageSize);
        var after = PageTokens.Decode(OrderShape, q.PageToken);
        var sql = new SqlBuilder();
        Scope(sql, q.Scope, "team_id", "owner_id");
        Equal(sql, "customer_id", q.CustomerId);
        Equal(sql, "owner_id", q.OwnerId);
        Equal(sql, "team_id", q.TeamId);
        Equal(sql, "status", (short?)q.Status);
        if (q.OverdueAt is { } at)
        {
            sql.Where($"overdue_from_ticks <= {Ticks(sql, at)}");
        }
        if (after is { } key)
        {
            var ticks = sql.Param((long)-key.Number, NpgsqlDbType.Bigint);
            sql.Where($"(created_ticks < {ticks} OR (created_ticks = {ticks} AND order_id > {sql.Param(key.Id, NpgsqlDbType.Text)}))");
        }
        sql.Text = $"""
            SELECT doc, (-created_ticks)::numeric AS sort_number, ''::text AS sort_text, order_id AS sort_id
            FROM actorsales_rm_orders {sql.WhereClause}
            ORDER BY created_ticks DESC, order_id
            LIMIT {size + 1}
            """;
        return new ReadModelStatement(sql.Text, sql.Parameters, OrderShape, size);
    }

    private static void AddOrderUpsert(NpgsqlBatch batch, List<Order> orders)
    {
        if (orders.Count == 0)
        {
            return;
        }
        var command = new NpgsqlBatchCommand("""
            INSERT INTO actorsales_rm_orders (order_id, customer_id, owner_id, team_id, status, created_ticks, overdue_from_ticks, doc)
            SELECT * FROM unnest(@ids, @customers, @owners, @teams, @statuses, @created, @overdue, @docs)
            ON CONFLICT (order_id) DO UPDATE SET
                customer_id = excluded.customer_id, owner_id = excluded.owner_id, team_id = excluded.team_id, status = excluded.status,
                created_ticks = excluded.created_ticks, overdue_from_ticks = excluded.overdue_from_ticks, doc = excluded.doc
            """);
        var p = command.Parameters;
        p.AddWithValue("ids", orders.Select(o => o.OrderId).ToArray());
        p.AddWithValue("customers", orders.Select(o => o.CustomerId).ToArray());
        p.AddWithValue("owners", orders.Select(o => o.OwnerId).ToArray());
        p.AddWithValue("teams", orders.Select(o => o.TeamId).ToArray());
        p.AddWithValue("statuses", orders.Select(o => (short)o.Status).ToArray());
        p.AddWithValue("created", orders.Select(o => o.CreatedAt.ToDateTimeOffset().UtcTicks).ToArray());
        p.Add(NullableTicks("overdue", orders.Select(OrderFacts.OverdueFrom)));
        p.AddWithValue("docs", orders.Select(o => o.ToByteArray()).ToArray());
        batch.BatchCommands.Add(command);
    }
}
