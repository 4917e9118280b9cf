using ActorSales.ReadModel;
using ActorSales.ReadModel.Projecting;
using Npgsql;

namespace ActorSales.Infrastructure.Postgres.ReadModel;

/// <summary>
/// The projector's lease in PostgreSQL: a session-level advisory lock held on a dedicated, unpooled connection. The
/// server releases it when that session ends, so a silo that dies (process gone, socket closed; or cut off, once TCP
/// keepalive gives up) frees it for another silo within seconds, with no expiry to tune. Each
/// <see cref="TryAcquireAsync"/> by the holder re-checks its connection: a holder whose session is gone learns it has
/// lost the lease there (the checkpoint lock in the store refuses anything it still tries to write).
/// </summary>
public sealed class PostgresProjectionLease : IProjectionLease, IAsyncDisposable
{
    /// <summary>Advisory lock key of the read model's projector (one read model per database).</summary>
    public static readonly long DefaultKey = StableHash("actorsales.read-model.projector");

    private readonly string _connectionString;
    private readonly long _key;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private NpgsqlConnection? _session;

    public PostgresProjectionLease(string connectionString, long? key = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        // Unpooled: closing must end the session (a pooled connection would keep the lock alive in the pool).
        // Keepalive: a holder cut off by the network is noticed by its own checks, not only by the server.
        _connectionString = new NpgsqlConnectionStringBuilder(connectionString)
        {
            Pooling = false,
            KeepAlive = 5,
            ApplicationName = "actorsales-projector-lease",
        }.ConnectionString;
        _key = key ?? DefaultKey;
    }

    public bool Held => Volatile.Read(ref _session) is not null;

    public async Task<bool> TryAcquireAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_session is not null)
            {
                if (await StillHeldAsync(_session, cancellationToken))
                {
                    return true;
                }
                await DropSessionAsync();
            }
            var session = new NpgsqlConnection(_connectionString);
            try
            {
                await session.OpenAsync(cancellationToken);
                await using var command = new NpgsqlCommand("SELECT pg_try_advisory_lock(@key)", session);
                command.Parameters.AddWithValue("key", _key);
                if ((bool)(await command.ExecuteScalarAsync(cancellationToken))!)
                {
                    Volatile.Write(ref _session, session);
                    return true;
                }
            }
            catch (Exception exception) when (exception is NpgsqlException or TimeoutException)
            {
                // The database is unreachable: not held; the caller tries again later.
            }
            await session.DisposeAsync();
            return false;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task ReleaseAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync();
        try
        {
            if (_session is null)
            {
                return;
            }
            try
            {
                await using var command = new NpgsqlCommand("SELECT pg_advisory_unlock(@key)", _session);
                command.Parameters.AddWithValue("key", _key);
                await command.ExecuteScalarAsync();
            }
            catch (Exception exception) when (exception is NpgsqlException or TimeoutException or InvalidOperationException)
            {
                // The session is gone, and the lock with it.
            }
            await DropSessionAsync();
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await ReleaseAsync();
        _gate.Dispose();
    }

    /// <summary>Whether this session is alive and still holds the lock (it can only lose it with the session).</summary>
    private async Task<bool> StillHeldAsync(NpgsqlConnection session, CancellationToken cancellationToken)
    {
        try
        {
            await using var command = new NpgsqlCommand(
                "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted AND objsubid = 1 AND ((classid::bigint << 32) | objid::bigint) = @key)",
                session);
            command.Parameters.AddWithValue("key", _key);
            return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
        }
        catch (Exception exception) when (exception is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            return false;
        }
    }

    private async Task DropSessionAsync()
    {
        var session = _session;
        Volatile.Write(ref _session, null);
        if (session is not null)
        {
            await session.DisposeAsync();
        }
    }

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
}
