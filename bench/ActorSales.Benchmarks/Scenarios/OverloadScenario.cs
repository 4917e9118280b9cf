using System.Diagnostics;
using ActorSales.Benchmarks.Infrastructure;
using ActorSales.Contracts.V1;
using ActorSales.Host.Configuration;

namespace ActorSales.Benchmarks.Scenarios;

/// <summary>
/// Scenario 7: overload. h2load finds the host's maximum GetCustomer rate, then offers half of it, 1.3x of it, and half
/// again, with far more streams open than the gateway admits; a slow Grpc.Net.Client probe measures latency and
/// statuses throughout and the host's resident memory is sampled. Targets: the host sheds (RESOURCE_EXHAUSTED /
/// UNAVAILABLE) instead of growing memory without bound, and the probe's p99 is back within 30 s of the load dropping.
/// </summary>
public static class OverloadScenario
{
    public const string Command = "dotnet run -c Release --project bench/ActorSales.Benchmarks -- overload [--overload-seconds 30] [--recovery-seconds 40]";

    public static async Task<int> RunAsync(BenchArgs args)
    {
        var before = TimeSpan.FromSeconds(args.Double("--before-seconds", 15));
        var overload = TimeSpan.FromSeconds(args.Double("--overload-seconds", 30));
        var after = TimeSpan.FromSeconds(args.Double("--recovery-seconds", 40));
        var clients = args.Int("--clients", 64);
        var streams = args.Int("--streams", 100);
        var probeRate = args.Double("--probe-rate", 100);
        var report = new Report("overload", Command);
        if (!await H2Load.EnsureInstalledAsync())
        {
            Console.Error.WriteLine("overload needs h2load (Debian package nghttp2-client)");
            return 69;
        }
        string[] extra = args.Value("--max-concurrent-calls") is { } limit ? [$"--ActorSales:Gateway:LoadShedding:MaxConcurrentCalls={limit}"] : [];
        await using var host = await ServerProcess.StartAsync(Servers.LocalHost(extra));
        var channels = LoadGenerator.Channels(host.Port, 4);
        var seeded = await SeededCustomers.CreateAsync(channels[0].CreateCallInvoker(), HostSettings.LocalDevelopmentSigningKey, 100);
        var request = new GetCustomerRequest { CustomerId = seeded.CustomerIds[0] };
        var token = seeded.TokenFor(0);
        var clientsForProbe = channels.Select(c => new CustomersService.CustomersServiceClient(c)).ToArray();
        await clientsForProbe[0].GetCustomerAsync(request, seeded.HeadersFor(0));

        // Warm the JIT first (see --warmup-seconds), then the maximum.
        await H2Load.RunAsync(host.Port, "actorsales.v1.CustomersService/GetCustomer", request, token, 8, 8, TimeSpan.Zero, args.Warmup);
        var max = await H2Load.RunAsync(host.Port, "actorsales.v1.CustomersService/GetCustomer", request, token, 8, 8, BenchArgs.Refill, args.Window)
            ?? throw new InvalidOperationException("h2load failed");
        Console.WriteLine($"  max (h2load, 64 in flight): {max.Rps:N0}/s");
        report.Details["maxRps"] = max.Rps;

        // The probe runs through all three phases; memory is sampled twice a second.
        using var stopProbe = new CancellationTokenSource();
        var clock = Stopwatch.StartNew();
        var probe = LoadGenerator.ProbeAsync(i =>
        {
            var c = (int)(i % seeded.CustomerIds.Count);
            return clientsForProbe[i % clientsForProbe.Length].GetCustomerAsync(new GetCustomerRequest { CustomerId = seeded.CustomerIds[c] }, seeded.HeadersFor(c)).ResponseAsync;
        }, probeRate, 200, stopProbe.Token); // enough workers that the probe itself never falls behind its schedule
        var memory = new List<(double At, double Rss)>();
        var sampler = Task.Run(async () =>
        {
            while (!stopProbe.IsCancellationRequested)
            {
                memory.Add((clock.Elapsed.TotalSeconds, host.ResidentBytes()));
                await Task.Delay(500);
            }
        });
        var shedBefore = (await host.StatsAsync())["shed"];
        var normal = max.Rps * 0.5;
        var h2Before = await H2Load.RunAsync(host.Port, "actorsales.v1.CustomersService/GetCustomer", request, token, clients, streams, TimeSpan.Zero, before, normal);
        var overloadStart = clock.Elapsed.TotalSeconds;
        var h2Over = await H2Load.RunAsync(host.Port, "actorsales.v1.CustomersService/GetCustomer", request, token, clients, streams, TimeSpan.Zero, overload, max.Rps * 1.3);
        var overloadEnd = clock.Elapsed.TotalSeconds;
        var stats = await host.StatsAsync();
        var h2After = await H2Load.RunAsync(host.Port, "actorsales.v1.CustomersService/GetCustomer", request, token, clients, streams, TimeSpan.Zero, after, normal);
        var end = clock.Elapsed.TotalSeconds;
        await stopProbe.CancelAsync();
        var samples = await probe;
        await sampler;

        var pre = LoadGenerator.Slice(samples, 5, overloadStart); // the first seconds settle the new connections
        var during = LoadGenerator.Slice(samples, overloadStart, overloadEnd);
        var shed = stats["shed"] - shedBefore;
        // Recovered: from this second on, every 1-second window's p99 is within 1.5x of the p99 before the overload.
        var threshold = Math.Max(1.5 * pre.P99Ms, pre.P99Ms + 2);
        var seconds = Enumerable.Range(0, (int)Math.Floor(end - overloadEnd) - 1)
            .Select(s => LoadGenerator.Slice(samples, overloadEnd + s, overloadEnd + s + 1)).ToList();
        var firstGood = Enumerable.Range(0, seconds.Count).FirstOrDefault(s => seconds.Skip(s).All(w => !(w.P99Ms > threshold) && w.Failed == 0), -1);
        var recovery = firstGood < 0 ? double.NaN : firstGood + 1;
        var rssBefore = memory.Where(m => m.At < overloadStart).Select(m => m.Rss).DefaultIfEmpty(double.NaN).Max();
        var overloadMemory = memory.Where(m => m.At >= overloadStart && m.At < overloadEnd).ToList();
        var rssDuring = overloadMemory.Select(m => m.Rss).DefaultIfEmpty(double.NaN).Max();
        var half = overloadStart + ((overloadEnd - overloadStart) / 2);
        var rssFirstHalf = overloadMemory.Where(m => m.At < half).Select(m => m.Rss).DefaultIfEmpty(double.NaN).Max();
        var rssSecondHalf = overloadMemory.Where(m => m.At >= half).Select(m => m.Rss).DefaultIfEmpty(double.NaN).Max();
        var rssAfter = memory.Where(m => m.At >= end - 5).Select(m => m.Rss).DefaultIfEmpty(double.NaN).Max();
        Console.WriteLine($"  probe before {pre}");
        Console.WriteLine($"  probe during {during}");
        Console.WriteLine($"  shed by the host during the overload: {shed:N0}; h2load during: {h2Over?.Rps:N0}/s answered, mean {h2Over?.MeanMs} ms");

        const double MiB = 1024 * 1024;
        report.Add($"offered during overload (1.3x max {max.Rps:N0}/s)", max.Rps * 1.3, max.Rps, "calls/s");
        report.Add("calls shed by the host (RESOURCE_EXHAUSTED)", shed, null, "calls", "> 0 under overload", shed > 0);
        report.Add("probe calls refused during overload", during.Statuses.Where(s => s.Key != "OK").Sum(s => s.Value), during.Calls, "calls", note: "baseline: all probe calls in that window");
        report.Add("probe p99 during overload", during.P99Ms, pre.P99Ms, "ms", note: "baseline: p99 at half load before");
        report.Add("p99 recovery after the load drops", recovery, null, "s", "<= 30 s", recovery <= 30, $"1-s windows within {threshold:0.0} ms");
        report.Add("host RSS, peak during overload", rssDuring / MiB, rssBefore / MiB, "MiB", note: "baseline: peak at half load before");
        report.Add("host RSS growth, 2nd half of overload vs 1st", (rssSecondHalf - rssFirstHalf) / MiB, null, "MiB", "bounded (no steady growth)", rssSecondHalf - rssFirstHalf < 0.1 * rssFirstHalf);
        report.Add("host RSS after recovery", rssAfter / MiB, rssBefore / MiB, "MiB");
        report.Details["probeBefore"] = pre;
        report.Details["probeDuring"] = during;
        report.Details["probePerSecondAfter"] = seconds.Select(s => s.P99Ms).ToList();
        report.Details["h2loadBefore"] = h2Before;
        report.Details["h2loadOverload"] = h2Over;
        report.Details["h2loadAfter"] = h2After;
        report.Details["rssMiB"] = memory.Select(m => new[] { Math.Round(m.At, 1), Math.Round(m.Rss / MiB, 1) }).ToList();
        report.Details["hostStats"] = stats;
        report.Note($"load: h2load {clients} connections x {streams} streams (up to {clients * streams:N0} calls open against a gateway limit of {args.Value("--max-concurrent-calls") ?? "the default"}), {before.TotalSeconds:0} s at half max, {overload.TotalSeconds:0} s at 1.3x, {after.TotalSeconds:0} s at half; probe {probeRate:0}/s through Grpc.Net.Client");
        await report.WriteAsync(args);
        return 0;
    }
}
