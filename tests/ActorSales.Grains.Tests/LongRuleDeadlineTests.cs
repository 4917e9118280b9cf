using ActorSales.Domain.Customers;
using ActorSales.Domain.Deadlines;
using ActorSales.Domain.Handovers;
using ActorSales.Domain.Identity;
using ActorSales.Domain.Pipeline;
using ActorSales.Grains.Abstractions.Customers;
using ActorSales.Grains.Abstractions.Handovers;
using ActorSales.Grains.Abstractions.Notifications;
using ActorSales.Grains.Abstractions.Opportunities;
using Microsoft.Extensions.DependencyInjection;
using Notification = ActorSales.Domain.Deadlines.Notification;

namespace ActorSales.Grains.Tests;

/// <summary>A cluster whose every configurable deadline rule is set past Orleans' 49.7-day grain-timer limit.</summary>
public sealed class LongRulesClusterFixture : ClusterFixture
{
    public static readonly TimeSpan KeyCustomerFollowUp = TimeSpan.FromDays(60);
    public static readonly TimeSpan ReleaseWarning = TimeSpan.FromDays(100);
    public static readonly TimeSpan ReleaseB = TimeSpan.FromDays(200);
    public static readonly TimeSpan SignalDecay = TimeSpan.FromDays(75);
    public static readonly TimeSpan HandoverReminder = TimeSpan.FromDays(55);
    public static readonly TimeSpan HandoverAcceptance = TimeSpan.FromDays(80);

    protected override void ConfigureRules(IServiceCollection services)
    {
        services.Configure<DeadlineOptions>(o =>
        {
            o.KeyCustomerFollowUpAfter = KeyCustomerFollowUp;
            o.ReleaseAfterTierA = TimeSpan.FromDays(300);
            o.ReleaseAfterTierB = ReleaseB;
            o.ReleaseAfterTierC = TimeSpan.FromDays(150);
            o.ReleaseWarningBefore = ReleaseB - ReleaseWarning;
        });
        services.Configure<OpportunityOptions>(o => o.SignalDecayAfter = SignalDecay);
        services.Configure<HandoverOptions>(o =>
        {
            o.RemindAfter = HandoverReminder;
            o.AcceptWithin = HandoverAcceptance;
        });
    }
}

/// <summary>
/// The sweep for the 49.7-day defect over every deadline rule but stage limits (<see cref="LongDeadlineTests"/>): each,
/// configured beyond the timer limit, fires once at its due time on fake time and not a second earlier.
/// </summary>
public sealed class LongRuleDeadlineTests(LongRulesClusterFixture fixture) : IClassFixture<LongRulesClusterFixture>
{
    private async Task<List<Notification>> Notices(Caller user, string kind) => [.. await fixture.NoticesAsync(user, kind)];

    /// <summary>Advances to one second before <paramref name="due"/> (counted from now), reads, then to the due time.</summary>
    private async Task<T> JustBeforeThenAt<T>(TimeSpan due, Func<Task<T>> read)
    {
        fixture.Clock.Advance(due - TimeSpan.FromSeconds(1));
        var before = await read();
        fixture.Clock.Advance(TimeSpan.FromSeconds(1));
        return before;
    }

    [Fact]
    public async Task A_60_day_key_customer_follow_up_fires_once_at_its_due_time()
    {
        var team = await fixture.CreateTeamAsync();
        await fixture.RegisterCustomerAsync(team, team.Rep.UserId, CustomerTier.A);

        var before = await JustBeforeThenAt(LongRulesClusterFixture.KeyCustomerFollowUp, () => Notices(team.Rep, "key_customer_follow_up"));
        var at = await ClusterFixture.EventuallyAsync(() => Notices(team.Rep, "key_customer_follow_up"), n => n.Count > 0);
        fixture.Clock.Advance(TimeSpan.FromDays(10));

        Assert.Empty(before);
        Assert.Single(at);
        Assert.Single(await Notices(team.Rep, "key_customer_follow_up"));
    }

