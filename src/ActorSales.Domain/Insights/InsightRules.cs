using System.Globalization;
using ActorSales.Domain.Deadlines;
using ActorSales.Domain.Goals;

namespace ActorSales.Domain.Insights;

/// <summary>A team's open deals and how many of them are stalled at a level or above.</summary>
public readonly record struct StalledShare(long Open, long Stalled)
{
    /// <summary>stalled / open x 100, unrounded; 0 without open deals.</summary>
    public decimal Percent => Open == 0 ? 0 : Stalled * 100m / Open;
}

/// <summary>Pure rules of a team's insights: which days and weeks are due, daily targets, and what a day's figures decide.</summary>
public static class InsightRules
{
    public const string DayRule = "anomaly-day";
    public const string StalledShareRule = "anomaly-stalled-share";
    public const string SnapshotRule = "forecast-snapshot";

    /// <summary>The team-local date of <paramref name="at"/>.</summary>
    public static DateOnly LocalDay(DateTimeOffset at, TimeZoneInfo zone) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(at, zone).DateTime);

    /// <summary>The UTC instant of local midnight starting <paramref name="day"/>.</summary>
    public static DateTimeOffset StartOf(DateOnly day, TimeZoneInfo zone)
    {
        var local = day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        return new DateTimeOffset(local, zone.GetUtcOffset(local));
    }

    /// <summary>The next working day to evaluate: the one after <paramref name="evaluatedThrough"/>, or from the team's first day.</summary>
    public static DateOnly NextDay(DateOnly? evaluatedThrough, DateTimeOffset createdAt, WorkingCalendar calendar)
    {
        var day = evaluatedThrough?.AddDays(1) ?? LocalDay(createdAt, calendar.TimeZone);
        while (!calendar.IsWorkingDay(day))
        {
            day = day.AddDays(1);
        }
        return day;
    }

    /// <summary>The Monday of the week holding <paramref name="day"/>.</summary>
    public static DateOnly WeekOf(DateOnly day) => day.AddDays(-(((int)day.DayOfWeek + 6) % 7));

    /// <summary>The next week to snapshot: the one after <paramref name="snapshotWeek"/>, or the first week starting after creation.</summary>
    public static DateOnly NextWeek(DateOnly? snapshotWeek, DateTimeOffset createdAt, TimeZoneInfo zone) =>
        snapshotWeek?.AddDays(7) ?? WeekOf(LocalDay(createdAt, zone)).AddDays(7);

    /// <summary>
    /// A rep's daily target of <paramref name="metric"/> on <paramref name="day"/>: their goal whose period holds the day,
    /// divided by the working days of that period; else the rule's fallback (never for the team's manager); else none.
    /// </summary>
    public static decimal? DailyTarget(
        IEnumerable<Goal> goals, string ownerId, GoalMetric metric, DateOnly day, WorkingCalendar calendar, decimal? fallback, bool isManager)
    {
        var start = StartOf(day, calendar.TimeZone);
        var goal = goals
            .Where(g => g.Key.OwnerId == ownerId && g.Key.Metric == metric && g.From <= start && start < g.To)
            .OrderBy(g => g.Key.PeriodKind == GoalPeriodKind.Week ? 0 : 1) // the narrower period is the sharper target
            .FirstOrDefault();
        if (goal is not null)
        {
            var workingDays = 0;
            for (var d = LocalDay(goal.From, calendar.TimeZone); StartOf(d, calendar.TimeZone) < goal.To; d = d.AddDays(1))
            {
                workingDays += calendar.IsWorkingDay(d) ? 1 : 0;
            }
            return workingDays == 0 ? null : goal.Target / workingDays;
        }
        return isManager ? null : fallback;
    }

    /// <summary>Two decimals, half away from zero, invariant: how figures appear in messages and on the wire.</summary>
    public static string Figure(decimal value) =>
        Math.Round(value, 2, MidpointRounding.AwayFromZero).ToString("0.00", CultureInfo.InvariantCulture);

    /// <summary>A metric in words, for messages.</summary>
    public static string Words(GoalMetric metric) => metric switch
    {
        GoalMetric.NewCustomers => "new customers",
        GoalMetric.EffectiveVisits => "effective visits",
        GoalMetric.OpportunitiesCreated => "opportunities created",
        _ => metric.ToString(),
    };
}
