using System.Diagnostics;
using Grpc.Core;
using Grpc.Net.Client;

namespace ActorSales.Benchmarks.Infrastructure;

/// <summary>One completed call: when it was meant to start (seconds into the run), how long it took, and its status.</summary>
public readonly record struct Sample(double AtSeconds, double LatencyMs, StatusCode Status);

/// <summary>Throughput and latency of a timed window.</summary>
public sealed record LoadResult(double Rps, double P50Ms, double P99Ms, double MaxMs, long Calls, IReadOnlyDictionary<string, long> Statuses)
{
    public long Failed => Calls - Statuses.GetValueOrDefault(nameof(StatusCode.OK));

    public override string ToString() =>
        $"{Rps:N0} calls/s ok, p50 {P50Ms:0.00} ms, p99 {P99Ms:0.00} ms, max {MaxMs:0.0} ms, {Calls:N0} calls [{string.Join(", ", Statuses.Select(s => $"{s.Key} {s.Value:N0}"))}]";

    public static LoadResult From(IReadOnlyCollection<Sample> samples, double seconds)
    {
        var latencies = samples.Where(s => s.Status == StatusCode.OK).Select(s => s.LatencyMs).Order().ToArray();
        var statuses = samples.GroupBy(s => s.Status.ToString()).ToDictionary(g => g.Key, g => (long)g.Count());
        return new LoadResult(latencies.Length / seconds, Percentile(latencies, 0.50), Percentile(latencies, 0.99),
            latencies.Length == 0 ? double.NaN : latencies[^1], samples.Count, statuses);
    }

    public static double Percentile(double[] sorted, double q) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(sorted.Length * q) - 1)];
}

