using ActorSales.Domain.Deadlines;
using ActorSales.Domain.Goals;
using ActorSales.Domain.Insights;
using ActorSales.Domain.Pipeline;

namespace ActorSales.Domain.People;

/// <summary>One rep rule's figures for one working day: what the rep did, and their daily target (null: not watched).</summary>
public sealed record RepDay(AnomalyRuleOptions Rule, string OwnerId, decimal Actual, decimal? Target);

/// <summary>
/// A team's time rules on the deadline engine (README "Analytics", anomalies and forecast history): the end of each
/// working day is evaluated once, in order; the stalled share also soon after the stalled list changes; each week's
/// forecast is snapshot once. The grain gathers the read model's figures first; these methods only decide.
/// </summary>
public sealed partial class TeamAggregate
{
    /// <summary>Working days further back than this are not replayed after an outage (or for rows of earlier releases).</summary>
    public static readonly int MaxReplayDays = 14;

    /// <summary>The insight deadlines the team wants now (none before creation or when disabled).</summary>
    public List<Deadline> WantedInsightDeadlines(InsightsOptions options, WorkingCalendar calendar)
    {
        if (!state.Created || !options.Enabled)
        {
            return [];
        }
        var insights = state.Insights;
        DateTimeOffset NotBeforeDeferral(DateTimeOffset due) => insights.DeferredUntil is { } until && until > due ? until : due;
        var zone = calendar.TimeZone;
        var day = InsightRules.NextDay(insights.EvaluatedThrough, state.CreatedAt, calendar);
        var week = InsightRules.NextWeek(insights.SnapshotWeek, state.CreatedAt, zone);
        var wanted = new List<Deadline>
        {
            new(InsightRules.DayRule, NotBeforeDeferral(InsightRules.StartOf(day.AddDays(1), zone) + options.EvaluationDelay)),
            new(InsightRules.SnapshotRule, NotBeforeDeferral(InsightRules.StartOf(week, zone) + options.EvaluationDelay)),
        };
        if (insights.StalledShareCheckAt is { } at)
        {
            wanted.Add(new Deadline(InsightRules.StalledShareRule, NotBeforeDeferral(at)));
        }
        return wanted;
    }

    /// <summary>
    /// Rows of earlier releases (no insights yet) start from today, and after a long outage only the last
    /// <see cref="MaxReplayDays"/> working days are replayed. Changes memory only; the next write stores it.
    /// </summary>
    public void StartInsightsNoEarlierThan(DateTimeOffset now, WorkingCalendar calendar)
    {
        var insights = state.Insights;
        var today = InsightRules.LocalDay(now, calendar.TimeZone);
        var earliest = today.AddDays(-MaxReplayDays);
        var legacy = insights.EvaluatedThrough is null && InsightRules.LocalDay(state.CreatedAt, calendar.TimeZone) < today.AddDays(-1);
        if (legacy || insights.EvaluatedThrough < earliest)
        {
            insights.EvaluatedThrough = legacy ? today.AddDays(-1) : earliest;
        }
        var week = InsightRules.WeekOf(today);
        if ((insights.SnapshotWeek is null && legacy) || insights.SnapshotWeek < week.AddDays(-7))
        {
            insights.SnapshotWeek = legacy ? week : week.AddDays(-7);
        }
    }

    /// <summary>The next working day to evaluate (its end is the day deadline).</summary>
    public DateOnly NextDayToEvaluate(WorkingCalendar calendar) => InsightRules.NextDay(state.Insights.EvaluatedThrough, state.CreatedAt, calendar);

    /// <summary>The next week to snapshot.</summary>
    public DateOnly NextWeekToSnapshot(TimeZoneInfo zone) => InsightRules.NextWeek(state.Insights.SnapshotWeek, state.CreatedAt, zone);

    /// <summary>The read model is behind: the insight deadlines wait until <paramref name="until"/>.</summary>
    public void Defer(DateTimeOffset until)
    {
        state.Insights.DeferredUntil = until;
        Touch();
    }

    /// <summary>The stalled list changed: check the share at <paramref name="at"/> unless a check is already pending.</summary>
    public void ScheduleStalledShareCheck(DateTimeOffset at)
    {
        if (state.Insights.StalledShareCheckAt is null)
        {
            state.Insights.StalledShareCheckAt = at;
            Touch();
        }
    }

