using ActorSales.Contracts.V1;
using ActorSales.Grains.Abstractions.Events;
using ActorSales.ReadModel;
using Google.Protobuf;
using Npgsql;
using NpgsqlTypes;

namespace ActorSales.Infrastructure.Postgres.ReadModel;

/// <summary>
/// The read model in PostgreSQL (migration 0007): query rows, the permanent history and the checkpoint.
/// <para>
/// Apply and rebuild run in one transaction each and first lock the single checkpoint row, so two projectors (a lease
/// lost mid-batch) serialise there and the later one finds the checkpoint moved and is refused: every event is applied
/// exactly once, in order. Rows are reduced in memory from the rows the batch touches, then written with one upsert
/// per table.
/// </para>
/// </summary>
public sealed partial class PostgresReadModelStore : IReadModelStore, IAsyncDisposable
{
    /// <summary>Largest page any query returns (the API's limit).</summary>
    public const int MaxPageSize = 500;

    private const int RebuildBatch = 5_000;

    private readonly NpgsqlDataSource _db;

    public PostgresReadModelStore(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        _db = NpgsqlDataSource.Create(connectionString);
    }

    public async Task ApplyAsync(IReadOnlyList<StoredEvent> events, long through, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(events);
        for (var i = 1; i < events.Count; i++)
        {
            if (events[i].Position <= events[i - 1].Position)
            {
                throw new ArgumentException($"events must be in ascending position order (position {events[i].Position} follows {events[i - 1].Position})", nameof(events));
            }
        }
        if (events.Count > 0 && through < events[^1].Position)
        {
            throw new ArgumentOutOfRangeException(nameof(through), through, $"the batch runs to position {events[^1].Position}");
        }

        await using var connection = await _db.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var checkpoint = await LockCheckpointAsync(connection, transaction, cancellationToken);
        var first = events.Count > 0 ? events[0].Position : through;
        if (first <= checkpoint && !(events.Count == 0 && through == checkpoint))
        {
            throw new ProjectionConflictException(
                $"the read model has applied through position {checkpoint}; a batch from position {first} was refused (another projector got there first)");
        }
        if (events.Count > 0)
        {
            var parsed = events.Select(e => (e.Position, Event: e.Event.ToEvent())).ToList();
            await ProjectAsync(connection, transaction, parsed, writeHistory: true, cancellationToken);
        }
        await using (var move = new NpgsqlCommand("UPDATE actorsales_rm_checkpoint SET position = @through WHERE id = 1", connection, transaction))
        {
            move.Parameters.AddWithValue("through", through);
            await move.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task RebuildAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await _db.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // Holds the projector off until the rebuild commits; readers keep seeing the old rows until then (DELETE, not
        // TRUNCATE, which would block them).
        await LockCheckpointAsync(connection, transaction, cancellationToken);
        await using (var clear = new NpgsqlCommand("""
            DELETE FROM actorsales_rm_customers;
            DELETE FROM actorsales_rm_opportunities;
            DELETE FROM actorsales_rm_teams;
            DELETE FROM actorsales_rm_salespeople;
            """, connection, transaction))
        {
            await clear.ExecuteNonQueryAsync(cancellationToken);
        }
        long after = -1;
        while (true)
        {
            var batch = new List<(long Position, DomainEvent Event)>(RebuildBatch);
            await using (var read = new NpgsqlCommand("""
                SELECT position, payload FROM actorsales_rm_history
                WHERE position > @after AND entity_type = ANY(@types)
                ORDER BY position LIMIT @limit
                """, connection, transaction))
            {
                read.Parameters.AddWithValue("after", after);
                read.Parameters.AddWithValue("types", RowEntityTypes);
                read.Parameters.AddWithValue("limit", RebuildBatch);
                await using var reader = await read.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    batch.Add((reader.GetInt64(0), DomainEvent.Parser.ParseFrom(reader.GetFieldValue<byte[]>(1))));
                }
            }
            if (batch.Count == 0)
            {
                break;
            }
            await ProjectAsync(connection, transaction, batch, writeHistory: false, cancellationToken);
            after = batch[^1].Position;
        }
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<long> ProjectedVersionAsync(EntityType entityType, string entityId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entityId);
        await using var command = _db.CreateCommand("""
            SELECT coalesce(max(sequence), 0) FROM actorsales_rm_history WHERE entity_type = @type AND entity_id = @id
            """);
        command.Parameters.AddWithValue("type", (short)entityType);
        command.Parameters.AddWithValue("id", entityId);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public async Task<long> CheckpointAsync(CancellationToken cancellationToken = default)
    {
        await using var command = _db.CreateCommand("SELECT position FROM actorsales_rm_checkpoint WHERE id = 1");
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public ValueTask DisposeAsync() => _db.DisposeAsync();

    private static readonly short[] RowEntityTypes =
        [(short)EntityType.Customer, (short)EntityType.Opportunity, (short)EntityType.Team, (short)EntityType.Salesperson];

    private static async Task<long> LockCheckpointAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT position FROM actorsales_rm_checkpoint WHERE id = 1 FOR UPDATE", connection, transaction);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>Loads the rows the events touch, reduces them in order, writes them back (and the history, if asked).</summary>
    private static async Task ProjectAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<(long Position, DomainEvent Event)> events, bool writeHistory, CancellationToken cancellationToken)
    {
        var rows = await LoadRowsAsync(connection, transaction, events, cancellationToken);
        var changed = new HashSet<(EntityType, string)>();
        var history = new List<(long Position, DomainEvent Event, string? CustomerId)>(writeHistory ? events.Count : 0);
        foreach (var (position, e) in events)
        {
            var key = (e.EntityType, e.EntityId);
            rows.TryGetValue(key, out var current);
            var next = RowProjection.Apply(current, e);
            if (next is not null && !ReferenceEquals(next, current))
            {
                rows[key] = next;
                changed.Add(key);
            }
            if (writeHistory)
            {
                history.Add((position, e, e.EntityType switch
                {
                    EntityType.Customer => e.EntityId,
                    EntityType.Opportunity => (next as OpportunityRow)?.Opportunity.CustomerId,
                    _ => null,
                }));
            }
        }

        await using var batch = new NpgsqlBatch(connection, transaction);
        var touched = changed.Select(k => rows[k]).ToList();
        AddCustomerUpsert(batch, touched.OfType<CustomerRow>().ToList());
        AddOpportunityUpsert(batch, touched.OfType<OpportunityRow>().ToList());
        AddTeamUpsert(batch, touched.OfType<TeamRow>().ToList());
        AddSalespersonUpsert(batch, touched.OfType<SalespersonRow>().ToList());
        if (history.Count > 0)
        {
            AddHistoryInsert(batch, history);
        }
        if (batch.BatchCommands.Count > 0)
        {
            await batch.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private static async Task<Dictionary<(EntityType, string), ReadRow?>> LoadRowsAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<(long Position, DomainEvent Event)> events, CancellationToken cancellationToken)
    {
        string[] Ids(EntityType type) => events.Where(e => e.Event.EntityType == type).Select(e => e.Event.EntityId).Distinct().ToArray();
        var rows = new Dictionary<(EntityType, string), ReadRow?>();
        await using var load = new NpgsqlBatch(connection, transaction);
        var queries = new (EntityType Type, string Sql)[]
        {
            (EntityType.Customer, "SELECT customer_id, payload, release_warned FROM actorsales_rm_customers WHERE customer_id = ANY(@ids)"),
            (EntityType.Opportunity, "SELECT opportunity_id, payload, false FROM actorsales_rm_opportunities WHERE opportunity_id = ANY(@ids)"),
            (EntityType.Team, "SELECT team_id, payload, false FROM actorsales_rm_teams WHERE team_id = ANY(@ids)"),
            (EntityType.Salesperson, "SELECT salesperson_id, payload, false FROM actorsales_rm_salespeople WHERE salesperson_id = ANY(@ids)"),
        };
        var asked = new List<EntityType>();
        foreach (var (type, sql) in queries)
        {
            var ids = Ids(type);
            if (ids.Length == 0)
            {
                continue;
            }
            var command = new NpgsqlBatchCommand(sql);
            command.Parameters.AddWithValue("ids", ids);
            load.BatchCommands.Add(command);
            asked.Add(type);
        }
        if (asked.Count == 0)
        {
            return rows;
        }
        await using var reader = await load.ExecuteReaderAsync(cancellationToken);
        foreach (var type in asked)
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var id = reader.GetString(0);
                var payload = reader.GetFieldValue<byte[]>(1);
                rows[(type, id)] = type switch
                {
                    EntityType.Customer => new CustomerRow(Customer.Parser.ParseFrom(payload), reader.GetBoolean(2)),
                    EntityType.Opportunity => new OpportunityRow(Opportunity.Parser.ParseFrom(payload)),
                    EntityType.Team => new TeamRow(Team.Parser.ParseFrom(payload)),
                    _ => new SalespersonRow(Salesperson.Parser.ParseFrom(payload)),
                };
            }
            await reader.NextResultAsync(cancellationToken);
        }
        return rows;
    }

