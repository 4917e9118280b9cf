using System.Globalization;
using ActorSales.Contracts.V1;
using ActorSales.Domain.Errors;
using ActorSales.ReadModel;
using Google.Protobuf;
using Npgsql;
using NpgsqlTypes;
using ReadScope = ActorSales.Domain.Identity.ReadScope;
using SortKey = ActorSales.ReadModel.SortKey;

namespace ActorSales.Infrastructure.Postgres.ReadModel;

// The queries: the in-memory store's (the reference) filters, scope and order, in SQL. SQL is assembled from fixed
// fragments (only the filters a query sets, so the planner sees plain predicates it can match to an index); every value,
// including the search text, travels as a parameter. Pages are keyset pages in the shared SortKey order (number, text,
// id) with the shared PageTokens, so a token names the query shape it continues and a bad one is a ValidationException
// on page_token.
public sealed partial class PostgresReadModelStore
{
    public async Task<ResultPage<Customer>> SearchCustomersAsync(CustomerSearch query, CancellationToken cancellationToken = default)
    {
        var statement = Statement(query);
        return statement is null ? new ResultPage<Customer>([], null) : await PageAsync(statement, Customer.Parser, cancellationToken);
    }

    /// <summary>The statement <see cref="SearchCustomersAsync"/> runs; null when the text has nothing to search for.</summary>
    public static ReadModelStatement? Statement(CustomerSearch query)
    {
        ArgumentNullException.ThrowIfNull(query);
        const string shape = "customers:search";
        var size = PageTokens.CheckPageSize(query.PageSize);
        var after = PageTokens.Decode(shape, query.PageToken);
        var term = SearchNormalizer.Parse(query.Text);
        if (term.IsEmpty)
        {
            return null;
        }
        var sql = new SqlBuilder();
        // Everything is decided on the search rows alone (scope, candidates, rank, order); only the page's winners are
        // joined to their customer rows for the payload. A team or owner scope ANDs its btree index with the text index.
        Scope(sql, query.Scope, "x.team_id", "x.owner_id");
        // Candidates through the indexes (trigrams; CJK grams), then the exact rank of SearchNormalizer.Rank: a whole
        // field equal to the text (0), a field starting with it (1), the text anywhere (2); the better of text and phone digits.
        var text = sql.Param(term.Text, NpgsqlDbType.Text);
        var textCandidate = $"x.search_text LIKE {sql.Param(SearchGrams.ContainsPattern(term.Text), NpgsqlDbType.Text)}";
        var grams = SearchGrams.Query(term.Text);
        if (grams.Length > 0)
        {
            textCandidate += $" AND x.search_grams @> {sql.Param(grams, NpgsqlDbType.Array | NpgsqlDbType.Text)}";
        }
        var rank = RankSql("x.search_text", text);
        if (term.Digits is { } digits)
        {
            var d = sql.Param(digits, NpgsqlDbType.Text);
            sql.Where($"(({textCandidate}) OR x.search_digits LIKE {sql.Param(SearchGrams.ContainsPattern(digits), NpgsqlDbType.Text)})");
            rank = $"LEAST({rank}, {RankSql("x.search_digits", d)})";
        }
        else
        {
            sql.Where($"({textCandidate})");
        }
        var keyset = after is { } last
            ? $"AND (r.rank, r.sort_name, r.customer_id) > ({sql.Param(last.Number, NpgsqlDbType.Numeric)}, {sql.Param(last.Text, NpgsqlDbType.Text)} COLLATE \"C\", {sql.Param(last.Id, NpgsqlDbType.Text)} COLLATE \"C\")"
            : string.Empty;
        sql.Text = $"""
            SELECT c.payload, s.rank, s.sort_name, s.customer_id FROM (
                SELECT r.customer_id, r.sort_name, r.rank FROM (
                    SELECT x.customer_id, x.sort_name, ({rank})::numeric AS rank FROM actorsales_rm_customer_search x {sql.WhereClause}
                ) r
                WHERE r.rank IS NOT NULL {keyset}
                ORDER BY r.rank, r.sort_name, r.customer_id
                LIMIT {sql.Param(size + 1, NpgsqlDbType.Integer)}
            ) s
            JOIN actorsales_rm_customers c ON c.customer_id = s.customer_id
            ORDER BY s.rank, s.sort_name, s.customer_id
            """;
        return new ReadModelStatement(sql.Text, sql.Parameters, shape, size);
    }

    public Task<ResultPage<Customer>> ListCustomersAsync(CustomerQuery query, CancellationToken cancellationToken = default) =>
        PageAsync(Statement(query), Customer.Parser, cancellationToken);

