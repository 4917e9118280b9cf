using System.Diagnostics;
using System.Text.Json;
using ActorSales.Benchmarks;
using ActorSales.Grains;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

// dotnet run -c Release --project bench/ActorSales.Benchmarks -- deadlines [--count 100000] [--spread-seconds 180]
var scenario = args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal)) ?? "deadlines";
if (scenario != "deadlines")
{
    Console.Error.WriteLine("usage: ActorSales.Benchmarks deadlines [--count N] [--spread-seconds S]");
    return 64;
}
var count = Option("--count", 100_000);
var spread = TimeSpan.FromSeconds(Option("--spread-seconds", 180));
var lead = TimeSpan.FromSeconds(60); // the first deadline falls due this long after arming starts

var builder = Host.CreateApplicationBuilder();
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Services.AddActorSalesGrains();
builder.Services.AddSingleton<LatencyRecorder>();
builder.UseOrleans(silo =>
{
    silo.UseLocalhostClustering();
    silo.UseInMemoryReminderService();
    silo.AddMemoryGrainStorage(ActorSales.Grains.Infrastructure.StorageNames.Default);
});
using var host = builder.Build();
await host.StartAsync();
var grains = host.Services.GetRequiredService<IGrainFactory>();
var recorder = host.Services.GetRequiredService<LatencyRecorder>();
var process = Process.GetCurrentProcess();

var idleHostCpu = await CpuPercentAsync(TimeSpan.FromSeconds(10));

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
var armedIdleCpu = untilFirstDue > TimeSpan.FromSeconds(5) ? await CpuPercentAsync(untilFirstDue) : double.NaN;

var deadline = DateTimeOffset.UtcNow + lead + spread + TimeSpan.FromMinutes(2);
while ((recorder.Count < count || baseline.Count < count) && DateTimeOffset.UtcNow < deadline)
{
    await Task.Delay(TimeSpan.FromSeconds(1));
}
timers.ForEach(t => t.Dispose());
await host.StopAsync();

var figure = recorder.Percentiles();
var reference = baseline.Percentiles();
var result = new
{
    scenario,
    count,
    spreadSeconds = spread.TotalSeconds,
    fired = recorder.Count,
    armSeconds,
    latenessMs = new { p50 = figure.P50, p99 = figure.P99, max = figure.Max },
    baselineLatenessMs = new { p50 = reference.P50, p99 = reference.P99, max = reference.Max },
    p99Ratio = reference.P99 > 1 ? figure.P99 / reference.P99 : double.NaN,
    idleCpuPercentArmed = armedIdleCpu,
    idleCpuPercentHost = idleHostCpu,
};
Console.WriteLine($"| figure | ActorSales deadlines | baseline (.NET timers) | ratio |");
Console.WriteLine($"|---|---|---|---|");
Console.WriteLine($"| fired | {recorder.Count}/{count} | {baseline.Count}/{count} | |");
Console.WriteLine($"| lateness p50 ms | {figure.P50:0.0} | {reference.P50:0.0} | {Ratio(figure.P50, reference.P50)} |");
Console.WriteLine($"| lateness p99 ms | {figure.P99:0.0} | {reference.P99:0.0} | {Ratio(figure.P99, reference.P99)} |");
Console.WriteLine($"| lateness max ms | {figure.Max:0.0} | {reference.Max:0.0} | |");
Console.WriteLine($"| idle CPU % (armed vs idle host) | {armedIdleCpu:0.0} | {idleHostCpu:0.0} | |");
Console.WriteLine($"| arming {count} took s | {armSeconds:0.0} | | |");
var outDir = Path.Combine(AppContext.BaseDirectory, "results");
Directory.CreateDirectory(outDir);
await File.WriteAllTextAsync(Path.Combine(outDir, $"{scenario}.json"), JsonSerializer.Serialize(result, new JsonSerializerOptions { WriteIndented = true }));
return recorder.Count == count ? 0 : 1;

async Task<double> CpuPercentAsync(TimeSpan window)
{
    process.Refresh();
    var cpuBefore = process.TotalProcessorTime;
    var wall = Stopwatch.StartNew();
    await Task.Delay(window);
    process.Refresh();
    return (process.TotalProcessorTime - cpuBefore).TotalMilliseconds / wall.Elapsed.TotalMilliseconds * 100;
}

// Lateness can be slightly negative (timer and clock granularity); a ratio against a baseline under 1 ms says nothing.
static string Ratio(double figure, double baseline) => baseline > 1 ? $"{figure / baseline:0.0}x" : "n/a (baseline < 1 ms)";

int Option(string name, int fallback)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length && int.TryParse(args[index + 1], out var value) ? value : fallback;
}
