using ActorSales.Domain.Customers;
using ActorSales.Domain.Identity;
using ActorSales.Grains.Abstractions;
using ActorSales.Grains.Abstractions.Customers;
using ActorSales.Grains.Abstractions.Notifications;
using Notification = ActorSales.Domain.Deadlines.Notification;

namespace ActorSales.Grains.Tests;

/// <summary>The new-customer "3-2-1" SLA on fake time, in the team's time zone (Europe/Berlin, UTC+1 in November).</summary>
[Collection(ClusterCollection.Name)]
public sealed class NewCustomerSlaTests(ClusterFixture fixture)
{
    private async Task<List<Notification>> SlaNotices(Caller user) =>
        (await fixture.Grains.GetGrain<INotificationInboxGrain>(user.UserId).List(user, 500, null, false)).Items
            .Where(n => n.Kind == "new_customer_sla").ToList();

    /// <summary>Moves the shared clock forward to the next Friday 14:00 UTC (15:00 in Berlin).</summary>
    private DateTimeOffset AdvanceToNextFridayAfternoon()
    {
        var now = fixture.Clock.GetUtcNow();
        var target = new DateTimeOffset(now.Date, TimeSpan.Zero).AddHours(14);
        while (target <= now || target.DayOfWeek != DayOfWeek.Friday)
        {
            target = target.AddDays(1);
        }
        fixture.Clock.Advance(target - now);
        return target;
    }

    private async Task<ICustomerGrain> RegisterAsync(TestTeam team)
    {
        var customer = fixture.Grains.GetGrain<ICustomerGrain>(GrainKeys.NewCustomerId());
        await customer.Register(new CustomerDetails("New Clinic", $"New {Guid.NewGuid():N}", "Health", CustomerTier.B, [], null, SourceChannel.InboundWebForm), team.Rep.UserId, team.Rep);
        return customer;
    }

    [Fact]
    public async Task A_friday_assignment_without_contact_tells_the_manager_at_the_end_of_tuesday_and_of_wednesday()
    {
        var team = await fixture.CreateTeamAsync("Europe/Berlin");
        var friday = AdvanceToNextFridayAfternoon();
        var customer = await RegisterAsync(team);
        // Due at the end of Tuesday in Berlin, i.e. Wednesday 00:00 local (UTC+1 or, once the shared clock has
        // passed into summer time, UTC+2).
        var berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        var wednesdayLocal = DateTime.SpecifyKind(friday.AddDays(5).Date, DateTimeKind.Unspecified);
        var endOfTuesday = new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(wednesdayLocal, berlin), TimeSpan.Zero);

        fixture.Clock.Advance(endOfTuesday - friday - TimeSpan.FromSeconds(1));
        await customer.Get(team.Rep);
        var beforeDue = await SlaNotices(team.Manager);
        fixture.Clock.Advance(TimeSpan.FromSeconds(1));
        var firstContactMissed = await ClusterFixture.EventuallyAsync(() => SlaNotices(team.Manager), n => n.Count > 0);
        fixture.Clock.Advance(TimeSpan.FromDays(1));
        var qualificationMissed = await ClusterFixture.EventuallyAsync(() => SlaNotices(team.Manager), n => n.Count > 1);

        Assert.Empty(beforeDue);
        Assert.Contains("within 2 working days", Assert.Single(firstContactMissed).Message, StringComparison.Ordinal);
        Assert.Equal(2, qualificationMissed.Count);
        Assert.Empty(await SlaNotices(team.Rep)); // misses go to the manager
    }

    [Fact]
    public async Task Contact_and_qualification_in_time_keep_the_manager_out_of_it()
    {
        var team = await fixture.CreateTeamAsync("Europe/Berlin");
        var friday = AdvanceToNextFridayAfternoon();
        var customer = await RegisterAsync(team);
        fixture.Clock.Advance(TimeSpan.FromDays(3)); // Monday
        await customer.LogActivity(new ActivityDraft(ActivityKind.Call, fixture.Clock.GetUtcNow(), "introduced ourselves", null, null, null, DurationSeconds: 120), team.Rep);
        var details = (await customer.Get(team.Rep)).Details;
        await customer.Update(new CustomerChanges(["tier"], details with { Tier = CustomerTier.A }), 0, team.Rep);

        fixture.Clock.Advance(TimeSpan.FromDays(3)); // Thursday: both deadlines have passed
        await customer.Get(team.Rep);

        Assert.Empty(await SlaNotices(team.Manager));
        Assert.True(fixture.Clock.GetUtcNow() > friday.AddDays(6).Date); // past the end of Wednesday in Berlin
    }

    [Fact]
    public async Task Confirming_the_current_tier_in_time_meets_the_qualification_step()
    {
        var team = await fixture.CreateTeamAsync("Europe/Berlin");
        AdvanceToNextFridayAfternoon();
        var customer = await RegisterAsync(team);
        fixture.Clock.Advance(TimeSpan.FromDays(3)); // Monday
        await customer.LogActivity(new ActivityDraft(ActivityKind.Visit, fixture.Clock.GetUtcNow(), "introduced ourselves", null, null, null), team.Rep);
        var details = (await customer.Get(team.Rep)).Details;
        var confirmed = await customer.Update(new CustomerChanges(["tier"], details), 0, team.Rep); // the tier it already has

        fixture.Clock.Advance(TimeSpan.FromDays(3)); // Thursday: both deadlines have passed
        await customer.Get(team.Rep);

        Assert.Empty(await SlaNotices(team.Manager));
        Assert.Equal(details.Tier, confirmed.Details.Tier);
        Assert.Equal(3, confirmed.Version); // registered, visited, tier confirmed
        Assert.DoesNotContain(await customer.ArmedDeadlines(), d => d.Rule == ActorSales.Domain.Deadlines.NewCustomerSla.Qualification);
    }

    [Fact]
    public async Task A_thursday_assignment_in_a_team_working_saturdays_is_due_at_the_end_of_the_make_up_saturday()
    {
        var team = await fixture.CreateTeamAsync(teamId: ClusterFixture.MakeUpSaturdaysTeamId);
        var friday = AdvanceToNextFridayAfternoon();
        fixture.Clock.Advance(TimeSpan.FromDays(6)); // the next Thursday, 15:00 in Berlin
        var customer = await RegisterAsync(team);

        var armed = await customer.ArmedDeadlines();
        var sundayMidnight = friday.Date.AddDays(9);
        var saturdayEnd = new DateTimeOffset(sundayMidnight, TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin").GetUtcOffset(sundayMidnight));
        fixture.Clock.Advance(saturdayEnd - fixture.Clock.GetUtcNow() - TimeSpan.FromSeconds(1));
        await customer.Get(team.Rep);
        var before = await SlaNotices(team.Manager);
        fixture.Clock.Advance(TimeSpan.FromSeconds(1));
        var missed = await ClusterFixture.EventuallyAsync(() => SlaNotices(team.Manager), n => n.Count > 0);

        // Friday and the make-up Saturday are the two working days; without the make-up day it would be Monday's end.
        Assert.Equal(saturdayEnd, Assert.Single(armed, d => d.Rule == ActorSales.Domain.Deadlines.NewCustomerSla.FirstContact).DueAt);
        Assert.Empty(before);
        Assert.Contains("within 2 working days", Assert.Single(missed).Message, StringComparison.Ordinal);
    }
}
