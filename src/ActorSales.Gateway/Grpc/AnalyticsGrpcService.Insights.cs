using ActorSales.Contracts.V1;
using ActorSales.Domain.Common;
using ActorSales.Gateway.Mapping;
using ActorSales.ReadModel;
using ActorSales.ReadModel.Analytics;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace ActorSales.Gateway.Grpc;

// Anomalies and the forecast history: decided by the teams' deadlines (their events), listed from the read model.
public sealed partial class AnalyticsGrpcService
{
    public override async Task<ListAnomaliesResponse> ListAnomalies(ListAnomaliesRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        var subject = AnalyticsMapper.ToSubject(request.Scope);
        Period? period = request.Period is null ? null : AnalyticsMapper.ToPeriod(request.Period);
        AnomalyStatus? status = request.Status == AnomalyStatus.Unspecified ? null : Guard.Enum(request.Status, "status");
        var size = AnalyticsMapper.PageSize(request.PageSize);
        var filter = await FilterAsync(caller, subject, request.ConsistencyToken, context);
        var page = await reads.Queries.AnomaliesAsync(new AnomalyQuery(filter, period, status, size, NullIfEmpty(request.PageToken)), context.CancellationToken);
        var response = new ListAnomaliesResponse { NextPageToken = page.NextPageToken ?? string.Empty };
        response.Anomalies.AddRange(page.Items);
        return response;
    }

    public override async Task<GetForecastHistoryResponse> GetForecastHistory(GetForecastHistoryRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        var subject = AnalyticsMapper.ToSubject(request.Scope);
        var period = AnalyticsMapper.ToPeriod(request.Period);
        var filter = await FilterAsync(caller, subject, request.ConsistencyToken, context);
        var asOf = clock.GetUtcNow();
        var rows = await reads.Queries.ForecastHistoryAsync(filter, period, context.CancellationToken);
        var response = new GetForecastHistoryResponse { AsOf = Timestamp.FromDateTimeOffset(asOf) };
        response.Weeks.AddRange(ForecastHistoryFigures.Ordered(rows.Select(r => ForecastHistoryFigures.Complete(r, asOf))));
        return response;
    }

    /// <summary>The board's anomalies: those active now in scope, newest first, at most <see cref="BoardListLimit"/>.</summary>
    private async Task AddAnomaliesAsync(WatchBoardResponse board, AnalyticsFilter filter, CancellationToken cancel)
    {
        var page = await reads.Queries.AnomaliesAsync(new AnomalyQuery(filter, null, AnomalyStatus.Active, BoardListLimit, null), cancel);
        board.Anomalies.AddRange(page.Items);
    }

    /// <summary>The board's goals: progress of those whose period holds <paramref name="asOf"/>, in ListGoals order.</summary>
    private async Task AddGoalsAsync(WatchBoardResponse board, AnalyticsFilter filter, DateTimeOffset asOf, CancellationToken cancel)
    {
        var goals = await reads.Queries.GoalsAsync(filter, new Period(asOf, asOf.AddTicks(1)), cancel);
        board.Goals.AddRange(await ProgressAsync(Ordered(goals), asOf, cancel));
    }

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;
}
