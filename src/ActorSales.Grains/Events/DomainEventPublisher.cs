using ActorSales.Contracts.V1;
using ActorSales.Grains.Abstractions.Events;
using ActorSales.Grains.Infrastructure;
using Google.Protobuf.WellKnownTypes;

namespace ActorSales.Grains.Events;

/// <summary>
/// The one path from a grain's state change to its domain event. <see cref="Create"/> stamps the envelope fields
/// (grains put the result in their <see cref="EventOutbox"/>, written with the state); <see cref="PublishAsync"/>
/// appends outbox entries to the durable <see cref="IEventLog"/>. The append is the publish: the
/// <see cref="EventStreams.ProviderName"/> streams read the log (Events/Streams), so nothing is put on a stream here.
/// </summary>
public sealed class DomainEventPublisher(
    IEventLog log,
    TimeProvider timeProvider,
    ActorSalesMetrics metrics)
{
    /// <summary>Builds the event for <paramref name="entityId"/> at <paramref name="sequence"/>; <paramref name="setChange"/> fills the oneof.</summary>
    public DomainEvent Create(EntityType entityType, string entityId, long sequence, string actorId, string? teamId, string? ownerId, Action<DomainEvent> setChange)
    {
        var domainEvent = new DomainEvent
        {
            EventId = $"{EventStreams.NamespaceOf(entityType)}/{entityId}/{sequence}",
            EntityType = entityType,
            EntityId = entityId,
            Sequence = sequence,
            OccurredAt = Timestamp.FromDateTimeOffset(timeProvider.GetUtcNow()),
            ActorId = actorId,
            TeamId = teamId ?? string.Empty,
            OwnerId = ownerId ?? string.Empty,
        };
        setChange(domainEvent);
        return domainEvent;
    }

    /// <summary>
    /// Appends to the log; throws if the log is unreachable (the caller keeps the events in its outbox and retries).
    /// Once appended, an event is on its stream (entity type's namespace, key = entity id) for every subscriber.
    /// </summary>
    public async Task PublishAsync(IReadOnlyList<LoggedEvent> events, CancellationToken cancellationToken = default)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        IReadOnlyList<LoggedEvent> appended;
        try
        {
            appended = await log.AppendAsync(events, cancellationToken);
        }
        catch
        {
            metrics.EventPublishFailures.Add(events.Count);
            throw;
        }
        metrics.EventAppendDuration.Record(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds);
        metrics.EventsLogged.Add(appended.Count);
    }
}
