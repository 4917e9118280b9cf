using System.Globalization;
using System.Text;
using ActorSales.Contracts.V1;
using ActorSales.ReadModel;
using Google.Protobuf;
using Npgsql;
using NpgsqlTypes;
using ReadScope = ActorSales.Domain.Identity.ReadScope;

namespace ActorSales.Infrastructure.Postgres.ReadModel;

// The queries. SQL is assembled from fixed fragments (only the filters a query sets, so the planner sees plain
// predicates it can match to an index); every value, including the search text, travels as a parameter.
public sealed partial class PostgresReadModelStore
{
    public async Task<ResultPage<Customer>> SearchCustomersAsync(CustomerSearch query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        CheckPageSize(query.PageSize);
        var fragment = SearchText.Query(query.Text ?? string.Empty);
        var token = PageToken.Read(query.PageToken, "search");
        if (fragment is null)
        {
            return new ResultPage<Customer>([], null);
        }
        var sql = new SqlBuilder();
        var q = sql.Param(fragment, NpgsqlDbType.Text);
        sql.Where($"c.search_text LIKE {sql.Param(SearchText.ContainsPattern(fragment), NpgsqlDbType.Text)}");
        var grams = SearchText.QueryGrams(fragment);
        if (grams.Length > 0)
        {
            sql.Where($"c.search_grams @> {sql.Param(grams, NpgsqlDbType.Array | NpgsqlDbType.Text)}");
        }
        Scope(sql, query.Scope, "c.team_id", "c.owner_id");
        // Ranked: the name starting with the text, then containing it, then a match elsewhere; trigram word similarity
        // orders within those (it is 0 for CJK under the C locale, where the id decides).
        var name = "split_part(c.search_text, E'\\n', 1)";
        var rank = $"""
            ((CASE WHEN starts_with({name}, {q}) THEN 2 WHEN strpos({name}, {q}) > 0 THEN 1 ELSE 0 END)::float8
             + word_similarity({q}, c.search_text)::float8)
            """;
        var keyset = string.Empty;
        if (token is not null)
        {
            var r = sql.Param(double.Parse(token.Value, NumberStyles.Float, CultureInfo.InvariantCulture), NpgsqlDbType.Double);
            var id = sql.Param(token.Id, NpgsqlDbType.Text);
            keyset = $"WHERE s.rank < {r} OR (s.rank = {r} AND s.customer_id > {id})";
        }
        var limit = sql.Param(query.PageSize + 1, NpgsqlDbType.Integer);
        sql.Text = $"""
            SELECT s.payload, s.rank, s.customer_id FROM (
                SELECT c.payload, c.customer_id, {rank} AS rank FROM actorsales_rm_customers c {sql.WhereClause}
            ) s
            {keyset}
            ORDER BY s.rank DESC, s.customer_id
            LIMIT {limit}
            """;
        return await PageAsync(sql, query.PageSize, Customer.Parser, "search",
            reader => reader.GetDouble(1).ToString("R", CultureInfo.InvariantCulture), cancellationToken);
    }

    public async Task<ResultPage<Customer>> ListCustomersAsync(CustomerQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        CheckPageSize(query.PageSize);
        var sql = new SqlBuilder();
        Scope(sql, query.Scope, "team_id", "owner_id");
        Equal(sql, "team_id", query.TeamId);
        Equal(sql, "owner_id", query.OwnerId);
        Equal(sql, "tier", (short?)query.Tier);
        Equal(sql, "industry", query.Industry);
        Equal(sql, "source_channel", (short?)query.SourceChannel);
        Equal(sql, "in_pool", query.InPool);
        Equal(sql, "locked", query.Locked);
        Equal(sql, "release_warned", query.ReleaseWarned);
        // Half-open: Before(t) and After(t) split the customers in two; never followed up ('-infinity') is before any time.
        Compare(sql, "last_follow_up_at", "<", query.FollowedUpBefore);
        Compare(sql, "last_follow_up_at", ">=", query.FollowedUpAfter);
        Compare(sql, "created_at", ">=", query.CreatedFrom);
        Compare(sql, "created_at", "<", query.CreatedTo);
        var (column, type, kind) = query.Sort switch
        {
            CustomerSort.LastFollowUp => ("last_follow_up_at", NpgsqlDbType.TimestampTz, "c.follow_up"),
            CustomerSort.Name => ("name", NpgsqlDbType.Text, "c.name"),
            _ => ("created_at", NpgsqlDbType.TimestampTz, "c.created"),
        };
        return await KeysetAsync(sql, "actorsales_rm_customers", "customer_id", column, type, query.Descending, kind,
            query.PageSize, query.PageToken, Customer.Parser, cancellationToken);
    }

