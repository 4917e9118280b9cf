namespace ActorSales.Domain.Identity;

/// <summary>
/// The records of a feed a caller may see: those of <see cref="TeamId"/> or owned by <see cref="OwnerId"/> (either
/// matches); both null means everything.
/// </summary>
public sealed record ReadScope(string? TeamId, string? OwnerId)
{
    public static ReadScope Everything { get; } = new(null, null);
}
