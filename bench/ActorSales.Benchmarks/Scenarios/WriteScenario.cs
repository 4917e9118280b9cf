using ActorSales.Benchmarks.Infrastructure;
using ActorSales.Contracts.V1;
using Google.Protobuf.WellKnownTypes;
using Npgsql;
using NpgsqlTypes;

namespace ActorSales.Benchmarks.Scenarios;

/// <summary>
/// Scenario 3: the durable write RPC. LogActivity (a phone call with a summary) on the Postgres profile, which writes the
/// activity chunk row and then the customer row, against raw Npgsql upserts of rows of the same sizes in the same order
/// at the same concurrency. Targets: throughput >= 0.7x, p99 <= 2x.
/// </summary>
public static class WriteScenario
{
    public const string Command = "dotnet run -c Release --project bench/ActorSales.Benchmarks -- write";

    public static async Task<int> RunAsync(BenchArgs args)
    {
        var connections = args.Int("--connections", 8);
        var inFlight = args.Int("--in-flight", 64);
        var customers = args.Int("--customers", 200);
        var report = new Report("write", Command);
        report.Details["connections"] = connections;
        report.Details["inFlight"] = inFlight;
        report.Details["customers"] = customers;

        await using var postgres = await PostgresServer.StartAsync();
        report.Pinning = !Processes.CanPin ? "not pinned"
            : $"host on core 0; load, Npgsql client{(postgres.Pinned ? " and PostgreSQL" : "")} on core 1 (taskset){(postgres.Pinned ? "" : "; PostgreSQL unpinned")}";
        var database = await postgres.CreateDatabaseAsync();
        var key = Convert.ToHexString(Guid.NewGuid().ToByteArray()) + Convert.ToHexString(Guid.NewGuid().ToByteArray());
        await using (var host = await ServerProcess.StartAsync(
            ["serve-host", "--ActorSales:Profile=Postgres", $"--ConnectionStrings:Postgres={database}", "--ActorSales:MigrateOnStart=true",
             $"--ActorSales:Auth:SigningKey={key}", $"--ActorSales:ClusterId=bench-{Guid.NewGuid():N}", .. Servers.Quiet]))
        {
            var channels = LoadGenerator.Channels(host.Port, connections);
            var seeded = await SeededCustomers.CreateAsync(channels[0].CreateCallInvoker(), key, customers);
            var clients = channels.Select(c => new CustomersService.CustomersServiceClient(c)).ToArray();
            var summary = "Called the head of purchasing about the cath lab tender: budget confirmed for Q3, wants a revised quote with the service contract split out.";
            Task LogActivity(long i)
            {
                var customer = (int)(i % customers);
                return clients[i % clients.Length].LogActivityAsync(new LogActivityRequest
                {
                    CustomerId = seeded.CustomerIds[customer],
                    Kind = ActivityKind.Call, DurationSeconds = 120,
                    OccurredAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddMinutes(-1)),
                    Summary = summary,
                }, seeded.HeadersFor(customer)).ResponseAsync;
            }
            var cpuBefore = host.CpuTime();
            var wall = System.Diagnostics.Stopwatch.StartNew();
            var figure = await LoadGenerator.ClosedAsync(LogActivity, inFlight, args.Warmup, args.Window);
            var hostCpu = (host.CpuTime() - cpuBefore).TotalSeconds / wall.Elapsed.TotalSeconds * 100;
            report.Details["hostCpuPercent"] = hostCpu;
            Console.WriteLine($"  host CPU {hostCpu:0} % of its core during the run");
            Console.WriteLine($"  LogActivity  {figure}");
            report.Details["logActivity"] = figure;

            // The rows the grains wrote, by grain type: the baseline writes rows of these sizes.
            var sizes = new Dictionary<string, (double Bytes, long Rows)>();
            await using (var connection = new NpgsqlConnection(database))
            {
                await connection.OpenAsync();
                await using var query = new NpgsqlCommand("SELECT grain_type, avg(octet_length(payload_binary))::float8, count(*) FROM actorsales_grain_state GROUP BY grain_type", connection);
                await using var reader = await query.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    sizes[reader.GetString(0)] = (reader.IsDBNull(1) ? 0 : reader.GetDouble(1), reader.GetInt64(2));
                }
            }
            report.Details["rowBytesByGrainType"] = sizes.ToDictionary(s => s.Key, s => s.Value.Bytes);
            var chunkBytes = (int)sizes.Where(s => s.Key is "activities" || s.Key.Contains("chunk", StringComparison.OrdinalIgnoreCase)).Select(s => s.Value.Bytes).DefaultIfEmpty(0).Max();
            var customerBytes = (int)sizes.Where(s => s.Key.Contains("customer", StringComparison.OrdinalIgnoreCase) && !s.Key.Contains("chunk", StringComparison.OrdinalIgnoreCase)).Select(s => s.Value.Bytes).DefaultIfEmpty(0).Max();
            Console.WriteLine($"  rows written: {string.Join(", ", sizes.Select(s => $"{s.Key} {s.Value.Rows} x {s.Value.Bytes:0} B"))}");

