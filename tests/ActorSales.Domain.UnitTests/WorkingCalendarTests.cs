using ActorSales.Domain.Deadlines;

namespace ActorSales.Domain.UnitTests;

public sealed class WorkingCalendarTests
{
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

    private static WorkingCalendar Calendar(params DateOnly[] holidays) => new(Berlin, new HashSet<DateOnly>(holidays));

    [Fact]
    public void Two_working_days_after_a_friday_end_on_tuesday_night_across_the_weekend()
    {
        // Friday 2026-11-06 15:00 in Berlin (UTC+1).
        var friday = new DateTimeOffset(2026, 11, 6, 15, 0, 0, TimeSpan.FromHours(1));

        var due = Calendar().EndOfWorkingDaysAfter(friday, 2);

        Assert.Equal(new DateTimeOffset(2026, 11, 11, 0, 0, 0, TimeSpan.FromHours(1)), due);
    }

    [Fact]
    public void A_holiday_is_skipped_like_a_weekend_day()
    {
        var monday = new DateTimeOffset(2026, 12, 21, 10, 0, 0, TimeSpan.FromHours(1));

        var due = Calendar(new DateOnly(2026, 12, 24), new DateOnly(2026, 12, 25)).EndOfWorkingDaysAfter(monday, 3);

        // Tue 22, Wed 23, (Thu 24 and Fri 25 off, weekend) Mon 28 -> end of Monday.
        Assert.Equal(new DateTimeOffset(2026, 12, 29, 0, 0, 0, TimeSpan.FromHours(1)), due);
    }

    [Fact]
    public void The_local_day_decides_not_the_utc_day()
    {
        // 23:30 UTC on Friday is already Saturday in Berlin: the count starts from Saturday, so Monday and Tuesday.
        var lateFridayUtc = new DateTimeOffset(2026, 11, 6, 23, 30, 0, TimeSpan.Zero);

        Assert.Equal(new DateTimeOffset(2026, 11, 11, 0, 0, 0, TimeSpan.FromHours(1)), Calendar().EndOfWorkingDaysAfter(lateFridayUtc, 2));
    }

    [Fact]
    public void The_sla_asks_for_contact_in_two_working_days_and_qualification_in_one_more_until_each_happens()
    {
        var assigned = new DateTimeOffset(2026, 11, 2, 9, 0, 0, TimeSpan.FromHours(1)); // a Monday
        var calendar = Calendar();

        var fresh = NewCustomerSla.DeadlinesFor(assigned, calendar, null, null);
        var contacted = NewCustomerSla.DeadlinesFor(assigned, calendar, assigned.AddHours(3), null);
        var done = NewCustomerSla.DeadlinesFor(assigned, calendar, assigned.AddHours(3), assigned.AddDays(1));

        Assert.Equal([new Deadline(NewCustomerSla.FirstContact, new DateTimeOffset(2026, 11, 5, 0, 0, 0, TimeSpan.FromHours(1))),
                      new Deadline(NewCustomerSla.Qualification, new DateTimeOffset(2026, 11, 6, 0, 0, 0, TimeSpan.FromHours(1)))], fresh);
        Assert.Equal([NewCustomerSla.Qualification], contacted.Select(d => d.Rule));
        Assert.Empty(done);
    }
}
