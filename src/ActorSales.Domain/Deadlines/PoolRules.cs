using ActorSales.Domain.Errors;

namespace ActorSales.Domain.Deadlines;

/// <summary>Claim limits of the public pool (section "ActorSales:Pool").</summary>
public sealed class PoolOptions
{
    public int ClaimsPerDay { get; set; } = 5;

    /// <summary>Most customers one person may own (customers with a won deal do not count).</summary>
    public int HoldingCap { get; set; } = 200;

    /// <summary>How long the previous owner of a released customer must wait to claim it back.</summary>
    public TimeSpan ReclaimCooldown { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// How long a reserved claim waits for its customer to confirm it; then the pool lists the customer again and gives
    /// the claim back (the customer's silo died between the reservation and its write).
    /// </summary>
    public TimeSpan ReservationTimeout { get; set; } = TimeSpan.FromMinutes(1);
}

public static class PoolRules
{
    /// <summary>Throws FAILED_PRECONDITION naming the limit a claim would break.</summary>
    public static void EnsureMayClaim(string claimantId, int claimsToday, int holding, string? previousOwnerId, DateTimeOffset releasedAt,
        DateTimeOffset now, PoolOptions options, bool managerAssignment)
    {
        if (!managerAssignment && claimsToday >= options.ClaimsPerDay)
        {
            throw new PreconditionFailedException($"'{claimantId}' has already claimed {options.ClaimsPerDay} customers today; the limit resets tomorrow");
        }
        if (holding >= options.HoldingCap)
        {
            throw new PreconditionFailedException($"'{claimantId}' already holds {holding} customers, the cap is {options.HoldingCap}");
        }
        if (previousOwnerId == claimantId && now < releasedAt + options.ReclaimCooldown)
        {
            throw new PreconditionFailedException($"'{claimantId}' released this customer and may claim it back from {releasedAt + options.ReclaimCooldown:yyyy-MM-dd HH:mm}Z");
        }
    }
}

/// <summary>
/// A claim the pool reserved for <see cref="OwnerId"/>: the entry is out of the pool and the day's claim counted
/// (<see cref="Counted"/>) until the customer confirms it (its owner is written) or releases it (its write failed).
/// An unconfirmed reservation expires after <see cref="PoolOptions.ReservationTimeout"/>.
/// </summary>
[GenerateSerializer, Immutable, Alias("actorsales.PoolClaim")]
public sealed record PoolClaim(
    [property: Id(0)] string ReservationId,
    [property: Id(1)] string CustomerId,
    [property: Id(2)] string OwnerId,
    [property: Id(3)] DateOnly Day,
    [property: Id(4)] bool Counted);
