using ActorSales.Contracts.V1;

namespace ActorSales.Grains.Abstractions.Events;

/// <summary>
/// One domain event as the durable log and the grains' outboxes keep it: the routing fields beside the protobuf
/// <see cref="DomainEvent"/> bytes. (<see cref="EntityType"/>, <see cref="EntityId"/>, <see cref="Sequence"/>) is
/// unique; appending it twice keeps the first.
/// </summary>
[GenerateSerializer, Immutable, Alias("actorsales.LoggedEvent")]
public sealed record LoggedEvent(
    [property: Id(0)] int EntityType,
    [property: Id(1)] string EntityId,
    [property: Id(2)] long Sequence,
    [property: Id(3)] string EventType,
    [property: Id(4)] string TeamId,
    [property: Id(5)] string OwnerId,
    [property: Id(6)] DateTimeOffset OccurredAt,
    [property: Id(7)] byte[] Payload)
{
    public static LoggedEvent From(DomainEvent domainEvent) => new(
        (int)domainEvent.EntityType,
        domainEvent.EntityId,
        domainEvent.Sequence,
        EventTypes.NameOf(domainEvent.ChangeCase),
        domainEvent.TeamId,
        domainEvent.OwnerId,
        domainEvent.OccurredAt.ToDateTimeOffset(),
        Google.Protobuf.MessageExtensions.ToByteArray(domainEvent));

    public DomainEvent ToEvent() => DomainEvent.Parser.ParseFrom(Payload);
}

/// <summary>An event at its global position in the log; positions grow with commit order (gaps are possible).</summary>
public sealed record StoredEvent(long Position, LoggedEvent Event);

/// <summary>
/// Which events a reader wants. Null or empty sets mean "all". <see cref="ScopeTeamId"/> and
/// <see cref="ScopeOwnerId"/> narrow to events of that team or that owner (either matches), for callers who may see
/// only part of the log. <see cref="EntityId"/> narrows to one record's events (with <see cref="EntityTypes"/> naming
/// its type), which the stores serve from their per-entity index: a stream rewinding further back than its queue's
/// cache reads only its own events.
/// </summary>
public sealed record EventFilter(
    IReadOnlySet<int>? EntityTypes = null,
    IReadOnlySet<string>? EventTypes = null,
    string? TeamId = null,
    string? ScopeTeamId = null,
    string? ScopeOwnerId = null,
    string? EntityId = null)
{
    public static EventFilter All { get; } = new();

    /// <summary>One record's events.</summary>
    public static EventFilter Of(int entityType, string entityId) => new(EntityTypes: new HashSet<int> { entityType }, EntityId: entityId);

    public bool Matches(LoggedEvent e) =>
        (EntityTypes is not { Count: > 0 } || EntityTypes.Contains(e.EntityType))
        && (EntityId is null || e.EntityId == EntityId)
        && (EventTypes is not { Count: > 0 } || EventTypes.Contains(e.EventType))
        && (TeamId is null || e.TeamId == TeamId)
        && ((ScopeTeamId is null && ScopeOwnerId is null)
            || (ScopeTeamId is not null && e.TeamId == ScopeTeamId)
            || (ScopeOwnerId is not null && e.OwnerId == ScopeOwnerId));
}

/// <summary>
/// A page of the log after a position. <see cref="ScannedThrough"/> is how far the reader may move its cursor (past
/// events the filter skipped); <see cref="TrimmedThrough"/> is the highest position retention has removed, so a
/// cursor below it has lost events.
/// </summary>
public sealed record EventPage(IReadOnlyList<StoredEvent> Events, long ScannedThrough, long TrimmedThrough);

/// <summary>Where the retained log starts and ends.</summary>
public sealed record EventLogBounds(long TrimmedThrough, DateTimeOffset? TrimmedBefore, long Head);

/// <summary>
/// The durable, ordered event log other services read (gRPC EventsService): PostgreSQL in the Postgres profile,
/// memory in the Local profile, the same contract in both. Grains append from their outboxes after each state
/// write; appends are idempotent per (entity type, entity id, sequence).
/// </summary>
public interface IEventLog
{
    /// <summary>Appends in order; returns the events that were new (a replayed outbox entry is not).</summary>
    Task<IReadOnlyList<LoggedEvent>> AppendAsync(IReadOnlyList<LoggedEvent> events, CancellationToken cancellationToken = default);

    /// <summary>Up to <paramref name="max"/> events after <paramref name="afterPosition"/> that match, in position order.</summary>
    Task<EventPage> ReadAsync(long afterPosition, EventFilter filter, int max, CancellationToken cancellationToken = default);

    Task<EventLogBounds> GetBoundsAsync(CancellationToken cancellationToken = default);

    /// <summary>The position to read after to get every retained event that occurred at or after <paramref name="time"/>.</summary>
    Task<long> PositionBeforeAsync(DateTimeOffset time, CancellationToken cancellationToken = default);

    /// <summary>Completes when the log may hold events after <paramref name="afterPosition"/> (or after a short idle wait).</summary>
    Task WaitForAppendAsync(long afterPosition, CancellationToken cancellationToken);

    /// <summary>Removes events that occurred before <paramref name="cutoff"/>; returns how many.</summary>
    Task<int> TrimAsync(DateTimeOffset cutoff, CancellationToken cancellationToken = default);
}

/// <summary>Settings of the event log (section ActorSales:Events).</summary>
public sealed class EventLogOptions
{
    /// <summary>How long events stay readable; Salesforce's Pub/Sub API keeps 72 hours, so do we.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromHours(72);

    /// <summary>How often retention runs.</summary>
    public TimeSpan TrimInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Period of the reminder that brings a grain back to publish an outbox it could not publish (its silo died, or
    /// the log was unreachable). Orleans' minimum reminder period applies.
    /// </summary>
    public TimeSpan OutboxRetryPeriod { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>Event type names: the field names of <see cref="DomainEvent"/>'s change oneof, e.g. "customer_registered".</summary>
public static class EventTypes
{
    private static readonly Dictionary<DomainEvent.ChangeOneofCase, string> Names = DomainEvent.Descriptor.Oneofs[0].Fields
        .ToDictionary(f => (DomainEvent.ChangeOneofCase)f.FieldNumber, f => f.Name);

    /// <summary>Every event type name.</summary>
    public static IReadOnlySet<string> All { get; } = Names.Values.ToHashSet(StringComparer.Ordinal);

    public static string NameOf(DomainEvent.ChangeOneofCase change) =>
        Names.TryGetValue(change, out var name) ? name : throw new ArgumentOutOfRangeException(nameof(change), change, "not an event type");
}
