namespace ActorSales.Domain.Deadlines;

public enum NotificationSeverity
{
    Unspecified = 0,
    Info = 1,
    Warning = 2,
    Critical = 3,
}

/// <summary>Something a user is told. <see cref="Id"/> makes delivery idempotent: a repeated firing adds nothing.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.Notification")]
public sealed record Notification(
    [property: Id(0)] string Id,
    [property: Id(1)] string Kind,
    [property: Id(2)] NotificationSeverity Severity,
    [property: Id(3)] string EntityType,
    [property: Id(4)] string EntityId,
    [property: Id(5)] string Message,
    [property: Id(6)] DateTimeOffset CreatedAt,
    [property: Id(7)] bool Read = false);
