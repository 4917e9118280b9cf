using ActorSales.Contracts.V1;
using ActorSales.Grains.Abstractions.Events;
using ActorSales.Grains.Infrastructure;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Logging;
using Orleans.Streams;

namespace ActorSales.Grains.Events;

/// <summary>
/// The one path from a grain's state change to its domain event. <see cref="Create"/> stamps the envelope fields
/// (grains put the result in their <see cref="EventOutbox"/>, written with the state); <see cref="PublishAsync"/>
/// appends outbox entries to the durable <see cref="IEventLog"/> and puts the ones that were new on the entity
/// type's Orleans stream namespace, stream key = entity id.
/// </summary>
public sealed partial class DomainEventPublisher(
    IClusterClient client,
    IEventLog log,
    TimeProvider timeProvider,
    ActorSalesMetrics metrics,
    ILogger<DomainEventPublisher> logger)
{
    private IStreamProvider? _provider;

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
    /// Appends to the log (throws if the log is unreachable: the caller keeps the events in its outbox and retries),
    /// then publishes the newly appended events on their streams. The log is the durable record; the Orleans
    /// streams are the live feed, so a stream failure is logged and counted, not thrown.
    /// </summary>
    public async Task PublishAsync(IReadOnlyList<LoggedEvent> events, CancellationToken cancellationToken = default)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var appended = await log.AppendAsync(events, cancellationToken);
        metrics.EventAppendDuration.Record(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds);
        metrics.EventsLogged.Add(appended.Count);
        foreach (var e in appended)
        {
            try
            {
                _provider ??= client.GetStreamProvider(EventStreams.ProviderName);
                var stream = _provider.GetStream<DomainEventEnvelope>(
                    StreamId.Create(EventStreams.NamespaceOf((EntityType)e.EntityType), e.EntityId));
                await stream.OnNextAsync(new DomainEventEnvelope(e.EntityId, e.Sequence, e.EventType, e.Payload));
                metrics.EventsPublished.Add(1);
            }
            catch (Exception exception)
            {
                metrics.EventPublishFailures.Add(1);
                LogPublishFailed(exception, e.EntityId, e.Sequence, e.EventType);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not put domain event {EntityId}#{Sequence} ({EventType}) on its stream; it is in the event log")]
    private partial void LogPublishFailed(Exception exception, string entityId, long sequence, string eventType);
}
