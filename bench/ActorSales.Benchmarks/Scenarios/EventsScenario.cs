using System.Collections.Concurrent;
using Stopwatch = System.Diagnostics.Stopwatch;
using System.Globalization;
using ActorSales.Benchmarks.Infrastructure;
using ActorSales.Contracts.V1;
using ActorSales.Testing;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace ActorSales.Benchmarks.Scenarios;

/// <summary>
/// Scenario 6: domain events end to end on the Postgres profile. Reps log activities (the durable write RPC) while a
/// service follows the team's activity_logged events over EventsService.Subscribe. Every call's summary carries its
/// number, so the subscriber measures each event from the moment its change was requested to the moment it arrived.
/// First a closed loop finds the maximum rate: events/s delivered to the subscriber against LogActivity calls/s
/// acknowledged in the same window (the baseline: every acknowledged change must arrive). Then an open loop at half
/// that rate: the events' p99 against the p99 of the LogActivity call itself.
/// </summary>
public static class EventsScenario
{
    public const string Command = "dotnet run -c Release --project bench/ActorSales.Benchmarks -- events";

    private const string Marker = "bench call ";

    public static async Task<int> RunAsync(BenchArgs args)
    {
        var connections = args.Int("--connections", 8);
        var inFlight = args.Int("--in-flight", 64);
        var customers = args.Int("--customers", 200);
        var report = new Report("events", Command);
        report.Details["connections"] = connections;
        report.Details["inFlight"] = inFlight;
        report.Details["customers"] = customers;

        await using var postgres = await PostgresServer.StartAsync();
        var database = await postgres.CreateDatabaseAsync();
        var key = Convert.ToHexString(Guid.NewGuid().ToByteArray()) + Convert.ToHexString(Guid.NewGuid().ToByteArray());
        await using (var host = await ServerProcess.StartAsync(
            ["serve-host", "--ActorSales:Profile=Postgres", $"--ConnectionStrings:Postgres={database}", "--ActorSales:MigrateOnStart=true",
             $"--ActorSales:Auth:SigningKey={key}", $"--ActorSales:ClusterId=bench-{Guid.NewGuid():N}", .. Servers.Quiet]))
        {
            var channels = LoadGenerator.Channels(host.Port, connections + 1);
            var seeded = await SeededCustomers.CreateAsync(channels[0].CreateCallInvoker(), key, customers);
            var clients = channels.Skip(1).Select(c => new CustomersService.CustomersServiceClient(c)).ToArray();
            var clock = Stopwatch.StartNew();
            var started = new ConcurrentDictionary<long, double>();
            var arrivals = new ConcurrentQueue<(long Call, double At, double LatencyMs)>();

            using var stop = new CancellationTokenSource();
            var subscriber = FollowAsync(new EventsService.EventsServiceClient(channels[0]), seeded.TeamId,
                TestHost.Bearer(TestHost.Token(key, "bench-warehouse", "service")), clock, started, arrivals, stop.Token);

            Func<long, Task> LogActivity(long offset) => i =>
            {
                var call = offset + i;
                var customer = (int)(i % customers);
                started[call] = clock.Elapsed.TotalSeconds;
                return clients[i % clients.Length].LogActivityAsync(new LogActivityRequest
                {
                    CustomerId = seeded.CustomerIds[customer],
                    Kind = ActivityKind.Call, DurationSeconds = 120,
                    OccurredAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddMinutes(-1)),
                    Summary = Marker + call.ToString(CultureInfo.InvariantCulture),
                }, seeded.HeadersFor(customer)).ResponseAsync;
            };

            // 1. The maximum rate, closed loop: what arrives at the subscriber per second against what was acknowledged.
            var windowStart = clock.Elapsed.TotalSeconds + args.Warmup.TotalSeconds;
            var max = await LoadGenerator.ClosedAsync(LogActivity(0), inFlight, args.Warmup, args.Window);
            var windowEnd = windowStart + args.Window.TotalSeconds;
            var delivered = arrivals.Count(a => a.At >= windowStart && a.At < windowEnd) / args.Window.TotalSeconds;
            Console.WriteLine($"  closed loop  LogActivity {max}; events delivered {delivered:N0}/s");

            // 2. Half that rate, open loop: the event's latency against the call's own.
            var rate = Math.Max(1, max.Rps / 2);
            const long OpenLoop = 1_000_000_000;
            var openStart = clock.Elapsed.TotalSeconds;
            var samples = await LoadGenerator.OpenAsync(LogActivity(OpenLoop), rate, args.Warmup + args.Window);
            var half = LoadGenerator.Slice(samples, args.Warmup.TotalSeconds, (args.Warmup + args.Window).TotalSeconds);
            var acknowledged = samples.Count(s => s.Status == StatusCode.OK);
            await DrainAsync(() => arrivals.Count(a => a.Call >= OpenLoop), acknowledged, TimeSpan.FromSeconds(15));
            var arrived = arrivals.Count(a => a.Call >= OpenLoop);
            var measured = arrivals.Where(a => a.Call >= OpenLoop && a.At - openStart >= args.Warmup.TotalSeconds).Select(a => a.LatencyMs).Order().ToArray();
            await stop.CancelAsync();
            await subscriber;
            Console.WriteLine($"  open loop at {rate:N0}/s  LogActivity {half}; events p50 {LoadResult.Percentile(measured, 0.5):0.00} ms, p99 {LoadResult.Percentile(measured, 0.99):0.00} ms; {arrived:N0} of {acknowledged:N0} acknowledged changes arrived");

            report.Add("events delivered end to end (max rate)", delivered, max.Rps, "events/s", "every acknowledged change", delivered >= 0.95 * max.Rps);
            report.Add($"event p99 at half load ({rate:N0}/s)", LoadResult.Percentile(measured, 0.99), half.P99Ms, "ms");
            report.Add($"event p50 at half load ({rate:N0}/s)", LoadResult.Percentile(measured, 0.5), half.P50Ms, "ms");
            report.Add("changes that arrived as events (half load)", arrived, acknowledged, "events", "all", arrived >= acknowledged);
            report.Note("baseline of the rate: LogActivity calls acknowledged in the same window; of the latency: the LogActivity call itself at the same offered rate (from its scheduled start); the event is timed from the call's actual start to its arrival at the subscriber");
            report.Note("path: grain state write with the event in its outbox -> group-committed append to the PostgreSQL log -> the subscription's next read (woken at once on the silo that appended) -> HTTP/2 to the subscriber");
        }
        await report.WriteAsync(args);
        return 0;
    }

    private static async Task FollowAsync(EventsService.EventsServiceClient events, string teamId, Metadata headers, Stopwatch clock,
        ConcurrentDictionary<long, double> started, ConcurrentQueue<(long Call, double At, double LatencyMs)> arrivals, CancellationToken stop)
    {
        using var call = events.Subscribe(new SubscribeRequest { TeamId = teamId, EventTypes = { "activity_logged" } }, headers, cancellationToken: stop);
        try
        {
            while (await call.ResponseStream.MoveNext(stop))
            {
                var now = clock.Elapsed.TotalSeconds;
                var summary = call.ResponseStream.Current.Event.ActivityLogged.Activity.Summary;
                if (summary.StartsWith(Marker, StringComparison.Ordinal)
                    && long.TryParse(summary.AsSpan(Marker.Length), CultureInfo.InvariantCulture, out var id)
                    && started.TryGetValue(id, out var at))
                {
                    arrivals.Enqueue((id, now, (now - at) * 1000));
                }
            }
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled)
        {
            // The run is over.
        }
    }

    private static async Task DrainAsync(Func<int> arrived, int expected, TimeSpan bound)
    {
        using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
        var end = Stopwatch.StartNew();
        while (arrived() < expected && end.Elapsed < bound)
        {
            await poll.WaitForNextTickAsync();
        }
    }
}
