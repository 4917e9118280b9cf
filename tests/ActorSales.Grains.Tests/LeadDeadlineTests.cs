using ActorSales.Domain.Customers;
using ActorSales.Domain.Identity;
using ActorSales.Domain.Leads;
using ActorSales.Grains.Abstractions;
using ActorSales.Grains.Abstractions.Leads;
using Notification = ActorSales.Domain.Deadlines.Notification;

namespace ActorSales.Grains.Tests;

/// <summary>
/// A lead's 3-2-1 on fake time in the team's working calendar (Europe/Berlin, working day 09:00-18:00): basics within 3
/// working hours of arrival, first real contact by the end of the 2nd working day, a tag by the end of the 1st working
/// day after the first contact. Each fires once at its due time, not a second before, and tells owner and manager.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class LeadDeadlineTests(ClusterFixture fixture)
{
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

    /// <summary>Moves the shared clock to the next Friday at <paramref name="hour"/>:00 Berlin time.</summary>
    private DateTimeOffset AdvanceToNextFriday(int hour)
    {
        var now = fixture.Clock.GetUtcNow();
        var day = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, Berlin).DateTime).AddDays(1);
        while (day.DayOfWeek != DayOfWeek.Friday)
        {
            day = day.AddDays(1);
        }
        var target = BerlinTime(day, hour);
        fixture.Clock.Advance(target - now);
        return target;
    }

    private static DateTimeOffset BerlinTime(DateOnly day, int hour, int minute = 0) =>
        new(TimeZoneInfo.ConvertTimeToUtc(day.ToDateTime(new TimeOnly(hour, minute), DateTimeKind.Unspecified), Berlin), TimeSpan.Zero);

    private async Task<ILeadGrain> NewLeadAsync(TestTeam team, DateTimeOffset arrivedAt)
    {
        var lead = fixture.Grains.GetGrain<ILeadGrain>(GrainKeys.NewLeadId());
        await lead.Create(new LeadInput(SourceChannel.MarketingEvent, arrivedAt, "Lea Lang", string.Empty, [$"+49 30 {Random.Shared.Next(1_000_000, 9_999_999)}{Random.Shared.Next(100, 999)}"], string.Empty, "met at the fair"),
            team.TeamId, team.Rep.UserId, team.Manager);
        return lead;
    }

    private async Task<List<Notification>> Notices(Caller user, string leadId, string words) =>
        [.. (await fixture.NoticesAsync(user, "lead_sla")).Where(n => n.EntityId == leadId && n.Message.Contains(words, StringComparison.Ordinal))];

    /// <summary>Nudges the clock to one second before <paramref name="due"/>, reads, then to <paramref name="due"/>.</summary>
    private async Task<(List<Notification> Before, List<Notification> Manager, List<Notification> Owner)> AcrossAsync(
        ILeadGrain lead, TestTeam team, DateTimeOffset due, string words)
    {
        var id = (await lead.Find())!.Id;
        fixture.Clock.Advance(due - fixture.Clock.GetUtcNow() - TimeSpan.FromSeconds(1));
        await lead.Get(team.Manager);
        var before = await Notices(team.Manager, id, words);
        fixture.Clock.Advance(TimeSpan.FromSeconds(1));
        var manager = await ClusterFixture.EventuallyAsync(() => Notices(team.Manager, id, words), n => n.Count > 0);
        var owner = await ClusterFixture.EventuallyAsync(() => Notices(team.Rep, id, words), n => n.Count > 0);
        return (before, manager, owner);
    }

    [Fact]
    public async Task Basics_are_due_three_working_hours_after_a_friday_afternoon_arrival_on_monday_morning_once()
    {
        var team = await fixture.CreateTeamAsync("Europe/Berlin");
        var friday = AdvanceToNextFriday(16); // 2 working hours left on Friday, 1 more on Monday
        var lead = await NewLeadAsync(team, friday);
        var monday10 = BerlinTime(DateOnly.FromDateTime(friday.UtcDateTime).AddDays(3), 10);

        var (before, manager, owner) = await AcrossAsync(lead, team, monday10, "basic information");
        fixture.Clock.Advance(TimeSpan.FromHours(6));
        await lead.Get(team.Rep);
        var later = await Notices(team.Manager, (await lead.Find())!.Id, "basic information");

        Assert.Empty(before);
        Assert.Single(manager);
        Assert.Single(owner);
        Assert.Single(later); // once
        Assert.Equal([LeadAggregate.Basics], (await lead.Find())!.MissedRules);
    }

    [Fact]
    public async Task First_contact_after_a_friday_evening_arrival_is_due_at_the_end_of_tuesday_and_basics_in_time_clear_theirs()
    {
        var team = await fixture.CreateTeamAsync("Europe/Berlin");
        var friday = AdvanceToNextFriday(20); // after hours: Monday is the first working day
        var lead = await NewLeadAsync(team, friday);
        fixture.Clock.Advance(TimeSpan.FromDays(3)); // Monday 20:00: the basics were due at 12:00
        var id = (await lead.Find())!.Id;
        var basicsMissed = await ClusterFixture.EventuallyAsync(() => Notices(team.Manager, id, "basic information"), n => n.Count > 0);
        await lead.RecordBasics(new LeadBasics(["company"], "", "Charité Labs", [], "", ""), team.Rep);
        var wednesdayMidnight = BerlinTime(DateOnly.FromDateTime(friday.UtcDateTime).AddDays(5), 0);

        var (before, manager, owner) = await AcrossAsync(lead, team, wednesdayMidnight, "first real contact");

        Assert.Single(basicsMissed);
        Assert.Empty(before);
        Assert.Single(manager);
        Assert.Single(owner);
        Assert.Contains("within 2 working days", manager[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_short_call_is_no_first_contact_but_a_real_one_clears_it_and_starts_the_one_day_tag_clock()
    {
        var team = await fixture.CreateTeamAsync("Europe/Berlin");
        var friday = AdvanceToNextFriday(9);
        var lead = await NewLeadAsync(team, friday);
        await lead.RecordBasics(new LeadBasics(["company"], "", "Vivantes", [], "", ""), team.Rep);
        fixture.Clock.Advance(TimeSpan.FromDays(3)); // Monday 09:00
        var shortCall = await lead.LogContact(new LeadContactDraft(ActivityKind.Call, fixture.Clock.GetUtcNow(), "no answer", 20), team.Rep);
        var realCall = await lead.LogContact(new LeadContactDraft(ActivityKind.Call, fixture.Clock.GetUtcNow(), "talked about the cath lab", 240), team.Rep);
        var endOfTuesday = BerlinTime(DateOnly.FromDateTime(friday.UtcDateTime).AddDays(5), 0);

        var (before, manager, owner) = await AcrossAsync(lead, team, endOfTuesday, "not tagged");
        var firstContactMissed = await Notices(team.Manager, (await lead.Find())!.Id, "first real contact");

        Assert.False(shortCall.RealContact);
        Assert.True(realCall.RealContact);
        Assert.Empty(firstContactMissed); // due at the same moment, but met on Monday
        Assert.Empty(before);
        Assert.Single(manager);
        Assert.Single(owner);
    }

    [Fact]
    public async Task A_tag_in_time_clears_the_qualification_deadline()
    {
        var team = await fixture.CreateTeamAsync("Europe/Berlin");
        var friday = AdvanceToNextFriday(10);
        var lead = await NewLeadAsync(team, friday);
        await lead.RecordBasics(new LeadBasics(["company"], "", "Helios", [], "", ""), team.Rep);
        await lead.LogContact(new LeadContactDraft(ActivityKind.Meeting, fixture.Clock.GetUtcNow(), "demo", null), team.Rep);
        await lead.Qualify(new LeadQualificationDraft(LeadQualification.Nurture, LeadDisqualifyReason.Unspecified, "next budget year"), team.Rep);

        var armed = await lead.ArmedDeadlines();
        fixture.Clock.Advance(TimeSpan.FromDays(7));
        await lead.Get(team.Rep);
        var id = (await lead.Find())!.Id;

        Assert.Empty(armed);
        Assert.DoesNotContain(await fixture.NoticesAsync(team.Manager, "lead_sla"), n => n.EntityId == id);
        Assert.Empty((await lead.Find())!.MissedRules);
    }
}
