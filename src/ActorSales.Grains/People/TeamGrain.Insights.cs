using ActorSales.Domain.Deadlines;
using ActorSales.Domain.Identity;
using ActorSales.Domain.Insights;
using ActorSales.Domain.People;
using ActorSales.Grains.Abstractions.Analytics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ActorSales.Grains.People;

/// <summary>
/// The team's time rules on the one deadline engine (README "Analytics", anomalies and forecast history): the end of
/// each working day (anomaly rules), soon after a stalled-list change (the stalled share), the start of each week (the
/// forecast snapshot). The figures come from the read model through <see cref="ITeamFigures"/>; the aggregate decides.
/// </summary>
public sealed partial class TeamGrain
{
    private ITeamFigures? Figures => services.GetService<ITeamFigures>();

    /// <summary>Insight deadlines need the read model's figures; a silo without a read model arms none.</summary>
    private bool InsightsOn => insightsOptions.Value.Enabled && Figures is not null;

    private WorkingCalendar Calendar() =>
        deadlineOptions.Value.CalendarFor(this.GetPrimaryKeyString(), TimeZoneInfo.FindSystemTimeZoneById(state.State.Profile!.TimeZone));

    /// <summary>The insight deadlines (when on), plus the effects retry while effects are pending.</summary>
    private List<Deadline> DesiredDeadlines() => _deadlines.WithEffectsRetry(
        InsightsOn && state.State.Created ? Aggregate().WantedInsightDeadlines(insightsOptions.Value, Calendar()) : [],
        _effects.HasPending);

    public Task<IReadOnlyList<Deadline>> ArmedDeadlines() => Task.FromResult<IReadOnlyList<Deadline>>(DesiredDeadlines());

    /// <summary>Re-checks a due deadline against the current state and acts at most once per rule and due time.</summary>
    private async Task OnDeadlineDue(Deadline deadline)
    {
        var now = clock.GetUtcNow();
        if (deadline.DueAt > now || !DesiredDeadlines().Contains(deadline))
        {
            await _deadlines.ScheduleAsync(DesiredDeadlines());
            return;
        }
        if (_deadlines.TakeEffectsRetry(deadline))
        {
            await AfterWrite();
            return;
        }
        var figures = Figures!;
        var options = insightsOptions.Value;
        var aggregate = Aggregate();
        if (!await figures.IsCurrentAsync() && now < deadline.DueAt + options.CatchUpLimit)
        {
            LogReadModelBehind(Id, deadline.Rule, deadline.DueAt);
            aggregate.Defer(now + options.CatchUpRetry);
        }
        else
        {
            // Every figure is read before the aggregate changes anything: a failed read leaves the deadline wanted, and
            // the reminder brings it back.
            switch (deadline.Rule)
            {
                case InsightRules.DayRule:
                    await EvaluateDayAsync(aggregate, figures, now);
                    break;
                case InsightRules.StalledShareRule:
                    aggregate.CheckStalledShare(await TeamSharesAsync(figures), InsightRules.LocalDay(now, Calendar().TimeZone), now);
                    break;
                case InsightRules.SnapshotRule:
                    var zone = Calendar().TimeZone;
                    var week = aggregate.NextWeekToSnapshot(zone);
                    var parts = await figures.ForecastPartsAsync(Id, InsightRules.StartOf(week, zone) + options.ForecastHorizon);
                    aggregate.TakeSnapshot(week, zone, options.ForecastHorizon, parts, opportunityOptions.Value.Weights, now);
                    break;
            }
        }
        await Commit(aggregate, Caller.System.UserId);
    }

    private async Task EvaluateDayAsync(TeamAggregate aggregate, ITeamFigures figures, DateTimeOffset now)
    {
        var calendar = Calendar();
        var day = aggregate.NextDayToEvaluate(calendar);
        var (from, to) = (InsightRules.StartOf(day, calendar.TimeZone), InsightRules.StartOf(day.AddDays(1), calendar.TimeZone));
        var reps = new List<RepDay>();
        foreach (var rule in insightsOptions.Value.EffectiveRules.Where(r => r.Kind == AnomalyKind.RepBelowDailyTarget))
        {
            foreach (var member in state.State.Members)
            {
                var target = InsightRules.DailyTarget(state.State.Goals.Values, member, rule.Metric, day, calendar, rule.DailyTarget, member == state.State.ManagerId);
                var actual = target is null ? 0 : await figures.RepActualAsync(member, rule.Metric, from, to);
                reps.Add(new RepDay(rule, member, actual, target));
            }
        }
        aggregate.EvaluateDay(day, reps, await TeamSharesAsync(figures), now);
    }

    private async Task<IReadOnlyList<(AnomalyRuleOptions Rule, StalledShare Share)>> TeamSharesAsync(ITeamFigures figures)
    {
        var shares = new List<(AnomalyRuleOptions, StalledShare)>();
        foreach (var rule in insightsOptions.Value.EffectiveRules.Where(r => r.Kind == AnomalyKind.TeamStalledShare))
        {
            shares.Add((rule, await figures.StalledShareAsync(Id, rule.AtLeast)));
        }
        return shares;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "team {TeamId}: the read model is behind at the {Rule} deadline due {DueAt}; evaluating later")]
    private partial void LogReadModelBehind(string teamId, string rule, DateTimeOffset dueAt);
}
