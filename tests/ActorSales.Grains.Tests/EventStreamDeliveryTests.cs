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
/// Delivery of the log-backed streams on the Local profile's pieces (one silo, the in-memory log, a subscribed
/// client), on real time: appends interleaved over several streams arrive once each, in order per stream. Its own small
/// cluster, since the shared one runs on a fake clock. How fast they arrive is the benchmark's business (scenario
/// <c>stream-latency</c>), not a test's.
/// </summary>
public sealed class EventStreamDeliveryTests
{
    [Fact]
    public async Task Events_appended_over_several_streams_reach_a_subscriber_once_each_in_log_order_per_stream()
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

        const int Entities = 8, PerEntity = 40;
        var received = Enumerable.Range(0, Entities).ToDictionary(i => $"cus_dlv{i}", _ => new List<(long Sequence, long Position)>());
        var finished = 0;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var provider = cluster.Client.GetStreamProvider(EventStreams.ProviderName);
        var subscriptions = new List<StreamSubscriptionHandle<DomainEventEnvelope>>();
        foreach (var entityId in received.Keys)
        {
            subscriptions.Add(await provider.GetStream<DomainEventEnvelope>(StreamId.Create(EventStreams.Customers, entityId))
                .SubscribeAsync((envelope, token) =>
                {
                    lock (received)
                    {
                        received[envelope.EntityId].Add((envelope.Sequence, token?.SequenceNumber ?? -1));
                        // Per stream in order: the last event arriving means everything before it arrived, or never will.
                        if (envelope.Sequence == PerEntity && ++finished == Entities)
                        {
                            done.TrySetResult();
                        }
                    }
                    return Task.CompletedTask;
                }));
        }

        // Interleaved appends, one at a time and in small batches, so each queue reads several pages and skips the
        // other queues' events.
        var appended = new List<StoredEvent>();
        for (var sequence = 1; sequence <= PerEntity; sequence++)
        {
            var batch = received.Keys.Select(id => EventLogStreamAdapterTests.Event(id, sequence, DateTimeOffset.UtcNow)).ToList();
            foreach (var chunk in batch.Chunk(sequence % 2 == 0 ? 1 : 3))
            {
                await log.AppendAsync(chunk, TestContext.Current.CancellationToken);
            }
        }
        for (var after = 0L; ;)
        {
            var page = await log.ReadAsync(after, EventFilter.All, 1000, TestContext.Current.CancellationToken);
            if (page.Events.Count == 0)
            {
                break;
            }
            appended.AddRange(page.Events);
            after = page.ScannedThrough;
        }
        await done.Task.WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
        foreach (var subscription in subscriptions)
        {
            await subscription.UnsubscribeAsync();
        }

        Assert.Equal(Entities * PerEntity, appended.Count);
        lock (received)
        {
            foreach (var (entityId, deliveries) in received)
            {
                var expected = appended.Where(e => e.Event.EntityId == entityId).Select(e => (e.Event.Sequence, e.Position)).ToList();
                Assert.Equal(expected, deliveries); // each event once, with its own position as token, in log order
            }
        }
    }
}
