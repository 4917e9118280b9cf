using ActorSales.Contracts.V1;
using ActorSales.ReadModel;
using ActorSales.ReadModel.Analytics;
using Google.Protobuf;
using Npgsql;
using NpgsqlTypes;

namespace ActorSales.Infrastructure.Postgres.ReadModel;

// Orders (migrations 0014, 0015): the in-memory store's filters, order and order facts, in SQL.
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
            INSERT INTO actorsales_rm_orders (order_id, customer_id, owner_id, team_id, status, created_ticks, overdue_from_ticks, doc, currency, total)
            SELECT * FROM unnest(@ids, @customers, @owners, @teams, @statuses, @created, @overdue, @docs, @currencies, @totals)
            ON CONFLICT (order_id) DO UPDATE SET
                customer_id = excluded.customer_id, owner_id = excluded.owner_id, team_id = excluded.team_id, status = excluded.status,
                created_ticks = excluded.created_ticks, overdue_from_ticks = excluded.overdue_from_ticks, doc = excluded.doc,
                currency = excluded.currency, total = excluded.total
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
        p.AddWithValue("currencies", orders.Select(o => o.Currency).ToArray());
        p.AddWithValue("totals", orders.Select(CollectionFacts.SaleOf).ToArray());
        batch.BatchCommands.Add(command);
        AddPaymentRows(batch, orders);
    }

    /// <summary>Rewrites the orders' payment and receivable rows from the orders as their latest events carry them.</summary>
    private static void AddPaymentRows(NpgsqlBatch batch, List<Order> orders)
    {
        var ids = orders.Select(o => o.OrderId).ToArray();
        foreach (var table in (string[])["actorsales_rm_payments", "actorsales_rm_receivables"])
        {
            var clear = new NpgsqlBatchCommand($"DELETE FROM {table} WHERE order_id = ANY(@ids)");
            clear.Parameters.AddWithValue("ids", ids);
            batch.BatchCommands.Add(clear);
        }

        var payments = orders.SelectMany(CollectionFacts.PaymentsOf).ToList();
        if (payments.Count > 0)
        {
            var insert = new NpgsqlBatchCommand("""
                INSERT INTO actorsales_rm_payments
                    (order_id, payment_id, customer_id, owner_id, team_id, currency, amount, received_ticks, recorded_ticks, reversed_ticks)
                SELECT * FROM unnest(@orders, @ids, @customers, @owners, @teams, @currencies, @amounts, @received, @recorded, @reversed)
                """);
            var p = insert.Parameters;
            p.AddWithValue("orders", payments.Select(x => x.OrderId).ToArray());
            p.AddWithValue("ids", payments.Select(x => x.PaymentId).ToArray());
            p.AddWithValue("customers", payments.Select(x => x.CustomerId).ToArray());
            p.AddWithValue("owners", payments.Select(x => x.OwnerId).ToArray());
            p.AddWithValue("teams", payments.Select(x => x.TeamId).ToArray());
            p.AddWithValue("currencies", payments.Select(x => x.Currency).ToArray());
            p.AddWithValue("amounts", payments.Select(x => x.Amount).ToArray());
            p.AddWithValue("received", payments.Select(x => x.ReceivedAt.UtcTicks).ToArray());
            p.AddWithValue("recorded", payments.Select(x => x.RecordedAt.UtcTicks).ToArray());
            p.Add(NullableTicks("reversed", payments.Select(x => x.ReversedAt)));
            batch.BatchCommands.Add(insert);
        }

        var owed = orders.SelectMany(CollectionFacts.ReceivablesOf).ToList();
        if (owed.Count > 0)
        {
            var insert = new NpgsqlBatchCommand("""
                INSERT INTO actorsales_rm_receivables (order_id, number, owner_id, team_id, currency, due_ticks, outstanding)
                SELECT * FROM unnest(@orders, @numbers, @owners, @teams, @currencies, @due, @outstanding)
                """);
            var p = insert.Parameters;
            p.AddWithValue("orders", owed.Select(x => x.OrderId).ToArray());
            p.AddWithValue("numbers", owed.Select(x => x.Number).ToArray());
            p.AddWithValue("owners", owed.Select(x => x.OwnerId).ToArray());
            p.AddWithValue("teams", owed.Select(x => x.TeamId).ToArray());
            p.AddWithValue("currencies", owed.Select(x => x.Currency).ToArray());
            p.AddWithValue("due", owed.Select(x => x.DueAt.UtcTicks).ToArray());
            p.AddWithValue("outstanding", owed.Select(x => x.Outstanding).ToArray());
            batch.BatchCommands.Add(insert);
        }
    }

    public async Task<IReadOnlyList<Order>> OrdersByIdAsync(IReadOnlyCollection<string> orderIds, CancellationToken cancellationToken = default)
    {
        var sql = new SqlBuilder();
        sql.Where($"order_id = ANY({sql.Param(orderIds.Distinct(StringComparer.Ordinal).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text)})");
        sql.Text = $"SELECT doc FROM actorsales_rm_orders {sql.WhereClause}";
        return await ReadAsync(sql, r => Order.Parser.ParseFrom(r.GetFieldValue<byte[]>(0)), cancellationToken);
    }

    public Task<IReadOnlyList<PaymentFact>> PaymentsAsync(AnalyticsFilter filter, Period received, CancellationToken cancellationToken = default)
    {
        var sql = new SqlBuilder();
        Filter(sql, filter, "team_id", "owner_id");
        During(sql, "received_ticks", received);
        return PaymentFactsAsync(sql, cancellationToken);
    }

    public Task<IReadOnlyList<PaymentFact>> PaymentsChangedAsync(AnalyticsFilter filter, Period changed, CancellationToken cancellationToken = default)
    {
        var sql = new SqlBuilder();
        Filter(sql, filter, "team_id", "owner_id");
        var (from, to) = (Ticks(sql, changed.From), Ticks(sql, changed.To));
        sql.Where($"((recorded_ticks >= {from} AND recorded_ticks < {to}) OR (reversed_ticks >= {from} AND reversed_ticks < {to}))");
        return PaymentFactsAsync(sql, cancellationToken);
    }

    public async Task<IReadOnlyList<ReceivableFact>> ReceivablesAsync(AnalyticsFilter filter, CancellationToken cancellationToken = default)
    {
        var sql = new SqlBuilder();
        Filter(sql, filter, "team_id", "owner_id");
        sql.Text = $"SELECT order_id, number, owner_id, team_id, currency, due_ticks, outstanding FROM actorsales_rm_receivables {sql.WhereClause}";
        return await ReadAsync(sql, r => new ReceivableFact(r.GetString(0), r.GetInt32(1), r.GetString(2), r.GetString(3), r.GetString(4),
            Utc(r.GetInt64(5)), r.GetDecimal(6)), cancellationToken);
    }

    public async Task<IReadOnlyList<OrderTotals>> OrderTotalsAsync(AnalyticsFilter filter, Period period, CancellationToken cancellationToken = default)
    {
        var sql = new SqlBuilder();
        Filter(sql, filter, "o.team_id", "o.owner_id");
        var (from, to) = (Ticks(sql, period.From), Ticks(sql, period.To));
        sql.Where($"o.status <> {(short)OrderStatus.Cancelled}");
        sql.Where($"o.created_ticks < {to}");
        sql.Text = $"""
            SELECT o.currency,
                   coalesce(sum(o.total) FILTER (WHERE o.created_ticks >= {from}), 0),
                   coalesce(sum(o.total), 0),
                   coalesce(sum((SELECT sum(p.amount) FROM actorsales_rm_payments p
                                 WHERE p.order_id = o.order_id AND p.reversed_ticks IS NULL AND p.received_ticks < {to})), 0)
            FROM actorsales_rm_orders o {sql.WhereClause}
            GROUP BY o.currency ORDER BY o.currency
            """;
        return await ReadAsync(sql, r => new OrderTotals(r.GetString(0), r.GetDecimal(1), r.GetDecimal(2), r.GetDecimal(3)), cancellationToken);
    }

    private async Task<IReadOnlyList<PaymentFact>> PaymentFactsAsync(SqlBuilder sql, CancellationToken cancellationToken)
    {
        sql.Text = $"""
            SELECT payment_id, order_id, customer_id, owner_id, team_id, currency, amount, received_ticks, recorded_ticks, reversed_ticks
            FROM actorsales_rm_payments {sql.WhereClause}
            """;
        return await ReadAsync(sql, r => new PaymentFact(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5),
            r.GetDecimal(6), Utc(r.GetInt64(7)), Utc(r.GetInt64(8)), !r.IsDBNull(9), r.IsDBNull(9) ? null : Utc(r.GetInt64(9))), cancellationToken);
    }
}
