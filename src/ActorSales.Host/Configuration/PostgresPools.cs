using Npgsql;

namespace ActorSales.Host.Configuration;

/// <summary>
/// Section "ActorSales:Postgres:Pools": the most PostgreSQL connections each pool of one process may hold. Every
/// process has its own pools, so a cluster holds at most
/// <c>silos x (Orleans + EventLog + ReadModel + 1 lease) + gateways x (Orleans + EventLog + ReadModel)</c> connections
/// (README "Sizing"); Npgsql's default of 100 per pool let three idle silos hold 231. A caller that finds its pool
/// busy waits for a connection (Npgsql's Timeout, 15 s) instead of opening another.
/// </summary>
public sealed class PostgresPoolSettings
{
    public const string Section = "ActorSales:Postgres:Pools";

    /// <summary>Orleans' ADO.NET providers (membership, grain state, pub-sub state, reminders) share this pool.</summary>
    public int Orleans { get; set; } = 6;

    /// <summary>The event log: one group-committing writer, readers (projector, Subscribe streams, retention).</summary>
    public int EventLog { get; set; } = 4;

    /// <summary>The read model: the projector's batches and every query RPC.</summary>
    public int ReadModel { get; set; } = 4;

    /// <summary>How long an idle pooled connection stays open (seconds); Npgsql's 300 kept start-up bursts for minutes.</summary>
    public int IdleLifetimeSeconds { get; set; } = 60;

    public IEnumerable<string> Validate()
    {
        foreach (var (name, value) in new[] { ("Orleans", Orleans), ("EventLog", EventLog), ("ReadModel", ReadModel) })
        {
            if (value is < 1 or > 1000)
            {
                yield return $"{Section}:{name} must be 1..1000, not {value}";
            }
        }
        if (IdleLifetimeSeconds < 1)
        {
            yield return $"{Section}:IdleLifetimeSeconds must be at least 1, not {IdleLifetimeSeconds}";
        }
    }

    /// <summary>Connections one process of <paramref name="role"/> may hold at most.</summary>
    public int PerProcess(HostRole role) => Orleans + EventLog + ReadModel + (role == HostRole.Gateway ? 0 : 1);

    /// <summary>
    /// <paramref name="connectionString"/> for the pool <paramref name="pool"/> (limits and an application name, so
    /// pg_stat_activity tells the pools apart). Settings the operator wrote into the connection string stay, except
    /// the pool's size, which this section decides.
    /// </summary>
    public string For(string connectionString, string pool)
    {
        var size = pool switch
        {
            "orleans" => Orleans,
            "eventlog" => EventLog,
            "readmodel" => ReadModel,
            _ => throw new ArgumentOutOfRangeException(nameof(pool), pool, "orleans, eventlog or readmodel"),
        };
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { MaxPoolSize = size };
        if (builder.MinPoolSize > size)
        {
            builder.MinPoolSize = size;
        }
        if (builder.ConnectionIdleLifetime == new NpgsqlConnectionStringBuilder().ConnectionIdleLifetime)
        {
            builder.ConnectionIdleLifetime = IdleLifetimeSeconds;
        }
        builder.ApplicationName ??= $"actorsales-{pool}";
        return builder.ConnectionString;
    }
}