    private static void AddCustomerUpsert(NpgsqlBatch batch, List<CustomerRow> rows)
    {
        if (rows.Count == 0)
        {
            return;
        }
        var command = new NpgsqlBatchCommand("""
            INSERT INTO actorsales_rm_customers AS c (customer_id, payload, team_id, owner_id, tier, industry, source_channel, in_pool, locked,
                release_warned, last_follow_up_at, created_at, name, search_text, search_grams, version)
            SELECT t.id, t.payload, t.team_id, t.owner_id, t.tier, t.industry, t.source_channel, t.in_pool, t.locked, t.release_warned,
                coalesce(t.last_follow_up_at, '-infinity'), t.created_at, t.name, t.search_text,
                coalesce((SELECT array_agg(g) FROM jsonb_array_elements_text(t.grams) AS g), '{}'), t.version
            FROM unnest(@ids, @payloads, @team_ids, @owner_ids, @tiers, @industries, @sources, @in_pool, @locked, @warned,
                        @follow_ups, @created, @names, @search, @grams, @versions)
                 AS t(id, payload, team_id, owner_id, tier, industry, source_channel, in_pool, locked, release_warned,
                      last_follow_up_at, created_at, name, search_text, grams, version)
            ON CONFLICT (customer_id) DO UPDATE SET
                payload = EXCLUDED.payload, team_id = EXCLUDED.team_id, owner_id = EXCLUDED.owner_id, tier = EXCLUDED.tier,
                industry = EXCLUDED.industry, source_channel = EXCLUDED.source_channel, in_pool = EXCLUDED.in_pool,
                locked = EXCLUDED.locked, release_warned = EXCLUDED.release_warned, last_follow_up_at = EXCLUDED.last_follow_up_at,
                created_at = EXCLUDED.created_at, name = EXCLUDED.name, search_text = EXCLUDED.search_text,
                search_grams = EXCLUDED.search_grams, version = EXCLUDED.version
            """);
        var p = command.Parameters;
        p.AddWithValue("ids", rows.Select(r => r.Id).ToArray());
        p.AddWithValue("payloads", rows.Select(r => r.Customer.ToByteArray()).ToArray());
        p.AddWithValue("team_ids", rows.Select(r => r.Customer.OwnerTeamId).ToArray());
        p.AddWithValue("owner_ids", rows.Select(r => r.Customer.OwnerId).ToArray());
        p.AddWithValue("tiers", rows.Select(r => (short)r.Customer.Tier).ToArray());
        p.AddWithValue("industries", rows.Select(r => r.Customer.Industry).ToArray());
        p.AddWithValue("sources", rows.Select(r => (short)r.Customer.SourceChannel).ToArray());
        p.AddWithValue("in_pool", rows.Select(r => r.Customer.InPool).ToArray());
        p.AddWithValue("locked", rows.Select(r => r.Customer.Locked).ToArray());
        p.AddWithValue("warned", rows.Select(r => r.ReleaseWarned).ToArray());
        p.Add(new NpgsqlParameter("follow_ups", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz)
        {
            Value = rows.Select(r => r.Customer.LastFollowUpAt is null ? (object)DBNull.Value : r.Customer.LastFollowUpAt.ToDateTimeOffset()).ToArray(),
        });
        p.AddWithValue("created", rows.Select(r => Time(r.Customer.CreatedAt)).ToArray());
        p.AddWithValue("names", rows.Select(r => r.Customer.Name).ToArray());
        var search = rows.Select(r => SearchText.Of(r.Customer)).ToArray();
        p.AddWithValue("search", search);
        // unnest cannot take a jagged text[][]: each row's grams travel as a JSON array.
        p.Add(new NpgsqlParameter("grams", NpgsqlDbType.Array | NpgsqlDbType.Jsonb)
        {
            Value = search.Select(s => System.Text.Json.JsonSerializer.Serialize(SearchText.RowGrams(s))).ToArray(),
        });
        p.AddWithValue("versions", rows.Select(r => r.Version).ToArray());
        batch.BatchCommands.Add(command);
    }

