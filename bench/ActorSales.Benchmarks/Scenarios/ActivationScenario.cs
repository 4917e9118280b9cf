using System.Diagnostics;
using ActorSales.Benchmarks.Baselines;
using ActorSales.Benchmarks.Infrastructure;
using ActorSales.Domain.Identity;
using ActorSales.Domain.People;
using ActorSales.Grains.Abstractions.Customers;
using ActorSales.Grains.Customers;
using ActorSales.Grains.Infrastructure;
using ActorSales.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Orleans.Storage;

namespace ActorSales.Benchmarks.Scenarios;

/// <summary>
/// Scenario 4: cold activation. 100,000 stored customers (one typical customer made through the API, written again
/// under 100,000 ids through the production storage provider) are each read once through their grain, against a raw
/// Npgsql loop running the provider's own select-by-key query for the same rows at the same concurrency. Target:
/// >= 0.5x. Memory: managed heap after the activations minus before, per grain, against an empty grain; target
/// <= 4 KiB per customer.
/// </summary>
public static class ActivationScenario
{
    public const string Command = "dotnet run -c Release --project bench/ActorSales.Benchmarks -- activation [--count 100000]";

    public static async Task<int> RunAsync(BenchArgs args)
    {
        var count = args.Int("--count", 100_000);
        var concurrency = args.Int("--in-flight", 64);
        var freshCount = args.Int("--fresh-count", 2_000);
        var report = new Report("activation", Command) { Pinning = Processes.CanPin ? "silo, callers and PostgreSQL on core 1 (taskset)" : "not pinned" };
        report.Details["count"] = count;
        report.Details["inFlight"] = concurrency;

        await using var postgres = await PostgresServer.StartAsync();
        var database = await postgres.CreateDatabaseAsync();
        var key = Convert.ToHexString(Guid.NewGuid().ToByteArray()) + Convert.ToHexString(Guid.NewGuid().ToByteArray());
        await using var host = await TestHost.StartAsync(
            ["--ActorSales:Profile=Postgres", $"--ConnectionStrings:Postgres={database}", "--ActorSales:MigrateOnStart=true",
             $"--ActorSales:Auth:SigningKey={key}", $"--ActorSales:ClusterId=bench-{Guid.NewGuid():N}", .. Servers.Quiet]);
        var seeded = await SeededCustomers.CreateAsync(host.Channel, key, 1);
        var grains = host.Services.GetRequiredService<IGrainFactory>();
        var storage = host.Services.GetRequiredKeyedService<IGrainStorage>(StorageNames.Default);
        var templateId = grains.GetGrain<ICustomerGrain>(seeded.CustomerIds[0]).GetGrainId();
        // The row as registration stored it. Until bced421 it still had the reminder due time of before the registration's
        // reminder was set (recorded with the next write), so activating it re-registered the reminder (0.08x); now a
        // write stores the due time of the state it writes, and this row should read like the settled one.
        var fresh = new GrainState<CustomerState>();
        await storage.ReadStateAsync("customer", templateId, fresh);
        // After one more write that moves no deadline (a note), the row records the reminder as it is registered.
        await host.Customers.LogActivityAsync(new ActorSales.Contracts.V1.LogActivityRequest
        {
            CustomerId = seeded.CustomerIds[0],
            Kind = ActorSales.Contracts.V1.ActivityKind.Note,
            OccurredAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddMinutes(-1)),
            Summary = "Internal note: prefers calls before 10:00.",
        }, seeded.HeadersFor(0));
        var settled = new GrainState<CustomerState>();
        await storage.ReadStateAsync("customer", templateId, settled);
        var ids = Enumerable.Range(0, count).Select(i => $"bench-customer-{i:D7}").ToArray();
        var freshIds = Enumerable.Range(0, freshCount).Select(i => $"bench-fresh-{i:D7}").ToArray();
        var seeding = Stopwatch.StartNew();
        await Parallel.ForEachAsync(ids.Select(id => (id, settled)).Concat(freshIds.Select(id => (id, fresh))), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (row, _) =>
            await storage.WriteStateAsync("customer", grains.GetGrain<ICustomerGrain>(row.id).GetGrainId(), new GrainState<CustomerState>(row.Item2.State)));
        Console.WriteLine($"  seeded {count:N0} + {freshCount:N0} customers through the storage provider in {seeding.Elapsed.TotalSeconds:0.0} s");
        Console.WriteLine($"  stored reminder due: fresh {fresh.State?.ReminderDueAt:O}, settled {settled.State?.ReminderDueAt:O}");

        // Baseline: the provider's read query, by key, for the same rows; after one scan so both find them cached.
        var baseline = await RawSelectsAsync(database, concurrency);
        Console.WriteLine($"  raw selects: {baseline.Rows:N0} rows in {baseline.Seconds:0.00} s = {baseline.Rows / baseline.Seconds:N0} rows/s");

