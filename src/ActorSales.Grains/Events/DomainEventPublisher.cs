using ActorSales.Contracts.V1;
using ActorSales.Grains.Abstractions.Events;
using ActorSales.Grains.Infrastructure;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Logging;
using Orleans.Streams;

namespace ActorSales.Grains.Events;

/// <summary>
/// The one path from a grain's state change to its domain event: stamps the envelope fields and publishes on the
/// entity type's stream namespace, stream key = entity id. Grains call it after their state write succeeded, with
/// the entity's new version as the event sequence (one event per version, so sequences are gap-free).
/// </summary>
public sealed partial class DomainEventPublisher(
    IClusterClient client,
    TimeProvider timeProvider,
    ActorSalesMetrics metrics,
    ILogger<DomainEventPublisher> logger)
{
    private IStreamProvider? _provider;

    /// <summary>Builds the event for <paramref name="entityId"/> at <paramref name="sequence"/>; <paramref name="setChange"/> fills the oneof.</summary>
    public DomainEvent Create(EntityType entityType, string entityId, long sequence, string actorId, string? teamId, Action<DomainEvent> setChange)
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
        };
        setChange(domainEvent);
        return domainEvent;
    }

    /// <summary>
    /// Publishes the event. The state change is already durable, so a publish failure is logged and counted, not
    /// thrown back at the caller (durable at-least-once delivery through an outbox is the event-stream issue's job).
    /// </summary>
    public async Task PublishAsync(DomainEvent domainEvent)
    {
        try
        {
            _provider ??= client.GetStreamProvider(EventStreams.ProviderName);
            var stream = _provider.GetStream<DomainEventEnvelope>(
                StreamId.Create(EventStreams.NamespaceOf(domainEvent.EntityType), domainEvent.EntityId));
            await stream.OnNextAsync(DomainEventEnvelope.From(domainEvent));
            metrics.EventsPublished.Add(1);
        }
        catch (Exception exception)
        {
            metrics.EventPublishFailures.Add(1);
            LogPublishFailed(exception, domainEvent.EventId, domainEvent.ChangeCase.ToString());
        }
    }

    public Task PublishAsync(EntityType entityType, string entityId, long sequence, string actorId, string? teamId, Action<DomainEvent> setChange) =>
        PublishAsync(Create(entityType, entityId, sequence, actorId, teamId, setChange));

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not publish domain event {EventId} ({EventType})")]
    private partial void LogPublishFailed(Exception exception, string eventId, string eventType);
}