    private static void AddOpportunityUpsert(NpgsqlBatch batch, List<OpportunityRow> rows)
    {
        if (rows.Count == 0)
        {
            return;
        }
        var command = new NpgsqlBatchCommand("""
            INSERT INTO actorsales_rm_opportunities AS o (opportunity_id, payload, customer_id, owner_id, team_id, pipeline_key, stage, status,
                stall_level, signal, currency, amount, expected_close_at, stage_entered_at, version)
            SELECT t.id, t.payload, t.customer_id, t.owner_id, t.team_id, t.pipeline_key, t.stage, t.status, t.stall_level, t.signal,
                t.currency, t.amount, coalesce(t.expected_close_at, 'infinity'), coalesce(t.stage_entered_at, t.created_at, '-infinity'), t.version
            FROM unnest(@ids, @payloads, @customer_ids, @owner_ids, @team_ids, @pipelines, @stages, @statuses, @stalls, @signals,
                        @currencies, @amounts, @closes, @entered, @created, @versions)
                 AS t(id, payload, customer_id, owner_id, team_id, pipeline_key, stage, status, stall_level, signal,
                      currency, amount, expected_close_at, stage_entered_at, created_at, version)
            ON CONFLICT (opportunity_id) DO UPDATE SET
                payload = EXCLUDED.payload, customer_id = EXCLUDED.customer_id, owner_id = EXCLUDED.owner_id, team_id = EXCLUDED.team_id,
                pipeline_key = EXCLUDED.pipeline_key, stage = EXCLUDED.stage, status = EXCLUDED.status, stall_level = EXCLUDED.stall_level,
                signal = EXCLUDED.signal, currency = EXCLUDED.currency, amount = EXCLUDED.amount,
                expected_close_at = EXCLUDED.expected_close_at, stage_entered_at = EXCLUDED.stage_entered_at, version = EXCLUDED.version
            """);
        var p = command.Parameters;
        p.AddWithValue("ids", rows.Select(r => r.Id).ToArray());
        p.AddWithValue("payloads", rows.Select(r => r.Opportunity.ToByteArray()).ToArray());
        p.AddWithValue("customer_ids", rows.Select(r => r.Opportunity.CustomerId).ToArray());
        p.AddWithValue("owner_ids", rows.Select(r => r.Opportunity.OwnerId).ToArray());
        p.AddWithValue("team_ids", rows.Select(r => r.Opportunity.OwnerTeamId).ToArray());
        p.AddWithValue("pipelines", rows.Select(r => r.Opportunity.PipelineKey).ToArray());
        p.AddWithValue("stages", rows.Select(r => r.Opportunity.Stage).ToArray());
        p.AddWithValue("statuses", rows.Select(r => (short)r.Opportunity.Status).ToArray());
        p.AddWithValue("stalls", rows.Select(r => (short)r.Opportunity.StallLevel).ToArray());
        p.AddWithValue("signals", rows.Select(r => (short)r.Opportunity.Signal).ToArray());
        p.AddWithValue("currencies", rows.Select(r => r.Opportunity.Value?.Currency ?? string.Empty).ToArray());
        p.AddWithValue("amounts", rows.Select(r => RowProjection.Amount(r.Opportunity.Value)).ToArray());
        p.Add(NullableTimes("closes", rows.Select(r => r.Opportunity.ExpectedCloseAt)));
        p.Add(NullableTimes("entered", rows.Select(r => r.Opportunity.StageEnteredAt)));
        p.Add(NullableTimes("created", rows.Select(r => r.Opportunity.CreatedAt)));
        p.AddWithValue("versions", rows.Select(r => r.Version).ToArray());
        batch.BatchCommands.Add(command);
    }