        var caller = new Caller(seeded.RepIds[0], Role.Rep, seeded.TeamId, SalespersonStatus.Active);
        var heapBefore = SettledHeap();
        var activating = Stopwatch.StartNew();
        var failures = 0;
        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (id, _) =>
        {
            var view = await grains.GetGrain<ICustomerGrain>(id).Get(caller);
            if (view.OwnerId != caller.UserId)
            {
                Interlocked.Increment(ref failures);
            }
        });
        var activationSeconds = activating.Elapsed.TotalSeconds;
        var customerBytes = (SettledHeap() - heapBefore) / (double)count;
        Console.WriteLine($"  activated {count:N0} customers in {activationSeconds:0.00} s; {customerBytes:0} B each");
        if (args.Int("--hold-seconds", 0) is > 0 and var hold)
        {
            // For a heap snapshot (dotnet-gcdump collect -p <pid>) with every customer active.
            Console.WriteLine($"  holding {hold} s for a heap snapshot: pid {Environment.ProcessId}");
            await Task.Delay(TimeSpan.FromSeconds(hold));
        }

        var freshWatch = Stopwatch.StartNew();
        await Parallel.ForEachAsync(freshIds, new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (id, _) => await grains.GetGrain<ICustomerGrain>(id).Get(caller));
        var freshSeconds = freshWatch.Elapsed.TotalSeconds;
        Console.WriteLine($"  activated {freshCount:N0} fresh customers in {freshSeconds:0.00} s");

        var emptyBefore = SettledHeap();
        var emptyWatch = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (i, _) =>
            await grains.GetGrain<IEmptyGrain>($"empty-{i}").Ping());
        var emptySeconds = emptyWatch.Elapsed.TotalSeconds;
        var emptyBytes = (SettledHeap() - emptyBefore) / (double)count;
        Console.WriteLine($"  activated {count:N0} empty grains in {emptySeconds:0.00} s; {emptyBytes:0} B each");

        report.Add("first reads (cold activations from PostgreSQL)", count / activationSeconds, baseline.Rows / baseline.Seconds, "rows/s", ">= 0.5x",
            count / activationSeconds >= 0.5 * (baseline.Rows / baseline.Seconds), "baseline: raw select-by-key loop");
        if (freshCount > 0)
        {
            report.Add($"first reads of {freshCount:N0} customers stored straight after registration", freshCount / freshSeconds, baseline.Rows / baseline.Seconds, "rows/s",
                note: "the row as registration stored it (its reminder due time was stale before bced421)");
        }
        report.Add("managed heap per active customer grain", customerBytes / 1024, emptyBytes / 1024, "KiB", "<= 4 KiB", customerBytes <= 4096, "baseline: empty grain");
        report.Add("empty grain activations (no storage)", count / emptySeconds, null, "activations/s");
        report.Details["storedCustomerBytes"] = baseline.PayloadBytes;
        report.Details["customerBytesPerGrain"] = customerBytes;
        report.Details["emptyBytesPerGrain"] = emptyBytes;
        report.Details["failures"] = failures;
        report.Note($"a typical customer: two contacts, an address, tier B, owner and team, stored as {baseline.PayloadBytes:0} B; heap = GC.GetTotalMemory after full blocking collections, all grains still active");
        if (failures > 0)
        {
            report.Note($"{failures} reads returned another owner");
        }
        await report.WriteAsync(args);
        return 0;
    }

    private static long SettledHeap()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    private static async Task<(long Rows, double Seconds, double PayloadBytes)> RawSelectsAsync(string database, int concurrency)
    {
        await using var source = NpgsqlDataSource.Create(database);
        var keys = new List<object[]>();
        double payloadBytes;
        await using (var scan = source.CreateCommand(
            "SELECT service_id, grain_type_hash, grain_id_hash, grain_id_n0, grain_id_n1, grain_type, grain_id_extension, octet_length(payload_binary) " +
            "FROM actorsales_grain_state WHERE grain_type = 'customer' AND grain_id_extension LIKE 'bench-customer-%'"))
        await using (var reader = await scan.ExecuteReaderAsync())
        {
            long total = 0;
            while (await reader.ReadAsync())
            {
                var row = new object[7];
                reader.GetValues(row);
                keys.Add(row);
                total += reader.GetInt32(7);
            }
            payloadBytes = keys.Count == 0 ? 0 : total / (double)keys.Count;
        }
        const string Select = "SELECT payload_binary, modified_at, version FROM actorsales_grain_state " +
            "WHERE service_id = $1 AND grain_type_hash = $2 AND grain_id_hash = $3 AND grain_id_n0 = $4 AND grain_id_n1 = $5 AND grain_type = $6 AND grain_id_extension = $7";
        var watch = Stopwatch.StartNew();
        long rows = 0;
        await Parallel.ForEachAsync(keys, new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (key, ct) =>
        {
            await using var command = source.CreateCommand(Select);
            foreach (var value in key)
            {
                command.Parameters.Add(new NpgsqlParameter { Value = value });
            }
            await using var reader = await command.ExecuteReaderAsync();
            if (await reader.ReadAsync())
            {
                var payload = reader.GetFieldValue<byte[]>(0);
                GC.KeepAlive(payload);
                Interlocked.Increment(ref rows);
            }
        });
        return (rows, watch.Elapsed.TotalSeconds, payloadBytes);
    }
}
