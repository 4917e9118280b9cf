using System.Globalization;
using ActorSales.Domain.Customers;
using ActorSales.Domain.Deadlines;
using ActorSales.Domain.Errors;
using ActorSales.Domain.Identity;
using ActorSales.Grains.Abstractions;
using ActorSales.Grains.Abstractions.Customers;
using ActorSales.Grains.Abstractions.People;
using ActorSales.Grains.Infrastructure;
using Microsoft.Extensions.Options;

namespace ActorSales.Grains.Customers;

[GenerateSerializer, Alias("actorsales.PublicPoolState")]
public sealed class PublicPoolState
{
    [Id(0)] public Dictionary<string, PoolEntry> Entries { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Claims per person on one (team-local) day: person -> (day, count).</summary>
    [Id(1)] public Dictionary<string, ClaimCount> ClaimsToday { get; set; } = new(StringComparer.Ordinal);
}

[GenerateSerializer, Immutable, Alias("actorsales.ClaimCount")]
public sealed record ClaimCount([property: Id(0)] DateOnly Day, [property: Id(1)] int Count);

/// <summary>
/// A team's public pool. Claims are serialised by the grain, so the per-day limit, the holding cap and the previous
/// owner's cooldown hold however many people claim at once; the customer grain's own compare-and-set (it must still be
/// in the pool) makes sure each customer gets exactly one new owner.
/// </summary>
public sealed class PublicPoolGrain(
    [PersistentState("pool", StorageNames.Default)] IPersistentState<PublicPoolState> state,
    IOptions<PoolOptions> options,
    TimeProvider clock) : Grain, IPublicPoolGrain
{
    private string TeamId => this.GetPrimaryKeyString();

    public async Task Add(PoolEntry entry)
    {
        if (!state.State.Entries.ContainsKey(entry.CustomerId))
        {
            state.State.Entries[entry.CustomerId] = entry;
            await state.WriteOrConflictAsync("pool", TeamId);
        }
    }

    public Task<Page<PoolEntry>> List(Caller caller, CustomerTier? tier, string? industry, int pageSize, string? afterCursor)
    {
        AccessPolicy.EnsureCanReadTeam(caller, TeamId);
        var matching = state.State.Entries.Values
            .Where(e => tier is null || e.Tier == tier)
            .Where(e => industry is null || string.Equals(e.Industry, industry, StringComparison.OrdinalIgnoreCase))
            .Select(e => (Cursor: $"{(DateTimeOffset.MaxValue - e.ReleasedAt).Ticks:D19}|{e.CustomerId}", Entry: e))
            .Where(e => afterCursor is null || string.CompareOrdinal(e.Cursor, afterCursor) > 0)
            .OrderBy(e => e.Cursor, StringComparer.Ordinal)
            .Take(pageSize + 1)
            .ToList();
        var more = matching.Count > pageSize;
        var page = matching.Take(pageSize).ToList();
        return Task.FromResult(new Page<PoolEntry>(page.Select(e => e.Entry).ToList(), more ? page[^1].Cursor : null, state.State.Entries.Count));
    }

    public async Task<CustomerView> Claim(string customerId, Caller caller)
    {
        AccessPolicy.EnsureCanClaimFromPool(caller, TeamId);
        return await GiveAway(customerId, caller.UserId, caller.UserId, managerAssignment: false);
    }

    public async Task<CustomerView> Assign(string customerId, string ownerId, Caller caller)
    {
        AccessPolicy.EnsureCanAssignFromPool(caller, TeamId);
        var person = await GrainFactory.GetGrain<ISalespersonGrain>(ownerId).GetIdentity() ?? throw new NotFoundException("salesperson", ownerId);
        if (person.TeamId != TeamId)
        {
            throw new PreconditionFailedException($"owner_id: '{ownerId}' is not a member of team '{TeamId}'");
        }
        return await GiveAway(customerId, ownerId, caller.UserId, managerAssignment: true);
    }

    private async Task<CustomerView> GiveAway(string customerId, string ownerId, string actorId, bool managerAssignment)
    {
        if (!state.State.Entries.TryGetValue(customerId, out var entry))
        {
            throw new NotFoundException("pool entry", customerId);
        }
        var now = clock.GetUtcNow();
        var today = await Today(now);
        var claims = state.State.ClaimsToday.TryGetValue(ownerId, out var count) && count.Day == today ? count.Count : 0;
        var holding = await GrainFactory.GetGrain<ISalespersonGrain>(ownerId).OwnedCount();
        PoolRules.EnsureMayClaim(ownerId, claims, holding, entry.PreviousOwnerId, entry.ReleasedAt, now, options.Value, managerAssignment);

        CustomerView view;
        try
        {
            view = await GrainFactory.GetGrain<ICustomerGrain>(customerId).AssignFromPool(ownerId, actorId, managerAssignment);
        }
        catch (PreconditionFailedException)
        {
            // The customer left the pool by another path: drop the stale entry and say so.
            state.State.Entries.Remove(customerId);
            await state.WriteOrConflictAsync("pool", TeamId);
            throw new NotFoundException("pool entry", customerId);
        }
        state.State.Entries.Remove(customerId);
        if (!managerAssignment)
        {
            state.State.ClaimsToday[ownerId] = new ClaimCount(today, claims + 1);
        }
        await state.WriteOrConflictAsync("pool", TeamId);
        return view;
    }

    /// <summary>The day in the team's time zone: "per day" limits reset at the team's midnight.</summary>
    private async Task<DateOnly> Today(DateTimeOffset now)
    {
        var zoneId = (await GrainFactory.GetGrain<ITeamGrain>(TeamId).Find())?.Profile.TimeZone;
        var zone = zoneId is not null && TimeZoneInfo.TryFindSystemTimeZoneById(zoneId, out var found) ? found : TimeZoneInfo.Utc;
        return DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, zone).DateTime);
    }
}
