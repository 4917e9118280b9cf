using System.Threading.Channels;
using ActorSales.Grains.Abstractions.Events;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace ActorSales.Infrastructure.Postgres;

/// <summary>
/// The event log in PostgreSQL (table actorsales_event_log, migration 0006), one per Orleans service id.
/// <para>
/// Appends are group-committed: every grain of this silo queues its outbox batch, one writer loop takes whatever is
/// queued and inserts it in one transaction that first takes the service's advisory transaction lock. Positions
/// therefore become visible in ascending order across all silos (no reader ever sees N and later a smaller one), at
/// the cost of one short critical section per batch, not per event.
/// </para>
/// <para>
/// Readers learn about new events from this silo's appends at once and from other silos' by polling the head every
/// <see cref="HeadPollInterval"/> while anyone waits (one query per interval per process, whatever the number of
/// subscribers).
/// </para>
/// </summary>
public sealed partial class PostgresEventLog : IEventLog, IAsyncDisposable
{
    public static readonly TimeSpan HeadPollInterval = TimeSpan.FromMilliseconds(200);

    private static readonly TimeSpan ClockSkewAllowance = TimeSpan.FromMinutes(5);

    private static readonly TimeSpan AppendTimeout = TimeSpan.FromSeconds(30);

    private const int MaxBatch = 2_000;

    private readonly NpgsqlDataSource _db;
    private readonly string _serviceId;
    private readonly long _lockKey;
    private readonly TimeProvider _clock;
    private readonly ILogger<PostgresEventLog> _logger;
    private readonly Channel<PendingAppend> _queue = Channel.CreateBounded<PendingAppend>(
        new BoundedChannelOptions(10_000) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _writer;
    private readonly SemaphoreSlim _headPoll = new(1, 1);
    private readonly Lock _signalGate = new();
    private TaskCompletionSource _appended = NewSignal();
    private long _knownHead;

    public PostgresEventLog(string connectionString, string serviceId, TimeProvider clock, ILogger<PostgresEventLog> logger)
    {
        _db = NpgsqlDataSource.Create(connectionString);
        _serviceId = serviceId;
        _lockKey = StableHash(serviceId);
        _clock = clock;
        _logger = logger;
        _writer = Task.Run(WriteLoopAsync);
    }

    public async Task<IReadOnlyList<LoggedEvent>> AppendAsync(IReadOnlyList<LoggedEvent> events, CancellationToken cancellationToken = default)
    {
        if (events.Count == 0)
        {
            return [];
        }
        var pending = new PendingAppend(events, new TaskCompletionSource<IReadOnlyList<LoggedEvent>>(TaskCreationOptions.RunContinuationsAsynchronously));
        await _queue.Writer.WriteAsync(pending, cancellationToken);
        // Bounded: a grain waits on this inside a call; the outbox keeps the events if it gives up.
        return await pending.Done.Task.WaitAsync(AppendTimeout, _clock, cancellationToken);
    }

    public async Task<EventPage> ReadAsync(long afterPosition, EventFilter filter, int max, CancellationToken cancellationToken = default)
    {
        await using var connection = await _db.OpenConnectionAsync(cancellationToken);
        // One snapshot for the head and the page, so "scanned through the head" is exact.
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
        var (head, trimmedThrough, _) = await ReadBoundsAsync(connection, transaction, cancellationToken);
        var events = new List<StoredEvent>(Math.Min(max, 256));
        await using (var command = new NpgsqlCommand("""
            SELECT position, entity_type, entity_id, sequence, event_type, team_id, owner_id, occurred_at, payload
            FROM actorsales_event_log
            WHERE service_id = @service AND position > @after AND position <= @head
              AND (cardinality(@entity_types) = 0 OR entity_type = ANY(@entity_types))
              AND (@entity::text IS NULL OR entity_id = @entity)
              AND (cardinality(@event_types) = 0 OR event_type = ANY(@event_types))
              AND (@team::text IS NULL OR team_id = @team)
              AND ((@scope_team::text IS NULL AND @scope_owner::text IS NULL) OR team_id = @scope_team OR owner_id = @scope_owner)
            ORDER BY position
            LIMIT @max
            """, connection, transaction))
        {
            command.Parameters.AddWithValue("service", _serviceId);
            command.Parameters.AddWithValue("after", afterPosition);
            command.Parameters.AddWithValue("head", head);
            command.Parameters.AddWithValue("entity_types", (filter.EntityTypes ?? new HashSet<int>()).Select(t => (short)t).ToArray());
            command.Parameters.AddWithValue("event_types", (filter.EventTypes ?? new HashSet<string>()).ToArray());
            command.Parameters.Add(new NpgsqlParameter("entity", NpgsqlDbType.Text) { Value = (object?)filter.EntityId ?? DBNull.Value });
            command.Parameters.Add(new NpgsqlParameter("team", NpgsqlDbType.Text) { Value = (object?)filter.TeamId ?? DBNull.Value });
            command.Parameters.Add(new NpgsqlParameter("scope_team", NpgsqlDbType.Text) { Value = (object?)filter.ScopeTeamId ?? DBNull.Value });
            command.Parameters.Add(new NpgsqlParameter("scope_owner", NpgsqlDbType.Text) { Value = (object?)filter.ScopeOwnerId ?? DBNull.Value });
            command.Parameters.AddWithValue("max", max);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                events.Add(new StoredEvent(reader.GetInt64(0), new LoggedEvent(
                    reader.GetInt16(1), reader.GetString(2), reader.GetInt64(3), reader.GetString(4), reader.GetString(5),
                    reader.GetString(6), reader.GetFieldValue<DateTimeOffset>(7), reader.GetFieldValue<byte[]>(8))));
            }
        }
        await transaction.CommitAsync(cancellationToken);
        NoteHead(head);
        var scanned = events.Count == max ? events[^1].Position : Math.Max(afterPosition, head);
        return new EventPage(events, scanned, trimmedThrough);
    }

