using System.Diagnostics;
using ActorSales.Grains.Abstractions.Events;
using ActorSales.Grains.Events;
using ActorSales.Grains.Events.Streams;
using ActorSales.Grains.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Hosting;
using Orleans.Streams;
using Orleans.TestingHost;

namespace ActorSales.Grains.Tests;

/// <summary>
/// Append-to-delivery latency of the log-backed streams on the Local profile's pieces (one silo, the in-memory log, a
/// subscribed client), on real time: the figure README quotes. Its own small cluster, since the shared one runs on a
/// fake clock.
/// </summary>
public sealed class EventStreamLatencyTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Appended_events_reach_a_subscriber_within_a_fraction_of_a_second()
    {
        var log = new InMemoryEventLog(TimeProvider.System);
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.Services.AddSingleton<IEventLog>(log);
            silo.AddMemoryGrainStorage(StorageNames.Default);
            silo.AddMemoryGrainStorage(StorageNames.PubSub);
            silo.AddActorSalesStreams(new EventStreamOptions());
        });
        builder.ConfigureClient(client => client.AddActorSalesStreams(new EventStreamOptions()));
        await using var cluster = builder.Build();
        await cluster.DeployAsync(TestContext.Current.CancellationToken);

        const int Entities = 8, PerEntity = 41; // the first event of each stream warms it up (pub-sub lookup) and is not counted
        var appendedAt = new Dictionary<(string, long), long>();
        var latencies = new List<double>();
        using var warm = new CountdownEvent(Entities);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var provider = cluster.Client.GetStreamProvider(EventStreams.ProviderName);
        var subscriptions = new List<StreamSubscriptionHandle<DomainEventEnvelope>>();
        for (var i = 0; i < Entities; i++)
        {
            subscriptions.Add(await provider.GetStream<DomainEventEnvelope>(StreamId.Create(EventStreams.Customers, $"cus_lat{i}"))
                .SubscribeAsync((envelope, _) =>
                {
                    var now = Stopwatch.GetTimestamp();
                    lock (latencies)
                    {
                        if (envelope.Sequence == 1)
                        {
                            warm.Signal();
                            return Task.CompletedTask;
                        }
                        latencies.Add(Stopwatch.GetElapsedTime(appendedAt[(envelope.EntityId, envelope.Sequence)], now).TotalMilliseconds);
                        if (latencies.Count == Entities * (PerEntity - 1))
                        {
                            done.TrySetResult();
                        }
                    }
                    return Task.CompletedTask;
                }));
        }

        // Paced appends (about 200 a second), each timed from just before its append.
        for (var sequence = 1; sequence <= PerEntity; sequence++)
        {
            for (var i = 0; i < Entities; i++)
            {
                var e = EventLogStreamAdapterTests.Event($"cus_lat{i}", sequence, DateTimeOffset.UtcNow);
                lock (latencies)
                {
                    appendedAt[(e.EntityId, e.Sequence)] = Stopwatch.GetTimestamp();
                }
                await log.AppendAsync([e], TestContext.Current.CancellationToken);
                await Task.Delay(5, TestContext.Current.CancellationToken);
            }
            if (sequence == 1)
            {
                Assert.True(warm.Wait(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
            }
        }
        await done.Task.WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
        foreach (var subscription in subscriptions)
        {
            await subscription.UnsubscribeAsync();
        }

        latencies.Sort();
        double Percentile(double p) => latencies[(int)Math.Min(latencies.Count - 1, Math.Ceiling(p * latencies.Count) - 1)];
        output.WriteLine($"append -> delivery over {latencies.Count} events, {Entities} streams: p50 {Percentile(0.50):F1} ms, p99 {Percentile(0.99):F1} ms, max {latencies[^1]:F1} ms");
        // Loose bounds for a shared 2-core machine; the poll period alone (no long poll) puts p50 near 50 ms.
        Assert.True(Percentile(0.50) < 40, $"p50 {Percentile(0.50):F1} ms");
        Assert.True(Percentile(0.99) < 500, $"p99 {Percentile(0.99):F1} ms");
    }
}
