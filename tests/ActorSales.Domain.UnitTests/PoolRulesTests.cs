using ActorSales.Domain.Customers;
using ActorSales.Domain.Deadlines;
using ActorSales.Domain.Errors;

namespace ActorSales.Domain.UnitTests;

public sealed class PoolRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);
    private static readonly PoolOptions Options = new();

    [Fact]
    public void The_holding_cap_binds_claims_and_manager_assignments_alike()
    {
        Assert.Contains("the cap is 200", Assert.Throws<PreconditionFailedException>(() =>
            PoolRules.EnsureMayClaim("rita", 0, 200, null, Now, Now, Options, managerAssignment: true)).Message, StringComparison.Ordinal);
        PoolRules.EnsureMayClaim("rita", 0, 199, null, Now, Now, Options, managerAssignment: false);
    }

    [Fact]
    public void The_daily_limit_binds_claims_but_not_manager_assignments()
    {
        Assert.Throws<PreconditionFailedException>(() => PoolRules.EnsureMayClaim("rita", 5, 0, null, Now, Now, Options, managerAssignment: false));
        PoolRules.EnsureMayClaim("rita", 5, 0, null, Now, Now, Options, managerAssignment: true);
    }

    [Fact]
    public void The_previous_owner_waits_seven_days_others_do_not()
    {
        Assert.Throws<PreconditionFailedException>(() => PoolRules.EnsureMayClaim("rita", 0, 0, "rita", Now, Now.AddDays(7).AddSeconds(-1), Options, false));
        PoolRules.EnsureMayClaim("rita", 0, 0, "rita", Now, Now.AddDays(7), Options, false);
        PoolRules.EnsureMayClaim("ron", 0, 0, "rita", Now, Now, Options, false);
    }

    [Theory]
    [InlineData(CustomerTier.A, 30, 45)]
    [InlineData(CustomerTier.B, 15, 30)]
    [InlineData(CustomerTier.C, null, 15)]
    public void Release_follows_the_tier_and_warns_fifteen_days_ahead(CustomerTier tier, int? warnDays, int releaseDays)
    {
        var deadlines = ReleaseRules.DeadlinesFor(tier, Now, null, new DeadlineOptions());

        Assert.Equal(Now.AddDays(releaseDays), deadlines.Single(d => d.Rule == ReleaseRules.Release).DueAt);
        Assert.Equal(warnDays is { } w ? Now.AddDays(w) : null, deadlines.SingleOrDefault(d => d.Rule == ReleaseRules.Warning)?.DueAt);
    }
}
