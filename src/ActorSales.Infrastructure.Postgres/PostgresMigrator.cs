using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace ActorSales.Infrastructure.Postgres;

/// <summary>What a migration run did: the versions it applied and the versions the database already had.</summary>
public sealed record MigrationReport(IReadOnlyList<int> Applied, IReadOnlyList<int> AlreadyApplied);

/// <summary>
/// Applies the embedded, versioned schema scripts (Schema/NNNN_name.sql) in version order, each once, each in its
/// own transaction together with its row in schema_migrations. A session advisory lock serialises concurrent runs
/// from several hosts: the later one waits, then finds everything applied.
/// </summary>
public sealed partial class PostgresMigrator(ILogger<PostgresMigrator>? logger = null)
{
    /// <summary>The ADO.NET invariant name the Orleans providers use for Npgsql.</summary>
    public const string AdoInvariant = "Npgsql";

    // Arbitrary but fixed: "ActorSch" as a 64-bit advisory lock key. Advisory locks are per database.
    private const long LockKey = 0x4163746F72536368;

    private const string ResourcePrefix = "ActorSales.Schema.";

    private readonly ILogger _logger = logger ?? (ILogger)NullLogger.Instance;

    /// <summary>The embedded scripts, ordered by version.</summary>
    public static IReadOnlyList<(int Version, string Name, string Sql)> Scripts { get; } = LoadScripts();

    public async Task<MigrationReport> MigrateAsync(string connectionString, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        var waited = Stopwatch.StartNew();
        await ExecuteAsync(connection, null, $"SELECT pg_advisory_lock({LockKey})", cancellationToken);
        LogLockAcquired(connection.Database, waited.ElapsedMilliseconds);
        try
        {
            await ExecuteAsync(connection, null, """
                CREATE TABLE IF NOT EXISTS schema_migrations
                (
                    version    integer PRIMARY KEY,
                    name       text        NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now()
                )
                """, cancellationToken);
            var present = await ReadAppliedVersionsAsync(connection, cancellationToken);
            var unknown = present.Where(v => Scripts.All(s => s.Version != v)).Order().ToList();
            if (unknown.Count > 0)
            {
                LogUnknownVersions(connection.Database, string.Join(", ", unknown));
            }

            var applied = new List<int>();
            foreach (var (version, name, sql) in Scripts)
            {
                if (present.Contains(version))
                {
                    continue;
                }
                await ApplyAsync(connection, version, name, sql, cancellationToken);
                applied.Add(version);
            }
            var alreadyApplied = Scripts.Select(s => s.Version).Where(present.Contains).ToList();
            LogCompleted(connection.Database, applied.Count, alreadyApplied.Count);
            return new MigrationReport(applied, alreadyApplied);
        }
        finally
        {
            // Closing the session releases the lock anyway; unlocking explicitly only matters for pooled connections.
            if (connection.State == System.Data.ConnectionState.Open)
            {
                await ExecuteAsync(connection, null, $"SELECT pg_advisory_unlock({LockKey})", CancellationToken.None);
            }
        }
    }

    private async Task ApplyAsync(NpgsqlConnection connection, int version, string name, string sql, CancellationToken cancellationToken)
    {
        var elapsed = Stopwatch.StartNew();
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        try
        {
            await ExecuteAsync(connection, transaction, sql, cancellationToken);
            await using (var record = new NpgsqlCommand("INSERT INTO schema_migrations (version, name) VALUES (@version, @name)", connection, transaction))
            {
                record.Parameters.AddWithValue("version", version);
                record.Parameters.AddWithValue("name", name);
                await record.ExecuteNonQueryAsync(cancellationToken);
            }
            await transaction.CommitAsync(cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            LogFailed(exception, version, name);
            throw;
        }
        LogApplied(version, name, elapsed.ElapsedMilliseconds);
    }

    private static async Task<HashSet<int>> ReadAppliedVersionsAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var present = new HashSet<int>();
        await using var read = new NpgsqlCommand("SELECT version FROM schema_migrations", connection);
        await using var reader = await read.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            present.Add(reader.GetInt32(0));
        }
        return present;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static List<(int, string, string)> LoadScripts()
    {
        var assembly = typeof(PostgresMigrator).Assembly;
        var scripts = assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Select(n =>
            {
                var name = n[ResourcePrefix.Length..^".sql".Length];
                var separator = name.IndexOf('_', StringComparison.Ordinal);
                if (separator <= 0 || !int.TryParse(name[..separator], NumberStyles.None, CultureInfo.InvariantCulture, out var version))
                {
                    throw new InvalidOperationException($"Schema script '{name}.sql' is not named NNNN_description.sql");
                }
                using var stream = assembly.GetManifestResourceStream(n)!;
                using var reader = new StreamReader(stream);
                return (version, name, reader.ReadToEnd());
            })
            .OrderBy(s => s.version)
            .ToList();
        var duplicate = scripts.GroupBy(s => s.version).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidOperationException($"Schema version {duplicate.Key} is used by more than one script: {string.Join(", ", duplicate.Select(s => s.name))}");
        }
        return scripts;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Holding the schema migration lock on database {Database} (waited {WaitedMs} ms)")]
    private partial void LogLockAcquired(string database, long waitedMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "Applied schema migration {Version} ({Name}) in {ElapsedMs} ms")]
    private partial void LogApplied(int version, string name, long elapsedMs);

    [LoggerMessage(Level = LogLevel.Error, Message = "Schema migration {Version} ({Name}) failed and was rolled back")]
    private partial void LogFailed(Exception exception, int version, string name);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Database {Database} has schema versions this build does not know: {Versions}; it was migrated by a newer build")]
    private partial void LogUnknownVersions(string database, string versions);

    [LoggerMessage(Level = LogLevel.Information, Message = "Schema of database {Database} is current: {AppliedCount} migration(s) applied now, {PresentCount} already present")]
    private partial void LogCompleted(string database, int appliedCount, int presentCount);
}