    /// <summary>The statement <see cref="ListCustomersAsync"/> runs.</summary>
    public static ReadModelStatement Statement(CustomerQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var size = PageTokens.CheckPageSize(query.PageSize);
        var shape = $"customers:{query.Sort}:{(query.Descending ? "desc" : "asc")}";
        var after = PageTokens.Decode(shape, query.PageToken);
        var sql = new SqlBuilder();
        Scope(sql, query.Scope, "team_id", "owner_id");
        Equal(sql, "team_id", query.TeamId);
        Equal(sql, "owner_id", query.OwnerId);
        Equal(sql, "tier", (short?)query.Tier);
        Equal(sql, "grade", (short?)query.Grade);
        Equal(sql, "industry", query.Industry is null ? null : SearchNormalizer.Text(query.Industry));
        Equal(sql, "source_channel", (short?)query.SourceChannel);
        Equal(sql, "in_pool", query.InPool);
        Equal(sql, "locked", query.Locked);
        Equal(sql, "release_warned", query.ReleaseWarned);
        // Never followed up (NULL) is "before" any time and after none.
        if (query.FollowedUpBefore is { } before)
        {
            sql.Where($"(last_follow_up_ticks IS NULL OR last_follow_up_ticks < {Ticks(sql, before)})");
        }
        Compare(sql, "last_follow_up_ticks", ">=", query.FollowedUpAfter);
        Compare(sql, "created_ticks", ">=", query.CreatedFrom);
        Compare(sql, "created_ticks", "<", query.CreatedTo);
        var key = query.Sort switch
        {
            CustomerSort.Name => new Key(null, "sort_name", "customer_id"),
            CustomerSort.LastFollowUp => new Key("coalesce(last_follow_up_ticks, 0)", null, "customer_id"),
            _ => new Key("created_ticks", null, "customer_id"),
        };
        return Keyset(sql, "actorsales_rm_customers", key, shape, query.Descending, after, size);
    }

    public Task<ResultPage<Opportunity>> ListOpportunitiesAsync(OpportunityQuery query, CancellationToken cancellationToken = default) =>
        PageAsync(Statement(query), Opportunity.Parser, cancellationToken);

    /// <summary>The statement <see cref="ListOpportunitiesAsync"/> runs.</summary>
    public static ReadModelStatement Statement(OpportunityQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var size = PageTokens.CheckPageSize(query.PageSize);
        var shape = $"opportunities:{query.Sort}:{(query.Descending ? "desc" : "asc")}";
        var after = PageTokens.Decode(shape, query.PageToken);
        var sql = new SqlBuilder();
        Scope(sql, query.Scope, "team_id", "owner_id");
        Equal(sql, "customer_id", query.CustomerId);
        Equal(sql, "owner_id", query.OwnerId);
        Equal(sql, "team_id", query.TeamId);
        if (query.Region is not null)
        {
            // The owner team's region now (joined, not copied: a team's move needs no fan-out).
            sql.Where($"team_id IN (SELECT team_id FROM actorsales_rm_teams WHERE region = {sql.Param(SearchNormalizer.Text(query.Region), NpgsqlDbType.Text)})");
        }
        Equal(sql, "pipeline_key", query.PipelineKey);
        Equal(sql, "stage", query.Stage);
        Equal(sql, "status", (short?)query.Status);
        Equal(sql, "stall_level", (short?)query.StallLevel);
        Equal(sql, "signal", (short?)query.Signal);
        Equal(sql, "currency", query.Currency);
        if (query.AmountMin is { } min)
        {
            sql.Where($"amount >= {sql.Param(min, NpgsqlDbType.Numeric)}");
        }
        if (query.AmountMax is { } max)
        {
            sql.Where($"amount <= {sql.Param(max, NpgsqlDbType.Numeric)}");
        }
        Compare(sql, "expected_close_ticks", ">=", query.ExpectedCloseFrom);
        Compare(sql, "expected_close_ticks", "<", query.ExpectedCloseTo);
        Compare(sql, "stage_entered_ticks", ">=", query.StageEnteredFrom);
        Compare(sql, "stage_entered_ticks", "<", query.StageEnteredTo);
        // Time in stage ascending is the latest stage entry first.
        var key = query.Sort switch
        {
            OpportunitySort.Amount => new Key("amount", null, "opportunity_id"),
            OpportunitySort.TimeInStage => new Key("(-stage_entered_ticks)", null, "opportunity_id"),
            _ => new Key("expected_close_ticks", null, "opportunity_id"),
        };
        return Keyset(sql, "actorsales_rm_opportunities", key, shape, query.Descending, after, size);
    }

