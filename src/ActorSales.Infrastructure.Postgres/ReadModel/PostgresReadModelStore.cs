using ActorSales.Contracts.V1;
using ActorSales.Grains.Abstractions.Events;
using ActorSales.ReadModel;
using ActorSales.ReadModel.Analytics;
using Google.Protobuf;
using Npgsql;
using NpgsqlTypes;

namespace ActorSales.Infrastructure.Postgres.ReadModel;

/// <summary>
/// The read model in PostgreSQL (migration 0007): query rows, the permanent history and the checkpoint.
/// <para>
/// Rows are what the shared <see cref="Projection"/> makes of the events (the same function the in-memory store
/// applies), stored as the contract message plus the columns of the shared row types, so both stores return the same
/// rows; queries page with the shared <see cref="PageTokens"/> and <see cref="SortKey"/> order and search as
/// <see cref="SearchNormalizer"/> defines it.
/// </para>
/// <para>
/// Apply and rebuild run in one transaction each and first lock the single checkpoint row, so two projectors (a lease
/// lost mid-batch) serialise there and the later one finds the checkpoint moved and is refused: every event is applied
/// exactly once, in order. Rows are reduced in memory from the rows the batch touches, then written with one upsert
/// per table.
/// </para>
/// </summary>
public sealed partial class PostgresReadModelStore : IReadModelStore, IAsyncDisposable
{
    private const int RebuildBatch = 5_000;

    private readonly NpgsqlDataSource _db;
    private readonly Projection _projection;

    /// <param name="connectionString">The database migrated through 0007.</param>
    /// <param name="projection">The shared projection (configured forecast weights); the host takes it from DI.</param>
    public PostgresReadModelStore(string connectionString, Projection projection)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        ArgumentNullException.ThrowIfNull(projection);
        _db = NpgsqlDataSource.Create(connectionString);
        _projection = projection;
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
        var parsed = events.Select(e => (e.Position, Event: e.Event.ToEvent())).ToList(); // a bad payload fails before any change

        await using var connection = await _db.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // Three round trips: lock the checkpoint and read what the batch touches; write rows, history and checkpoint;
        // commit. The commit does not wait for the WAL flush: the read model is derived data whose rows and checkpoint
        // commit together, so a server crash can only lose whole batches, which the projector applies again from the
        // checkpoint that survived (exactly once still holds). The write path's own commits stay synchronous.
        var load = await LoadAsync(connection, transaction, parsed, forApply: true, cancellationToken);
        var first = events.Count > 0 ? events[0].Position : through;
        if (first <= load.Checkpoint)
        {
            throw new ProjectionConflictException(
                $"the read model has applied through position {load.Checkpoint}; a batch from position {first} was refused (another projector got there first)");
        }
        await using var write = new NpgsqlBatch(connection, transaction);
        Project(write, load, parsed, writeHistory: true);
        var move = new NpgsqlBatchCommand("UPDATE actorsales_rm_checkpoint SET position = @through WHERE id = 1");
        move.Parameters.AddWithValue("through", through);
        write.BatchCommands.Add(move);
        await write.ExecuteNonQueryAsync(cancellationToken);
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
            DELETE FROM actorsales_rm_customer_search;
            DELETE FROM actorsales_rm_opportunities;
            DELETE FROM actorsales_rm_teams;
            DELETE FROM actorsales_rm_salespeople;
            DELETE FROM actorsales_rm_stage_facts;
            DELETE FROM actorsales_rm_activity_facts;
            DELETE FROM actorsales_rm_refusal_facts;
            DELETE FROM actorsales_rm_goals;
            DELETE FROM actorsales_rm_anomalies;
            DELETE FROM actorsales_rm_forecast_weeks;
            DELETE FROM actorsales_rm_orders;
            DELETE FROM actorsales_rm_payments;
            DELETE FROM actorsales_rm_receivables;
            DELETE FROM actorsales_rm_leads;
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
            var load = await LoadAsync(connection, transaction, batch, forApply: false, cancellationToken);
            await using var write = new NpgsqlBatch(connection, transaction);
            Project(write, load, batch, writeHistory: false);
            if (write.BatchCommands.Count > 0)
            {
                await write.ExecuteNonQueryAsync(cancellationToken);
            }
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
        [(short)EntityType.Customer, (short)EntityType.Opportunity, (short)EntityType.Team, (short)EntityType.Salesperson, (short)EntityType.Order, (short)EntityType.Lead];

