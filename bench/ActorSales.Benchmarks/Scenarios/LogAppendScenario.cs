using ActorSales.Benchmarks.Infrastructure;
using ActorSales.Grains.Abstractions.Events;
using ActorSales.Infrastructure.Postgres;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace ActorSales.Benchmarks.Scenarios;

/// <summary>
/// Scenario 10: the event log's ceiling. Every append in the cluster takes the service's advisory transaction lock, so
/// appends are serialised cluster-wide; each silo group-commits what its grains queued (one writer loop per silo).
/// With 1, 2 and 3 "silos" (one <see cref="PostgresEventLog"/> each, its own pool and writer loop) appending at once,
/// each under a closed load of grain-sized appends (2 events of ~300 B), the events/s they get is measured against a
/// baseline in the same run: the same rows inserted by raw Npgsql with no lock and no batching (one INSERT per append,
/// the same concurrency and pools). A ratio well above 1 at 3 silos says the lock does not bind before PostgreSQL does.
/// </summary>
public static class LogAppendScenario
{
    public const string Command = "dotnet run -c Release --project bench/ActorSales.Benchmarks -- log-append";

    public static async Task<int> RunAsync(BenchArgs args)
    {
        var inFlightPerSilo = args.Int("--in-flight", 64);
        var maxSilos = args.Int("--silos", 3);
        var report = new Report("log-append", Command);
        report.Details["inFlightPerSilo"] = inFlightPerSilo;
        await using var postgres = await PostgresServer.StartAsync();
        var database = await postgres.CreateDatabaseAsync();
        await new PostgresMigrator().MigrateAsync(database, CancellationToken.None);
        await using (var source = NpgsqlDataSource.Create(database))
        await using (var create = source.CreateCommand("CREATE TABLE bench_event_rows (LIKE actorsales_event_log INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING CONSTRAINTS INCLUDING INDEXES)"))
        {
            await create.ExecuteNonQueryAsync();
        }
        var payload = new byte[300];
        Random.Shared.NextBytes(payload);

        for (var silos = 1; silos <= maxSilos; silos++)
        {
            var logs = Enumerable.Range(0, silos).Select(_ => new PostgresEventLog(database, "bench", TimeProvider.System, NullLogger<PostgresEventLog>.Instance)).ToArray();
            var raws = Enumerable.Range(0, silos).Select(_ => NpgsqlDataSource.Create(database)).ToArray();
            try
            {
                // Call numbers repeat from slice to slice: every append gets a new entity from a counter instead.
                var run = Guid.NewGuid().ToString("N")[..8];
                long next = 0;
                Task Append(long i) => logs[i % silos].AppendAsync(Events($"{run}-{Interlocked.Increment(ref next)}", payload));
                Task Insert(long i) => InsertAsync(raws[i % silos], Events($"{run}-{Interlocked.Increment(ref next)}", payload));
                var (figure, baseline) = await LoadGenerator.AlternateClosedAsync(Append, Insert, inFlightPerSilo * silos, args.Warmup, args.Window, args.Rounds);
                // Two events per call.
                Console.WriteLine($"  {silos} silo(s)  log {figure}");
                Console.WriteLine($"  {silos} silo(s)  raw {baseline}");
                report.Add($"events/s appended, {silos} silo(s)", figure.Rps * 2, baseline.Rps * 2, "events/s", silos == maxSilos ? ">= 1x (the lock does not bind)" : null,
                    silos == maxSilos ? figure.Rps >= baseline.Rps : null);
                report.Add($"append p99, {silos} silo(s)", figure.P99Ms, baseline.P99Ms, "ms");
                report.Details[$"log{silos}"] = figure;
                report.Details[$"raw{silos}"] = baseline;
            }
            finally
            {
                foreach (var log in logs)
                {
                    await log.DisposeAsync();
                }
                foreach (var raw in raws)
                {
                    await raw.DisposeAsync();
                }
            }
        }
        report.Note($"each call appends 2 events of {payload.Length} B payload for a new entity; {inFlightPerSilo} calls in flight per silo; "
            + "baseline: the same two rows by one raw INSERT per call (autocommit, no advisory lock, no batching) into a copy of the table");
        await report.WriteAsync(args);
        return 0;
    }

    private static LoggedEvent[] Events(string entityId, byte[] payload) =>
    [
        new(1, entityId, 1, "customer_registered", "team", "owner", DateTimeOffset.UtcNow, payload),
        new(1, entityId, 2, "activity_logged", "team", "owner", DateTimeOffset.UtcNow, payload),
    ];

    private static async Task InsertAsync(NpgsqlDataSource source, LoggedEvent[] events)
    {
        await using var command = source.CreateCommand("""
            INSERT INTO bench_event_rows (service_id, entity_type, entity_id, sequence, event_type, team_id, owner_id, occurred_at, payload)
            SELECT 'bench', t.entity_type, t.entity_id, t.sequence, t.event_type, t.team_id, t.owner_id, t.occurred_at, t.payload
            FROM unnest($1, $2, $3, $4, $5, $6, $7, $8) AS t(entity_type, entity_id, sequence, event_type, team_id, owner_id, occurred_at, payload)
            """);
        command.Parameters.Add(new NpgsqlParameter<short[]> { TypedValue = events.Select(e => (short)e.EntityType).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = events.Select(e => e.EntityId).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = events.Select(e => e.Sequence).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = events.Select(e => e.EventType).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = events.Select(e => e.TeamId).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = events.Select(e => e.OwnerId).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset[]> { TypedValue = events.Select(e => e.OccurredAt).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<byte[][]> { TypedValue = events.Select(e => e.Payload).ToArray() });
        await command.ExecuteNonQueryAsync();
    }
}