    public async Task<ResultPage<Team>> ListTeamsAsync(TeamQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        const string shape = "teams";
        var size = PageTokens.CheckPageSize(query.PageSize);
        var after = PageTokens.Decode(shape, query.PageToken);
        var sql = new SqlBuilder();
        // An owner scope sees the team it manages or is a member of.
        Scope(sql, query.Scope, "team_id", "manager_id", owner => $"{owner} = ANY(member_ids)");
        Equal(sql, "region", query.Region is null ? null : SearchNormalizer.Text(query.Region));
        return await PageAsync(Keyset(sql, "actorsales_rm_teams", new Key(null, "sort_name", "team_id"), shape, false, after, size), Team.Parser, cancellationToken);
    }

    public async Task<ResultPage<Salesperson>> ListSalespeopleAsync(SalespersonQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        const string shape = "salespeople";
        var size = PageTokens.CheckPageSize(query.PageSize);
        var after = PageTokens.Decode(shape, query.PageToken);
        var sql = new SqlBuilder();
        Scope(sql, query.Scope, "team_id", "salesperson_id");
        Equal(sql, "team_id", query.TeamId);
        Equal(sql, "role", (short?)query.Role);
        Equal(sql, "status", (short?)query.Status);
        return await PageAsync(Keyset(sql, "actorsales_rm_salespeople", new Key(null, "sort_name", "salesperson_id"), shape, false, after, size),
            Salesperson.Parser, cancellationToken);
    }

    public async Task<ResultPage<DomainEvent>> TimelineAsync(TimelineQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        const string shape = "timeline";
        var size = PageTokens.CheckPageSize(query.PageSize);
        var after = PageTokens.Decode(shape, query.PageToken);
        var sql = new SqlBuilder();
        // Newest first by log position: a customer's own events and its opportunities' share one order.
        switch (query.EntityType)
        {
            case EntityType.Customer:
                sql.Where($"customer_id = {sql.Param(query.EntityId, NpgsqlDbType.Text)}");
                break;
            case EntityType.Opportunity:
                sql.Where($"opportunity_id = {sql.Param(query.EntityId, NpgsqlDbType.Text)}");
                break;
            default:
                sql.Where($"entity_type = {sql.Param((short)query.EntityType, NpgsqlDbType.Smallint)}");
                sql.Where($"entity_id = {sql.Param(query.EntityId, NpgsqlDbType.Text)}");
                break;
        }
        return await PageAsync(Keyset(sql, "actorsales_rm_history", new Key("position", null, null), shape, true, after, size),
            DomainEvent.Parser, cancellationToken);
    }

    /// <summary>
    /// A row's <see cref="SortKey"/> as SQL: the number expression (null: 0), the text column (null: ''), the id column
    /// (null: ''). Only the parts a sort uses are compared; a token whose other parts are not the constants was not
    /// made by this query.
    /// </summary>
    private sealed record Key(string? Number, string? Text, string? Id);

    private static ReadModelStatement Keyset(SqlBuilder sql, string table, Key key, string shape, bool descending, SortKey? after, int size)
    {
        var used = new List<(string Column, string Value)>(3);
        if (after is { } last)
        {
            if ((key.Number is null && last.Number != 0) || (key.Text is null && last.Text.Length != 0) || (key.Id is null && last.Id.Length != 0))
            {
                throw new ValidationException(PageTokens.Field, "is not a token this query returned; start again without it");
            }
            if (key.Number is not null)
            {
                used.Add((key.Number, sql.Param(last.Number, NpgsqlDbType.Numeric)));
            }
            if (key.Text is not null)
            {
                used.Add((key.Text, $"{sql.Param(last.Text, NpgsqlDbType.Text)} COLLATE \"C\""));
            }
            if (key.Id is not null)
            {
                used.Add((key.Id, $"{sql.Param(last.Id, NpgsqlDbType.Text)} COLLATE \"C\""));
            }
            sql.Where($"({string.Join(", ", used.Select(u => u.Column))}) {(descending ? "<" : ">")} ({string.Join(", ", used.Select(u => u.Value))})");
        }
        // The output columns carry their own names: ORDER BY a bare name binds to an output column first, and an
        // output "expected_close_ticks::numeric" named expected_close_ticks made every keyset list sort the cast (a
        // full scan and sort) instead of walking the bigint index (seen on 3,000,000 opportunities).
        var direction = descending ? "DESC" : "ASC";
        var order = new[] { key.Number, key.Text, key.Id }.OfType<string>().Select(c => $"{c} {direction}");
        sql.Text = $"""
            SELECT payload, ({key.Number ?? "0"})::numeric AS sort_number, {key.Text ?? "''"} AS sort_text, {key.Id ?? "''"} AS sort_id FROM {table} {sql.WhereClause}
            ORDER BY {string.Join(", ", order)}
            LIMIT {sql.Param(size + 1, NpgsqlDbType.Integer)}
            """;
        return new ReadModelStatement(sql.Text, sql.Parameters, shape, size);
    }

