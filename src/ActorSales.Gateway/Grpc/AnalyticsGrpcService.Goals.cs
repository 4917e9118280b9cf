using System.Globalization;
using ActorSales.Contracts.V1;
using ActorSales.Domain.Common;
using ActorSales.Domain.Identity;
using ActorSales.Gateway.Mapping;
using ActorSales.Gateway.ReadSide;
using ActorSales.Grains.Abstractions;
using ActorSales.Grains.Abstractions.Contracts;
using ActorSales.Grains.Abstractions.People;
using ActorSales.ReadModel.Analytics;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using DomainGoals = ActorSales.Domain.Goals;

namespace ActorSales.Gateway.Grpc;

// Goals: set through the team grain (its aggregate decides, one write, a goal_set event); listed and measured from the
// read model: the goals table and the same facts as the other figures, never the records' grains.
public sealed partial class AnalyticsGrpcService
{
    public override async Task<SetGoalResponse> SetGoal(SetGoalRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        var teamId = Guard.Id(request.TeamId, "team_id");
        var ownerId = RequestMapper.OptionalId(request.OwnerId, "owner_id") ?? string.Empty;
        var target = DomainGoals.GoalRules.Validate(ownerId, (DomainGoals.GoalMetric)request.Metric, (DomainGoals.GoalPeriodKind)request.PeriodKind,
            request.PeriodStart, request.Target, request.Currency);
        var result = await grains.Ref<ITeamGrain>(teamId).SetGoal(target, caller);
        return new SetGoalResponse
        {
            Goal = GoalContract.ToContract(teamId, result.Goal),
            ConsistencyToken = ConsistencyToken.For(EntityType.Team, teamId, result.TeamVersion),
        };
    }

    public override async Task<ListGoalsResponse> ListGoals(ListGoalsRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        var subject = AnalyticsMapper.ToSubject(request.Scope);
        var period = AnalyticsMapper.ToPeriod(request.Period);
        var filter = await FilterAsync(caller, subject, request.ConsistencyToken, context);
        var response = new ListGoalsResponse();
        response.Goals.AddRange(Ordered(await reads.Queries.GoalsAsync(filter, period, context.CancellationToken)));
        return response;
    }

    public override async Task<GetGoalProgressResponse> GetGoalProgress(GetGoalProgressRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        var subject = AnalyticsMapper.ToSubject(request.Scope);
        var period = AnalyticsMapper.ToPeriod(request.Period);
        var filter = await FilterAsync(caller, subject, request.ConsistencyToken, context);
        var asOf = clock.GetUtcNow();
        var goals = Ordered(await reads.Queries.GoalsAsync(filter, period, context.CancellationToken));
        var response = new GetGoalProgressResponse { AsOf = Timestamp.FromDateTimeOffset(asOf) };
        response.Progress.AddRange(await ProgressAsync(goals, asOf, context.CancellationToken));
        // The heatmap: per (rep, metric), the goal whose period holds now, else the latest one.
        response.Heatmap.AddRange(response.Progress
            .Where(p => p.Goal.OwnerId.Length > 0)
            .GroupBy(p => (p.Goal.OwnerId, p.Goal.Metric))
            .OrderBy(g => g.Key.OwnerId, StringComparer.Ordinal).ThenBy(g => g.Key.Metric)
            .Select(g => g.OrderByDescending(p => p.Goal.Period.From.ToDateTimeOffset() <= asOf && asOf < p.Goal.Period.To.ToDateTimeOffset())
                .ThenByDescending(p => p.Goal.Period.From.ToDateTimeOffset()).First())
            .Select(p => new GoalDeviationCell { OwnerId = p.Goal.OwnerId, Metric = p.Goal.Metric, DeviationPercent = p.DeviationPercent }));
        return response;
    }

    private static List<Goal> Ordered(IEnumerable<Goal> goals) => goals
        .OrderBy(g => g.TeamId, StringComparer.Ordinal).ThenBy(g => g.OwnerId, StringComparer.Ordinal)
        .ThenBy(g => g.PeriodStart, StringComparer.Ordinal).ThenBy(g => g.PeriodKind).ThenBy(g => g.Metric)
        .ToList();

    /// <summary>Each goal against what the facts count in its period up to <paramref name="asOf"/> (GetGoalProgress and the board).</summary>
    private async Task<List<GoalProgress>> ProgressAsync(IEnumerable<Goal> goals, DateTimeOffset asOf, CancellationToken cancellationToken)
    {
        var progress = new List<GoalProgress>();
        foreach (var goal in goals)
        {
            var period = new Period(goal.Period.From.ToDateTimeOffset(), goal.Period.To.ToDateTimeOffset());
            var actual = await GoalActuals.ActualAsync(reads.Queries, (DomainGoals.GoalMetric)goal.Metric, GoalActuals.For(goal.TeamId, goal.OwnerId),
                period, goal.Currency, cancellationToken);
            var domainGoal = new DomainGoals.Goal(
                new DomainGoals.GoalKey(goal.OwnerId, (DomainGoals.GoalMetric)goal.Metric, (DomainGoals.GoalPeriodKind)goal.PeriodKind, default),
                period.From, period.To, decimal.Parse(goal.Target, CultureInfo.InvariantCulture), goal.Currency, goal.SetBy, goal.SetAt.ToDateTimeOffset());
            var p = DomainGoals.GoalRules.Progress(domainGoal, actual, asOf);
            progress.Add(new GoalProgress
            {
                Goal = goal,
                Actual = GoalContract.Format(p.Actual, domainGoal.Key.Metric),
                ElapsedShare = p.ElapsedShare.ToString("0.0000", CultureInfo.InvariantCulture),
                LinearPace = GoalContract.Figure(p.LinearPace),
                Deviation = GoalContract.Figure(p.Deviation),
                DeviationPercent = GoalContract.Figure(p.DeviationPercent),
                AttainmentPercent = GoalContract.Figure(p.AttainmentPercent),
            });
        }
        return progress;
    }
}