    public async Task<ResultPage<Opportunity>> ListOpportunitiesAsync(OpportunityQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        CheckPageSize(query.PageSize);
        var sql = new SqlBuilder();
        Scope(sql, query.Scope, "team_id", "owner_id");
        Equal(sql, "customer_id", query.CustomerId);
        Equal(sql, "owner_id", query.OwnerId);
        Equal(sql, "team_id", query.TeamId);
        if (query.Region is not null)
        {
            sql.Where($"team_id IN (SELECT team_id FROM actorsales_rm_teams WHERE region = {sql.Param(query.Region, NpgsqlDbType.Text)})");
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
        // A deal without a close date ('infinity') is in no close-date range.
        Compare(sql, "expected_close_at", ">=", query.ExpectedCloseFrom);
        Compare(sql, "expected_close_at", "<", query.ExpectedCloseTo);
        if (query.ExpectedCloseFrom is not null)
        {
            sql.Where("isfinite(expected_close_at)");
        }
        // Time in stage ascending is the latest stage entry first.
        var (column, type, descending, kind) = query.Sort switch
        {
            OpportunitySort.Amount => ("amount", NpgsqlDbType.Numeric, query.Descending, "o.amount"),
            OpportunitySort.TimeInStage => ("stage_entered_at", NpgsqlDbType.TimestampTz, !query.Descending, "o.in_stage"),
            _ => ("expected_close_at", NpgsqlDbType.TimestampTz, query.Descending, "o.close"),
        };
        return await KeysetAsync(sql, "actorsales_rm_opportunities", "opportunity_id", column, type, descending, kind,
            query.PageSize, query.PageToken, Opportunity.Parser, cancellationToken);
    }

    public async Task<ResultPage<Team>> ListTeamsAsync(TeamQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        CheckPageSize(query.PageSize);
        var sql = new SqlBuilder();
        Scope(sql, query.Scope, "team_id", "manager_id");
        Equal(sql, "region", query.Region);
        return await KeysetAsync(sql, "actorsales_rm_teams", "team_id", "team_id", NpgsqlDbType.Text, false, "t.id",
            query.PageSize, query.PageToken, Team.Parser, cancellationToken);
    }

    public async Task<ResultPage<Salesperson>> ListSalespeopleAsync(SalespersonQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        CheckPageSize(query.PageSize);
        var sql = new SqlBuilder();
        Scope(sql, query.Scope, "team_id", "salesperson_id");
        Equal(sql, "team_id", query.TeamId);
        Equal(sql, "role", (short?)query.Role);
        Equal(sql, "status", (short?)query.Status);
        return await KeysetAsync(sql, "actorsales_rm_salespeople", "salesperson_id", "salesperson_id", NpgsqlDbType.Text, false, "s.id",
            query.PageSize, query.PageToken, Salesperson.Parser, cancellationToken);
    }

    public async Task<ResultPage<DomainEvent>> TimelineAsync(TimelineQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        CheckPageSize(query.PageSize);
        var token = PageToken.Read(query.PageToken, "timeline");
        var sql = new SqlBuilder();
        // Newest first by log position: a customer's own events and its opportunities' share one order.
        if (query.EntityType == EntityType.Customer)
        {
            sql.Where($"customer_id = {sql.Param(query.EntityId, NpgsqlDbType.Text)}");
        }
        else
        {
            sql.Where($"entity_type = {sql.Param((short)query.EntityType, NpgsqlDbType.Smallint)}");
            sql.Where($"entity_id = {sql.Param(query.EntityId, NpgsqlDbType.Text)}");
        }
        if (token is not null)
        {
            sql.Where($"position < {sql.Param(long.Parse(token.Value, CultureInfo.InvariantCulture), NpgsqlDbType.Bigint)}");
        }
        sql.Text = $"""
            SELECT payload, position, '' FROM actorsales_rm_history {sql.WhereClause}
            ORDER BY position DESC LIMIT {sql.Param(query.PageSize + 1, NpgsqlDbType.Integer)}
            """;
        return await PageAsync(sql, query.PageSize, DomainEvent.Parser, "timeline",
            reader => reader.GetInt64(1).ToString(CultureInfo.InvariantCulture), cancellationToken);
    }

    private async Task<ResultPage<T>> KeysetAsync<T>(
        SqlBuilder sql, string table, string idColumn, string sortColumn, NpgsqlDbType sortType, bool descending, string kind,
        int pageSize, string? pageToken, MessageParser<T> parser, CancellationToken cancellationToken)
        where T : IMessage<T>
    {
        kind += descending ? ".desc" : ".asc";
        var token = PageToken.Read(pageToken, kind);
        if (token is not null)
        {
            object value = sortType switch
            {
                NpgsqlDbType.TimestampTz => new DateTimeOffset(long.Parse(token.Value, CultureInfo.InvariantCulture), TimeSpan.Zero),
                NpgsqlDbType.Numeric => decimal.Parse(token.Value, NumberStyles.Number, CultureInfo.InvariantCulture),
                _ => token.Value,
            };
            var after = descending ? "<" : ">";
            sql.Where($"({sortColumn}, {idColumn}) {after} ({sql.Param(value, sortType)}, {sql.Param(token.Id, NpgsqlDbType.Text)})");
        }
        var direction = descending ? "DESC" : "ASC";
        sql.Text = $"""
            SELECT payload, {sortColumn}, {idColumn} FROM {table} {sql.WhereClause}
            ORDER BY {sortColumn} {direction}, {idColumn} {direction}
            LIMIT {sql.Param(pageSize + 1, NpgsqlDbType.Integer)}
            """;
        return await PageAsync(sql, pageSize, parser, kind, reader => sortType switch
        {
            NpgsqlDbType.TimestampTz => reader.GetFieldValue<DateTimeOffset>(1).UtcTicks.ToString(CultureInfo.InvariantCulture),
            NpgsqlDbType.Numeric => reader.GetDecimal(1).ToString(CultureInfo.InvariantCulture),
            _ => reader.GetString(1),
        }, cancellationToken);
    }

    private async Task<ResultPage<T>> PageAsync<T>(
        SqlBuilder sql, int pageSize, MessageParser<T> parser, string kind, Func<NpgsqlDataReader, string> sortValue, CancellationToken cancellationToken)
        where T : IMessage<T>
    {
        await using var command = _db.CreateCommand(sql.Text);
        command.Parameters.AddRange(sql.Parameters.ToArray());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var items = new List<T>(Math.Min(pageSize, 64));
        string? last = null;
        var more = false;
        while (await reader.ReadAsync(cancellationToken))
        {
            if (items.Count == pageSize)
            {
                more = true; // only a further row proves there is a next page
                break;
            }
            items.Add(parser.ParseFrom(reader.GetFieldValue<byte[]>(0)));
            if (items.Count == pageSize)
            {
                // The token names the last row of this page; made while the reader is on it.
                last = PageToken.Write(kind, sortValue(reader), reader.GetString(2));
            }
        }
        return new ResultPage<T>(items, more ? last : null);
    }

    /// <summary>The read scope: the row's team is the scope's team, or its owner is the scope's owner; neither set: everything.</summary>
    private static void Scope(SqlBuilder sql, ReadScope scope, string teamColumn, string ownerColumn)
    {
        ArgumentNullException.ThrowIfNull(scope);
        var parts = new List<string>(2);
        if (scope.TeamId is not null)
        {
            parts.Add($"{teamColumn} = {sql.Param(scope.TeamId, NpgsqlDbType.Text)}");
        }
        if (scope.OwnerId is not null)
        {
            parts.Add($"{ownerColumn} = {sql.Param(scope.OwnerId, NpgsqlDbType.Text)}");
        }
        if (parts.Count > 0)
        {
            sql.Where($"({string.Join(" OR ", parts)})");
        }
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

    private static void Compare(SqlBuilder sql, string column, string op, DateTimeOffset? value)
    {
        if (value is not null)
        {
            sql.Where($"{column} {op} {sql.Param(value.Value, NpgsqlDbType.TimestampTz)}");
        }
    }

    private static void CheckPageSize(int pageSize)
    {
        if (pageSize is < 1 or > MaxPageSize)
        {
            throw new ArgumentOutOfRangeException(nameof(pageSize), pageSize, $"page size must be 1 to {MaxPageSize}");
        }
    }

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

/// <summary>
/// An opaque keyset page token: which query order it continues, the last row's sort value and id. A token of another
/// query order, or not one of ours, is refused (ArgumentException naming page_token).
/// </summary>
internal sealed record PageToken(string Value, string Id)
{
    private const char Separator = '\u001f';

    public static string Write(string kind, string value, string id) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(string.Join(Separator, "v1", kind, value, id)))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static PageToken? Read(string? token, string kind)
    {
        if (string.IsNullOrEmpty(token))
        {
            return null;
        }
        string[] parts;
        try
        {
            var base64 = token.Replace('-', '+').Replace('_', '/');
            base64 += new string('=', (4 - base64.Length % 4) % 4);
            parts = Encoding.UTF8.GetString(Convert.FromBase64String(base64)).Split(Separator);
        }
        catch (FormatException)
        {
            throw Invalid();
        }
        if (parts.Length != 4 || parts[0] != "v1" || parts[1] != kind || !ValueParses(kind, parts[2]))
        {
            throw Invalid();
        }
        return new PageToken(parts[2], parts[3]);
    }

    private static bool ValueParses(string kind, string value) => kind switch
    {
        _ when kind.StartsWith("c.name", StringComparison.Ordinal) || kind.StartsWith("t.", StringComparison.Ordinal)
            || kind.StartsWith("s.", StringComparison.Ordinal) => true,
        _ when kind.StartsWith("o.amount", StringComparison.Ordinal) => decimal.TryParse(value, NumberStyles.Number, CultureInfo.InvariantCulture, out _),
        "search" => double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _),
        _ => long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var ticks)
             && (kind == "timeline" || (ticks >= DateTimeOffset.MinValue.UtcTicks && ticks <= DateTimeOffset.MaxValue.UtcTicks)),
    };

    private static ArgumentException Invalid() => new("page_token is not a token this query returned", "page_token");
}
