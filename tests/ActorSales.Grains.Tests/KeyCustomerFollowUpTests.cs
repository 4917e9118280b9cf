using ActorSales.Domain.Customers;
using ActorSales.Domain.Identity;
using ActorSales.Grains.Abstractions;
using ActorSales.Grains.Abstractions.Customers;
using ActorSales.Grains.Abstractions.Notifications;
using Notification = ActorSales.Domain.Deadlines.Notification;

namespace ActorSales.Grains.Tests;

/// <summary>Key-customer follow-up on fake time: an A-tier customer without real follow-up for 3 days tells owner and manager.</summary>
[Collection(ClusterCollection.Name)]
public sealed class KeyCustomerFollowUpTests(ClusterFixture fixture)
{
    private async Task<List<Notification>> Notices(Caller user) =>
        (await fixture.Grains.GetGrain<INotificationInboxGrain>(user.UserId).List(user, 500, null, false)).Items
            .Where(n => n.Kind == "key_customer_follow_up").ToList();

    private async Task<ICustomerGrain> RegisterAsync(TestTeam team, CustomerTier tier)
    {
        var customer = fixture.Grains.GetGrain<ICustomerGrain>(GrainKeys.NewCustomerId());
        await customer.Register(new CustomerDetails("Key Hospital", $"Key {Guid.NewGuid():N}", "Health", tier, [], null, SourceChannel.Referral), team.Rep.UserId, team.Rep);
        return customer;
    }

    [Fact]
    public async Task Three_days_without_real_follow_up_tell_owner_and_manager_once()
    {
        var team = await fixture.CreateTeamAsync();
        var customer = await RegisterAsync(team, CustomerTier.A);

        fixture.Clock.Advance(TimeSpan.FromDays(3) - TimeSpan.FromSeconds(1));
        await customer.Get(team.Rep); // a turn after the advance: a due timer would have run first
        var before = await Notices(team.Rep);
        fixture.Clock.Advance(TimeSpan.FromSeconds(1));
        var owner = await ClusterFixture.EventuallyAsync(() => Notices(team.Rep), n => n.Count > 0);
        var manager = await ClusterFixture.EventuallyAsync(() => Notices(team.Manager), n => n.Count > 0);
        fixture.Clock.Advance(TimeSpan.FromDays(1));
        await customer.Get(team.Rep);

        Assert.Empty(before);
        Assert.Single(owner);
        Assert.Single(manager);
        Assert.Single(await Notices(team.Rep));
    }

    [Fact]
    public async Task An_email_does_not_restart_the_clock_but_a_visit_does()
    {
        var team = await fixture.CreateTeamAsync();
        var customer = await RegisterAsync(team, CustomerTier.A);
        fixture.Clock.Advance(TimeSpan.FromDays(2));
        await customer.LogActivity(new ActivityDraft(ActivityKind.Email, fixture.Clock.GetUtcNow(), "sent brochure", null, null, null), team.Rep);

        fixture.Clock.Advance(TimeSpan.FromDays(1));
        var afterEmail = await ClusterFixture.EventuallyAsync(() => Notices(team.Rep), n => n.Count > 0);
        await customer.LogActivity(new ActivityDraft(ActivityKind.Visit, fixture.Clock.GetUtcNow(), "met the head of cardiology", null, null, null), team.Rep);
        fixture.Clock.Advance(TimeSpan.FromDays(3) - TimeSpan.FromSeconds(1));
        await customer.Get(team.Rep);
        var beforeNext = await Notices(team.Rep);
        fixture.Clock.Advance(TimeSpan.FromSeconds(1));
        var afterVisitClock = await ClusterFixture.EventuallyAsync(() => Notices(team.Rep), n => n.Count > 1);

        Assert.Single(afterEmail);      // day 3 counted from the assignment: the email changed nothing
        Assert.Single(beforeNext);      // the visit restarted the clock
        Assert.Equal(2, afterVisitClock.Count);
    }

    [Fact]
    public async Task Customers_below_tier_a_have_no_key_customer_deadline()
    {
        var team = await fixture.CreateTeamAsync();
        var customer = await RegisterAsync(team, CustomerTier.B);

        fixture.Clock.Advance(TimeSpan.FromDays(10));
        await customer.Get(team.Rep);

        Assert.Empty(await Notices(team.Rep));
    }
}