    private static void AddTeamUpsert(NpgsqlBatch batch, List<TeamRow> rows)
    {
        if (rows.Count == 0)
        {
            return;
        }
        var command = new NpgsqlBatchCommand("""
            INSERT INTO actorsales_rm_teams (team_id, payload, region, manager_id, name, version)
            SELECT * FROM unnest(@ids, @payloads, @regions, @managers, @names, @versions)
            ON CONFLICT (team_id) DO UPDATE SET
                payload = EXCLUDED.payload, region = EXCLUDED.region, manager_id = EXCLUDED.manager_id, name = EXCLUDED.name, version = EXCLUDED.version
            """);
        var p = command.Parameters;
        p.AddWithValue("ids", rows.Select(r => r.Id).ToArray());
        p.AddWithValue("payloads", rows.Select(r => r.Team.ToByteArray()).ToArray());
        p.AddWithValue("regions", rows.Select(r => r.Team.Region).ToArray());
        p.AddWithValue("managers", rows.Select(r => r.Team.ManagerId).ToArray());
        p.AddWithValue("names", rows.Select(r => r.Team.Name).ToArray());
        p.AddWithValue("versions", rows.Select(r => r.Version).ToArray());
        batch.BatchCommands.Add(command);
    }

    private static void AddSalespersonUpsert(NpgsqlBatch batch, List<SalespersonRow> rows)
    {
        if (rows.Count == 0)
        {
            return;
        }
        var command = new NpgsqlBatchCommand("""
            INSERT INTO actorsales_rm_salespeople (salesperson_id, payload, team_id, role, status, name, version)
            SELECT * FROM unnest(@ids, @payloads, @team_ids, @roles, @statuses, @names, @versions)
            ON CONFLICT (salesperson_id) DO UPDATE SET
                payload = EXCLUDED.payload, team_id = EXCLUDED.team_id, role = EXCLUDED.role, status = EXCLUDED.status,
                name = EXCLUDED.name, version = EXCLUDED.version
            """);
        var p = command.Parameters;
        p.AddWithValue("ids", rows.Select(r => r.Id).ToArray());
        p.AddWithValue("payloads", rows.Select(r => r.Salesperson.ToByteArray()).ToArray());
        p.AddWithValue("team_ids", rows.Select(r => r.Salesperson.TeamId).ToArray());
        p.AddWithValue("roles", rows.Select(r => (short)r.Salesperson.Role).ToArray());
        p.AddWithValue("statuses", rows.Select(r => (short)r.Salesperson.Status).ToArray());
        p.AddWithValue("names", rows.Select(r => r.Salesperson.Name).ToArray());
        p.AddWithValue("versions", rows.Select(r => r.Version).ToArray());
        batch.BatchCommands.Add(command);
    }