    [Fact]
    public async Task A_100_day_release_warning_and_a_200_day_release_fire_once_each()
    {
        var team = await fixture.CreateTeamAsync();
        var customer = await fixture.RegisterCustomerAsync(team, team.Rep.UserId, CustomerTier.B);

        var beforeWarning = await JustBeforeThenAt(LongRulesClusterFixture.ReleaseWarning, () => Notices(team.Rep, "release_warning"));
        var warned = await ClusterFixture.EventuallyAsync(() => Notices(team.Rep, "release_warning"), n => n.Count > 0);
        var beforeRelease = await JustBeforeThenAt(LongRulesClusterFixture.ReleaseB - LongRulesClusterFixture.ReleaseWarning, () => customer.Get(team.Manager));
        var released = await ClusterFixture.EventuallyAsync(() => customer.Get(team.Manager), c => c.InPool);

        Assert.Empty(beforeWarning);
        Assert.Single(warned);
        Assert.False(beforeRelease.InPool);
        Assert.True(released.InPool);
        Assert.Single(await Notices(team.Rep, "release_warning"));
    }

    [Fact]
    public async Task A_75_day_signal_decay_fires_once_at_its_due_time()
    {
        var team = await fixture.CreateTeamAsync();
        var deal = await fixture.OpenDealAsync(team, team.Rep);
        await deal.AddEvidence("price_request", "mail-1", "", team.Rep);
        await deal.SetSignal(new SignalChange(ForecastSignal.L1, [], null), 0, team.Rep);

        var before = await JustBeforeThenAt(LongRulesClusterFixture.SignalDecay, () => deal.Get(team.Rep));
        var stuck = await ClusterFixture.EventuallyAsync(() => deal.Get(team.Rep), v => v.NeedsIntervention);
        var notices = await ClusterFixture.EventuallyAsync(() => Notices(team.Manager, "signal_decay"), n => n.Count > 0);
        fixture.Clock.Advance(TimeSpan.FromDays(30));

        Assert.False(before.NeedsIntervention);
        Assert.True(stuck.NeedsIntervention);
        Assert.Single(notices);
        Assert.Single(await Notices(team.Manager, "signal_decay"));
    }

    [Fact]
    public async Task A_55_day_acceptance_reminder_and_an_80_day_escalation_fire_once_each()
    {
        var team = await fixture.CreateTeamAsync();
        await fixture.RegisterCustomerAsync(team, team.Rep.UserId, CustomerTier.B);
        var handover = fixture.Grains.GetGrain<IHandoverGrain>(team.Rep.UserId);
        await handover.Start(new DepartureRequest(null, team.OtherRep.UserId, []), team.Manager);
        await ClusterFixture.EventuallyAsync(() => Notices(team.OtherRep, "handover_package"), n => n.Count > 0);

        var beforeReminder = await JustBeforeThenAt(LongRulesClusterFixture.HandoverReminder, () => Notices(team.OtherRep, "handover_reminder"));
        var reminded = await ClusterFixture.EventuallyAsync(() => Notices(team.OtherRep, "handover_reminder"), n => n.Count > 0);
        var beforeEscalation = await JustBeforeThenAt(
            LongRulesClusterFixture.HandoverAcceptance - LongRulesClusterFixture.HandoverReminder, () => Notices(team.Manager, "handover_overdue"));
        var escalated = await ClusterFixture.EventuallyAsync(() => Notices(team.Manager, "handover_overdue"), n => n.Count > 0);
        fixture.Clock.Advance(TimeSpan.FromDays(30));

        Assert.Empty(beforeReminder);
        Assert.Single(reminded);
        Assert.Empty(beforeEscalation);
        Assert.Single(escalated);
        Assert.True(Assert.Single((await handover.Get(team.Manager)).Packages).Escalated);
        Assert.Single(await Notices(team.OtherRep, "handover_reminder"));
    }
}
