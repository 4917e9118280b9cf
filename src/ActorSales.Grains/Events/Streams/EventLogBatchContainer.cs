using ActorSales.Grains.Abstractions.Events;
using Orleans.Streams;

namespace ActorSales.Grains.Events.Streams;

/// <summary>
/// One logged event as the pulling agent caches and delivers it. <see cref="ReadAfter"/> is where the queue's reader
/// stood before this event: the queue holds no other event of its own between the two positions, which is how the
/// cache knows which rewinds it can serve.
/// </summary>
[GenerateSerializer, Immutable, Alias("actorsales.EventLogBatchContainer")]
public sealed class EventLogBatchContainer(StreamId streamId, DomainEventEnvelope envelope, EventLogSequenceToken token, long readAfter, DateTimeOffset occurredAt) : IBatchContainer
{
    [Id(0)] public StreamId StreamId { get; } = streamId;

    [Id(1)] public DomainEventEnvelope Envelope { get; } = envelope;

    [Id(2)] public EventLogSequenceToken Token { get; } = token;

    [Id(3)] public long ReadAfter { get; } = readAfter;

    [Id(4)] public DateTimeOffset OccurredAt { get; } = occurredAt;

    public long Position => Token.Position;

    public StreamSequenceToken SequenceToken => Token;

    public IEnumerable<Tuple<T, StreamSequenceToken>> GetEvents<T>()
    {
        if (Envelope is T item)
        {
            yield return Tuple.Create<T, StreamSequenceToken>(item, Token);
        }
    }

    public bool ImportRequestContext() => false;

    public override string ToString() => $"{StreamId} at {Token}";
}