    private static void AddHistoryInsert(NpgsqlBatch batch, List<(long Position, DomainEvent Event, string? CustomerId)> history)
    {
        // A replayed event (same entity and sequence) keeps its first row.
        var command = new NpgsqlBatchCommand("""
            INSERT INTO actorsales_rm_history (position, entity_type, entity_id, sequence, occurred_at, actor_id, event_type, customer_id, payload)
            SELECT * FROM unnest(@positions, @types, @ids, @sequences, @occurred, @actors, @event_types, @customers, @payloads)
            ON CONFLICT (entity_type, entity_id, sequence) DO NOTHING
            """);
        var p = command.Parameters;
        p.AddWithValue("positions", history.Select(h => h.Position).ToArray());
        p.AddWithValue("types", history.Select(h => (short)h.Event.EntityType).ToArray());
        p.AddWithValue("ids", history.Select(h => h.Event.EntityId).ToArray());
        p.AddWithValue("sequences", history.Select(h => h.Event.Sequence).ToArray());
        p.AddWithValue("occurred", history.Select(h => Time(h.Event.OccurredAt)).ToArray());
        p.AddWithValue("actors", history.Select(h => h.Event.ActorId).ToArray());
        p.AddWithValue("event_types", history.Select(h => EventTypes.NameOf(h.Event.ChangeCase)).ToArray());
        p.Add(new NpgsqlParameter("customers", NpgsqlDbType.Array | NpgsqlDbType.Text)
        {
            Value = history.Select(h => (object?)h.CustomerId ?? DBNull.Value).ToArray(),
        });
        p.AddWithValue("payloads", history.Select(h => h.Event.ToByteArray()).ToArray());
        batch.BatchCommands.Add(command);
    }

    private static DateTimeOffset Time(Google.Protobuf.WellKnownTypes.Timestamp? timestamp) =>
        timestamp?.ToDateTimeOffset() ?? DateTimeOffset.UnixEpoch;

    private static NpgsqlParameter NullableTimes(string name, IEnumerable<Google.Protobuf.WellKnownTypes.Timestamp?> times) =>
        new(name, NpgsqlDbType.Array | NpgsqlDbType.TimestampTz)
        {
            Value = times.Select(t => t is null ? (object)DBNull.Value : t.ToDateTimeOffset()).ToArray(),
        };
}
