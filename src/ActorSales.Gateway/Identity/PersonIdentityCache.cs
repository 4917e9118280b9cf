using System.Collections.Concurrent;
using ActorSales.Grains.Abstractions.People;
using Microsoft.Extensions.Logging;

namespace ActorSales.Gateway.Identity;

/// <summary>
/// Who a caller is (role, team, status), as the gateway last learnt it from the salesperson grain.
/// <list type="bullet">
/// <item>An identity younger than <see cref="Freshness"/> is served without asking: a role change, team move or freeze
/// applies to tokens already issued within that second, and most RPCs skip a grain call.</item>
/// <item>An older one is asked for again. If the grain cannot answer within <see cref="LookupTimeout"/> (its silo died
/// and is not yet declared dead), the last identity stands in for up to <see cref="StaleLimit"/>. That is safe: while the
/// grain cannot be reached, nothing can change it either, so the stale identity is still the stored one; without it
/// every call of a user whose grain lived on the lost silo would fail for the whole failure-detection window.</item>
/// </list>
/// </summary>
public sealed partial class PersonIdentityCache
{
    /// <summary>How long an identity is served without asking its grain.</summary>
    public static readonly TimeSpan Freshness = TimeSpan.FromSeconds(1);

    /// <summary>How long a lookup may take before the last identity stands in.</summary>
    public static readonly TimeSpan LookupTimeout = TimeSpan.FromSeconds(2);

    /// <summary>How long the last identity may stand in for an unreachable grain (well past failure detection).</summary>
    public static readonly TimeSpan StaleLimit = TimeSpan.FromMinutes(2);

    /// <summary>Entries kept at most; past it the cache starts over (every user is one entry, so this is a guard).</summary>
    public const int Capacity = 100_000;

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly Func<string, Task<PersonIdentity?>> _lookup;
    private readonly TimeProvider _clock;
    private readonly ILogger<PersonIdentityCache> _logger;

    public PersonIdentityCache(IGrainFactory grains, TimeProvider clock, ILogger<PersonIdentityCache> logger)
        : this(userId => grains.Ref<ISalespersonGrain>(userId).GetIdentity(), clock, logger)
    {
    }

    /// <summary>For tests: <paramref name="lookup"/> stands for the salesperson grain.</summary>
    public PersonIdentityCache(Func<string, Task<PersonIdentity?>> lookup, TimeProvider clock, ILogger<PersonIdentityCache> logger)
    {
        _lookup = lookup;
        _clock = clock;
        _logger = logger;
    }

    /// <summary>The identity of <paramref name="userId"/> (null: no salesperson record).</summary>
    public async Task<PersonIdentity?> GetAsync(string userId)
    {
        var known = _entries.TryGetValue(userId, out var entry) ? entry : null;
        if (known is not null && _clock.GetElapsedTime(known.FetchedAt) < Freshness)
        {
            return known.Identity;
        }
        try
        {
            var identity = await _lookup(userId).WaitAsync(LookupTimeout, _clock);
            if (_entries.Count >= Capacity)
            {
                _entries.Clear();
            }
            _entries[userId] = new Entry(identity, _clock.GetTimestamp());
            return identity;
        }
        catch (Exception exception) when (known is not null && _clock.GetElapsedTime(known.FetchedAt) < StaleLimit)
        {
            LogServedStale(exception, userId);
            return known.Identity;
        }
    }

    /// <summary>
    /// Drops what is known of <paramref name="userId"/>: this gateway changed them (role, team, a freeze), so its next call
    /// sees the change at once; other gateways see it within <see cref="Freshness"/>.
    /// </summary>
    public void Forget(string userId) => _entries.TryRemove(userId, out _);

    private sealed record Entry(PersonIdentity? Identity, long FetchedAt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The salesperson grain of {UserId} did not answer; its last known identity stands in")]
    private partial void LogServedStale(Exception exception, string userId);
}
