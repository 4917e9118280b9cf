using System.Diagnostics;
using ActorSales.Testing;
using Npgsql;

namespace ActorSales.Benchmarks.Infrastructure;

/// <summary>
/// PostgreSQL for the durable scenarios: the server named by ACTORSALES_BENCH_POSTGRES (a connection string), or a
/// throwaway one from deploy/postgres.sh, stopped at the end. Every run gets a brand-new database.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private readonly string? _startedDir;

    private PostgresServer(string serverConnectionString, string? startedDir)
    {
        ServerConnectionString = serverConnectionString;
        _startedDir = startedDir;
    }

    public string ServerConnectionString { get; }

    public int? ServerPid { get; private set; }

    /// <summary>True when this run started PostgreSQL and pinned it to the load core.</summary>
    public bool Pinned { get; private set; }

    public static async Task<PostgresServer> StartAsync()
    {
        if (Environment.GetEnvironmentVariable("ACTORSALES_BENCH_POSTGRES") is { Length: > 0 } configured)
        {
            return new PostgresServer(configured, null);
        }
        var dir = Path.Combine(Path.GetTempPath(), $"actorsales-bench-pg-{Environment.ProcessId}");
        var server = new PostgresServer((await PostgresScript.RunAsync("start", dir)).Trim(), dir);
        var pidFile = Directory.GetFiles(dir, "postmaster.pid", SearchOption.AllDirectories).FirstOrDefault();
        if (pidFile is not null && int.TryParse(File.ReadLines(pidFile).First(), out var pid))
        {
            server.ServerPid = pid;
            if (Processes.CanPin)
            {
                // With the load, off the server's core: the host (figure) and Npgsql (baseline) then both talk to a
                // PostgreSQL that competes with the client side only; backends fork from the postmaster and inherit it.
                using var taskset = Process.Start(new ProcessStartInfo("taskset", ["-a", "-p", "-c", "1", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { RedirectStandardOutput = true })!;
                await taskset.WaitForExitAsync();
                server.Pinned = taskset.ExitCode == 0;
            }
        }
        return server;
    }

    /// <summary>A fresh, empty database on the server.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = await PostgresScript.CreateDatabaseAsync(ServerConnectionString, "bench_");
        return new NpgsqlConnectionStringBuilder(ServerConnectionString) { Database = name, MaxPoolSize = 200 }.ConnectionString;
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (_startedDir is not null)
        {
            await PostgresScript.RunAsync("stop", _startedDir);
        }
    }
}
