using ActorSales.Domain.Pipeline;

namespace ActorSales.Domain.Deadlines;

/// <summary>How long an opportunity has sat in its stage, against the stage's limits.</summary>
public enum StallLevel
{
    None = 0,
    /// <summary>Past the warning age: the owner is told.</summary>
    Yellow = 1,
    /// <summary>Past the limit age: owner and manager are told; the deal is on the manager's stalled list.</summary>
    Red = 2,
}

/// <summary>A point in time at which a rule must be re-checked for one record.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.Deadline")]
public sealed record Deadline([property: Id(0)] string Rule, [property: Id(1)] DateTimeOffset DueAt)
{
    /// <summary>Identity of one firing: the same rule due at the same time acts once.</summary>
    public string FiringKey(string recordId) => $"{Rule}:{recordId}:{DueAt.UtcTicks}";
}

/// <summary>Stage stall: a pure function of the stage definition, when the stage was entered, the planned next action and now.</summary>
public static class StallRules
{
    public const string Yellow = "stage-stall-yellow";
    public const string Red = "stage-stall-red";

    /// <summary>
    /// When the yellow and red warnings fall due. A planned next action with a due date after the warning age holds
    /// the yellow warning off until that date; it never holds off red.
    /// </summary>
    public static IReadOnlyList<Deadline> DeadlinesFor(StageDefinition stage, DateTimeOffset enteredAt, DateTimeOffset? nextActionDueAt)
    {
        var deadlines = new List<Deadline>(2);
        if (stage.WarningAge is { } warning)
        {
            var yellowAt = enteredAt + warning;
            if (nextActionDueAt is { } planned && planned > yellowAt)
            {
                yellowAt = planned;
            }
            if (stage.LimitAge is not { } limitAge || yellowAt < enteredAt + limitAge)
            {
                deadlines.Add(new Deadline(Yellow, yellowAt));
            }
        }
        if (stage.LimitAge is { } limit)
        {
            deadlines.Add(new Deadline(Red, enteredAt + limit));
        }
        return deadlines;
    }

    /// <summary>The level at <paramref name="now"/>, from the same deadlines.</summary>
    public static StallLevel LevelAt(StageDefinition stage, DateTimeOffset enteredAt, DateTimeOffset? nextActionDueAt, DateTimeOffset now)
    {
        var level = StallLevel.None;
        foreach (var deadline in DeadlinesFor(stage, enteredAt, nextActionDueAt))
        {
            if (deadline.DueAt <= now)
            {
                level = deadline.Rule == Red ? StallLevel.Red : (level == StallLevel.Red ? StallLevel.Red : StallLevel.Yellow);
            }
        }
        return level;
    }
}

/// <summary>Signal decay: a forecast signal that has not advanced for a while needs the manager.</summary>
public static class SignalDecayRules
{
    public const string Rule = "signal-decay";

    /// <summary>Due <paramref name="after"/> the last signal change; none without a signal or at the top level.</summary>
    public static Deadline? DeadlineFor(ForecastSignal signal, DateTimeOffset? changedAt, TimeSpan after) =>
        signal is ForecastSignal.None or ForecastSignal.L4 || changedAt is not { } at ? null : new Deadline(Rule, at + after);
}

/// <summary>Deadline settings (section "ActorSales:Deadlines").</summary>
public sealed class DeadlineOptions
{
    /// <summary>An A-tier customer without real follow-up for this long notifies owner and manager.</summary>
    public TimeSpan KeyCustomerFollowUpAfter { get; set; } = TimeSpan.FromDays(3);

    /// <summary>Days off besides weekends, as ISO dates ("2026-12-25"); working days follow each team's time zone.</summary>
    public List<DateOnly> Holidays { get; set; } = [];

    /// <summary>Weekend days that are working days (调休, e.g. the Saturday before a golden week), as ISO dates.</summary>
    public List<DateOnly> MakeUpWorkingDays { get; set; } = [];

