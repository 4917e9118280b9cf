using System.Collections.Concurrent;
using System.Diagnostics;
using ActorSales.Benchmarks.Infrastructure;
using ActorSales.Contracts.V1;
using ActorSales.Grains.Abstractions.Events;
using ActorSales.Grains.Events;
using ActorSales.Grains.Events.Streams;
using ActorSales.Grains.Infrastructure;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Streams;

namespace ActorSales.Benchmarks.Scenarios;

/// <summary>
/// Scenario 11: append -> subscriber delivery on the log-backed <c>events</c> streams (one silo, the Local profile's
/// in-memory log, a subscriber on the silo's hosted client), at a fixed offered rate over several streams. Baseline in
/// the same run and the same silo: Orleans' own memory streams carrying the same envelopes at the same rate (producer
/// OnNextAsync -> subscriber). The ratio says what reading the durable log (queue readers paging by position, the long
/// poll, the cache) costs over Orleans' in-memory queue. Formerly a timed unit test (p50 &lt; 40 ms, p99 &lt; 500 ms).
/// </summary>
public static class StreamLatencyScenario
{
    public const string Command = "dotnet run -c Release --project bench/ActorSales.Benchmarks -- stream-latency";

    private const string Baseline = "bench-memory";

    public static async Task<int> RunAsync(BenchArgs args)
    {
        var streams = args.Int("--streams", 8);
        var rate = args.Double("--rate", 200);
        var report = new Report("stream-latency", Command) { Pinning = "not pinned: silo, publisher and subscriber in one process" };
        report.Details["streams"] = streams;
        report.Details["rate"] = rate;

        var log = new InMemoryEventLog(TimeProvider.System);
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSingleton<IEventLog>(log);
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(serviceId: $"bench-{Guid.NewGuid():N}", clusterId: "bench");
            silo.AddMemoryGrainStorage(StorageNames.Default);
            silo.AddMemoryGrainStorage(StorageNames.PubSub);
            silo.AddActorSalesStreams(new EventStreamOptions());
            silo.AddMemoryStreams(Baseline);
        });
        using var host = builder.Build();
        await host.StartAsync();
        var client = host.Services.GetRequiredService<IClusterClient>();

        var logged = await MeasureAsync(client.GetStreamProvider(EventStreams.ProviderName), "log", streams, rate, args,
            (_, envelope) => log.AppendAsync([ToLogged(envelope)]));
        var memory = await MeasureAsync(client.GetStreamProvider(Baseline), "memory", streams, rate, args,
            (stream, envelope) => stream.OnNextAsync(envelope));
        Console.WriteLine($"  log-backed events   {logged.Delivery}; {logged.Lost} not delivered");
        Console.WriteLine($"  Orleans memory      {memory.Delivery}; {memory.Lost} not delivered");

        report.Add("append -> delivery p50", logged.Delivery.P50Ms, memory.Delivery.P50Ms, "ms", note: "baseline: Orleans memory streams, OnNextAsync -> delivery, same rate and streams");
        report.Add("append -> delivery p99", logged.Delivery.P99Ms, memory.Delivery.P99Ms, "ms");
        report.Add("append -> delivery max", logged.Delivery.MaxMs, memory.Delivery.MaxMs, "ms");
        report.Add("events not delivered", logged.Lost, memory.Lost, "events", "0", logged.Lost == 0);
        report.Note("the baseline's agents poll their queues every 100 ms (Orleans' default GetQueueMsgsTimerPeriod), so its latency is mostly that period; the log-backed queues long-poll the log instead");
        report.Note("path: IEventLog.AppendAsync -> the queue's reader woken by the long poll (WaitForAppendAsync) -> Orleans pulling agent and cache -> the hosted client's subscription");
        await host.StopAsync();
        await report.WriteAsync(args);
        return 0;
    }

    /// <summary>Offers <paramref name="rate"/> events/s round-robin over the streams; each is timed from just before it is published.</summary>
    private static async Task<(LoadResult Delivery, int Lost)> MeasureAsync(IStreamProvider provider, string prefix, int streams, double rate, BenchArgs args,
        Func<IAsyncStream<DomainEventEnvelope>, DomainEventEnvelope, Task> publish)
    {
        var published = new ConcurrentDictionary<(string, long), long>();
        var arrivals = new ConcurrentQueue<Sample>();
        var clock = Stopwatch.StartNew();
        var ids = Enumerable.Range(0, streams).Select(i => $"cus_{prefix}{i}").ToArray();
        var handles = new List<StreamSubscriptionHandle<DomainEventEnvelope>>();
        var targets = ids.Select(id => provider.GetStream<DomainEventEnvelope>(StreamId.Create(EventStreams.Customers, id))).ToArray();
        foreach (var stream in targets)
        {
            handles.Add(await stream.SubscribeAsync((envelope, _) =>
            {
                var now = Stopwatch.GetTimestamp();
                if (published.TryRemove((envelope.EntityId, envelope.Sequence), out var at))
                {
                    arrivals.Enqueue(new Sample(clock.Elapsed.TotalSeconds, Stopwatch.GetElapsedTime(at, now).TotalMilliseconds, Grpc.Core.StatusCode.OK));
                }
                return Task.CompletedTask;
            }));
        }
        var sequences = new long[streams];
        var offered = await LoadGenerator.OpenAsync(i =>
        {
            var s = (int)(i % streams);
            var envelope = Envelope(ids[s], Interlocked.Increment(ref sequences[s]));
            published[(envelope.EntityId, envelope.Sequence)] = Stopwatch.GetTimestamp();
            return publish(targets[s], envelope);
        }, rate, args.Warmup + args.Window, workers: streams);
        using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
        var drain = Stopwatch.StartNew();
        while (!published.IsEmpty && drain.Elapsed < TimeSpan.FromSeconds(15))
        {
            await poll.WaitForNextTickAsync();
        }
        foreach (var handle in handles)
        {
            await handle.UnsubscribeAsync();
        }
        var window = arrivals.Where(a => a.AtSeconds >= args.Warmup.TotalSeconds).ToList();
        return (LoadResult.From(window, args.Window.TotalSeconds), published.Count + offered.Count(o => o.Status != Grpc.Core.StatusCode.OK));
    }

    /// <summary>A small event (activity_logged without its activity): the same bytes on both paths.</summary>
    private static DomainEventEnvelope Envelope(string entityId, long sequence) => DomainEventEnvelope.From(new DomainEvent
    {
        EntityType = EntityType.Customer, EntityId = entityId, Sequence = sequence, OccurredAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow),
        TeamId = "bench", OwnerId = "bench", ActivityLogged = new ActivityLogged(),
    });

    private static LoggedEvent ToLogged(DomainEventEnvelope envelope) => LoggedEvent.From(envelope.ToEvent());
}
