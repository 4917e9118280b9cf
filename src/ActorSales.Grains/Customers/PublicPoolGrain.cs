using ActorSales.Domain.Customers;
using ActorSales.Domain.Deadlines;
using ActorSales.Domain.Errors;
using ActorSales.Domain.Identity;
using ActorSales.Grains.Abstractions;
using ActorSales.Grains.Abstractions.Customers;
using ActorSales.Grains.Abstractions.People;
using ActorSales.Grains.Deadlines;
using ActorSales.Grains.Infrastructure;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ActorSales.Grains.Customers;

[GenerateSerializer, Alias("actorsales.PublicPoolState")]
public sealed class PublicPoolState
{
    [Id(0)] public Dictionary<string, PoolEntry> Entries { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Claims per person on one (team-local) day: person -> (day, count).</summary>
    [Id(1)] public Dictionary<string, ClaimCount> ClaimsToday { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Claims taken but not yet confirmed by their customer, by customer id; their entries are out of the pool.</summary>
    [Id(2)] public Dictionary<string, PoolReservation> Reservations { get; set; } = new(StringComparer.Ordinal);

    /// <summary>When the expiry reminder is registered for; null when none is.</summary>
    [Id(3)] public DateTimeOffset? ReminderDueAt { get; set; }
}

[GenerateSerializer, Immutable, Alias("actorsales.ClaimCount")]
public sealed record ClaimCount([property: Id(0)] DateOnly Day, [property: Id(1)] int Count);

/// <summary>A reserved claim, the entry it took out of the pool, and when it is given back unless confirmed.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.PoolReservation")]
public sealed record PoolReservation([property: Id(0)] PoolClaim Claim, [property: Id(1)] PoolEntry Entry, [property: Id(2)] DateTimeOffset ExpiresAt);

/// <summary>
/// A team's public pool. It never calls a customer: claims and assignments go to the customer, which asks the pool to
/// reserve the claim. Reservations are serialised by the grain, so the per-day limit, the holding cap and the previous
/// owner's cooldown hold however many people claim at once, and the reserved entry leaves the pool, so each customer
/// gets one new owner. The customer confirms the reservation once its owner is written (an idempotent effect) or
/// releases it if the write failed; one neither confirmed nor released (its customer's silo died in between) expires
/// after <see cref="PoolOptions.ReservationTimeout"/> on the pool's own deadline: the entry is listed again and the
/// claim given back.
/// </summary>
public sealed class PublicPoolGrain(
    [PersistentState("pool", StorageNames.Default)] IPersistentState<PublicPoolState> state,
    IOptions<PoolOptions> options,
    TimeProvider clock,
    ActorSalesMetrics metrics,
    ILogger<PublicPoolGrain> logger) : Grain, IPublicPoolGrain, IRemindable
{
    private const string ExpiryRule = "pool-reservation-expiry";

    private DeadlineScheduler _deadlines = null!;

    private string TeamId => this.GetPrimaryKeyString();

    private PublicPoolState S => state.State;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _deadlines = new DeadlineScheduler(this, clock, OnExpiryDue, logger, S.ReminderDueAt);
        return Schedule();
    }

    public Task ReceiveReminder(string reminderName, TickStatus status) => _deadlines.FireDueAsync(Desired);

    public async Task Add(PoolEntry entry)
    {
        if (!S.Entries.ContainsKey(entry.CustomerId) && !S.Reservations.ContainsKey(entry.CustomerId))
        {
            S.Entries[entry.CustomerId] = entry;
            await Write();
        }
    }

    public Task<Page<PoolEntry>> List(Caller caller, CustomerTier? tier, string? industry, int pageSize, string? afterCursor)
    {
        AccessPolicy.EnsureCanReadTeam(caller, TeamId);
        var matching = S.Entries.Values
            .Where(e => tier is null || e.Tier == tier)
            .Where(e => industry is null || string.Equals(e.Industry, industry, StringComparison.OrdinalIgnoreCase))
            .Select(e => (Cursor: $"{(DateTimeOffset.MaxValue - e.ReleasedAt).Ticks:D19}|{e.CustomerId}", Entry: e))
            .Where(e => afterCursor is null || string.CompareOrdinal(e.Cursor, afterCursor) > 0)
            .OrderBy(e => e.Cursor, StringComparer.Ordinal)
            .Take(pageSize + 1)
            .ToList();
        var more = matching.Count > pageSize;
        var page = matching.Take(pageSize).ToList();
        return Task.FromResult(new Page<PoolEntry>(page.Select(e => e.Entry).ToList(), more ? page[^1].Cursor : null, S.Entries.Count));
    }

    public async Task<PoolClaim> Reserve(string customerId, string ownerId, bool managerAssignment)
    {
        if (!S.Entries.TryGetValue(customerId, out var entry))
        {
            throw new NotFoundException("pool entry", customerId);
        }
        var now = clock.GetUtcNow();
        var today = await Today(now);
        var claims = S.ClaimsToday.TryGetValue(ownerId, out var count) && count.Day == today ? count.Count : 0;
        // Reserved claims are not in the owner's book yet, but will be: they count towards the cap.
        var holding = await GrainFactory.GetGrain<ISalespersonGrain>(ownerId).OwnedCount()
            + S.Reservations.Values.Count(r => r.Claim.OwnerId == ownerId);
        var kind = new KeyValuePair<string, object?>("kind", managerAssignment ? "assignment" : "claim");
        try
        {
            PoolRules.EnsureMayClaim(ownerId, claims, holding, entry.PreviousOwnerId, entry.ReleasedAt, now, options.Value, managerAssignment);
        }
        catch (DomainException)
        {
            metrics.PoolClaims.Add(1, kind, new("outcome", "refused"));
            throw;
        }
        metrics.PoolClaims.Add(1, kind, new("outcome", "reserved"));

        var claim = new PoolClaim(Guid.NewGuid().ToString("N"), customerId, ownerId, today, Counted: !managerAssignment);
        S.Entries.Remove(customerId);
        S.Reservations[customerId] = new PoolReservation(claim, entry, now + options.Value.ReservationTimeout);
        if (claim.Counted)
        {
            S.ClaimsToday[ownerId] = new ClaimCount(today, claims + 1);
        }
        await Write();
        await Schedule();
        return claim;
    }

    public async Task Confirm(PoolClaim claim)
    {
        if (S.Reservations.TryGetValue(claim.CustomerId, out var reservation) && reservation.Claim.ReservationId == claim.ReservationId)
        {
            S.Reservations.Remove(claim.CustomerId);
        }
        else if (S.Entries.Remove(claim.CustomerId))
        {
            // The reservation expired before this confirmation came (the customer's effects waited on an unreachable
            // pool) and listed the customer again; the customer is owned, so the entry goes and the claim counts again.
            // Any later entry of this customer comes after this confirmation: its effects run in order.
            Count(claim, +1);
        }
        else
        {
            return; // already confirmed: a replayed effect
        }
        await Write();
        await Schedule();
    }

    public async Task Release(PoolClaim claim)
    {
        if (S.Reservations.TryGetValue(claim.CustomerId, out var reservation) && reservation.Claim.ReservationId == claim.ReservationId)
        {
            GiveBack(reservation);
            await Write();
            await Schedule();
        }
    }

    /// <summary>The entry is listed again and the claim no longer counts against the person's day.</summary>
    private void GiveBack(PoolReservation reservation)
    {
        S.Reservations.Remove(reservation.Claim.CustomerId);
        S.Entries[reservation.Claim.CustomerId] = reservation.Entry;
        Count(reservation.Claim, -1);
    }

    private void Count(PoolClaim claim, int delta)
    {
        if (!claim.Counted)
        {
            return;
        }
        var current = S.ClaimsToday.TryGetValue(claim.OwnerId, out var count) && count.Day == claim.Day ? count.Count : 0;
        if (current + delta >= 0 && (count is null || count.Day == claim.Day))
        {
            S.ClaimsToday[claim.OwnerId] = new ClaimCount(claim.Day, current + delta);
        }
    }

    private List<Deadline> Desired() =>
        S.Reservations.Count == 0 ? [] : [new Deadline(ExpiryRule, S.Reservations.Values.Min(r => r.ExpiresAt))];

    private async Task OnExpiryDue(Deadline deadline)
    {
        var now = clock.GetUtcNow();
        var expired = S.Reservations.Values.Where(r => r.ExpiresAt <= now).ToList();
        if (expired.Count > 0)
        {
            expired.ForEach(GiveBack);
            await Write();
        }
        await Schedule();
    }

    private async Task Schedule()
    {
        await _deadlines.ScheduleAsync(Desired());
        S.ReminderDueAt = _deadlines.ReminderDueAt;
    }

    private async Task Write()
    {
        S.ReminderDueAt = await _deadlines.ReminderForWriteAsync(Desired());
        await state.WriteOrConflictAsync("pool", TeamId);
    }

    /// <summary>The day in the team's time zone: "per day" limits reset at the team's midnight.</summary>
    private async Task<DateOnly> Today(DateTimeOffset now)
    {
        var zoneId = (await GrainFactory.GetGrain<ITeamGrain>(TeamId).Find())?.Profile.TimeZone;
        var zone = zoneId is not null && TimeZoneInfo.TryFindSystemTimeZoneById(zoneId, out var found) ? found : TimeZoneInfo.Utc;
        return DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, zone).DateTime);
    }
}
