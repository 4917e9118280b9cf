using ActorSales.Contracts.V1;
using ActorSales.Grains.Abstractions.Events;
using ActorSales.Grains.Events;
using ActorSales.Grains.Events.Streams;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Orleans.Serialization;
using Orleans.Streams;

namespace ActorSales.Grains.Tests;

/// <summary>
/// The pieces of the log-backed stream provider on the in-memory log, without pulling agents: the mapper and the
/// receivers' filter, tokens, checkpoints (through the real checkpoint grain) and the cache's rewind window.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class EventLogStreamAdapterTests(ClusterFixture fixture)
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);

    private readonly EventStreamOptions _options = new() { Queues = 4, ReadBatchSize = 16, CacheSize = 64, CheckpointInterval = TimeSpan.FromSeconds(2) };

    [Fact]
    public async Task Every_event_is_read_by_exactly_the_queue_its_stream_maps_to_in_log_order()
    {
        var log = new InMemoryEventLog(TimeProvider.System);
        var entities = Enumerable.Range(0, 40).Select(i => $"cus_{i:D3}").ToList();
        for (var sequence = 1; sequence <= 3; sequence++)
        {
            foreach (var entity in entities)
            {
                await log.AppendAsync([Event(entity, sequence, T0)], TestContext.Current.CancellationToken);
            }
        }
        var mapper = new EventLogQueueMapper(EventStreams.ProviderName, _options.Queues);
        var byQueue = new Dictionary<QueueId, List<EventLogBatchContainer>>();
        foreach (var queue in mapper.GetAllQueues())
        {
            var receiver = Receiver(queue, mapper, log, new MemoryCheckpoints(), new FakeTimeProvider(T0));
            await receiver.Initialize(TimeSpan.FromSeconds(5));
            Assert.Equal(120, receiver.StartedAfter); // a queue never started begins at the head...
            await receiver.Shutdown(TimeSpan.FromSeconds(1));
        }

        // ...so read from the start with checkpoints at 0, as a queue of a new deployment would.
        foreach (var queue in mapper.GetAllQueues())
        {
            var checkpoints = new MemoryCheckpoints();
            await checkpoints.Save(mapper.IndexOf(queue), mapper.QueueCount, 0);
            var receiver = Receiver(queue, mapper, log, checkpoints, new FakeTimeProvider(T0));
            await receiver.Initialize(TimeSpan.FromSeconds(5));
            byQueue[queue] = await ReadAllAsync(receiver);
        }

        Assert.Equal(4, byQueue.Count);
        Assert.All(byQueue, q => Assert.NotEmpty(q.Value)); // 40 streams spread over every queue
        var all = byQueue.SelectMany(q => q.Value).ToList();
        Assert.Equal(120, all.Count);
        Assert.Equal(120, all.Select(b => b.Position).Distinct().Count());
        foreach (var (queue, batches) in byQueue)
        {
            Assert.All(batches, b => Assert.Equal(queue, mapper.GetQueueForStream(b.StreamId)));
            Assert.Equal(batches.Select(b => b.Position).Order(), batches.Select(b => b.Position));
        }
        foreach (var entity in entities)
        {
            var its = all.Where(b => b.Envelope.EntityId == entity).ToList();
            Assert.Single(its.Select(b => b.StreamId).Distinct());
            Assert.Equal([1L, 2L, 3L], its.OrderBy(b => b.Position).Select(b => b.Envelope.Sequence));
        }
    }

    [Fact]
    public void Tokens_order_by_position_and_survive_orleans_serialisation()
    {
        var serializer = fixture.SiloServices.GetRequiredService<Serializer>();
        var early = EventLogSequenceToken.At(41);
        var late = EventLogSequenceToken.After(41);

        Assert.Equal(42, late.Position);
        Assert.True(late.Newer(early));
        Assert.True(early.Older(late));
        Assert.Equal(0, early.CompareTo(new EventLogSequenceToken(41)));
        Assert.Equal(early, serializer.Deserialize<StreamSequenceToken>(serializer.SerializeToArray<StreamSequenceToken>(early)));

        var batch = new EventLogBatchContainer(StreamId.Create(EventStreams.Customers, "cus_1"), new DomainEventEnvelope("cus_1", 3, "customer_updated", [1, 2]), late, 40, T0);
        var copy = serializer.Deserialize<IBatchContainer>(serializer.SerializeToArray<IBatchContainer>(batch));
        Assert.NotNull(copy);
        var (item, token) = Assert.Single(copy.GetEvents<DomainEventEnvelope>());
        Assert.Equal(42, ((EventLogSequenceToken)token).Position);
        Assert.Equal(("cus_1", 3L, "customer_updated"), (item.EntityId, item.Sequence, item.EventType));
        Assert.Equal(batch.StreamId, copy.StreamId);
    }

    [Fact]
    public async Task A_restarted_queue_resumes_after_its_durable_checkpoint_and_only_what_was_delivered_counts()
    {
        var log = new InMemoryEventLog(TimeProvider.System);
        var mapper = new EventLogQueueMapper(EventStreams.ProviderName, 1);
        var queue = Assert.Single(mapper.GetAllQueues());
        var clock = new FakeTimeProvider(T0);
        var checkpoints = fixture.Grains.GetGrain<IStreamQueueCheckpointGrain>($"test-{Guid.NewGuid():N}");
        var first = Receiver(queue, mapper, log, checkpoints, clock);
        await first.Initialize(TimeSpan.FromSeconds(5));
        Assert.Equal(0, first.StartedAfter);
        for (var sequence = 1; sequence <= 10; sequence++)
        {
            await log.AppendAsync([Event("cus_a", sequence, T0)], TestContext.Current.CancellationToken);
        }
        var read = await ReadAllAsync(first);
        Assert.Equal(10, read.Count);

        // Six delivered; the agent dies before the rest (no graceful shutdown): the throttled save wrote 6.
        clock.Advance(TimeSpan.FromSeconds(3));
        await first.MessagesDeliveredAsync([.. read.Take(6)], CancellationToken.None);
        Assert.Equal(6, await EventuallyAsync(() => checkpoints.Load(0, 1), p => p == 6));
        var second = Receiver(queue, mapper, log, checkpoints, clock);
        await second.Initialize(TimeSpan.FromSeconds(5));
        Assert.Equal(6, second.StartedAfter);
        Assert.Equal([7L, 8L, 9L, 10L], (await ReadAllAsync(second)).Select(b => b.Envelope.Sequence));

        // Saves are throttled: a delivery inside the interval waits for the next one (or the graceful shutdown).
        await second.MessagesDeliveredAsync([.. read.Skip(6).Take(2)], CancellationToken.None);
        Assert.Equal(6, await checkpoints.Load(0, 1));
        await second.Shutdown(TimeSpan.FromSeconds(5));
        Assert.Equal(8, await checkpoints.Load(0, 1));

        // A new queue count starts where the slowest queue of the old count stood: re-delivery, not loss.
        Assert.Equal(8, await checkpoints.Load(2, 3));
    }

    [Fact]
    public void The_cache_reports_what_every_cursor_passed_keeps_it_for_rewinds_and_refuses_what_the_log_trimmed()
    {
        var clock = new FakeTimeProvider(T0);
        var options = new EventStreamOptions { ReadBatchSize = 4, CacheSize = 8, RewindWindow = TimeSpan.FromMinutes(10) };
        var cache = new EventLogQueueCache(options, clock);
        var a = StreamId.Create(EventStreams.Customers, "cus_a");
        var b = StreamId.Create(EventStreams.Customers, "cus_b");
        cache.AddToCache([Batch(a, 11, 10), Batch(b, 12, 11), Batch(a, 13, 12)]);

        using (var consumer = cache.GetCacheCursor(a, EventLogSequenceToken.At(11)))
        {
            Assert.Equal(QueueCacheCursorMoveResult.Success, consumer.MoveNextWithResult());
            Assert.Equal(11, ((EventLogBatchContainer)consumer.GetCurrent(out _)!).Position);
            // The consumer is on 11: nothing is delivered yet.
            Assert.False(cache.TryPurgeFromCache(out _));
            Assert.Equal(QueueCacheCursorMoveResult.Success, consumer.MoveNextWithResult());
            Assert.Equal(13, ((EventLogBatchContainer)consumer.GetCurrent(out _)!).Position);
            Assert.True(cache.TryPurgeFromCache(out var delivered));
            Assert.Equal([11L, 12L], delivered.Cast<EventLogBatchContainer>().Select(x => x.Position));
            Assert.Equal(QueueCacheCursorMoveResult.NoData, consumer.MoveNextWithResult());
        }
        Assert.True(cache.TryPurgeFromCache(out var rest));
        Assert.Equal([13L], rest.Cast<EventLogBatchContainer>().Select(x => x.Position));

        // Delivered, still kept: a rewind to 11 replays stream a from memory, nothing to read.
        using (var rewind = cache.GetCacheCursor(a, EventLogSequenceToken.At(11)))
        {
            Assert.Null(cache.NextRewind());
            Assert.Equal(QueueCacheCursorMoveResult.Success, rewind.MoveNextWithResult());
            Assert.Equal(11, ((EventLogBatchContainer)rewind.GetCurrent(out _)!).Position);
        }

        // Past the rewind window the delivered events go; a rewind to them now reads the log (see below).
        clock.Advance(TimeSpan.FromMinutes(11));
        cache.AddToCache([Batch(b, 20, 13)]);
        cache.TryPurgeFromCache(out _);
        Assert.Equal(1, cache.Count);
        using (var fromNow = cache.GetCacheCursor(a, null))
        {
            Assert.Equal(QueueCacheCursorMoveResult.NoData, fromNow.MoveNextWithResult());
        }

        // What the log no longer retains is a miss: Orleans starts such a subscription at the event that attached it.
        cache.NoteTrimmedThrough(11);
        Assert.Throws<QueueCacheMissException>(() => cache.GetCacheCursor(a, EventLogSequenceToken.At(11)));
        using var retained = cache.GetCacheCursor(a, EventLogSequenceToken.At(12));
        Assert.NotNull(cache.NextRewind());
    }

    [Fact]
    public void An_idle_subscription_holds_back_only_its_own_streams_next_event_not_the_queue()
    {
        var clock = new FakeTimeProvider(T0);
        var options = new EventStreamOptions { ReadBatchSize = 4, CacheSize = 8, RewindWindow = TimeSpan.FromMinutes(10) };
        var cache = new EventLogQueueCache(options, clock);
        var a = StreamId.Create(EventStreams.Customers, "cus_a");
        var quiet = StreamId.Create(EventStreams.Customers, "cus_quiet");
        cache.AddToCache([Batch(a, 1, 0)]);
        using var idle = cache.GetCacheCursor(quiet, null); // subscribed, never moved again: its stream has no news
        using var busy = cache.GetCacheCursor(a, EventLogSequenceToken.At(1));
        var handed = Drain(busy);
        var delivered = 0;
        for (var position = 2L; position <= 40; position++)
        {
            cache.AddToCache([Batch(a, position, position - 1)]);
            handed.AddRange(Drain(busy));
            Assert.False(cache.IsUnderPressure()); // the queue keeps reading
            delivered += cache.TryPurgeFromCache(out var now) ? now.Count : 0;
        }
        Assert.Equal(Enumerable.Range(1, 40).Select(i => (long)i), handed);
        Assert.Equal(40, delivered); // the busy cursor passed them all; the idle one never held them
        clock.Advance(TimeSpan.FromMinutes(11));
        cache.TryPurgeFromCache(out _);
        Assert.Equal(0, cache.Count); // and past the window the delivered events go

        // The quiet stream's next event is held until its cursor passes it.
        cache.AddToCache([Batch(quiet, 41, 40), Batch(a, 42, 41)]);
        Assert.Equal([42L], Drain(busy));
        Assert.False(cache.TryPurgeFromCache(out _));
        Assert.Equal([41L], Drain(idle));
        Assert.True(cache.TryPurgeFromCache(out var rest));
        Assert.Equal([41L, 42L], rest.Cast<EventLogBatchContainer>().Select(x => x.Position));
    }

    [Fact]
    public void A_cursor_older_than_the_cache_gets_its_streams_events_from_the_log_a_page_at_a_time_then_the_cache()
    {
        var clock = new FakeTimeProvider(T0);
        var options = new EventStreamOptions { ReadBatchSize = 4, CacheSize = 8, RewindWindow = TimeSpan.FromMinutes(10) };
        var cache = new EventLogQueueCache(options, clock);
        var a = StreamId.Create(EventStreams.Customers, "cus_a");
        var b = StreamId.Create(EventStreams.Customers, "cus_b");
        // The queue's reader started after position 100 (its checkpoint): a rewind to 40 is older than anything cached.
        cache.AddToCache([Batch(a, 101, 100), Batch(b, 102, 101), Batch(a, 103, 102)]);
        using var live = cache.GetCacheCursor(a, EventLogSequenceToken.At(101));
        var requested = cache.RewindRequested;

        using var rewinding = cache.GetCacheCursor(a, EventLogSequenceToken.At(40));
        Assert.True(SpinWait.SpinUntil(() => requested.IsCancellationRequested, TimeSpan.FromSeconds(5))); // wakes the receiver
        Assert.Equal(QueueCacheCursorMoveResult.NoData, rewinding.MoveNextWithResult()); // nothing read yet
        Assert.True(cache.IsUnderPressure() is false);
        var read = Assert.IsType<RewindRead>(cache.NextRewind());
        Assert.Equal((a, 39L, 100L), (read.StreamId, read.After, read.Through));

        // The receiver reads a page: what it returns to the agent wakes the consumer; the cache ignores it.
        var wake = cache.SupplyRewind(read, [Batch(a, 40, 39), Batch(a, 55, 40)], scannedThrough: 70);
        Assert.Equal([40L, 55L], wake.Cast<EventLogBatchContainer>().Select(x => x.Position));
        cache.AddToCache(wake);
        Assert.Equal(3, cache.Count);
        Assert.Null(cache.NextRewind()); // one page ahead of the consumer at most
        Assert.Equal([40L, 55L], Drain(rewinding));
        Assert.False(cache.TryPurgeFromCache(out _)); // pinned where the cache starts: nothing in it is delivered yet

        // The last page reaches the cache: the stream's first cached event wakes the consumer, which goes on there.
        read = Assert.IsType<RewindRead>(cache.NextRewind());
        Assert.Equal(70, read.After);
        Assert.Equal([99L], cache.SupplyRewind(read, [Batch(a, 99, 70)], scannedThrough: 100).Cast<EventLogBatchContainer>().Select(x => x.Position));
        Assert.Equal([99L, 101L, 103L], Drain(rewinding));
        Assert.Null(cache.NextRewind());

        // A rewind whose last page is empty wakes the consumer with the stream's first cached event.
        using var second = cache.GetCacheCursor(a, EventLogSequenceToken.At(90));
        read = Assert.IsType<RewindRead>(cache.NextRewind());
        Assert.Equal([101L], cache.SupplyRewind(read, [], scannedThrough: 500).Cast<EventLogBatchContainer>().Select(x => x.Position));
        Assert.Equal([101L, 103L], Drain(second));

        // A resumed consumer turns down the event it had already handled; Orleans' agent asks for a cursor at that
        // event and moves one past it: the new cursor carries on from the old one's page without reading the log again.
        var resumed = cache.GetCacheCursor(a, EventLogSequenceToken.At(40));
        read = Assert.IsType<RewindRead>(cache.NextRewind());
        cache.SupplyRewind(read, [Batch(a, 40, 39), Batch(a, 55, 40), Batch(a, 99, 55)], scannedThrough: 99);
        Assert.Equal(QueueCacheCursorMoveResult.Success, resumed.MoveNextWithResult());
        using (var onward = cache.GetCacheCursor(a, EventLogSequenceToken.At(40)))
        {
            resumed.Dispose();
            Assert.Equal(QueueCacheCursorMoveResult.Success, onward.MoveNextWithResult()); // the agent's step past 40
            Assert.Equal(40, ((EventLogBatchContainer)onward.GetCurrent(out _)!).Position);
            Assert.Equal([55L, 99L], Drain(onward)); // then the rest of the page; the log's last page is still to read
            read = Assert.IsType<RewindRead>(cache.NextRewind());
            Assert.Equal(99, read.After);
        }
        Assert.Null(cache.NextRewind());

        // A consumer gone before its page arrives: the page is dropped, nothing waits.
        var gone = cache.GetCacheCursor(b, EventLogSequenceToken.At(10));
        read = Assert.IsType<RewindRead>(cache.NextRewind());
        gone.Dispose();
        Assert.Empty(cache.SupplyRewind(read, [Batch(b, 12, 10)], scannedThrough: 12));
        Assert.Null(cache.NextRewind());
    }

    [Fact]
    public async Task A_receiver_serves_a_rewinding_cursor_from_the_log_before_anything_new()
    {
        var log = new InMemoryEventLog(TimeProvider.System);
        var mapper = new EventLogQueueMapper(EventStreams.ProviderName, 1);
        var queue = Assert.Single(mapper.GetAllQueues());
        for (var sequence = 1; sequence <= 10; sequence++)
        {
            await log.AppendAsync([Event("cus_a", sequence, T0), Event("cus_b", sequence, T0)], TestContext.Current.CancellationToken);
        }
        var checkpoints = new MemoryCheckpoints();
        await checkpoints.Save(0, 1, 16); // the queue resumes after position 16 (cus_a's 8th event)
        var cache = new EventLogQueueCache(_options, new FakeTimeProvider(T0));
        var receiver = new EventLogQueueReceiver(queue, mapper, log, checkpoints, _options, new FakeTimeProvider(T0), null, NullLogger<EventLogQueueReceiver>.Instance, cache);
        await receiver.Initialize(TimeSpan.FromSeconds(5));
        cache.AddToCache(await receiver.GetQueueMessagesAsync(16, TestContext.Current.CancellationToken));
        var a = StreamId.Create(EventStreams.Customers, "cus_a");

        using var cursor = cache.GetCacheCursor(a, EventLogSequenceToken.At(1));
        await log.AppendAsync([Event("cus_a", 11, T0)], TestContext.Current.CancellationToken);
        var sequences = new List<long>();
        for (var turn = 0; turn < 10 && sequences.LastOrDefault() < 11; turn++)
        {
            var page = await receiver.GetQueueMessagesAsync(16, TestContext.Current.CancellationToken);
            cache.AddToCache(page);
            while (cursor.MoveNextWithResult() == QueueCacheCursorMoveResult.Success)
            {
                sequences.Add(((EventLogBatchContainer)cursor.GetCurrent(out _)!).Envelope.Sequence);
            }
        }

        Assert.Equal(Enumerable.Range(1, 11).Select(i => (long)i), sequences);
    }

    private static List<long> Drain(IQueueCacheCursor cursor)
    {
        var positions = new List<long>();
        while (cursor.MoveNextWithResult() == QueueCacheCursorMoveResult.Success)
        {
            positions.Add(((EventLogBatchContainer)cursor.GetCurrent(out _)!).Position);
        }
        return positions;
    }

    [Fact]
    public async Task Publishing_on_the_event_streams_is_refused_because_the_log_is_the_queue()
    {
        var stream = fixture.Client.GetStreamProvider(EventStreams.ProviderName)
            .GetStream<DomainEventEnvelope>(StreamId.Create(EventStreams.Customers, "cus_nobody"));

        // The provider is declared read-only, so Orleans refuses before the adapter's own NotSupportedException.
        var refusal = await Assert.ThrowsAsync<InvalidOperationException>(() => stream.OnNextAsync(new DomainEventEnvelope("cus_nobody", 1, "customer_registered", [])));
        Assert.Contains(EventStreams.ProviderName, refusal.Message, StringComparison.Ordinal);
    }

    private EventLogQueueReceiver Receiver(QueueId queue, EventLogQueueMapper mapper, IEventLog log, IStreamQueueCheckpointGrain checkpoints, TimeProvider clock) =>
        new(queue, mapper, log, checkpoints, _options, clock, null, NullLogger<EventLogQueueReceiver>.Instance);

    private static async Task<List<EventLogBatchContainer>> ReadAllAsync(EventLogQueueReceiver receiver)
    {
        var all = new List<EventLogBatchContainer>();
        while (true)
        {
            var page = await receiver.GetQueueMessagesAsync(16, new CancellationTokenSource(TimeSpan.FromMilliseconds(50)).Token).ContinueWith(t => t.IsCompletedSuccessfully ? t.Result : []);
            if (page.Count == 0)
            {
                return all;
            }
            all.AddRange(page.Cast<EventLogBatchContainer>());
        }
    }

    private static async Task<T> EventuallyAsync<T>(Func<Task<T>> read, Func<T, bool> until) => await ClusterFixture.EventuallyAsync(read, until);

    private static EventLogBatchContainer Batch(StreamId stream, long position, long readAfter) =>
        new(stream, new DomainEventEnvelope(stream.GetKeyAsString(), position, "customer_updated", []), EventLogSequenceToken.At(position), readAfter, T0);

    internal static LoggedEvent Event(string entityId, long sequence, DateTimeOffset at) =>
        new((int)EntityType.Customer, entityId, sequence, "customer_updated", "team-1", "rep-1", at, []);

    /// <summary>The checkpoint grain's contract in memory, for receivers tested without a cluster.</summary>
    private sealed class MemoryCheckpoints : IStreamQueueCheckpointGrain
    {
        private readonly Dictionary<(int, int), long> _positions = [];

        public Task<long?> Load(int queue, int queueCount) =>
            Task.FromResult<long?>(_positions.TryGetValue((queue, queueCount), out var p) ? p : null);

        public Task Save(int queue, int queueCount, long position)
        {
            _positions[(queue, queueCount)] = Math.Max(position, _positions.GetValueOrDefault((queue, queueCount)));
            return Task.CompletedTask;
        }
    }
}
