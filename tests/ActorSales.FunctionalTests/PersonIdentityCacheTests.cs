using ActorSales.Domain.Identity;
using ActorSales.Domain.People;
using ActorSales.Gateway.Identity;
using ActorSales.Grains.Abstractions.People;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Orleans.Runtime;

namespace ActorSales.FunctionalTests;

/// <summary>
/// Caller identities: a change reaches tokens already issued within a second, and a salesperson grain on a lost silo
/// does not block its user's calls while the cluster has not yet declared that silo dead.
/// </summary>
public sealed class PersonIdentityCacheTests
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private PersonIdentity _stored = new("rita", Role.Rep, "north", SalespersonStatus.Active);
    private Func<Task<PersonIdentity?>>? _grain;
    private int _lookups;

    private PersonIdentityCache Cache() => new(_ =>
    {
        _lookups++;
        return _grain?.Invoke() ?? Task.FromResult<PersonIdentity?>(_stored);
    }, _clock, NullLogger<PersonIdentityCache>.Instance);

    [Fact]
    public async Task A_freeze_or_role_change_applies_within_a_second_and_calls_in_between_ask_no_grain()
    {
        var cache = Cache();
        var first = await cache.GetAsync("rita");
        _stored = _stored with { Status = SalespersonStatus.Departing, Role = Role.Manager };
        _clock.Advance(PersonIdentityCache.Freshness - TimeSpan.FromMilliseconds(1));
        var withinTheSecond = await cache.GetAsync("rita");
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        var afterIt = await cache.GetAsync("rita");

        Assert.Equal(SalespersonStatus.Active, first!.Status);
        Assert.Same(first, withinTheSecond);
        Assert.Equal((SalespersonStatus.Departing, Role.Manager), (afterIt!.Status, afterIt.Role));
        Assert.Equal(2, _lookups);
    }

    [Fact]
    public async Task A_change_made_through_this_gateway_is_seen_at_once()
    {
        var cache = Cache();
        await cache.GetAsync("rita");
        _stored = _stored with { Status = SalespersonStatus.Departing };

        cache.Forget("rita");

        Assert.Equal(SalespersonStatus.Departing, (await cache.GetAsync("rita"))!.Status);
    }

    [Fact]
    public async Task An_unreachable_grain_is_stood_in_for_by_the_last_identity_until_the_stale_limit()
    {
        var cache = Cache();
        await cache.GetAsync("rita");
        _grain = () => Task.FromException<PersonIdentity?>(new SiloUnavailableException("the silo of rita's grain is gone"));
        _clock.Advance(TimeSpan.FromSeconds(5));

        var during = await cache.GetAsync("rita");
        _clock.Advance(PersonIdentityCache.StaleLimit);
        var past = await Assert.ThrowsAsync<SiloUnavailableException>(() => cache.GetAsync("rita"));

        Assert.Equal(("rita", SalespersonStatus.Active), (during!.Id, during.Status));
        Assert.Contains("gone", past.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_grain_that_does_not_answer_is_stood_in_for_after_the_lookup_timeout()
    {
        var cache = Cache();
        await cache.GetAsync("rita");
        var hanging = new TaskCompletionSource<PersonIdentity?>();
        _grain = () => hanging.Task;
        _clock.Advance(TimeSpan.FromSeconds(5));

        var pending = cache.GetAsync("rita");
        var beforeTimeout = pending.IsCompleted;
        _clock.Advance(PersonIdentityCache.LookupTimeout);
        var stoodIn = await pending;

        Assert.False(beforeTimeout);
        Assert.Equal("rita", stoodIn!.Id);
    }

    [Fact]
    public async Task A_user_never_seen_gets_the_grains_failure()
    {
        _grain = () => Task.FromException<PersonIdentity?>(new SiloUnavailableException("gone"));

        await Assert.ThrowsAsync<SiloUnavailableException>(() => Cache().GetAsync("sam"));
    }
}
