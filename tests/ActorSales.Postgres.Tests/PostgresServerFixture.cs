using System.Diagnostics;
using ActorSales.Testing;
using Npgsql;

namespace ActorSales.Postgres.Tests;

/// <summary>
/// A real PostgreSQL server: the one in ACTORSALES_TEST_POSTGRES (CI starts it), or a throwaway one started with
/// deploy/postgres.sh for this run. Each test gets a fresh database from <see cref="CreateDatabaseAsync"/>.
/// </summary>
public sealed class PostgresServerFixture : IAsyncLifetime
{
    private string? _startedDir;

    public string ServerConnectionString { get; private set; } = string.Empty;

    public async ValueTask InitializeAsync()
    {
        var configured = Environment.GetEnvironmentVariable("ACTORSALES_TEST_POSTGRES");
        if (!string.IsNullOrWhiteSpace(configured))
        {
            ServerConnectionString = configured;
            return;
        }
        _startedDir = Path.Combine(Path.GetTempPath(), $"actorsales-test-pg-{Guid.NewGuid():N}");
        ServerConnectionString = (await RunScript("start", _startedDir)).Trim();
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (_startedDir is not null)
        {
            await RunScript("stop", _startedDir);
        }
    }

    /// <summary>A brand-new, empty database on the server; returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = $"t_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(ServerConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await command.ExecuteNonQueryAsync();
        }
        return new NpgsqlConnectionStringBuilder(ServerConnectionString) { Database = name }.ConnectionString;
    }

    private static async Task<string> RunScript(string command, string dir)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(RepositoryPaths.Root, "deploy", "postgres.sh"));
        start.ArgumentList.Add(command);
        start.ArgumentList.Add(dir);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(5));
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"deploy/postgres.sh {command} failed: {await stderr}");
        }
        return await stdout;
    }
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServerFixture>
{
    public const string Name = "postgres";
}