    private static async Task<long> LockCheckpointAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT position FROM actorsales_rm_checkpoint WHERE id = 1 FOR UPDATE", connection, transaction);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>
    /// Reduces the loaded rows in order with the shared projection and adds their write-back to <paramref name="write"/>;
    /// with <paramref name="writeHistory"/>, also skips replays (a sequence at or below the entity's projected version)
    /// and records the history entries, as the in-memory store does.
    /// </summary>
    private void Project(NpgsqlBatch write, Loaded load, IReadOnlyList<(long Position, DomainEvent Event)> events, bool writeHistory)
    {
        var (rows, versions) = (load.Rows, load.Versions);
        var history = new List<HistoryEntry>(writeHistory ? events.Count : 0);
        var activities = new List<ActivityFact>();
        var refusals = new List<RefusalFact>();
        var goals = new Dictionary<(string, string), Goal>();
        var anomalies = new Dictionary<(string, string), Anomaly>();
        var forecastWeeks = new Dictionary<(string, string, string, string), ForecastWeek>();
        var orders = new Dictionary<string, Order>(StringComparer.Ordinal);
        var leads = new Dictionary<string, Lead>(StringComparer.Ordinal);
        foreach (var (position, e) in events)
        {
            if (writeHistory)
            {
                var key = (e.EntityType, e.EntityId);
                if (e.Sequence <= versions.GetValueOrDefault(key))
                {
                    continue; // already applied (a replayed append): history and rows have it
                }
                versions[key] = e.Sequence;
                history.Add(Projection.History(position, e, id => rows.Opportunities.GetValueOrDefault(id)?.CustomerId));
            }
            rows.Apply(_projection, e);
            if (AnalyticsFacts.ActivityOf(e) is { } activity)
            {
                activities.Add(activity);
            }
            if (AnalyticsFacts.RefusalOf(e) is { } refusal)
            {
                refusals.Add(refusal);
            }
            if (AnalyticsFacts.GoalOf(e) is { } goal)
            {
                goals[(goal.TeamId, AnalyticsFacts.GoalKey(goal))] = goal; // the batch's latest per key
            }
            if (AnalyticsFacts.AnomalyOf(e) is { } anomaly)
            {
                anomalies[(anomaly.TeamId, anomaly.AnomalyId)] = anomaly; // the batch's latest state
            }
            foreach (var row in AnalyticsFacts.ForecastRowsOf(e))
            {
                forecastWeeks[AnalyticsFacts.ForecastKey(row)] = row;
            }
            if (OrderFacts.OrderOf(e) is { } order)
            {
                orders[order.OrderId] = order; // the batch's latest
            }
            if (LeadFacts.LeadOf(e) is { } lead)
            {
                var row = lead.Clone();
                row.Version = e.Sequence;
                leads[row.LeadId] = row; // the batch's latest
            }
        }
        var customers = rows.Changed(rows.Customers, EntityType.Customer);
        AddCustomerUpsert(write, customers);
        AddCustomerSearchUpsert(write, [.. customers.Where(c => rows.StoredSearch.GetValueOrDefault(c.Id) != SearchKey(c))]);
        var opportunities = rows.Changed(rows.Opportunities, EntityType.Opportunity);
        AddOpportunityUpsert(write, opportunities);
        AddStageFacts(write, opportunities);
        AddActivityFacts(write, activities);
        AddRefusalFacts(write, refusals);
        AddGoalUpsert(write, goals.Values.ToList());
        AddAnomalyUpsert(write, anomalies.Values.ToList());
        AddForecastWeekUpsert(write, forecastWeeks.Values.ToList());
        AddOrderUpsert(write, orders.Values.ToList());
        AddLeadUpsert(write, leads.Values.ToList());
        AddTeamUpsert(write, rows.Changed(rows.Teams, EntityType.Team));
        AddSalespersonUpsert(write, rows.Changed(rows.Salespeople, EntityType.Salesperson));
        if (history.Count > 0)
        {
            AddHistoryInsert(write, history);
        }
    }

    /// <summary>What one batch reads before it writes: the checkpoint (locked; apply only), the rows, the projected versions (apply only).</summary>
    private sealed record Loaded(long Checkpoint, BatchRows Rows, Dictionary<(EntityType, string), long> Versions);

