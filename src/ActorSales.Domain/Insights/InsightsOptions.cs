using ActorSales.Domain.Deadlines;
using ActorSales.Domain.Goals;

namespace ActorSales.Domain.Insights;

/// <summary>What an anomaly rule watches (numbers as in analytics.proto's AnomalyKind).</summary>
public enum AnomalyKind
{
    Unspecified = 0,

    /// <summary>A rep below their daily target of a metric for a number of consecutive working days.</summary>
    RepBelowDailyTarget = 1,

    /// <summary>A team's share of open deals at or above a stall level is above a percentage.</summary>
    TeamStalledShare = 2,
}

/// <summary>One configured anomaly rule (section "ActorSales:Insights:Rules").</summary>
public sealed class AnomalyRuleOptions
{
    /// <summary>Stable key, part of each firing's id (letters, digits, '-'; at most 40).</summary>
    public string Key { get; set; } = string.Empty;

    public AnomalyKind Kind { get; set; }

    /// <summary>Rep rules: new customers, effective visits or opportunities created.</summary>
    public GoalMetric Metric { get; set; }

    /// <summary>Rep rules: how many working days in a row below target fire the anomaly.</summary>
    public int ConsecutiveDays { get; set; } = 2;

    /// <summary>
    /// Rep rules: the daily target of a rep (other than the team's manager) who has no goal for the metric on that day;
    /// unset, such a rep is not watched. A rep's goal wins: its target / the working days of its period.
    /// </summary>
    public decimal? DailyTarget { get; set; }

    /// <summary>Team rules: the share (0..100) of open deals stalled above which the rule fires.</summary>
    public decimal Percent { get; set; } = 30;

    /// <summary>Team rules: which stall level counts as stalled (Yellow counts yellow and red).</summary>
    public StallLevel AtLeast { get; set; } = StallLevel.Red;

    /// <summary>Team rules: a team with fewer open deals is not judged (one stalled deal of two is no trend).</summary>
    public int MinOpenDeals { get; set; } = 5;
}

/// <summary>
/// Section "ActorSales:Insights": the team-level time rules on the deadline engine: anomaly rules evaluated at the end of
/// each working day, the stalled-share check after the stalled list changes, and the weekly forecast snapshot.
/// </summary>
public sealed class InsightsOptions
{
    public const string Section = "ActorSales:Insights";

    /// <summary>Off: teams arm none of these deadlines.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How long after a working day ends (or a week starts) it is evaluated, so late events of it are projected.</summary>
    public TimeSpan EvaluationDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long after the team's stalled list changes the stalled share is checked (changes meanwhile join it).</summary>
    public TimeSpan StalledShareCheckDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>When the read model is behind at a due time, the evaluation waits this long and tries again ...</summary>
    public TimeSpan CatchUpRetry { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>... for at most this long after the due time; then it runs on what is projected.</summary>
    public TimeSpan CatchUpLimit { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>A weekly snapshot counts open deals expected to close before its week start plus this.</summary>
    public TimeSpan ForecastHorizon { get; set; } = TimeSpan.FromDays(28);

    /// <summary>The rules; empty: <see cref="DefaultRules"/>.</summary>
    public List<AnomalyRuleOptions> Rules { get; set; } = [];

    /// <summary>The rules in force: the configured ones, or the defaults when none are configured.</summary>
    public IReadOnlyList<AnomalyRuleOptions> EffectiveRules => Rules.Count > 0 ? Rules : DefaultRules;

    /// <summary>Seed 003's examples: a rep under their new-customer or visit target 2 working days running; 30 % of a team's deals red.</summary>
    public static IReadOnlyList<AnomalyRuleOptions> DefaultRules { get; } =
    [
        new() { Key = "rep-new-customers", Kind = AnomalyKind.RepBelowDailyTarget, Metric = GoalMetric.NewCustomers, ConsecutiveDays = 2 },
        new() { Key = "rep-effective-visits", Kind = AnomalyKind.RepBelowDailyTarget, Metric = GoalMetric.EffectiveVisits, ConsecutiveDays = 2 },
        new() { Key = "team-stalled-share", Kind = AnomalyKind.TeamStalledShare, Percent = 30, AtLeast = StallLevel.Red, MinOpenDeals = 5 },
    ];

    /// <summary>Every problem with the settings, as "ActorSales:Insights:...: ..." lines.</summary>
    public IEnumerable<string> Validate()
    {
        if (EvaluationDelay < TimeSpan.Zero || EvaluationDelay > TimeSpan.FromHours(6))
        {
            yield return $"{Section}:EvaluationDelay: must be between 0 and 6 hours";
        }
        if (StalledShareCheckDelay < TimeSpan.Zero || StalledShareCheckDelay > TimeSpan.FromHours(1))
        {
            yield return $"{Section}:StalledShareCheckDelay: must be between 0 and 1 hour";
        }
        if (CatchUpRetry <= TimeSpan.Zero || CatchUpLimit < CatchUpRetry)
        {
            yield return $"{Section}:CatchUpRetry: must be positive and at most CatchUpLimit";
        }
        if (ForecastHorizon < TimeSpan.FromDays(1) || ForecastHorizon > TimeSpan.FromDays(366))
        {
            yield return $"{Section}:ForecastHorizon: must be between 1 and 366 days";
        }
        var keys = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < Rules.Count; i++)
        {
            var rule = Rules[i];
            var at = $"{Section}:Rules:{i}";
            if (rule.Key.Length is 0 or > 40 || !rule.Key.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
            {
                yield return $"{at}:Key: 1 to 40 letters, digits or '-'";
            }
            else if (!keys.Add(rule.Key))
            {
                yield return $"{at}:Key: '{rule.Key}' is used twice";
            }
            switch (rule.Kind)
            {
                case AnomalyKind.RepBelowDailyTarget:
                    if (rule.Metric is not (GoalMetric.NewCustomers or GoalMetric.EffectiveVisits or GoalMetric.OpportunitiesCreated))
                    {
                        yield return $"{at}:Metric: NewCustomers, EffectiveVisits or OpportunitiesCreated";
                    }
                    if (rule.ConsecutiveDays is < 1 or > 30)
                    {
                        yield return $"{at}:ConsecutiveDays: 1 to 30";
                    }
                    if (rule.DailyTarget is { } target && (target <= 0 || target > 10_000))
                    {
                        yield return $"{at}:DailyTarget: above 0 and at most 10000";
                    }
                    break;
                case AnomalyKind.TeamStalledShare:
                    if (rule.Percent is < 0 or >= 100)
                    {
                        yield return $"{at}:Percent: 0 up to (not including) 100";
                    }
                    if (rule.AtLeast is not (StallLevel.Yellow or StallLevel.Red))
                    {
                        yield return $"{at}:AtLeast: Yellow or Red";
                    }
                    if (rule.MinOpenDeals is < 1 or > 1_000_000)
                    {
                        yield return $"{at}:MinOpenDeals: 1 to 1000000";
                    }
                    break;
                default:
                    yield return $"{at}:Kind: RepBelowDailyTarget or TeamStalledShare";
                    break;
            }
        }
    }
}