    /// <summary>
    /// Calendars of single teams, keyed by team id: their holidays and make-up working days come on top of the ones above
    /// (a Shanghai team's Chinese public holidays and 调休 Saturdays, a Berlin team's German ones).
    /// </summary>
    public Dictionary<string, TeamCalendarOptions> TeamCalendars { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// The working calendar of <paramref name="teamId"/> in <paramref name="timeZone"/>: Monday to Friday, minus the
    /// holidays, plus the make-up working days, each both the shared ones and the team's own. Every rule counted in
    /// working days (the 3-2-1 SLA, a team's working-day rules) takes its calendar from here.
    /// </summary>
    public WorkingCalendar CalendarFor(string? teamId, TimeZoneInfo timeZone)
    {
        var holidays = new HashSet<DateOnly>(Holidays);
        var makeUp = new HashSet<DateOnly>(MakeUpWorkingDays);
        if (teamId is not null && TeamCalendars.TryGetValue(teamId, out var team))
        {
            holidays.UnionWith(team.Holidays);
            makeUp.UnionWith(team.MakeUpWorkingDays);
        }
        return new WorkingCalendar(timeZone, holidays, makeUp);
    }

    /// <summary>Without real follow-up for this long, a customer goes to the public pool (per tier).</summary>
    public TimeSpan ReleaseAfterTierA { get; set; } = TimeSpan.FromDays(45);
    public TimeSpan ReleaseAfterTierB { get; set; } = TimeSpan.FromDays(30);
    public TimeSpan ReleaseAfterTierC { get; set; } = TimeSpan.FromDays(15);

    /// <summary>The owner is warned this long before the release.</summary>
    public TimeSpan ReleaseWarningBefore { get; set; } = TimeSpan.FromDays(15);

    /// <summary>A planned next action not done this long after its due date asks the manager to confirm it.</summary>
    public TimeSpan NextActionConfirmAfter { get; set; } = TimeSpan.FromHours(48);

    /// <summary>A next action the manager has not confirmed this long after being asked goes to the director.</summary>
    public TimeSpan NextActionEscalateAfter { get; set; } = TimeSpan.FromHours(48);

    /// <summary>A customer with a deal won this recently is never released.</summary>
    public TimeSpan RecentWinExemption { get; set; } = TimeSpan.FromDays(90);

    public TimeSpan ReleaseAfter(Customers.CustomerTier tier) => tier switch
    {
        Customers.CustomerTier.A => ReleaseAfterTierA,
        Customers.CustomerTier.C => ReleaseAfterTierC,
        _ => ReleaseAfterTierB,
    };
}

/// <summary>One team's own days off and make-up working days (section "ActorSales:Deadlines:TeamCalendars:{teamId}").</summary>
public sealed class TeamCalendarOptions
{
    /// <summary>The team's days off besides weekends and the shared holidays, as ISO dates.</summary>
    public List<DateOnly> Holidays { get; set; } = [];

    /// <summary>The team's weekend days that are working days (调休), as ISO dates.</summary>
    public List<DateOnly> MakeUpWorkingDays { get; set; } = [];
}

/// <summary>Ownership release: warn, then release a neglected customer to its team's public pool.</summary>
public static class ReleaseRules
{
    public const string Warning = "release-warning";
    public const string Release = "release";

    public static IReadOnlyList<Deadline> DeadlinesFor(Customers.CustomerTier tier, DateTimeOffset assignedAt, DateTimeOffset? lastFollowUpAt, DeadlineOptions options)
    {
        var start = lastFollowUpAt is { } followUp && followUp > assignedAt ? followUp : assignedAt;
        var releaseAt = start + options.ReleaseAfter(tier);
        var warnAt = releaseAt - options.ReleaseWarningBefore;
        return warnAt > start ? [new Deadline(Warning, warnAt), new Deadline(Release, releaseAt)] : [new Deadline(Release, releaseAt)];
    }
}

/// <summary>Key-customer follow-up: counted from the later of the assignment to the owner and the last real follow-up.</summary>
public static class FollowUpRules
{
    public const string KeyCustomer = "key-customer-follow-up";

    public static Deadline? KeyCustomerDeadline(Customers.CustomerTier tier, DateTimeOffset assignedAt, DateTimeOffset? lastFollowUpAt, TimeSpan after)
    {
        if (tier != Customers.CustomerTier.A)
        {
            return null;
        }
        var start = lastFollowUpAt is { } followUp && followUp > assignedAt ? followUp : assignedAt;
        return new Deadline(KeyCustomer, start + after);
    }
}
