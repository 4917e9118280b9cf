using System.Collections.Concurrent;
using ActorSales.Testing;
using Npgsql;

namespace ActorSales.Postgres.Tests;

/// <summary>
/// A real PostgreSQL server for the collection: the one named by ACTORSALES_TEST_POSTGRES (a connection string;
/// CI starts one), or else a throwaway one started with deploy/postgres.sh in a fresh temp dir and stopped at the
/// end. Tests that need isolation ask <see cref="CreateDatabaseAsync"/> for a brand-new database.
/// </summary>
public sealed class PostgresServerFixture : IAsyncLifetime
{
    public const string ServerVariable = "ACTORSALES_TEST_POSTGRES";

    private readonly ConcurrentBag<string> _databases = [];
    private string? _startedDir;

    /// <summary>The server's own database (the one the connection string names).</summary>
    public string ServerConnectionString { get; private set; } = string.Empty;

    public async ValueTask InitializeAsync()
    {
        var configured = Environment.GetEnvironmentVariable(ServerVariable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            ServerConnectionString = configured;
            return;
        }
        _startedDir = Path.Combine(Path.GetTempPath(), $"actorsales-test-pg-{Guid.NewGuid():N}");
        ServerConnectionString = (await PostgresScript.RunAsync("start", _startedDir)).Trim();
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (_startedDir is not null)
        {
            await PostgresScript.RunAsync("stop", _startedDir);
            return;
        }
        // Someone else's server: leave it as we found it. Not DROP ... WITH (FORCE): that refuses when an autovacuum
        // worker is in the database (its role is not ours), while a plain DROP makes autovacuum step aside. So end our
        // own sessions first, then drop; a plain DROP also waits a few seconds for terminated sessions to go.
        await using var connection = new NpgsqlConnection(ServerConnectionString);
        await connection.OpenAsync();
        foreach (var name in _databases)
        {
            try
            {
                await using var terminate = new NpgsqlCommand(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = @name AND usename = current_user AND pid <> pg_backend_pid()", connection);
                terminate.Parameters.AddWithValue("name", name);
                await terminate.ExecuteNonQueryAsync();
                await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name}", connection);
                await drop.ExecuteNonQueryAsync();
            }
            catch (PostgresException exception)
            {
                // Cleanup of a throwaway database must not fail the tests that used it; say what was left behind.
                await Console.Error.WriteLineAsync($"PostgresServerFixture: could not drop test database {name}: {exception.MessageText}");
            }
        }
    }

    /// <summary>Creates a brand-new, empty database on the server and returns a connection string to it.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = await PostgresScript.CreateDatabaseAsync(ServerConnectionString, "t_");
        _databases.Add(name);
        // Every test database gets its own connection pools; idle connections close within seconds (not Npgsql's default
        // 5 minutes), so a run that makes a database per test never exhausts the server's connection slots.
        return new NpgsqlConnectionStringBuilder(ServerConnectionString)
        {
            Database = name, ConnectionIdleLifetime = 2, ConnectionPruningInterval = 1,
        }.ConnectionString;
    }
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServerFixture>
{
    public const string Name = "postgres";
}