            var baseline = await RawUpsertsAsync(database, customers, chunkBytes, customerBytes, inFlight, args);
            Console.WriteLine($"  raw upserts  {baseline}");
            report.Details["rawUpserts"] = baseline;
            report.Details["chunkRowBytes"] = chunkBytes;
            report.Details["customerRowBytes"] = customerBytes;

            report.Add("LogActivity throughput", figure.Rps, baseline.Rps, "calls/s", ">= 0.7x", figure.Rps >= 0.7 * baseline.Rps);
            report.Add("LogActivity p99", figure.P99Ms, baseline.P99Ms, "ms", "<= 2x", figure.P99Ms <= 2 * baseline.P99Ms);
            report.Add("LogActivity p50", figure.P50Ms, baseline.P50Ms, "ms");
            report.Note($"host CPU during LogActivity: {hostCpu:0} % of its one core");
            report.Note($"baseline op: upsert a {chunkBytes} B activity-chunk row, then a {customerBytes} B customer row (the two rows LogActivity writes, average sizes read back after the run), autocommit, {inFlight} in flight over one Npgsql pool");
            if (figure.Failed > 0)
            {
                report.Note($"LogActivity calls that failed: {string.Join(", ", figure.Statuses.Select(s => $"{s.Key} {s.Value}"))}");
            }
        }
        await report.WriteAsync(args);
        return 0;
    }

    private static async Task<LoadResult> RawUpsertsAsync(string database, int keys, int chunkBytes, int customerBytes, int inFlight, BenchArgs args)
    {
        await using var source = NpgsqlDataSource.Create(database);
        await using (var create = source.CreateCommand("CREATE TABLE IF NOT EXISTS bench_upsert (id text PRIMARY KEY, payload bytea NOT NULL, version int NOT NULL)"))
        {
            await create.ExecuteNonQueryAsync();
        }
        var chunk = new byte[chunkBytes];
        var customer = new byte[customerBytes];
        Random.Shared.NextBytes(chunk);
        Random.Shared.NextBytes(customer);
        const string Upsert = "INSERT INTO bench_upsert (id, payload, version) VALUES ($1, $2, 1) ON CONFLICT (id) DO UPDATE SET payload = excluded.payload, version = bench_upsert.version + 1";
        async Task Write(string id, byte[] payload)
        {
            await using var command = source.CreateCommand(Upsert);
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = id });
            command.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = payload, NpgsqlDbType = NpgsqlDbType.Bytea });
            await command.ExecuteNonQueryAsync();
        }
        return await LoadGenerator.ClosedAsync(async i =>
        {
            var key = i % keys;
            await Write($"chunk-{key}", chunk);
            await Write($"customer-{key}", customer);
        }, inFlight, args.Warmup, args.Window);
    }
}
