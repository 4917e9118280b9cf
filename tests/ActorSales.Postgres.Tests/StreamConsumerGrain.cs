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
    /// <summary>
    /// Subscribes to the streams of these entities in this namespace, from now or (rewinding) from the log position
    /// <paramref name="fromPosition"/>; returns the consumer's silo.
    /// </summary>
    [Alias("Follow")] Task<string> Follow(string streamNamespace, IReadOnlyList<string> entityIds, long? fromPosition = null);

    [Alias("Report")] Task<StreamConsumerReport> Report();

    [Alias("Unfollow")] Task Unfollow();
}

/// <summary>What a <see cref="StreamConsumerGrain"/> keeps in grain storage: what it follows and what it handled.</summary>
[GenerateSerializer, Alias("actorsales.tests.StreamConsumerState")]
public sealed class StreamConsumerState
{
    [Id(0)] public string? Namespace { get; set; }

    [Id(1)] public List<string> EntityIds { get; set; } = [];

    [Id(2)] public List<HandledEvent> Handled { get; set; } = [];

    [Id(3)] public int Repeated { get; set; }

    [Id(4)] public int Stale { get; set; }

    [Id(5)] public int Deliveries { get; set; }
}

/// <summary>
/// Like a real consumer, it keeps its progress in grain storage and resumes its subscriptions when activated: a silo's
/// loss deactivates the grains whose directory entries it held (Orleans does, to avoid duplicate activations), so
/// the consumer may come back on another silo in the middle of the load.
/// </summary>
public sealed class StreamConsumerGrain(
    ILocalSiloDetails silo,
    [PersistentState("streamconsumer", ActorSales.Grains.Infrastructure.StorageNames.Default)] IPersistentState<StreamConsumerState> state)
    : Grain, IStreamConsumerGrain
{
    private readonly List<StreamSubscriptionHandle<DomainEventEnvelope>> _subscriptions = [];

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (state.State.Namespace is not { } streamNamespace)
        {
            return;
        }
        var provider = this.GetStreamProvider(EventStreams.ProviderName);
        foreach (var entityId in state.State.EntityIds)
        {
            var stream = provider.GetStream<DomainEventEnvelope>(StreamId.Create(streamNamespace, entityId));
            foreach (var handle in await stream.GetAllSubscriptionHandles())
            {
                _subscriptions.Add(await handle.ResumeAsync(OnNextAsync));
            }
        }
    }

    public async Task<string> Follow(string streamNamespace, IReadOnlyList<string> entityIds, long? fromPosition = null)
    {
        state.State.Namespace = streamNamespace;
        state.State.EntityIds = [.. entityIds];
        await state.WriteStateAsync();
        var provider = this.GetStreamProvider(EventStreams.ProviderName);
        foreach (var entityId in entityIds)
        {
            var stream = provider.GetStream<DomainEventEnvelope>(StreamId.Create(streamNamespace, entityId));
            _subscriptions.Add(fromPosition is { } position
                ? await stream.SubscribeAsync(OnNextAsync, EventLogSequenceToken.At(position))
                : await stream.SubscribeAsync(OnNextAsync));
        }
        return silo.SiloAddress.ToString();
    }

    public Task<StreamConsumerReport> Report() => Task.FromResult(new StreamConsumerReport(
        silo.SiloAddress.ToString(), [.. state.State.Handled], state.State.Repeated, state.State.Stale, state.State.Deliveries));

    public async Task Unfollow()
    {
        foreach (var subscription in _subscriptions)
        {
            await subscription.UnsubscribeAsync();
        }
        _subscriptions.Clear();
        state.State.Namespace = null;
        await state.WriteStateAsync();
    }

    private async Task OnNextAsync(DomainEventEnvelope envelope, StreamSequenceToken? token)
    {
        var handledAt = DateTimeOffset.UtcNow;
        var position = token?.SequenceNumber ?? throw new InvalidOperationException($"{envelope.EntityId}/{envelope.Sequence} came without a token");
        var progress = state.State;
        progress.Deliveries++;
        var last = progress.Handled.LastOrDefault(h => h.EntityId == envelope.EntityId);
        if (last is not null && position <= last.Position)
        {
            if (progress.Handled.Any(h => h.EntityId == envelope.EntityId && h.Position == position))
            {
                progress.Repeated++;
            }
            else
            {
                progress.Stale++;
            }
        }
        else
        {
            progress.Handled.Add(new HandledEvent(envelope.EntityId, envelope.Sequence, position, envelope.ToEvent().OccurredAt.ToDateTimeOffset(), handledAt));
        }
        await state.WriteStateAsync(); // handled once stored: a delivery the grain fails is delivered again
    }
}
