using ActorSales.Grains.Abstractions.Events;
using Orleans.Runtime;
using Orleans.Streams;

namespace ActorSales.Postgres.Tests;

/// <summary>One event a consumer handled: its stream, its per-entity sequence, its log position (the token), and when.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.tests.HandledEvent")]
public sealed record HandledEvent(
    [property: Id(0)] string EntityId,
    [property: Id(1)] long Sequence,
    [property: Id(2)] long Position,
    [property: Id(3)] DateTimeOffset OccurredAt,
    [property: Id(4)] DateTimeOffset HandledAt);

/// <summary>
/// What a <see cref="IStreamConsumerGrain"/> saw. Delivery is at least once, so the consumer does what README tells
/// consumers to do: it keeps each stream's last handled position and ignores anything at or below it.
/// <see cref="Repeated"/> counts those ignored deliveries of a position it had handled; <see cref="Stale"/> those at or
/// below the last position that it had never handled (an event overtaken by a later one: a gap, never expected).
/// </summary>
[GenerateSerializer, Immutable, Alias("actorsales.tests.StreamConsumerReport")]
public sealed record StreamConsumerReport(
    [property: Id(0)] string Silo,
    [property: Id(1)] IReadOnlyList<HandledEvent> Handled,
    [property: Id(2)] int Repeated,
    [property: Id(3)] int Stale,
    [property: Id(4)] int Deliveries);

/// <summary>A test consumer of the <c>events</c> streams: explicit subscriptions to the streams it is told to follow.</summary>
[Alias("actorsales.tests.IStreamConsumerGrain")]
public interface IStreamConsumerGrain : IGrainWithStringKey
{
    /// <summary>Subscribes (from now) to the streams of these entities in this namespace; returns the consumer's silo.</summary>
    [Alias("Follow")] Task<string> Follow(string streamNamespace, IReadOnlyList<string> entityIds);

    [Alias("Report")] Task<StreamConsumerReport> Report();

    [Alias("Unfollow")] Task Unfollow();
}

public sealed class StreamConsumerGrain(ILocalSiloDetails silo) : Grain, IStreamConsumerGrain
{
    private readonly List<HandledEvent> _handled = [];
    private readonly Dictionary<string, long> _lastPosition = [];
    private readonly HashSet<(string, long)> _positions = [];
    private readonly List<StreamSubscriptionHandle<DomainEventEnvelope>> _subscriptions = [];
    private int _repeated;
    private int _stale;
    private int _deliveries;

    public async Task<string> Follow(string streamNamespace, IReadOnlyList<string> entityIds)
    {
        var provider = this.GetStreamProvider(EventStreams.ProviderName);
        foreach (var entityId in entityIds)
        {
            var stream = provider.GetStream<DomainEventEnvelope>(StreamId.Create(streamNamespace, entityId));
            _subscriptions.Add(await stream.SubscribeAsync(OnNextAsync));
        }
        return silo.SiloAddress.ToString();
    }

    public Task<StreamConsumerReport> Report() =>
        Task.FromResult(new StreamConsumerReport(silo.SiloAddress.ToString(), [.. _handled], _repeated, _stale, _deliveries));

    public async Task Unfollow()
    {
        foreach (var subscription in _subscriptions)
        {
            await subscription.UnsubscribeAsync();
        }
        _subscriptions.Clear();
    }

    private Task OnNextAsync(DomainEventEnvelope envelope, StreamSequenceToken? token)
    {
        var handledAt = DateTimeOffset.UtcNow;
        _deliveries++;
        var position = token?.SequenceNumber ?? throw new InvalidOperationException($"{envelope.EntityId}/{envelope.Sequence} came without a token");
        if (_lastPosition.TryGetValue(envelope.EntityId, out var last) && position <= last)
        {
            if (_positions.Contains((envelope.EntityId, position)))
            {
                _repeated++;
            }
            else
            {
                _stale++;
            }
            return Task.CompletedTask;
        }
        _lastPosition[envelope.EntityId] = position;
        _positions.Add((envelope.EntityId, position));
        _handled.Add(new HandledEvent(envelope.EntityId, envelope.Sequence, position, envelope.ToEvent().OccurredAt.ToDateTimeOffset(), handledAt));
        return Task.CompletedTask;
    }
}
