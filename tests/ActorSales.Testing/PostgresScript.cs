using System.Diagnostics;
using Npgsql;

namespace ActorSales.Testing;

/// <summary>The throwaway PostgreSQL of deploy/postgres.sh, for the PostgreSQL tests and the benchmarks.</summary>
public static class PostgresScript
{
    /// <summary>
    /// Runs <c>deploy/postgres.sh COMMAND DIR</c> and returns its stdout (for <c>start</c>: the connection string).
    /// Bounded at 10 minutes: a first run may install PostgreSQL from Debian.
    /// </summary>
    public static async Task<string> RunAsync(string command, string dir, int? maxConnections = null)
    {
        var start = new ProcessStartInfo("bash", [Path.Combine(RepositoryPaths.Root, "deploy", "postgres.sh"), command, dir])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (maxConnections is { } max)
        {
            start.Environment["ACTORSALES_PG_MAX_CONNECTIONS"] = max.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start bash");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(10));
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"deploy/postgres.sh {command} {dir} exited with {process.ExitCode}: {await stderr}");
        }
        return await stdout;
    }

    /// <summary>Creates a brand-new, empty database named <paramref name="prefix"/> + a fresh id; returns its name.</summary>
    public static async Task<string> CreateDatabaseAsync(string serverConnectionString, string prefix)
    {
        var name = $"{prefix}{Guid.NewGuid():N}";
        await using var connection = new NpgsqlConnection(serverConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
        await command.ExecuteNonQueryAsync();
        return name;
    }
}
