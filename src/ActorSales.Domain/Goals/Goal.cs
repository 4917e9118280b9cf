using System.Globalization;
using ActorSales.Domain.Errors;

namespace ActorSales.Domain.Goals;

/// <summary>What a goal counts (numbers as in analytics.proto's GoalMetric).</summary>
public enum GoalMetric
{
    Unspecified = 0,
    NewCustomers = 1,
    EffectiveVisits = 2,
    OpportunitiesCreated = 3,
    WonAmount = 4,
    /// <summary>Once orders exist; refused until then.</summary>
    CollectedAmount = 5,
}

/// <summary>A goal's period length.</summary>
public enum GoalPeriodKind
{
    Unspecified = 0,
    Month = 1,
    Week = 2,
}

/// <summary>Which goal: a team's (OwnerId empty) or a rep's, one metric, one period. Setting the same key replaces the target.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.GoalKey")]
public sealed record GoalKey(
    [property: Id(0)] string OwnerId,
    [property: Id(1)] GoalMetric Metric,
    [property: Id(2)] GoalPeriodKind PeriodKind,
    [property: Id(3)] DateOnly PeriodStart)
{
    /// <summary>Stable text form, the state's dictionary key.</summary>
    public string Text => $"{OwnerId}|{(int)Metric}|{(int)PeriodKind}|{PeriodStart:yyyy-MM-dd}";
}

/// <summary>A stored goal: the key, the period in UTC (from the team's time zone when set), the target and who set it.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.Goal")]
public sealed record Goal(
    [property: Id(0)] GoalKey Key,
    [property: Id(1)] DateTimeOffset From,
    [property: Id(2)] DateTimeOffset To,
    [property: Id(3)] decimal Target,
    [property: Id(4)] string Currency,
    [property: Id(5)] string SetBy,
    [property: Id(6)] DateTimeOffset SetAt);

/// <summary>A manager's request to set a goal, as validated by <see cref="GoalRules.Validate"/>.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.GoalTarget")]
public sealed record GoalTarget(
    [property: Id(0)] GoalKey Key,
    [property: Id(1)] decimal Target,
    [property: Id(2)] string Currency);

/// <summary>Pure rules of goals: validation, the period in a time zone, and progress against a linear pace.</summary>
public static class GoalRules
{
    public const decimal MaxTarget = 1_000_000_000_000m;

    /// <summary>Checks a goal request's fields (messages name the field); amount metrics (won, collected) take a currency.</summary>
    public static GoalTarget Validate(string ownerId, GoalMetric metric, GoalPeriodKind kind, string? periodStart, string? target, string? currency)
    {
        if (!Enum.IsDefined(metric) || metric == GoalMetric.Unspecified)
        {
            throw new ValidationException("metric", "must be a known GoalMetric other than UNSPECIFIED");
        }
        if (!Enum.IsDefined(kind) || kind == GoalPeriodKind.Unspecified)
        {
            throw new ValidationException("period_kind", "must be GOAL_PERIOD_KIND_MONTH or GOAL_PERIOD_KIND_WEEK");
        }
        if (periodStart is not { Length: 10 }
            || !DateOnly.TryParseExact(periodStart, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var start)
            || start.Year is < 2000 or > 2100)
        {
            throw new ValidationException("period_start", "must be a date \"YYYY-MM-DD\" in the years 2000-2100");
        }
        if (kind == GoalPeriodKind.Month && start.Day != 1)
        {
            throw new ValidationException("period_start", "a month's goal starts on the 1st");
        }
        if (kind == GoalPeriodKind.Week && start.DayOfWeek != DayOfWeek.Monday)
        {
            throw new ValidationException("period_start", "a week's goal starts on a Monday");
        }
        var isAmount = metric is GoalMetric.WonAmount or GoalMetric.CollectedAmount;
        if (target is not { Length: > 0 and <= 20 }
            || !decimal.TryParse(target, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value)
            || value <= 0 || value > MaxTarget
            || value != decimal.Round(value, isAmount ? 2 : 0))
        {
            throw new ValidationException("target",
                isAmount ? "must be a decimal > 0 and <= 1000000000000 with at most 2 decimals"
                         : "must be a whole number > 0 and <= 1000000000000");
        }
        string code;
        if (isAmount)
        {
            if (currency is not { Length: 3 } || !currency.All(char.IsAsciiLetterUpper))
            {
                throw new ValidationException("currency", $"must be an ISO 4217 code (3 capital letters) for {(metric == GoalMetric.WonAmount ? "GOAL_METRIC_WON_AMOUNT" : "GOAL_METRIC_COLLECTED_AMOUNT")}");
            }
            code = currency;
        }
        else
        {
            if (!string.IsNullOrEmpty(currency))
            {
                throw new ValidationException("currency", "only GOAL_METRIC_WON_AMOUNT and GOAL_METRIC_COLLECTED_AMOUNT take a currency");
            }
            code = string.Empty;
        }
        return new GoalTarget(new GoalKey(ownerId, metric, kind, start), value, code);
    }

    /// <summary>The period of <paramref name="key"/> in UTC: local midnight of its first day to local midnight after its last.</summary>
    public static (DateTimeOffset From, DateTimeOffset To) Period(GoalKey key, TimeZoneInfo zone)
    {
        var end = key.PeriodKind == GoalPeriodKind.Month ? key.PeriodStart.AddMonths(1) : key.PeriodStart.AddDays(7);
        return (LocalMidnight(key.PeriodStart, zone), LocalMidnight(end, zone));
    }

    private static DateTimeOffset LocalMidnight(DateOnly day, TimeZoneInfo zone)
    {
        var local = day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        return new DateTimeOffset(local, zone.GetUtcOffset(local)).ToUniversalTime();
    }

    /// <summary>
    /// Progress at <paramref name="asOf"/>: elapsed share = (asOf - from) / (to - from) clamped to 0..1; linear pace =
    /// target x share; deviation = actual - pace; deviation % = deviation / pace x 100 (0 when the pace is 0); attainment
    /// % = actual / target x 100. Rounded half away from zero to 2 places (the share to 4) after computing unrounded.
    /// </summary>
    public static GoalProgress Progress(Goal goal, decimal actual, DateTimeOffset asOf)
    {
        var total = (goal.To - goal.From).Ticks;
        var elapsed = Math.Clamp((asOf - goal.From).Ticks, 0, total);
        var share = (decimal)elapsed / total;
        var pace = goal.Target * share;
        var deviation = actual - pace;
        var deviationPercent = pace == 0 ? 0 : deviation / pace * 100;
        var attainment = actual / goal.Target * 100;
        return new GoalProgress(actual, Round(share, 4), Round(pace, 2), Round(deviation, 2), Round(deviationPercent, 2), Round(attainment, 2));
    }

    private static decimal Round(decimal value, int places) => decimal.Round(value, places, MidpointRounding.AwayFromZero);
}

/// <summary>A goal against what happened (see <see cref="GoalRules.Progress"/>).</summary>
public sealed record GoalProgress(decimal Actual, decimal ElapsedShare, decimal LinearPace, decimal Deviation, decimal DeviationPercent, decimal AttainmentPercent);