    /// <summary>Runs a page query returning (payload, number, text, id), at most size + 1 rows: a further row proves a next page.</summary>
    private async Task<ResultPage<T>> PageAsync<T>(ReadModelStatement statement, MessageParser<T> parser, CancellationToken cancellationToken)
        where T : IMessage<T>
    {
        var (shape, size) = (statement.Shape, statement.PageSize);
        await using var command = statement.CreateCommand(_db);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var items = new List<T>(Math.Min(size, 64));
        SortKey? last = null;
        var more = false;
        while (await reader.ReadAsync(cancellationToken))
        {
            if (items.Count == size)
            {
                more = true;
                break;
            }
            items.Add(parser.ParseFrom(reader.GetFieldValue<byte[]>(0)));
            last = new SortKey(reader.GetDecimal(1), reader.GetString(2), reader.GetString(3));
        }
        return new ResultPage<T>(items, more && last is { } key ? PageTokens.Encode(shape, key) : null);
    }

    /// <summary>SearchNormalizer's rank of a needle in newline-separated fields, as SQL (NULL: no match).</summary>
    private static string RankSql(string fields, string needle) => $"""
        CASE WHEN strpos(E'\n' || {fields} || E'\n', E'\n' || {needle} || E'\n') > 0 THEN 0
             WHEN strpos(E'\n' || {fields}, E'\n' || {needle}) > 0 THEN 1
             WHEN strpos({fields}, {needle}) > 0 THEN 2 END
        """;

    /// <summary>
    /// The read scope (InMemoryReadModelStore.InScope): no team and no owner sees everything; else the row's team is the
    /// scope's team, or its owner the scope's owner (empty ids match nothing).
    /// </summary>
    private static void Scope(SqlBuilder sql, ReadScope scope, string teamColumn, string ownerColumn, Func<string, string>? alsoOwner = null)
    {
        ArgumentNullException.ThrowIfNull(scope);
        if (scope.TeamId is null && scope.OwnerId is null)
        {
            return;
        }
        var parts = new List<string>(3);
        if (scope.TeamId is { Length: > 0 } team)
        {
            parts.Add($"{teamColumn} = {sql.Param(team, NpgsqlDbType.Text)}");
        }
        if (scope.OwnerId is { Length: > 0 } owner)
        {
            var o = sql.Param(owner, NpgsqlDbType.Text);
            parts.Add($"{ownerColumn} = {o}");
            if (alsoOwner is not null)
            {
                parts.Add(alsoOwner(o));
            }
        }
        sql.Where(parts.Count == 0 ? "false" : $"({string.Join(" OR ", parts)})");
    }

    private static void Equal(SqlBuilder sql, string column, string? value)
    {
        if (value is not null)
        {
            sql.Where($"{column} = {sql.Param(value, NpgsqlDbType.Text)}");
        }
    }

    private static void Equal(SqlBuilder sql, string column, short? value)
    {
        if (value is not null)
        {
            sql.Where($"{column} = {sql.Param(value.Value, NpgsqlDbType.Smallint)}");
        }
    }

    private static void Equal(SqlBuilder sql, string column, bool? value)
    {
        if (value is not null)
        {
            sql.Where(value.Value ? column : $"NOT {column}");
        }
    }

    /// <summary>A time compared as UTC ticks (what the rows store and DateTimeOffset compares).</summary>
    private static void Compare(SqlBuilder sql, string column, string op, DateTimeOffset? value)
    {
        if (value is { } time)
        {
            sql.Where($"{column} {op} {Ticks(sql, time)}");
        }
    }

    private static string Ticks(SqlBuilder sql, DateTimeOffset time) => sql.Param(time.UtcTicks, NpgsqlDbType.Bigint);

    /// <summary>A statement under construction: the WHERE conjuncts and the positional parameters they use.</summary>
    private sealed class SqlBuilder
    {
        private readonly List<string> _conditions = [];

        public List<NpgsqlParameter> Parameters { get; } = [];

        public string Text { get; set; } = string.Empty;

        public string WhereClause => _conditions.Count == 0 ? string.Empty : "WHERE " + string.Join(" AND ", _conditions);

        public void Where(string condition) => _conditions.Add(condition);

        public string Param(object value, NpgsqlDbType type)
        {
            var name = "p" + Parameters.Count.ToString(CultureInfo.InvariantCulture);
            Parameters.Add(new NpgsqlParameter(name, type) { Value = value });
            return "@" + name;
        }
    }
}
