using System.Collections.Concurrent;
using System.Diagnostics;
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
        ServerConnectionString = (await RunScriptAsync("start", _startedDir)).Trim();
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (_startedDir is not null)
        {
            await RunScriptAsync("stop", _startedDir);
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
        var name = $"t_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(ServerConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await command.ExecuteNonQueryAsync();
        }
        _databases.Add(name);
        return new NpgsqlConnectionStringBuilder(ServerConnectionString) { Database = name }.ConnectionString;
    }

    private static async Task<string> RunScriptAsync(string command, string dir)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(RepositoryRoot(), "deploy", "postgres.sh"));
        start.ArgumentList.Add(command);
        start.ArgumentList.Add(dir);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start bash");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        // Bounded: a first run may install PostgreSQL from Debian.
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(10));
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"deploy/postgres.sh {command} {dir} exited with {process.ExitCode}: {await stderr}");
        }
        return await stdout;
    }

    /// <summary>The checkout's root: the first folder above the test binaries holding ActorSales.sln or Directory.Packages.props.</summary>
    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ActorSales.sln")) || File.Exists(Path.Combine(dir.FullName, "Directory.Packages.props")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"Neither ActorSales.sln nor Directory.Packages.props found above {AppContext.BaseDirectory}");
    }
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServerFixture>
{
    public const string Name = "postgres";
}
