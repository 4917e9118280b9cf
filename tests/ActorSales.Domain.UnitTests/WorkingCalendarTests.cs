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

    private static readonly TimeZoneInfo Shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    [Fact]
    public void A_saturday_make_up_day_counts_as_a_working_day()
    {
        // 2026-10-08 is a Thursday; Saturday 2026-10-10 is worked (调休).
        var calendar = new WorkingCalendar(Shanghai, new HashSet<DateOnly>(), new HashSet<DateOnly> { new(2026, 10, 10) });
        var thursday = new DateTimeOffset(2026, 10, 8, 10, 0, 0, TimeSpan.FromHours(8));

        Assert.True(calendar.IsWorkingDay(new DateOnly(2026, 10, 10)));
        Assert.False(calendar.IsWorkingDay(new DateOnly(2026, 10, 11)));
        // Friday 9th, Saturday 10th -> the end of the make-up Saturday, not of Monday.
        Assert.Equal(new DateTimeOffset(2026, 10, 11, 0, 0, 0, TimeSpan.FromHours(8)), calendar.EndOfWorkingDaysAfter(thursday, 2));
    }

    [Fact]
    public void A_holiday_on_a_weekday_does_not_count()
    {
        var calendar = new WorkingCalendar(Shanghai, new HashSet<DateOnly> { new(2026, 10, 9) }, new HashSet<DateOnly>());
        var thursday = new DateTimeOffset(2026, 10, 8, 10, 0, 0, TimeSpan.FromHours(8));

        Assert.False(calendar.IsWorkingDay(new DateOnly(2026, 10, 9)));
        // (Friday 9th off, weekend) Monday 12th, Tuesday 13th -> end of Tuesday.
        Assert.Equal(new DateTimeOffset(2026, 10, 14, 0, 0, 0, TimeSpan.FromHours(8)), calendar.EndOfWorkingDaysAfter(thursday, 2));
    }

    [Fact]
    public void A_teams_own_days_add_to_the_shared_ones_and_leave_other_teams_alone()
    {
        var options = new DeadlineOptions
        {
            Holidays = [new DateOnly(2026, 10, 1)],
            TeamCalendars = { ["shanghai"] = new TeamCalendarOptions { Holidays = [new DateOnly(2026, 10, 2)], MakeUpWorkingDays = [new DateOnly(2026, 10, 10)] } },
        };

        var shanghai = options.CalendarFor("shanghai", Shanghai);
        var berlin = options.CalendarFor("berlin", Berlin);

        Assert.Equal((false, false, true), (shanghai.IsWorkingDay(new(2026, 10, 1)), shanghai.IsWorkingDay(new(2026, 10, 2)), shanghai.IsWorkingDay(new(2026, 10, 10))));
        Assert.Equal((false, true, false), (berlin.IsWorkingDay(new(2026, 10, 1)), berlin.IsWorkingDay(new(2026, 10, 2)), berlin.IsWorkingDay(new(2026, 10, 10))));
    }
}