    /// <summary>
    /// One round trip: with <paramref name="forApply"/>, turns off the commit's WAL-flush wait for this transaction and
    /// locks the checkpoint row (FOR UPDATE: concurrent projectors and rebuilds queue here), and reads the projected
    /// version (highest applied sequence) of every entity the events name; always, the current rows of those entities
    /// (and of the opportunities their tasks name, for the history) as the shared row types.
    /// </summary>
    private static async Task<Loaded> LoadAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<(long Position, DomainEvent Event)> events, bool forApply, CancellationToken cancellationToken)
    {
        string[] Ids(EntityType type) => events.Where(e => e.Event.EntityType == type).Select(e => e.Event.EntityId).Distinct().ToArray();
        var rows = new BatchRows();
        var versions = new Dictionary<(EntityType, string), long>();
        var opportunityIds = Ids(EntityType.Opportunity)
            .Concat(events.Select(e => e.Event.DepartmentTaskChanged?.Task?.OpportunityId).OfType<string>().Where(id => id.Length > 0))
            .Distinct()
            .ToArray();
        var queries = new (EntityType Type, string[] Ids, string Sql)[]
        {
            (EntityType.Customer, Ids(EntityType.Customer),
                """
                SELECT c.customer_id, c.payload, c.release_warned, coalesce(s.search_text, ''), coalesce(s.search_digits, ''),
                       c.first_follow_up_ticks, c.first_contact_missed, s.team_id, s.owner_id, s.sort_name
                FROM actorsales_rm_customers c LEFT JOIN actorsales_rm_customer_search s ON s.customer_id = c.customer_id
                WHERE c.customer_id = ANY(@ids)
                """),
            (EntityType.Opportunity, opportunityIds, "SELECT opportunity_id, payload, amount, last_update_ticks FROM actorsales_rm_opportunities WHERE opportunity_id = ANY(@ids)"),
            (EntityType.Team, Ids(EntityType.Team), "SELECT team_id, payload FROM actorsales_rm_teams WHERE team_id = ANY(@ids)"),
            (EntityType.Salesperson, Ids(EntityType.Salesperson), "SELECT salesperson_id, payload FROM actorsales_rm_salespeople WHERE salesperson_id = ANY(@ids)"),
        };
        await using var load = new NpgsqlBatch(connection, transaction);
        if (forApply)
        {
            // set_config(..., true) is SET LOCAL: this transaction only.
            load.BatchCommands.Add(new NpgsqlBatchCommand(
                "SELECT position, set_config('synchronous_commit', 'off', true) FROM actorsales_rm_checkpoint WHERE id = 1 FOR UPDATE"));
        }
        var asked = new List<EntityType>();
        foreach (var (type, ids, sql) in queries)
        {
            if (ids.Length == 0)
            {
                continue;
            }
            var command = new NpgsqlBatchCommand(sql);
            command.Parameters.AddWithValue("ids", ids);
            load.BatchCommands.Add(command);
            asked.Add(type);
        }
        var keys = events.Select(e => (e.Event.EntityType, e.Event.EntityId)).Distinct().ToList();
        var readVersions = forApply && keys.Count > 0;
        if (readVersions)
        {
            var command = new NpgsqlBatchCommand("""
                SELECT h.entity_type, h.entity_id, max(h.sequence)
                FROM actorsales_rm_history h
                JOIN unnest(@types, @ids) AS k(entity_type, entity_id) ON h.entity_type = k.entity_type AND h.entity_id = k.entity_id
                GROUP BY h.entity_type, h.entity_id
                """);
            command.Parameters.AddWithValue("types", keys.Select(k => (short)k.EntityType).ToArray());
            command.Parameters.AddWithValue("ids", keys.Select(k => k.EntityId).ToArray());
            load.BatchCommands.Add(command);
        }
        if (load.BatchCommands.Count == 0)
        {
            return new Loaded(0, rows, versions);
        }
        await using var reader = await load.ExecuteReaderAsync(cancellationToken);
        long checkpoint = 0;
        if (forApply)
        {
            await reader.ReadAsync(cancellationToken);
            checkpoint = reader.GetInt64(0);
            await reader.NextResultAsync(cancellationToken);
        }
        foreach (var type in asked)
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var id = reader.GetString(0);
                var payload = reader.GetFieldValue<byte[]>(1);
                switch (type)
                {
                    case EntityType.Customer:
                        var customer = new CustomerRow(Customer.Parser.ParseFrom(payload), reader.GetBoolean(2), reader.GetString(3), reader.GetString(4),
                            TimeOrNull(reader, 5), reader.GetBoolean(6));
                        rows.Customers[id] = customer;
                        rows.StoredSearch[id] = reader.IsDBNull(7) ? default : SearchKey(customer) with
                        {
                            TeamId = reader.GetString(7), OwnerId = reader.GetString(8), SortName = reader.GetString(9),
                        };
                        break;
                    case EntityType.Opportunity:
                        rows.Opportunities[id] = new OpportunityRow(Opportunity.Parser.ParseFrom(payload), reader.GetDecimal(2), TimeOrNull(reader, 3));
                        break;
                    case EntityType.Team:
                        rows.Teams[id] = new TeamRow(Team.Parser.ParseFrom(payload));
                        break;
                    default:
                        rows.Salespeople[id] = new SalespersonRow(Salesperson.Parser.ParseFrom(payload));
                        break;
                }
            }
            await reader.NextResultAsync(cancellationToken);
        }
        if (readVersions)
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                versions[((EntityType)reader.GetInt16(0), reader.GetString(1))] = reader.GetInt64(2);
            }
        }
        return new Loaded(checkpoint, rows, versions);
    }

    /// <summary>One batch's rows: loaded, then replaced event by event; the changed ones are written back.</summary>
    private sealed class BatchRows
    {
        private readonly HashSet<(EntityType, string)> _changed = [];

        public Dictionary<string, CustomerRow> Customers { get; } = new(StringComparer.Ordinal);

        /// <summary>The search row as stored when loaded: a customer's search row is written only when it changes.</summary>
        public Dictionary<string, SearchRowKey> StoredSearch { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, OpportunityRow> Opportunities { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, TeamRow> Teams { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, SalespersonRow> Salespeople { get; } = new(StringComparer.Ordinal);

        public void Apply(Projection projection, DomainEvent e)
        {
            switch (e.EntityType)
            {
                case EntityType.Customer:
                    Put(Customers, e, projection.Apply(Customers.GetValueOrDefault(e.EntityId), e));
                    break;
                case EntityType.Opportunity:
                    Put(Opportunities, e, projection.Apply(Opportunities.GetValueOrDefault(e.EntityId), e));
                    break;
                case EntityType.Team:
                    Put(Teams, e, projection.Apply(Teams.GetValueOrDefault(e.EntityId), e));
                    break;
                case EntityType.Salesperson:
                    Put(Salespeople, e, projection.Apply(Salespeople.GetValueOrDefault(e.EntityId), e));
                    break;
                default:
                    break; // tasks and handovers: history only
            }
        }

        public List<T> Changed<T>(Dictionary<string, T> rows, EntityType type) =>
            [.. rows.Where(r => _changed.Contains((type, r.Key))).Select(r => r.Value)];

        private void Put<T>(Dictionary<string, T> rows, DomainEvent e, T? row)
            where T : class
        {
            if (row is not null && !ReferenceEquals(row, rows.GetValueOrDefault(e.EntityId)))
            {
                rows[e.EntityId] = row;
                _changed.Add((e.EntityType, e.EntityId));
            }
        }
    }

    private static void AddCustomerUpsert(NpgsqlBatch batch, List<CustomerRow> rows)
    {
        if (rows.Count == 0)
        {
            return;
        }
        var command = new NpgsqlBatchCommand("""
            INSERT INTO actorsales_rm_customers AS c (customer_id, payload, team_id, owner_id, tier, industry, source_channel, in_pool, locked,
                release_warned, last_follow_up_ticks, created_ticks, sort_name, version, grade,
                first_follow_up_ticks, first_contact_missed, present_fields)
            SELECT * FROM unnest(@ids, @payloads, @team_ids, @owner_ids, @tiers, @industries, @sources, @in_pool, @locked, @warned,
                        @follow_ups, @created, @names, @versions, @grades, @first_follow_ups, @missed, @present)
            ON CONFLICT (customer_id) DO UPDATE SET
                payload = EXCLUDED.payload, team_id = EXCLUDED.team_id, owner_id = EXCLUDED.owner_id, tier = EXCLUDED.tier, grade = EXCLUDED.grade,
                industry = EXCLUDED.industry, source_channel = EXCLUDED.source_channel, in_pool = EXCLUDED.in_pool,
                locked = EXCLUDED.locked, release_warned = EXCLUDED.release_warned, last_follow_up_ticks = EXCLUDED.last_follow_up_ticks,
                created_ticks = EXCLUDED.created_ticks, sort_name = EXCLUDED.sort_name, version = EXCLUDED.version,
                first_follow_up_ticks = EXCLUDED.first_follow_up_ticks, first_contact_missed = EXCLUDED.first_contact_missed,
                present_fields = EXCLUDED.present_fields
            """);
        var p = command.Parameters;
        p.AddWithValue("ids", rows.Select(r => r.Id).ToArray());
        p.AddWithValue("payloads", rows.Select(r => r.Doc.ToByteArray()).ToArray());
        p.AddWithValue("team_ids", rows.Select(r => r.TeamId).ToArray());
        p.AddWithValue("owner_ids", rows.Select(r => r.OwnerId).ToArray());
        p.AddWithValue("tiers", rows.Select(r => (short)r.Tier).ToArray());
        p.AddWithValue("grades", rows.Select(r => (short)r.Grade).ToArray());
        p.AddWithValue("industries", rows.Select(r => SearchNormalizer.Text(r.Industry)).ToArray());
        p.AddWithValue("sources", rows.Select(r => (short)r.SourceChannel).ToArray());
        p.AddWithValue("in_pool", rows.Select(r => r.InPool).ToArray());
        p.AddWithValue("locked", rows.Select(r => r.Locked).ToArray());
        p.AddWithValue("warned", rows.Select(r => r.ReleaseWarned).ToArray());
        p.Add(new NpgsqlParameter("follow_ups", NpgsqlDbType.Array | NpgsqlDbType.Bigint)
        {
            Value = rows.Select(r => r.LastFollowUpAt is { } at ? (object)at.UtcTicks : DBNull.Value).ToArray(),
        });
        p.AddWithValue("created", rows.Select(r => r.CreatedAt.UtcTicks).ToArray());
        p.AddWithValue("names", rows.Select(r => r.SortName).ToArray());
        p.AddWithValue("versions", rows.Select(r => r.Version).ToArray());
        p.Add(NullableTicks("first_follow_ups", rows.Select(r => r.FirstFollowUpAt)));
        p.AddWithValue("missed", rows.Select(r => r.FirstContactMissed).ToArray());
        p.AddWithValue("present", rows.Select(r => (int)r.PresentFields).ToArray());
        batch.BatchCommands.Add(command);
    }

    /// <summary>What a customer's search row holds besides its grams (which follow the text).</summary>
    private readonly record struct SearchRowKey(string Text, string Digits, string TeamId, string OwnerId, string SortName);

    private static SearchRowKey SearchKey(CustomerRow row) => new(row.SearchText, row.SearchDigits, row.TeamId, row.OwnerId, row.SortName);

    /// <summary>The search rows (0010_customer_search.sql) of customers whose searchable text, scope or name changed.</summary>
    private static void AddCustomerSearchUpsert(NpgsqlBatch batch, List<CustomerRow> rows)
    {
        if (rows.Count == 0)
        {
            return;
        }
        var command = new NpgsqlBatchCommand("""
            INSERT INTO actorsales_rm_customer_search (customer_id, team_id, owner_id, sort_name, search_text, search_digits, search_grams)
            SELECT t.id, t.team_id, t.owner_id, t.sort_name, t.search_text, t.search_digits,
                coalesce((SELECT array_agg(g) FROM jsonb_array_elements_text(t.grams) AS g), '{}')
            FROM unnest(@ids, @team_ids, @owner_ids, @names, @search, @digits, @grams) AS t(id, team_id, owner_id, sort_name, search_text, search_digits, grams)
            ON CONFLICT (customer_id) DO UPDATE SET
                team_id = EXCLUDED.team_id, owner_id = EXCLUDED.owner_id, sort_name = EXCLUDED.sort_name,
                search_text = EXCLUDED.search_text, search_digits = EXCLUDED.search_digits, search_grams = EXCLUDED.search_grams
            """);
        var p = command.Parameters;
        p.AddWithValue("ids", rows.Select(r => r.Id).ToArray());
        p.AddWithValue("team_ids", rows.Select(r => r.TeamId).ToArray());
        p.AddWithValue("owner_ids", rows.Select(r => r.OwnerId).ToArray());
        p.AddWithValue("names", rows.Select(r => r.SortName).ToArray());
        p.AddWithValue("search", rows.Select(r => r.SearchText).ToArray());
        p.AddWithValue("digits", rows.Select(r => r.SearchDigits).ToArray());
        p.Add(JsonLists("grams", rows.Select(r => SearchGrams.Row(r.SearchText))));
        batch.BatchCommands.Add(command);
    }

    private static void AddOpportunityUpsert(NpgsqlBatch batch, List<OpportunityRow> rows)
    {
        if (rows.Count == 0)
        {
            return;
        }
        var command = new NpgsqlBatchCommand("""
            INSERT INTO actorsales_rm_opportunities (opportunity_id, payload, customer_id, owner_id, team_id, pipeline_key, stage, status,
                stall_level, signal, currency, amount, expected_close_ticks, stage_entered_ticks, version,
                created_ticks, closed_ticks, last_update_ticks, evidence_kinds, pipeline_version, needs_intervention)
            SELECT t.id, t.payload, t.customer_id, t.owner_id, t.team_id, t.pipeline_key, t.stage, t.status, t.stall_level, t.signal,
                t.currency, t.amount, t.expected_close_ticks, t.stage_entered_ticks, t.version, t.created_ticks, t.closed_ticks, t.last_update_ticks,
                coalesce((SELECT array_agg(k) FROM jsonb_array_elements_text(t.kinds) AS k), '{}'), t.pipeline_version, t.needs_intervention
            FROM unnest(@ids, @payloads, @customer_ids, @owner_ids, @team_ids, @pipelines, @stages, @statuses, @stalls, @signals,
                        @currencies, @amounts, @closes, @entered, @versions, @created, @closed, @updated, @kinds, @pipeline_versions, @interventions)
                 AS t(id, payload, customer_id, owner_id, team_id, pipeline_key, stage, status, stall_level, signal, currency, amount,
                      expected_close_ticks, stage_entered_ticks, version, created_ticks, closed_ticks, last_update_ticks, kinds, pipeline_version,
                      needs_intervention)
            ON CONFLICT (opportunity_id) DO UPDATE SET
                payload = EXCLUDED.payload, customer_id = EXCLUDED.customer_id, owner_id = EXCLUDED.owner_id, team_id = EXCLUDED.team_id,
                pipeline_key = EXCLUDED.pipeline_key, stage = EXCLUDED.stage, status = EXCLUDED.status, stall_level = EXCLUDED.stall_level,
                signal = EXCLUDED.signal, currency = EXCLUDED.currency, amount = EXCLUDED.amount,
                expected_close_ticks = EXCLUDED.expected_close_ticks, stage_entered_ticks = EXCLUDED.stage_entered_ticks, version = EXCLUDED.version,
                created_ticks = EXCLUDED.created_ticks, closed_ticks = EXCLUDED.closed_ticks, last_update_ticks = EXCLUDED.last_update_ticks,
                evidence_kinds = EXCLUDED.evidence_kinds, pipeline_version = EXCLUDED.pipeline_version,
                needs_intervention = EXCLUDED.needs_intervention
            """);
        var p = command.Parameters;
        p.AddWithValue("ids", rows.Select(r => r.Id).ToArray());
        p.AddWithValue("payloads", rows.Select(r => r.Doc.ToByteArray()).ToArray());
        p.AddWithValue("customer_ids", rows.Select(r => r.CustomerId).ToArray());
        p.AddWithValue("owner_ids", rows.Select(r => r.OwnerId).ToArray());
        p.AddWithValue("team_ids", rows.Select(r => r.TeamId).ToArray());
        p.AddWithValue("pipelines", rows.Select(r => r.Doc.PipelineKey).ToArray());
        p.AddWithValue("stages", rows.Select(r => r.Doc.Stage).ToArray());
        p.AddWithValue("statuses", rows.Select(r => (short)r.Doc.Status).ToArray());
        p.AddWithValue("stalls", rows.Select(r => (short)r.Doc.StallLevel).ToArray());
        p.AddWithValue("signals", rows.Select(r => (short)r.Doc.Signal).ToArray());
        p.AddWithValue("currencies", rows.Select(r => r.Currency).ToArray());
        p.AddWithValue("amounts", rows.Select(r => r.Amount).ToArray());
        p.AddWithValue("closes", rows.Select(r => r.ExpectedCloseAt.UtcTicks).ToArray());
        p.AddWithValue("entered", rows.Select(r => r.StageEnteredAt.UtcTicks).ToArray());
        p.AddWithValue("versions", rows.Select(r => r.Version).ToArray());
        p.AddWithValue("created", rows.Select(r => r.CreatedAt.UtcTicks).ToArray());
        p.Add(NullableTicks("closed", rows.Select(r => r.ClosedAt)));
        p.Add(NullableTicks("updated", rows.Select(r => r.LastUpdatedAt)));
        p.Add(JsonLists("kinds", rows.Select(r => r.Doc.Evidence.Select(e => e.Kind).Distinct(StringComparer.Ordinal))));
        p.AddWithValue("pipeline_versions", rows.Select(r => r.Doc.PipelineVersion).ToArray());
        p.AddWithValue("interventions", rows.Select(r => r.NeedsIntervention).ToArray());
        batch.BatchCommands.Add(command);
    }

    /// <summary>An opportunity's stays in its stages are rewritten whole with its row (AnalyticsFacts.StagesOf).</summary>
    private static void AddStageFacts(NpgsqlBatch batch, List<OpportunityRow> rows)
    {
        if (rows.Count == 0)
        {
            return;
        }
        var delete = new NpgsqlBatchCommand("DELETE FROM actorsales_rm_stage_facts WHERE opportunity_id = ANY(@ids)");
        delete.Parameters.AddWithValue("ids", rows.Select(r => r.Id).ToArray());
        batch.BatchCommands.Add(delete);
        var facts = rows.SelectMany(AnalyticsFacts.StagesOf).ToList();
        if (facts.Count == 0)
        {
            return;
        }
        var insert = new NpgsqlBatchCommand("""
            INSERT INTO actorsales_rm_stage_facts (opportunity_id, entry, customer_id, owner_id, team_id, pipeline_key, pipeline_version, stage,
                entered_ticks, left_ticks, outcome, to_stage, lost_reason, final_status)
            SELECT * FROM unnest(@ids, @entries, @customers, @owners, @teams, @pipelines, @versions, @stages, @entered, @left, @outcomes,
                @to_stages, @reasons, @statuses)
            """);
        var p = insert.Parameters;
        p.AddWithValue("ids", facts.Select(f => f.OpportunityId).ToArray());
        p.AddWithValue("entries", facts.Select(f => f.Entry).ToArray());
        p.AddWithValue("customers", facts.Select(f => f.CustomerId).ToArray());
        p.AddWithValue("owners", facts.Select(f => f.OwnerId).ToArray());
        p.AddWithValue("teams", facts.Select(f => f.TeamId).ToArray());
        p.AddWithValue("pipelines", facts.Select(f => f.PipelineKey).ToArray());
        p.AddWithValue("versions", facts.Select(f => f.PipelineVersion).ToArray());
        p.AddWithValue("stages", facts.Select(f => f.Stage).ToArray());
        p.AddWithValue("entered", facts.Select(f => f.EnteredAt.UtcTicks).ToArray());
        p.Add(NullableTicks("left", facts.Select(f => f.LeftAt)));
        p.AddWithValue("outcomes", facts.Select(f => (short)f.Outcome).ToArray());
        p.AddWithValue("to_stages", facts.Select(f => f.ToStage).ToArray());
        p.AddWithValue("reasons", facts.Select(f => f.LostReason).ToArray());
        p.AddWithValue("statuses", facts.Select(f => (short)f.FinalStatus).ToArray());
        batch.BatchCommands.Add(insert);
    }

    private static void AddActivityFacts(NpgsqlBatch batch, List<ActivityFact> facts)
    {
        if (facts.Count == 0)
        {
            return;
        }
        var command = new NpgsqlBatchCommand("""
            INSERT INTO actorsales_rm_activity_facts (customer_id, sequence, kind, occurred_ticks, effective, actor_id, team_id)
            SELECT * FROM unnest(@customers, @sequences, @kinds, @occurred, @effective, @actors, @teams)
            ON CONFLICT (customer_id, sequence) DO NOTHING
            """);
        var p = command.Parameters;
        p.AddWithValue("customers", facts.Select(f => f.CustomerId).ToArray());
        p.AddWithValue("sequences", facts.Select(f => f.Sequence).ToArray());
        p.AddWithValue("kinds", facts.Select(f => (short)f.Kind).ToArray());
        p.AddWithValue("occurred", facts.Select(f => f.OccurredAt.UtcTicks).ToArray());
        p.AddWithValue("effective", facts.Select(f => f.Effective).ToArray());
        p.AddWithValue("actors", facts.Select(f => f.ActorId).ToArray());
        p.AddWithValue("teams", facts.Select(f => f.TeamId).ToArray());
        batch.BatchCommands.Add(command);
    }

    private static void AddRefusalFacts(NpgsqlBatch batch, List<RefusalFact> facts)
    {
        if (facts.Count == 0)
        {
            return;
        }
        var command = new NpgsqlBatchCommand("""
            INSERT INTO actorsales_rm_refusal_facts (attempt_id, sequence, occurred_ticks, team_id, owner_id)
            SELECT * FROM unnest(@attempts, @sequences, @occurred, @teams, @owners)
            ON CONFLICT (attempt_id, sequence) DO NOTHING
            """);
        var p = command.Parameters;
        p.AddWithValue("attempts", facts.Select(f => f.AttemptId).ToArray());
        p.AddWithValue("sequences", facts.Select(f => f.Sequence).ToArray());
        p.AddWithValue("occurred", facts.Select(f => f.OccurredAt.UtcTicks).ToArray());
        p.AddWithValue("teams", facts.Select(f => f.TeamId).ToArray());
        p.AddWithValue("owners", facts.Select(f => f.OwnerId).ToArray());
        batch.BatchCommands.Add(command);
    }

    private static void AddGoalUpsert(NpgsqlBatch batch, List<Goal> goals)
    {
        if (goals.Count == 0)
        {
            return;
        }
        var command = new NpgsqlBatchCommand("""
            INSERT INTO actorsales_rm_goals (team_id, goal_key, owner_id, from_ticks, to_ticks, doc)
            SELECT * FROM unnest(@teams, @keys, @owners, @froms, @tos, @docs)
            ON CONFLICT (team_id, goal_key) DO UPDATE SET
                owner_id = excluded.owner_id, from_ticks = excluded.from_ticks, to_ticks = excluded.to_ticks, doc = excluded.doc
            """);
        var p = command.Parameters;
        p.AddWithValue("teams", goals.Select(g => g.TeamId).ToArray());
        p.AddWithValue("keys", goals.Select(AnalyticsFacts.GoalKey).ToArray());
        p.AddWithValue("owners", goals.Select(g => g.OwnerId).ToArray());
        p.AddWithValue("froms", goals.Select(g => g.Period.From.ToDateTimeOffset().UtcTicks).ToArray());
        p.AddWithValue("tos", goals.Select(g => g.Period.To.ToDateTimeOffset().UtcTicks).ToArray());
        p.AddWithValue("docs", goals.Select(g => g.ToByteArray()).ToArray());
        batch.BatchCommands.Add(command);
    }

    private static void AddTeamUpsert(NpgsqlBatch batch, List<TeamRow> rows)
    {
        if (rows.Count == 0)
        {
            return;
        }
        var command = new NpgsqlBatchCommand("""
            INSERT INTO actorsales_rm_teams (team_id, payload, region, manager_id, member_ids, sort_name, version)
            SELECT t.id, t.payload, t.region, t.manager_id,
                coalesce((SELECT array_agg(m) FROM jsonb_array_elements_text(t.members) AS m), '{}'), t.sort_name, t.version
            FROM unnest(@ids, @payloads, @regions, @managers, @members, @names, @versions)
                 AS t(id, payload, region, manager_id, members, sort_name, version)
            ON CONFLICT (team_id) DO UPDATE SET
                payload = EXCLUDED.payload, region = EXCLUDED.region, manager_id = EXCLUDED.manager_id, member_ids = EXCLUDED.member_ids,
                sort_name = EXCLUDED.sort_name, version = EXCLUDED.version
            """);
        var p = command.Parameters;
        p.AddWithValue("ids", rows.Select(r => r.Id).ToArray());
        p.AddWithValue("payloads", rows.Select(r => r.Doc.ToByteArray()).ToArray());
        p.AddWithValue("regions", rows.Select(r => SearchNormalizer.Text(r.Doc.Region)).ToArray());
        p.AddWithValue("managers", rows.Select(r => r.Doc.ManagerId).ToArray());
        p.Add(JsonLists("members", rows.Select(r => r.Doc.MemberIds)));
        p.AddWithValue("names", rows.Select(r => r.SortName).ToArray());
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
            INSERT INTO actorsales_rm_salespeople (salesperson_id, payload, team_id, role, status, sort_name, version)
            SELECT * FROM unnest(@ids, @payloads, @team_ids, @roles, @statuses, @names, @versions)
            ON CONFLICT (salesperson_id) DO UPDATE SET
                payload = EXCLUDED.payload, team_id = EXCLUDED.team_id, role = EXCLUDED.role, status = EXCLUDED.status,
                sort_name = EXCLUDED.sort_name, version = EXCLUDED.version
            """);
        var p = command.Parameters;
        p.AddWithValue("ids", rows.Select(r => r.Id).ToArray());
        p.AddWithValue("payloads", rows.Select(r => r.Doc.ToByteArray()).ToArray());
        p.AddWithValue("team_ids", rows.Select(r => r.TeamId).ToArray());
        p.AddWithValue("roles", rows.Select(r => (short)r.Doc.Role).ToArray());
        p.AddWithValue("statuses", rows.Select(r => (short)r.Doc.Status).ToArray());
        p.AddWithValue("names", rows.Select(r => r.SortName).ToArray());
        p.AddWithValue("versions", rows.Select(r => r.Version).ToArray());
        batch.BatchCommands.Add(command);
    }

    private static void AddHistoryInsert(NpgsqlBatch batch, List<HistoryEntry> history)
    {
        // Replays were skipped above; the conflict clause only guards against a row already there.
        var command = new NpgsqlBatchCommand("""
            INSERT INTO actorsales_rm_history (position, entity_type, entity_id, sequence, occurred_at, actor_id, event_type, customer_id, opportunity_id, payload)
            SELECT * FROM unnest(@positions, @types, @ids, @sequences, @occurred, @actors, @event_types, @customers, @opportunities, @payloads)
            ON CONFLICT (entity_type, entity_id, sequence) DO NOTHING
            """);
        var p = command.Parameters;
        p.AddWithValue("positions", history.Select(h => h.Position).ToArray());
        p.AddWithValue("types", history.Select(h => (short)h.EntityType).ToArray());
        p.AddWithValue("ids", history.Select(h => h.EntityId).ToArray());
        p.AddWithValue("sequences", history.Select(h => h.Sequence).ToArray());
        p.AddWithValue("occurred", history.Select(h => Time(h.Event.OccurredAt)).ToArray());
        p.AddWithValue("actors", history.Select(h => h.Event.ActorId).ToArray());
        p.AddWithValue("event_types", history.Select(h => EventTypes.NameOf(h.Event.ChangeCase)).ToArray());
        p.Add(NullableText("customers", history.Select(h => h.CustomerId)));
        p.Add(NullableText("opportunities", history.Select(h => h.OpportunityId)));
        p.AddWithValue("payloads", history.Select(h => h.Event.ToByteArray()).ToArray());
        batch.BatchCommands.Add(command);
    }

    private static DateTimeOffset Time(Google.Protobuf.WellKnownTypes.Timestamp? timestamp) =>
        timestamp?.ToDateTimeOffset() ?? DateTimeOffset.UnixEpoch;

    private static NpgsqlParameter NullableTicks(string name, IEnumerable<DateTimeOffset?> values) =>
        new(name, NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = values.Select(v => v is { } t ? (object)t.UtcTicks : DBNull.Value).ToArray() };

    private static DateTimeOffset? TimeOrNull(NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : new DateTimeOffset(reader.GetInt64(ordinal), TimeSpan.Zero);

    private static NpgsqlParameter NullableText(string name, IEnumerable<string?> values) =>
        new(name, NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = values.Select(v => (object?)v ?? DBNull.Value).ToArray() };

    /// <summary>unnest cannot take a jagged text[][]: each row's list travels as a JSON array.</summary>
    private static NpgsqlParameter JsonLists(string name, IEnumerable<IEnumerable<string>> lists) =>
        new(name, NpgsqlDbType.Array | NpgsqlDbType.Jsonb) { Value = lists.Select(l => System.Text.Json.JsonSerializer.Serialize(l)).ToArray() };
}
