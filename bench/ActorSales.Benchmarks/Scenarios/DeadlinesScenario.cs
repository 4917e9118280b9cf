using System.Diagnostics;
using ActorSales.Benchmarks.Infrastructure;
using ActorSales.Grains;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ActorSales.Benchmarks.Scenarios;

/// <summary>
/// Scenario 5: one deadline on each of 100,000 grains through the production DeadlineScheduler, due uniformly over
/// 3 minutes starting a minute later, against the same due times on plain .NET timers. Target: lateness p99 <= 1 s.
/// </summary>
public static class DeadlinesScenario
{
    public const string Command = "dotnet run -c Release --project bench/ActorSales.Benchmarks -- deadlines [--count 100000] [--spread-seconds 180]";

    public static async Task<int> RunAsync(BenchArgs args)
    {
        var count = args.Int("--count", 100_000);
        var spread = TimeSpan.FromSeconds(args.Int("--spread-seconds", 180));
        var lead = TimeSpan.FromSeconds(60); // the first deadline falls due this long after arming starts

        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddActorSalesGrains();
        builder.Services.AddSingleton<LatencyRecorder>();
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(ActorSales.Testing.TestHost.FreePort(), ActorSales.Testing.TestHost.FreePort());
            silo.UseInMemoryReminderService();
            silo.AddMemoryGrainStorage(ActorSales.Grains.Infrastructure.StorageNames.Default);
        });
        using var host = builder.Build();
        await host.StartAsync();
        var grains = host.Services.GetRequiredService<IGrainFactory>();
        var recorder = host.Services.GetRequiredService<LatencyRecorder>();
        var process = Process.GetCurrentProcess();

        var idleHostCpu = await CpuPercentAsync(process, TimeSpan.FromSeconds(10));

        // Baseline: the same due times on plain .NET timers in the same process (no grains, no reminders).
        var baseline = new LatencyRecorder();
        var start = DateTimeOffset.UtcNow;
        var dues = Enumerable.Range(0, count).Select(i => start + lead + (spread * i / count)).ToArray();
        var timers = dues.Select(due => TimeProvider.System.CreateTimer(_ => baseline.Record(DateTimeOffset.UtcNow - due), null, due - DateTimeOffset.UtcNow, Timeout.InfiniteTimeSpan)).ToList();

        // The figure: one grain per deadline, armed through DeadlineScheduler (timer + one reminder per record).
        var armWatch = Stopwatch.StartNew();
        foreach (var chunk in Enumerable.Range(0, count).Chunk(2_000))
        {
            await Task.WhenAll(chunk.Select(i => grains.GetGrain<IDeadlineBenchGrain>(i).Arm(dues[i])));
        }
        var armSeconds = armWatch.Elapsed.TotalSeconds;
        var untilFirstDue = start + lead - DateTimeOffset.UtcNow - TimeSpan.FromSeconds(2);
        var armedIdleCpu = untilFirstDue > TimeSpan.FromSeconds(5) ? await CpuPercentAsync(process, untilFirstDue) : double.NaN;

        // Waiting for timers that are due minutes ahead is what this scenario measures; the loop only polls the count.
        var deadline = DateTimeOffset.UtcNow + lead + spread + TimeSpan.FromMinutes(2);
        while ((recorder.Count < count || baseline.Count < count) && DateTimeOffset.UtcNow < deadline)
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
        }
        timers.ForEach(t => t.Dispose());
        await host.StopAsync();

        var figure = recorder.Percentiles();
        var reference = baseline.Percentiles();
        var report = new Report("deadlines", Command) { Pinning = Processes.CanPin ? "one process on core 1 (taskset)" : "not pinned" };
        report.Details["count"] = count;
        report.Details["spreadSeconds"] = spread.TotalSeconds;
        report.Add("fired", recorder.Count, baseline.Count, "deadlines", $"= {count:N0}", recorder.Count == count);
        report.Add("lateness p50", figure.P50, reference.P50 > 1 ? reference.P50 : null, "ms", note: reference.P50 <= 1 ? $"baseline {reference.P50:0.0} ms, < 1 ms: no ratio" : null);
        report.Add("lateness p99", figure.P99, reference.P99 > 1 ? reference.P99 : null, "ms", "<= 1,000 ms", figure.P99 <= 1000);
        report.Add("lateness max", figure.Max, reference.Max, "ms");
        report.Add("CPU while all wait (baseline: idle host before arming)", armedIdleCpu, idleHostCpu, "% of a core");
        report.Add($"arming {count:N0}", armSeconds, null, "s");
        report.Note("the idle CPU is measured right after arming (GC and tiered JIT settle in that window) with every grain still active; deactivated records cost only their reminder row");
        await report.WriteAsync(args);
        return recorder.Count == count ? 0 : 1;
    }

    private static async Task<double> CpuPercentAsync(Process process, TimeSpan window)
    {
        process.Refresh();
        var cpuBefore = process.TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        await Task.Delay(window);
        process.Refresh();
        return (process.TotalProcessorTime - cpuBefore).TotalMilliseconds / wall.Elapsed.TotalMilliseconds * 100;
    }
}