    public async Task<EventLogBounds> GetBoundsAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await _db.OpenConnectionAsync(cancellationToken);
        var (head, trimmedThrough, trimmedBefore) = await ReadBoundsAsync(connection, null, cancellationToken);
        NoteHead(head);
        return new EventLogBounds(trimmedThrough, trimmedBefore, head);
    }

    public async Task<long> PositionBeforeAsync(DateTimeOffset time, CancellationToken cancellationToken = default)
    {
        await using var connection = await _db.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand("""
            SELECT coalesce(
                (SELECT min(position) - 1 FROM actorsales_event_log
                 WHERE service_id = @service AND occurred_at >= @time AND occurred_at < @time + @skew),
                (SELECT position - 1 FROM actorsales_event_log
                 WHERE service_id = @service AND occurred_at >= @time ORDER BY occurred_at LIMIT 1),
                (SELECT max(position) FROM actorsales_event_log WHERE service_id = @service),
                0)
            """, connection);
        // Positions follow commit order and times follow each silo's clock, so they agree only up to clock skew: the
        // smallest position among events in the first few minutes after the time, found with a bounded index range.
        command.Parameters.AddWithValue("skew", ClockSkewAllowance);
        command.Parameters.AddWithValue("service", _serviceId);
        command.Parameters.AddWithValue("time", time);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public async Task WaitForAppendAsync(long afterPosition, CancellationToken cancellationToken)
    {
        Task signal;
        lock (_signalGate)
        {
            if (Volatile.Read(ref _knownHead) > afterPosition)
            {
                return;
            }
            signal = _appended.Task;
        }
        try
        {
            await signal.WaitAsync(HeadPollInterval, _clock, cancellationToken);
        }
        catch (TimeoutException)
        {
            await PollHeadAsync(cancellationToken);
        }
    }

    public async Task<int> TrimAsync(DateTimeOffset cutoff, CancellationToken cancellationToken = default)
    {
        await using var connection = await _db.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand("""
            WITH removed AS (
                DELETE FROM actorsales_event_log WHERE service_id = @service AND occurred_at < @cutoff RETURNING position
            ), mark AS (
                INSERT INTO actorsales_event_log_meta AS m (service_id, trimmed_through, trimmed_before)
                SELECT @service, max(position), @cutoff FROM removed HAVING count(*) > 0
                ON CONFLICT (service_id) DO UPDATE
                SET trimmed_through = greatest(m.trimmed_through, EXCLUDED.trimmed_through),
                    trimmed_before = greatest(m.trimmed_before, EXCLUDED.trimmed_before)
            )
            SELECT count(*) FROM removed
            """, connection);
        command.Parameters.AddWithValue("service", _serviceId);
        command.Parameters.AddWithValue("cutoff", cutoff);
        return (int)(long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        try
        {
            await _writer.WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (TimeoutException)
        {
            await _stopping.CancelAsync();
        }
        await _db.DisposeAsync();
        _stopping.Dispose();
        _headPoll.Dispose();
    }

    private async Task WriteLoopAsync()
    {
        var reader = _queue.Reader;
        var batch = new List<PendingAppend>();
        while (await reader.WaitToReadAsync(_stopping.Token).ConfigureAwait(false))
        {
            batch.Clear();
            var count = 0;
            while (count < MaxBatch && reader.TryRead(out var next))
            {
                batch.Add(next);
                count += next.Events.Count;
            }
            try
            {
                var inserted = await InsertAsync(batch, _stopping.Token).ConfigureAwait(false);
                foreach (var pending in batch)
                {
                    pending.Done.TrySetResult(pending.Events.Where(e => inserted.Contains((e.EntityType, e.EntityId, e.Sequence))).ToList());
                }
                if (inserted.Count > 0)
                {
                    Signal();
                }
            }
            catch (Exception exception)
            {
                LogAppendFailed(exception, count);
                foreach (var pending in batch)
                {
                    pending.Done.TrySetException(exception);
                }
            }
        }
    }

    private async Task<HashSet<(int, string, long)>> InsertAsync(List<PendingAppend> batch, CancellationToken cancellationToken)
    {
        var events = batch.SelectMany(p => p.Events).ToList();
        await using var connection = await _db.OpenConnectionAsync(cancellationToken);
        // One round trip: an Npgsql batch runs in one implicit transaction, so the advisory lock taken by the first
        // statement is held through the insert and released at its commit.
        await using var append = new NpgsqlBatch(connection);
        var takeLock = new NpgsqlBatchCommand("SELECT pg_advisory_xact_lock(@key)");
        takeLock.Parameters.AddWithValue("key", _lockKey);
        append.BatchCommands.Add(takeLock);
        var insert = new NpgsqlBatchCommand("""
            INSERT INTO actorsales_event_log (service_id, entity_type, entity_id, sequence, event_type, team_id, owner_id, occurred_at, payload)
            SELECT @service, t.entity_type, t.entity_id, t.sequence, t.event_type, t.team_id, t.owner_id, t.occurred_at, t.payload
            FROM unnest(@entity_types, @entity_ids, @sequences, @event_types, @team_ids, @owner_ids, @occurred_ats, @payloads)
                 WITH ORDINALITY AS t(entity_type, entity_id, sequence, event_type, team_id, owner_id, occurred_at, payload, ord)
            ORDER BY t.ord
            ON CONFLICT (service_id, entity_type, entity_id, sequence) DO NOTHING
            RETURNING position, entity_type, entity_id, sequence
            """);
        insert.Parameters.AddWithValue("service", _serviceId);
        insert.Parameters.AddWithValue("entity_types", events.Select(e => (short)e.EntityType).ToArray());
        insert.Parameters.AddWithValue("entity_ids", events.Select(e => e.EntityId).ToArray());
        insert.Parameters.AddWithValue("sequences", events.Select(e => e.Sequence).ToArray());
        insert.Parameters.AddWithValue("event_types", events.Select(e => e.EventType).ToArray());
        insert.Parameters.AddWithValue("team_ids", events.Select(e => e.TeamId).ToArray());
        insert.Parameters.AddWithValue("owner_ids", events.Select(e => e.OwnerId).ToArray());
        insert.Parameters.AddWithValue("occurred_ats", events.Select(e => e.OccurredAt).ToArray());
        insert.Parameters.AddWithValue("payloads", events.Select(e => e.Payload).ToArray());
        append.BatchCommands.Add(insert);
        var inserted = new HashSet<(int, string, long)>();
        long head = 0;
        await using (var reader = await append.ExecuteReaderAsync(cancellationToken))
        {
            await reader.NextResultAsync(cancellationToken); // past the lock's single row
            while (await reader.ReadAsync(cancellationToken))
            {
                head = Math.Max(head, reader.GetInt64(0));
                inserted.Add((reader.GetInt16(1), reader.GetString(2), reader.GetInt64(3)));
            }
        }
        NoteHead(head);
        return inserted;
    }

    private async Task<(long Head, long TrimmedThrough, DateTimeOffset? TrimmedBefore)> ReadBoundsAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            SELECT (SELECT coalesce(max(position), 0) FROM actorsales_event_log WHERE service_id = @service),
                   coalesce(m.trimmed_through, 0), m.trimmed_before
            FROM (SELECT 1) AS one
            LEFT JOIN actorsales_event_log_meta m ON m.service_id = @service
            """, connection, transaction);
        command.Parameters.AddWithValue("service", _serviceId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return (reader.GetInt64(0), reader.GetInt64(1), reader.IsDBNull(2) ? null : reader.GetFieldValue<DateTimeOffset>(2));
    }

    private async Task PollHeadAsync(CancellationToken cancellationToken)
    {
        // One poll at a time per process; the others wait for its result.
        if (!await _headPoll.WaitAsync(0, cancellationToken))
        {
            return;
        }
        try
        {
            await using var connection = await _db.OpenConnectionAsync(cancellationToken);
            await using var command = new NpgsqlCommand(
                "SELECT coalesce(max(position), 0) FROM actorsales_event_log WHERE service_id = @service", connection);
            command.Parameters.AddWithValue("service", _serviceId);
            if (NoteHead((long)(await command.ExecuteScalarAsync(cancellationToken))!))
            {
                Signal();
            }
        }
        finally
        {
            _headPoll.Release();
        }
    }

    /// <summary>Raises the known head; true if it moved.</summary>
    private bool NoteHead(long head)
    {
        var known = Volatile.Read(ref _knownHead);
        while (head > known)
        {
            var seen = Interlocked.CompareExchange(ref _knownHead, head, known);
            if (seen == known)
            {
                return true;
            }
            known = seen;
        }
        return false;
    }

    private void Signal()
    {
        TaskCompletionSource signal;
        lock (_signalGate)
        {
            signal = _appended;
            _appended = NewSignal();
        }
        signal.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>A process-independent 64-bit key for the service's advisory lock (string.GetHashCode is per process).</summary>
    private static long StableHash(string value)
    {
        const ulong offset = 14695981039346656037, prime = 1099511628211;
        var hash = offset;
        foreach (var c in value)
        {
            hash = (hash ^ c) * prime;
        }
        return unchecked((long)hash);
    }

    private sealed record PendingAppend(IReadOnlyList<LoggedEvent> Events, TaskCompletionSource<IReadOnlyList<LoggedEvent>> Done);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not append {Count} events to the event log; the grains keep them in their outboxes")]
    private partial void LogAppendFailed(Exception exception, int count);
}
