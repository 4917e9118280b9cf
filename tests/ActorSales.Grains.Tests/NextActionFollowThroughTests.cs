using ActorSales.Domain.Customers;
using ActorSales.Domain.Deadlines;
using ActorSales.Domain.Errors;
using ActorSales.Domain.Identity;
using ActorSales.Grains.Abstractions;
using ActorSales.Grains.Abstractions.Customers;
using ActorSales.Grains.Abstractions.Notifications;
using Notification = ActorSales.Domain.Deadlines.Notification;

namespace ActorSales.Grains.Tests;

/// <summary>
/// A customer's planned next action on fake time: the owner is reminded when it falls due, the manager asked to confirm it
/// 48 h later, the director told 48 h after that; each once, and each cleared by the right action.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class NextActionFollowThroughTests(ClusterFixture fixture)
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    private async Task<List<Notification>> Notices(Caller user) =>
        (await fixture.Grains.GetGrain<INotificationInboxGrain>(user.UserId).List(user, 500, null, false)).Items
            .Where(n => n.Kind == "next_action_follow_through").ToList();

    private async Task<ICustomerGrain> PlannedAsync(TestTeam team)
    {
        var customer = fixture.Grains.GetGrain<ICustomerGrain>(GrainKeys.NewCustomerId());
        await customer.Register(new CustomerDetails("Plan Clinic", $"Plan {Guid.NewGuid():N}", "Health", CustomerTier.B, [], null, SourceChannel.Referral), team.Rep.UserId, team.Rep);
        var now = fixture.Clock.GetUtcNow();
        await customer.LogActivity(new ActivityDraft(ActivityKind.Note, now, "promised a quote", "send the quote", now.AddDays(1), null), team.Rep);
        return customer;
    }

    [Fact]
    public async Task An_undone_next_action_reminds_the_owner_asks_the_manager_then_the_director_each_once_and_not_before()
    {
        var team = await fixture.CreateTeamAsync();
        var director = await fixture.AppointDirectorAsync(team);
        var customer = await PlannedAsync(team);

        fixture.Clock.Advance(TimeSpan.FromDays(1) - Second);
        await customer.Get(team.Rep); // a turn after the advance: a due timer would have run first
        var beforeDue = await Notices(team.Rep);
        fixture.Clock.Advance(Second);
        var owner = await ClusterFixture.EventuallyAsync(() => Notices(team.Rep), n => n.Count > 0);
        fixture.Clock.Advance(TimeSpan.FromHours(48) - Second);
        await customer.Get(team.Rep);
        var beforeAsk = await Notices(team.Manager);
        fixture.Clock.Advance(Second);
        var manager = await ClusterFixture.EventuallyAsync(() => Notices(team.Manager), n => n.Count > 0);
        fixture.Clock.Advance(TimeSpan.FromHours(48) - Second);
        await customer.Get(team.Rep);
        var beforeEscalation = await Notices(director);
        fixture.Clock.Advance(Second);
        var escalated = await ClusterFixture.EventuallyAsync(() => Notices(director), n => n.Count > 0);
        fixture.Clock.Advance(TimeSpan.FromDays(5));
        await customer.Get(team.Rep);

        Assert.Empty(beforeDue);
        Assert.Contains("'send the quote'", Assert.Single(owner).Message, StringComparison.Ordinal);
        Assert.Empty(beforeAsk);
        Assert.Contains("please confirm", Assert.Single(manager).Message, StringComparison.Ordinal);
        Assert.Empty(beforeEscalation);
        Assert.Equal(NotificationSeverity.Critical, Assert.Single(escalated).Severity);
        Assert.Equal((1, 1, 1), ((await Notices(team.Rep)).Count, (await Notices(team.Manager)).Count, (await Notices(director)).Count));
        Assert.DoesNotContain(await customer.ArmedDeadlines(), d => FollowThroughRules.IsRule(d.Rule));
    }

    [Fact]
    public async Task A_real_contact_after_the_plan_does_it_and_nobody_is_asked()
    {
        var team = await fixture.CreateTeamAsync();
        var director = await fixture.AppointDirectorAsync(team);
        var customer = await PlannedAsync(team);

        fixture.Clock.Advance(TimeSpan.FromDays(1));
        var owner = await ClusterFixture.EventuallyAsync(() => Notices(team.Rep), n => n.Count > 0);
        await customer.LogActivity(new ActivityDraft(ActivityKind.Call, fixture.Clock.GetUtcNow(), "sent and explained the quote", null, null, null, DurationSeconds: 300), team.Rep);
        var armed = await customer.ArmedDeadlines();
        fixture.Clock.Advance(TimeSpan.FromDays(5));
        await customer.Get(team.Rep);

        Assert.Single(owner);
        Assert.DoesNotContain(armed, d => FollowThroughRules.IsRule(d.Rule));
        Assert.Empty(await Notices(team.Manager));
        Assert.Empty(await Notices(director));
    }

    [Fact]
    public async Task A_new_next_action_replaces_the_old_one_and_its_clock_starts_over()
    {
        var team = await fixture.CreateTeamAsync();
        var customer = await PlannedAsync(team);
        var now = fixture.Clock.GetUtcNow();

        await customer.LogActivity(new ActivityDraft(ActivityKind.Email, now, "asked for the budget", "book the demo", now.AddDays(3), null), team.Rep);
        var armed = (await customer.ArmedDeadlines()).Where(d => FollowThroughRules.IsRule(d.Rule)).ToList();

        Assert.Equal([now.AddDays(3), now.AddDays(5), now.AddDays(7)], armed.Select(d => d.DueAt).Order());
    }

    [Fact]
    public async Task The_managers_confirmation_keeps_it_from_the_director_and_only_the_manager_may_give_it()
    {
        var team = await fixture.CreateTeamAsync();
        var director = await fixture.AppointDirectorAsync(team);
        var customer = await PlannedAsync(team);
        var unplanned = fixture.Grains.GetGrain<ICustomerGrain>(GrainKeys.NewCustomerId());
        await unplanned.Register(new CustomerDetails("Quiet Clinic", $"Quiet {Guid.NewGuid():N}", "Health", CustomerTier.B, [], null, SourceChannel.Referral), team.Rep.UserId, team.Rep);

        fixture.Clock.Advance(TimeSpan.FromDays(3));
        var asked = await ClusterFixture.EventuallyAsync(() => Notices(team.Manager), n => n.Count > 0);
        var byRep = await Assert.ThrowsAsync<AccessDeniedException>(() => customer.ConfirmNextAction(team.Rep));
        var outsider = await fixture.CreateTeamAsync();
        var byOtherTeam = await Assert.ThrowsAsync<AccessDeniedException>(() => customer.ConfirmNextAction(outsider.Manager));
        var confirmed = await customer.ConfirmNextAction(team.Manager);
        var again = await customer.ConfirmNextAction(team.Manager);
        var nothingToConfirm = await Assert.ThrowsAsync<PreconditionFailedException>(() => unplanned.ConfirmNextAction(team.Manager));
        fixture.Clock.Advance(TimeSpan.FromDays(3));
        await customer.Get(team.Rep);

        Assert.Single(asked);
        Assert.Contains("only the owner's manager", byRep.Message, StringComparison.Ordinal);
        Assert.IsType<AccessDeniedException>(byOtherTeam);
        Assert.Equal(confirmed.Version, again.Version); // once per plan
        Assert.Contains("no open next action", nothingToConfirm.Message, StringComparison.Ordinal);
        Assert.Empty(await Notices(director));
    }
}
