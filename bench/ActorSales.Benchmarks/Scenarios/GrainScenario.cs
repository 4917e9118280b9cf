using System.Text.Json;
using ActorSales.Benchmarks.Baselines;
using ActorSales.Benchmarks.Infrastructure;
using ActorSales.Domain.Identity;
using ActorSales.Domain.People;
using ActorSales.Grains.Abstractions.Customers;
using ActorSales.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace ActorSales.Benchmarks.Scenarios;

/// <summary>
/// Scenario 2: grain-layer headroom. A client hosted in the silo reads customers (the grain call behind scenario 1's
/// RPC), 100 workers over 1,000 active grains; baseline: an empty grain, same workers, same keys. Target: >= 10x the
/// gateway's GetCustomer rate of scenario 1 (read from bench/results/gateway-read.json).
/// </summary>
public static class GrainScenario
{
    public const string Command = "dotnet run -c Release --project bench/ActorSales.Benchmarks -- grains";

    public static async Task<int> RunAsync(BenchArgs args)
    {
        var workers = args.Int("--workers", 100);
        var count = args.Int("--grains", 1_000);
        var report = new Report("grains", Command) { Pinning = Processes.CanPin ? "silo and calling workers in one process on core 1 (taskset): one core, as scenario 1's server" : "not pinned" };
        report.Details["workers"] = workers;
        report.Details["grains"] = count;

        await using var host = await TestHost.StartAsync(["--ActorSales:Profile=Local", $"--ActorSales:ClusterId=bench-{Guid.NewGuid():N}", .. Servers.Quiet]);
        var seeded = await SeededCustomers.CreateAsync(host.Channel, ActorSales.Host.Configuration.HostSettings.LocalDevelopmentSigningKey, count);
        var grains = host.Services.GetRequiredService<IGrainFactory>();
        var team = seeded.TeamId;
        var callers = seeded.RepIds.Select(rep => new Caller(rep, Role.Rep, team, SalespersonStatus.Active)).ToArray();
        var customers = seeded.CustomerIds.Select(id => grains.GetGrain<ICustomerGrain>(id)).ToArray();
        var empties = Enumerable.Range(0, count).Select(i => grains.GetGrain<IEmptyGrain>($"empty-{i}")).ToArray();
        // Activate every grain first: this measures calls to active grains, not placement.
        await Task.WhenAll(empties.Select(e => e.Ping()));
        await Task.WhenAll(customers.Select((c, i) => c.Get(callers[i / SeededCustomers.PerRep])));

        // Each call starts from the thread pool: a hosted client's response completes its awaiter inline on the
        // grain's turn, and a worker that looped on there would issue its next call from inside that activation.
        var (customer, empty) = await LoadGenerator.AlternateClosedAsync(i =>
        {
            var c = (int)(i % count);
            return Task.Run(() => customers[c].Get(callers[c / SeededCustomers.PerRep]));
        }, i => Task.Run(() => empties[i % count].Ping()), workers, args.Warmup, args.Window, args.Rounds);
        Console.WriteLine($"  empty grain   {empty}");
        Console.WriteLine($"  customer.Get  {customer}");

        report.Add("customer Get, hosted client", customer.Rps, empty.Rps, "calls/s");
        report.Add("customer Get p99", customer.P99Ms, empty.P99Ms, "ms");
        var gateway = await GatewayRateAsync(args.ResultsDirectory);
        if (gateway is { } rpc)
        {
            report.Add("customer Get vs scenario 1's GetCustomer RPC rate", customer.Rps, rpc, "calls/s", ">= 10x", customer.Rps >= 10 * rpc,
                "baseline: bench/results/gateway-read.json, host max with Grpc.Net.Client");
        }
        else
        {
            report.Note("no bench/results/gateway-read.json yet: run gateway-read first for the 10x comparison");
        }
        report.Details["empty"] = empty;
        report.Details["customer"] = customer;
        if (customer.Failed > 0 || empty.Failed > 0)
        {
            report.Note($"calls that failed or timed out (Orleans' 30 s response timeout): customer {customer.Failed:N0}, empty {empty.Failed:N0}; " +
                "this closed-loop in-process load loses responses on this host (see README), so these rates are lower bounds");
        }
        await report.WriteAsync(args);
        return 0;
    }

    private static async Task<double?> GatewayRateAsync(string dir)
    {
        var file = Path.Combine(dir, "gateway-read.json");
        if (!File.Exists(file))
        {
            return null;
        }
        var result = JsonSerializer.Deserialize<ScenarioResult>(await File.ReadAllTextAsync(file), Report.Json);
        return result?.Rows.FirstOrDefault(r => r.Figure.StartsWith("throughput, Grpc.Net.Client", StringComparison.Ordinal))?.Value;
    }
}
