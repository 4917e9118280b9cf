using ActorSales.Contracts.V1;
using ActorSales.Grains.Abstractions.Events;
using Orleans.Configuration;
using Orleans.Streams;

namespace ActorSales.Grains.Events.Streams;

/// <summary>
/// Which queue a stream belongs to. A stream (namespace = entity type, key = entity id) always maps to one queue, the
/// producers' side (Orleans) and the receivers' filter (<see cref="QueueOf(LoggedEvent)"/>) ask this same mapping, so
/// a receiver keeps exactly its queue's events and one entity's events stay in one queue, in log order. The mapping
/// itself is Orleans' hash ring over the stream id's stable hash (the same on every silo and client).
/// </summary>
public sealed class EventLogQueueMapper : IConsistentRingStreamQueueMapper
{
    private readonly HashRingBasedStreamQueueMapper _ring;
    private readonly Dictionary<QueueId, int> _indexes;

    public EventLogQueueMapper(string providerName, int queueCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(queueCount, 1);
        QueueCount = queueCount;
        _ring = new HashRingBasedStreamQueueMapper(new HashRingStreamQueueMapperOptions { TotalQueueCount = queueCount }, providerName);
        _indexes = _ring.GetAllQueues().OrderBy(q => q.GetNumericId()).Select((q, i) => (q, i)).ToDictionary(x => x.q, x => x.i);
    }

    public int QueueCount { get; }

    public IEnumerable<QueueId> GetAllQueues() => _ring.GetAllQueues();

    public QueueId GetQueueForStream(StreamId streamId) => _ring.GetQueueForStream(streamId);

    public IEnumerable<QueueId> GetQueuesForRange(IRingRange range) => _ring.GetQueuesForRange(range);

    /// <summary>The stream a logged event is delivered on.</summary>
    public static StreamId StreamOf(LoggedEvent e) => StreamId.Create(EventStreams.NamespaceOf((EntityType)e.EntityType), e.EntityId);

    /// <summary>The queue a logged event belongs to.</summary>
    public QueueId QueueOf(LoggedEvent e) => GetQueueForStream(StreamOf(e));

    /// <summary>0-based index of <paramref name="queue"/> (the checkpoint key).</summary>
    public int IndexOf(QueueId queue) => _indexes.TryGetValue(queue, out var index)
        ? index
        : throw new ArgumentOutOfRangeException(nameof(queue), queue, "not a queue of this mapper");
}
