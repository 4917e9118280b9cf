using System.Globalization;
using ActorSales.Contracts.V1;
using StallLevel = ActorSales.Domain.Deadlines.StallLevel;
using ActorSales.Domain.Insights;
using ActorSales.Grains.Abstractions.Analytics;
using ActorSales.Grains.Abstractions.Events;
using ForecastPart = ActorSales.Domain.Pipeline.ForecastPart;
using DomainGoalMetric = ActorSales.Domain.Goals.GoalMetric;
using ReadScope = ActorSales.Domain.Identity.ReadScope;

namespace ActorSales.ReadModel.Analytics;

/// <summary>What a goal's metric counts for a rep or a team in a period: the one definition goals and anomaly rules share.</summary>
public static class GoalActuals
{
    /// <summary>
    /// A rep's count (their owned records; visits: those they logged) or a team's (what it holds) of
    /// <paramref name="metric"/> in <paramref name="period"/>; won and collected amounts only in <paramref name="currency"/>
    /// (collected: payments received in the period on their orders, not reversed).
    /// </summary>
    public static async Task<decimal> ActualAsync(
        IAnalyticsFacts facts, DomainGoalMetric metric, AnalyticsFilter filter, Period period, string currency, CancellationToken cancellationToken)
    {
        switch (metric)
        {
            case DomainGoalMetric.NewCustomers:
                return (await facts.NewCustomerFollowUpAsync(filter, period, cancellationToken)).NewCustomers;
            case DomainGoalMetric.EffectiveVisits:
                return (await facts.VisitsAsync(filter, period, cancellationToken)).Sum(v => v.Effective);
            case DomainGoalMetric.OpportunitiesCreated:
                return (await facts.CreatedOpportunitiesAsync(filter, period, cancellationToken)).Count;
            case DomainGoalMetric.WonAmount:
                var won = await facts.WonCyclesAsync(filter, period, cancellationToken);
                var deals = await facts.OpportunitiesAsync(won.Select(w => w.OpportunityId).ToList(), cancellationToken);
                return deals.Where(d => d.Value?.Currency == currency).Sum(d => decimal.Parse(d.Value.Amount, CultureInfo.InvariantCulture));
            case DomainGoalMetric.CollectedAmount:
                var payments = await facts.PaymentsAsync(filter, period, cancellationToken);
                return payments.Where(p => !p.Reversed && p.Currency == currency).Sum(p => p.Amount);
            default:
                return 0;
        }
    }

    /// <summary>The filter of a goal's owner (a rep) or, with an empty owner, its team; access was decided before.</summary>
    public static AnalyticsFilter For(string teamId, string ownerId) => ownerId.Length > 0
        ? new AnalyticsFilter(ReadScope.Everything, OwnerId: ownerId)
        : new AnalyticsFilter(ReadScope.Everything, TeamId: teamId);
}

/// <summary>The forecast history's derived figures, shared by both stores' rows.</summary>
public static class ForecastHistoryFigures
{
    /// <summary>Fills deviation, accuracy and final of a stored row whose won figures the store set.</summary>
    public static ForecastWeek Complete(ForecastWeek row, DateTimeOffset asOf)
    {
        var forecast = decimal.Parse(row.WeightedAmount, CultureInfo.InvariantCulture);
        var won = decimal.Parse(row.WonAmount.Length == 0 ? "0" : row.WonAmount, CultureInfo.InvariantCulture);
        row.WonAmount = InsightRules.Figure(won);
        row.Deviation = InsightRules.Figure(won - forecast);
        row.AccuracyPercent = InsightRules.Figure(ForecastSnapshot.Accuracy(forecast, won));
        row.Final = row.Window.To.ToDateTimeOffset() <= asOf;
        return row;
    }

    /// <summary>By team, week, owner (the team's row first), currency.</summary>
    public static IReadOnlyList<ForecastWeek> Ordered(IEnumerable<ForecastWeek> rows) => rows
        .OrderBy(r => r.TeamId, StringComparer.Ordinal).ThenBy(r => r.WeekStart, StringComparer.Ordinal)
        .ThenBy(r => r.OwnerId, StringComparer.Ordinal).ThenBy(r => r.Currency, StringComparer.Ordinal)
        .ToList();
}

/// <summary>
/// <see cref="ITeamFigures"/> on the read model: the figures a team's anomaly rules and forecast snapshots judge by,
/// with the same definitions as the analytics RPCs.
/// </summary>
public sealed class ReadModelTeamFigures(IReadModelQueries queries, IEventLog log, TimeProvider clock) : ITeamFigures
{
    public async Task<bool> IsCurrentAsync(CancellationToken cancellationToken = default)
    {
        var head = (await log.GetBoundsAsync(cancellationToken)).Head;
        return await queries.CheckpointAsync(cancellationToken) >= head;
    }

    public Task<decimal> RepActualAsync(string ownerId, DomainGoalMetric metric, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default) =>
        GoalActuals.ActualAsync(queries, metric, new AnalyticsFilter(ReadScope.Everything, OwnerId: ownerId), new Period(from, to), string.Empty, cancellationToken);

    public async Task<StalledShare> StalledShareAsync(string teamId, StallLevel atLeast, CancellationToken cancellationToken = default)
    {
        var counts = await queries.OpenCountsAsync(new AnalyticsFilter(ReadScope.Everything, TeamId: teamId), null, clock.GetUtcNow(), cancellationToken);
        return new StalledShare(counts.Sum(c => c.Count), counts.Where(c => (int)c.StallLevel >= (int)atLeast).Sum(c => c.Count));
    }

    public Task<IReadOnlyList<ForecastPart>> ForecastPartsAsync(string teamId, DateTimeOffset closeBefore, CancellationToken cancellationToken = default) =>
        queries.ForecastPartsAsync(new AnalyticsFilter(ReadScope.Everything, TeamId: teamId), closeBefore, cancellationToken);
}
