namespace ActorSales.Domain.Deadlines;

/// <summary>
/// Working days in a team's time zone: Monday to Friday, minus configured holidays, plus configured make-up working days
/// (调休: a Saturday or Sunday worked in exchange for a day off around a holiday). A day that is both counts as worked.
/// </summary>
public sealed class WorkingCalendar(TimeZoneInfo timeZone, IReadOnlySet<DateOnly> holidays, IReadOnlySet<DateOnly>? makeUpWorkingDays = null)
{
    public TimeZoneInfo TimeZone { get; } = timeZone;

    public bool IsWorkingDay(DateOnly day) =>
        makeUpWorkingDays?.Contains(day) == true
        || (day.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday) && !holidays.Contains(day));

    /// <summary>
    /// The end (local midnight) of the <paramref name="workingDays"/>-th working day after the local day of
    /// <paramref name="start"/>: "within 2 working days" of a Friday assignment means by the end of Tuesday.
    /// </summary>
    public DateTimeOffset EndOfWorkingDaysAfter(DateTimeOffset start, int workingDays)
    {
        var day = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(start, TimeZone).DateTime);
        var counted = 0;
        while (counted < workingDays)
        {
            day = day.AddDays(1);
            if (IsWorkingDay(day))
            {
                counted++;
            }
        }
        var endLocal = day.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        return new DateTimeOffset(endLocal, TimeZone.GetUtcOffset(endLocal));
    }

    /// <summary>
    /// The moment <paramref name="hours"/> of working time after <paramref name="start"/>, counting only the hours
    /// from <paramref name="dayStart"/> to <paramref name="dayEnd"/> (local) of working days: an enquiry at 17:00 on a
    /// Friday with a 09:00-18:00 day is due 3 working hours later at 11:00 on Monday.
    /// </summary>
    public DateTimeOffset AddWorkingHours(DateTimeOffset start, TimeSpan hours, TimeOnly dayStart, TimeOnly dayEnd)
    {
        var local = TimeZoneInfo.ConvertTime(start, TimeZone).DateTime;
        var day = DateOnly.FromDateTime(local);
        var time = TimeOnly.FromDateTime(local);
        var left = hours;
        // Bounded: a year of days; a calendar without a working day in a year is a configuration error.
        for (var i = 0; i < 366; i++, day = day.AddDays(1), time = TimeOnly.MinValue)
        {
            if (!IsWorkingDay(day) || time >= dayEnd)
            {
                continue;
            }
            var from = time < dayStart ? dayStart : time;
            var available = dayEnd - from;
            if (left <= available)
            {
                var dueLocal = day.ToDateTime(from, DateTimeKind.Unspecified) + left;
                return new DateTimeOffset(dueLocal, TimeZone.GetUtcOffset(dueLocal));
            }
            left -= available;
        }
        throw new InvalidOperationException("no working day within a year: check the holidays");
    }
}

/// <summary>The new-customer SLA "3-2-1": first real contact within 2 working days, a qualification within 1 more.</summary>
public static class NewCustomerSla
{
    public const string FirstContact = "new-customer-first-contact";
    public const string Qualification = "new-customer-qualification";

    public static IReadOnlyList<Deadline> DeadlinesFor(
        DateTimeOffset assignedAt, WorkingCalendar calendar, DateTimeOffset? lastFollowUpAt, DateTimeOffset? qualifiedAt)
    {
        var deadlines = new List<Deadline>(2);
        if (lastFollowUpAt is not { } contact || contact < assignedAt)
        {
            deadlines.Add(new Deadline(FirstContact, calendar.EndOfWorkingDaysAfter(assignedAt, 2)));
        }
        if (qualifiedAt is not { } qualified || qualified < assignedAt)
        {
            deadlines.Add(new Deadline(Qualification, calendar.EndOfWorkingDaysAfter(assignedAt, 3)));
        }
        return deadlines;
    }
}