/// <summary>
/// The Grpc.Net.Client load generator: many HTTP/2 connections, bounded in-flight calls, a warm-up, then a timed
/// window. Closed loop finds the maximum rate; open loop offers a fixed rate and measures latency from each call's
/// scheduled start, so a stalled server is charged for the calls it delayed (no coordinated omission).
/// </summary>
public static class LoadGenerator
{
    /// <summary><paramref name="connections"/> channels to one port, each its own HTTP/2 connection (more when a connection's streams run out).</summary>
    public static GrpcChannel[] Channels(int port, int connections) =>
        [.. Enumerable.Range(0, connections).Select(_ => GrpcChannel.ForAddress($"http://127.0.0.1:{port}", new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler
            {
                EnableMultipleHttp2Connections = true,
                PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            },
            MaxReceiveMessageSize = 4 * 1024 * 1024,
        }))];

    /// <summary><paramref name="inFlight"/> workers, each calling again as soon as its call completes.</summary>
    public static async Task<LoadResult> ClosedAsync(Func<long, Task> call, int inFlight, TimeSpan warmup, TimeSpan window)
    {
        var (samples, seconds) = await ClosedSamplesAsync(call, inFlight, warmup, window);
        return LoadResult.From(samples, seconds);
    }

    /// <summary>
    /// The figure and its baseline in turns (<paramref name="rounds"/> slices of window / rounds each, a full warm-up
    /// first and a 1-second one before every later slice), so a neighbour's burst on this shared machine lands on both
    /// rather than on whichever happened to run at the time.
    /// </summary>
    public static async Task<(LoadResult Figure, LoadResult Baseline)> AlternateClosedAsync(
        Func<long, Task> figure, Func<long, Task> baseline, int inFlight, TimeSpan warmup, TimeSpan window, int rounds)
    {
        var slice = window / rounds;
        var a = new List<Sample>();
        var b = new List<Sample>();
        double aSeconds = 0, bSeconds = 0;
        for (var round = 0; round < rounds; round++)
        {
            var warm = round == 0 ? warmup : BenchArgs.Refill;
            var (bs, bt) = await ClosedSamplesAsync(baseline, inFlight, warm, slice);
            b.AddRange(bs);
            bSeconds += bt;
            var (fs, ft) = await ClosedSamplesAsync(figure, inFlight, warm, slice);
            a.AddRange(fs);
            aSeconds += ft;
        }
        return (LoadResult.From(a, aSeconds), LoadResult.From(b, bSeconds));
    }

    private static async Task<(List<Sample> Samples, double Seconds)> ClosedSamplesAsync(Func<long, Task> call, int inFlight, TimeSpan warmup, TimeSpan window)
    {
        var samples = new List<Sample>[inFlight];
        var measuring = false;
        var stop = false;
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, inFlight).Select(w => Task.Run(async () =>
        {
            var mine = samples[w] = new List<Sample>(1 << 14);
            for (long i = w; !Volatile.Read(ref stop); i += inFlight)
            {
                var started = clock.Elapsed.TotalSeconds;
                var status = await Invoke(call, i);
                if (Volatile.Read(ref measuring))
                {
                    mine.Add(new Sample(started, (clock.Elapsed.TotalSeconds - started) * 1000, status));
                }
            }
        })).ToList();
        await Task.Delay(warmup);
        Volatile.Write(ref measuring, true);
        var timed = Stopwatch.StartNew();
        await Task.Delay(window);
        Volatile.Write(ref measuring, false);
        var seconds = timed.Elapsed.TotalSeconds;
        Volatile.Write(ref stop, true);
        await Task.WhenAll(workers);
        return ([.. samples.SelectMany(s => s)], seconds);
    }

    /// <summary>
    /// Offers <paramref name="rate"/> calls/s for <paramref name="duration"/>, paced over <paramref name="workers"/>
    /// (so at most that many calls are outstanding). Each worker keeps its own schedule; a call that starts late because
    /// the previous one was slow is charged from its scheduled time (as wrk2 does), so latency includes the wait a real
    /// client at that rate would see. AtSeconds is the scheduled start from the beginning of the run.
    /// </summary>
    public static async Task<List<Sample>> OpenAsync(Func<long, Task> call, double rate, TimeSpan duration, int workers = 256)
    {
        var samples = new List<Sample>[workers];
        var clock = Stopwatch.StartNew();
        var interval = workers / rate; // seconds between one worker's calls
        var end = duration.TotalSeconds;
        var tasks = Enumerable.Range(0, workers).Select(w => Task.Run(async () =>
        {
            var mine = samples[w] = new List<Sample>((int)Math.Min((end / interval) + 16, 10_000_000));
            var offset = interval * w / workers; // spread the workers' first calls over one interval
            for (long n = 0; ; n++)
            {
                var scheduled = offset + (n * interval);
                if (scheduled >= end)
                {
                    break;
                }
                var wait = scheduled - clock.Elapsed.TotalSeconds;
                if (wait > 0.001)
                {
                    await Task.Delay(TimeSpan.FromSeconds(wait));
                }
                var status = await Invoke(call, (n * workers) + w);
                mine.Add(new Sample(scheduled, (clock.Elapsed.TotalSeconds - scheduled) * 1000, status));
            }
        })).ToList();
        await Task.WhenAll(tasks);
        return [.. samples.SelectMany(s => s)];
    }

    /// <summary>Like <see cref="OpenAsync"/>, until <paramref name="stop"/> is cancelled; for a probe that runs beside other load.</summary>
    public static async Task<List<Sample>> ProbeAsync(Func<long, Task> call, double rate, int workers, CancellationToken stop)
    {
        var samples = new List<Sample>[workers];
        var clock = Stopwatch.StartNew();
        var interval = workers / rate;
        var tasks = Enumerable.Range(0, workers).Select(w => Task.Run(async () =>
        {
            var mine = samples[w] = [];
            for (long n = 0; !stop.IsCancellationRequested; n++)
            {
                var scheduled = (interval * w / workers) + (n * interval);
                var wait = scheduled - clock.Elapsed.TotalSeconds;
                if (wait > 0.001)
                {
                    try
                    {
                        await Task.Delay(TimeSpan.FromSeconds(wait), stop);
                    }
                    catch (OperationCanceledException)
                    {
                        break;
                    }
                }
                var status = await Invoke(call, (n * workers) + w);
                mine.Add(new Sample(scheduled, (clock.Elapsed.TotalSeconds - scheduled) * 1000, status));
            }
        })).ToList();
        await Task.WhenAll(tasks);
        return [.. samples.SelectMany(s => s)];
    }

    /// <summary>The samples scheduled within [from, to) seconds, as a result over that span.</summary>
    public static LoadResult Slice(IEnumerable<Sample> samples, double from, double to) =>
        LoadResult.From([.. samples.Where(s => s.AtSeconds >= from && s.AtSeconds < to)], to - from);

    private static async Task<StatusCode> Invoke(Func<long, Task> call, long index)
    {
        try
        {
            await call(index);
            return StatusCode.OK;
        }
        catch (RpcException exception)
        {
            return exception.StatusCode;
        }
        catch (Exception exception) when (exception is HttpRequestException or IOException or OperationCanceledException or Orleans.Runtime.OrleansException or TimeoutException)
        {
            return StatusCode.Unavailable;
        }
        catch (Exception)
        {
            return StatusCode.Unknown; // e.g. a domain exception from a direct grain call: counted, never fatal
        }
    }
}
