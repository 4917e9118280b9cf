using Orleans.Streams;

namespace ActorSales.Grains.Abstractions.Events;

/// <summary>
/// The sequence token of the <see cref="EventStreams.ProviderName"/> streams: the event's position in the durable
/// log (<see cref="StoredEvent.Position"/>). Positions only grow, so a consumer keeps the last one it handled and
/// ignores anything at or below it ("none twice per position"), and it can rewind: subscribe with
/// <see cref="At"/> a position it kept, or <see cref="AtTimeAsync"/> a time.
/// </summary>
[GenerateSerializer, Immutable, Alias("actorsales.EventLogSequenceToken")]
public sealed class EventLogSequenceToken : StreamSequenceToken
{
    public EventLogSequenceToken(long position)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        SequenceNumber = position;
    }

    /// <summary>The event's log position.</summary>
    public long Position => SequenceNumber;

    [Id(0)]
    public override long SequenceNumber { get; protected set; }

    /// <summary>Always 0: one event per position.</summary>
    [Id(1)]
    public override int EventIndex { get; protected set; }

    /// <summary>A start token: deliver from the event at <paramref name="position"/> (inclusive) on.</summary>
    public static EventLogSequenceToken At(long position) => new(position);

    /// <summary>A resume token: deliver what comes after <paramref name="position"/> (the last one handled).</summary>
    public static EventLogSequenceToken After(long position) => new(position + 1);

    /// <summary>A start token for every retained event that occurred at or after <paramref name="time"/>.</summary>
    public static async Task<EventLogSequenceToken> AtTimeAsync(IEventLog log, DateTimeOffset time, CancellationToken cancellationToken = default) =>
        After(await log.PositionBeforeAsync(time, cancellationToken));

    public override bool Equals(StreamSequenceToken? other) =>
        other is not null && other.SequenceNumber == SequenceNumber && other.EventIndex == EventIndex;

    public override bool Equals(object? obj) => Equals(obj as StreamSequenceToken);

    public override int GetHashCode() => SequenceNumber.GetHashCode();

    public override int CompareTo(StreamSequenceToken? other)
    {
        if (other is null)
        {
            return 1;
        }
        var bySequence = SequenceNumber.CompareTo(other.SequenceNumber);
        return bySequence != 0 ? bySequence : EventIndex.CompareTo(other.EventIndex);
    }

    public override string ToString() => $"position {SequenceNumber}";
}