    /// <summary>
    /// The end of working day <paramref name="day"/>: each rep rule's streak moves on (below target: one more day; at or
    /// above, or no target: back to 0), firing once when it reaches the rule's days and clearing once it ends; each team
    /// rule is checked as <see cref="CheckStalledShare"/> does. Firings of reps or rules no longer evaluated are cleared.
    /// </summary>
    public void EvaluateDay(
        DateOnly day, IReadOnlyList<RepDay> reps, IReadOnlyList<(AnomalyRuleOptions Rule, StalledShare Share)> teams, DateTimeOffset now)
    {
        EnsureCreated();
        var insights = state.Insights;
        var evaluated = new HashSet<string>(StringComparer.Ordinal);
        foreach (var rep in reps)
        {
            var slot = Anomaly.Slot(rep.Rule.Key, rep.OwnerId);
            evaluated.Add(slot);
            if (rep.Target is { } target && rep.Actual < target)
            {
                var streak = insights.Streaks[slot] = insights.Streaks.GetValueOrDefault(slot) + 1;
                if (streak >= rep.Rule.ConsecutiveDays && !insights.Active.ContainsKey(slot))
                {
                    Detect(slot, new Anomaly(
                        $"{rep.Rule.Key}:{rep.OwnerId}:{day:yyyy-MM-dd}", rep.OwnerId, rep.Rule.Key, AnomalyKind.RepBelowDailyTarget, rep.Rule.Metric, day, now,
                        rep.Actual, target, streak,
                        $"{rep.OwnerId}: {InsightRules.Figure(rep.Actual)} {InsightRules.Words(rep.Rule.Metric)} on {day:yyyy-MM-dd}, below the daily target of "
                        + $"{InsightRules.Figure(target)} for {streak} working days in a row"));
                }
            }
            else
            {
                insights.Streaks.Remove(slot);
                Clear(slot, now);
            }
        }
        foreach (var (rule, share) in teams)
        {
            evaluated.Add(Anomaly.Slot(rule.Key, string.Empty));
            Judge(rule, share, day, now);
        }
        foreach (var stale in insights.Active.Keys.Concat(insights.Streaks.Keys).Where(s => !evaluated.Contains(s)).ToList())
        {
            insights.Streaks.Remove(stale);
            Clear(stale, now);
        }
        insights.EvaluatedThrough = day;
        insights.DeferredUntil = null;
        Touch();
    }

    /// <summary>
    /// The stalled share now (after the stalled list changed): fires once when the team has at least the rule's open deals
    /// and more than its share stalled; clears once it no longer holds.
    /// </summary>
    public void CheckStalledShare(IReadOnlyList<(AnomalyRuleOptions Rule, StalledShare Share)> teams, DateOnly today, DateTimeOffset now)
    {
        EnsureCreated();
        foreach (var (rule, share) in teams)
        {
            Judge(rule, share, today, now);
        }
        state.Insights.StalledShareCheckAt = null;
        state.Insights.DeferredUntil = null;
        Touch();
    }

    /// <summary>The week's forecast snapshot, once per week.</summary>
    public void TakeSnapshot(DateOnly week, TimeZoneInfo zone, TimeSpan horizon, IReadOnlyList<ForecastPart> parts, ForecastWeights weights, DateTimeOffset now)
    {
        EnsureCreated();
        var from = InsightRules.StartOf(week, zone);
        Raise(new TeamEvent.ForecastSnapshotTaken(new ForecastSnapshot(week, now, from, from + horizon, ForecastSnapshot.RowsFrom(parts, weights))));
        state.Insights.SnapshotWeek = week;
        state.Insights.DeferredUntil = null;
    }

    private void Judge(AnomalyRuleOptions rule, StalledShare share, DateOnly day, DateTimeOffset now)
    {
        var slot = Anomaly.Slot(rule.Key, string.Empty);
        var holds = share.Open >= rule.MinOpenDeals && share.Percent > rule.Percent;
        if (!holds)
        {
            Clear(slot, now);
            return;
        }
        if (state.Insights.Active.ContainsKey(slot))
        {
            return;
        }
        var level = rule.AtLeast == StallLevel.Yellow ? "yellow or red" : "red";
        Detect(slot, new Anomaly(
            $"{rule.Key}:team:{day:yyyy-MM-dd}", string.Empty, rule.Key, AnomalyKind.TeamStalledShare, GoalMetric.Unspecified, day, now,
            share.Percent, rule.Percent, 0,
            $"team {id}: {InsightRules.Figure(share.Percent)}% of open deals stalled {level} ({share.Stalled} of {share.Open}), above {InsightRules.Figure(rule.Percent)}%"));
    }

    private void Detect(string slot, Anomaly anomaly)
    {
        state.Insights.Active[slot] = anomaly;
        Raise(new TeamEvent.AnomalyDetected(anomaly));
        if ((state.ManagerId ?? state.DirectorId) is { } recipient)
        {
            Then(new TeamFollowUp.Notify(recipient, new Notification(
                $"anomaly:{id}:{anomaly.Id}", "anomaly", NotificationSeverity.Warning, "team", id, anomaly.Message, anomaly.DetectedAt)));
        }
    }

    private void Clear(string slot, DateTimeOffset now)
    {
        if (state.Insights.Active.Remove(slot, out var active))
        {
            Raise(new TeamEvent.AnomalyCleared(active with { ClearedAt = now }));
        }
    }
}
