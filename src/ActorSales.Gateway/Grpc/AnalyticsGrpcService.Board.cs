using System.Globalization;
using ActorSales.Contracts.V1;
using ActorSales.Domain.Identity;
using ForecastRules = ActorSales.Domain.Pipeline.ForecastRules;
using ActorSales.Gateway.Identity;
using ActorSales.Gateway.Mapping;
using ActorSales.Gateway.ReadSide;
using ActorSales.Grains.Abstractions.Contracts;
using ActorSales.ReadModel;
using ActorSales.ReadModel.Analytics;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using CurrencyForecast = ActorSales.Contracts.V1.CurrencyForecast;
using DomainMoney = ActorSales.Domain.Pipeline.Money;
using DomainSignal = ActorSales.Domain.Pipeline.ForecastSignal;

namespace ActorSales.Gateway.Grpc;

/// <summary>
/// WatchBoard (README "Analytics", live board): the board is computed from the read model like every analytics figure;
/// the stream follows the host's one <see cref="ReadModelChanges"/> watcher, and after a change that may concern its
/// scope waits one coalescing window, recomputes once and sends only if the board differs from the last one sent.
/// </summary>
public sealed partial class AnalyticsGrpcService
{
    /// <summary>Lists of the board (interventions, customers about to be released) hold at most this many entries; their totals count all.</summary>
    public const int BoardListLimit = 100;

    public override async Task WatchBoard(WatchBoardRequest request, IServerStreamWriter<WatchBoardResponse> responseStream, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        var subject = AnalyticsMapper.ToSubject(request.Scope);
        Period? period = request.Period is null ? null : AnalyticsMapper.ToPeriod(request.Period);
        var pipelineKey = AnalyticsMapper.PipelineKey(request.PipelineKey);
        var filter = await FilterAsync(caller, subject, string.Empty, context);
        var cancel = context.CancellationToken;
        var expiresAt = TokenExpiry(context);
        using var slot = boardStreams.Take(caller.UserId);
        var node = changes.Follow();
        try
        {
            byte[]? sent = null;
            while (true)
            {
                var (board, checkpoint, asOf) = await ConsistentBoardAsync(filter, pipelineKey, period, cancel);
                var bytes = board.ToByteArray(); // without checkpoint and times: what the manager sees
                if (sent is null || !bytes.AsSpan().SequenceEqual(sent))
                {
                    board.Checkpoint = checkpoint;
                    board.AsOf = Timestamp.FromDateTimeOffset(asOf);
                    board.Heatmap.AsOf = board.AsOf;
                    await responseStream.WriteAsync(board, cancel);
                    sent = bytes;
                }
                do
                {
                    node = await WaitAsync(node, expiresAt, cancel);
                }
                while (!node.Change!.MayConcern(filter.Reach, filter));
                await Task.Delay(options.Value.BoardCoalesceWindow, clock, cancel); // more changes join this recompute
                while (node.Next.IsCompletedSuccessfully)
                {
                    node = await node.Next; // already completed: no wait
                }
                // The caller's status may have changed (a freeze, a departure, a role change): decide again, as Subscribe does.
                caller = await callers.ResolveAsync(context);
                AccessPolicy.EnsureMayRead(caller);
                filter = await FilterAsync(caller, subject, string.Empty, context);
            }
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            // The caller hung up: the normal end of a board stream.
        }
        finally
        {
            changes.Unfollow();
        }
    }

    /// <summary>
    /// Timers refuse due times past 2^32-2 ms (~49.7 days): a longer wait for a token's expiry is taken in steps of at
    /// most this much.
    /// </summary>
    private static readonly TimeSpan LongestTimerWait = TimeSpan.FromDays(30);

    /// <summary>The next change, or UNAUTHENTICATED once the caller's token expires (the stream must not outlive it).</summary>
    private async Task<ReadModelChanges.Node> WaitAsync(ReadModelChanges.Node node, DateTimeOffset? expiresAt, CancellationToken cancel)
    {
        if (expiresAt is not { } expiry)
        {
            return await node.Next.WaitAsync(cancel);
        }
        while (expiry - clock.GetUtcNow() is var left && left > TimeSpan.Zero)
        {
            try
            {
                return await node.Next.WaitAsync(left < LongestTimerWait ? left : LongestTimerWait, clock, cancel);
            }
            catch (TimeoutException)
            {
                // A step of a long wait ended, or the token expired: the loop tells which.
            }
        }
        throw new RpcException(new Status(StatusCode.Unauthenticated, "the token expired; open the board again with a fresh token"));
    }

    private static DateTimeOffset? TokenExpiry(ServerCallContext context) =>
        context.GetHttpContext().User.FindFirst("exp")?.Value is { } exp && long.TryParse(exp, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : null;

    /// <summary>The current UTC calendar month: the board's funnel period when the request names none.</summary>
    private static Period CurrentMonth(DateTimeOffset now)
    {
        var from = new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero);
        return new Period(from, from.AddMonths(1));
    }

    /// <summary>How often a board is recomputed because the projector committed while it was being read.</summary>
    private const int BoardReadAttempts = 3;

    /// <summary>
    /// A board whose parts agree: it is read in several queries, and a projector batch committed between two of them
    /// would show, say, an intervention total the heatmap does not hold yet. The projector writes rows and checkpoint in
    /// one transaction, so an unchanged checkpoint across the reads means they all saw the same state. Under a constant
    /// write load the checkpoint may never stand still; after a few attempts the last board goes out (the next change
    /// brings a new one).
    /// </summary>
    private async Task<(WatchBoardResponse Board, long Checkpoint, DateTimeOffset AsOf)> ConsistentBoardAsync(
        AnalyticsFilter filter, string? pipelineKey, Period? period, CancellationToken cancel)
    {
        for (var attempt = 1; ; attempt++)
        {
            var checkpoint = await reads.Queries.CheckpointAsync(cancel);
            var asOf = clock.GetUtcNow();
            var board = await BoardAsync(filter, pipelineKey, period ?? CurrentMonth(asOf), asOf, cancel);
            if (attempt == BoardReadAttempts || await reads.Queries.CheckpointAsync(cancel) == checkpoint)
            {
                return (board, checkpoint, asOf);
            }
        }
    }

    /// <summary>One board, without its checkpoint and times (set by the caller when it is sent).</summary>
    private async Task<WatchBoardResponse> BoardAsync(AnalyticsFilter filter, string? pipelineKey, Period period, DateTimeOffset asOf, CancellationToken cancel)
    {
        var heatmap = await HeatmapAsync(filter, pipelineKey, asOf, cancel);
        heatmap.AsOf = null;
        var board = new WatchBoardResponse
        {
            Heatmap = heatmap,
            Funnel = await FunnelAsync(filter, pipelineKey ?? pipelines.Value.DefaultPipeline, period, cancel),
            Period = new AnalyticsPeriod { From = Timestamp.FromDateTimeOffset(period.From), To = Timestamp.FromDateTimeOffset(period.To) },
        };
        await AddForecastAsync(board, filter, cancel);
        await AddInterventionsAsync(board, filter, cancel);
        await AddAboutToReleaseAsync(board, filter, cancel);
        await AddGoalsAsync(board, filter, asOf, cancel);
        await AddAnomaliesAsync(board, filter, cancel);
        return board;
    }

    /// <summary>
    /// The weighted forecast (the live forecast's rule with the configured weights) over the open deals in scope, summed
    /// by the store per owner, currency and signal (<see cref="ForecastRules.FromParts"/>: the same figures).
    /// </summary>
    private async Task AddForecastAsync(WatchBoardResponse board, AnalyticsFilter filter, CancellationToken cancel)
    {
        var parts = await reads.Queries.ForecastPartsAsync(filter, null, cancel);
        board.Forecast.AddRange(ForecastRules.FromParts(parts, pipelines.Value.Weights).Select(f => new CurrencyForecast
        {
            Currency = f.Currency,
            OpenAmount = new DomainMoney(f.OpenAmount, f.Currency).ToContract().Amount,
            WeightedAmount = new DomainMoney(f.WeightedAmount, f.Currency).ToContract().Amount,
            OpportunityCount = f.Count,
        }));
    }

    /// <summary>
    /// The deals needing intervention, longest in stage first, and the release-warned customers, earliest follow-up
    /// first: the first <see cref="BoardListLimit"/> of each and their totals, counted by the store (never a page-through
    /// of the scope's deals or customers).
    /// </summary>
    private async Task AddInterventionsAsync(WatchBoardResponse board, AnalyticsFilter filter, CancellationToken cancel)
    {
        var interventions = await reads.Queries.InterventionsAsync(filter, BoardListLimit, cancel);
        board.Interventions.AddRange(interventions.Items);
        board.InterventionTotal = interventions.Total;
    }

    /// <summary>Customers in scope warned of their release to the pool (see <see cref="AddInterventionsAsync"/>).</summary>
    private async Task AddAboutToReleaseAsync(WatchBoardResponse board, AnalyticsFilter filter, CancellationToken cancel)
    {
        var warned = await reads.Queries.AboutToReleaseAsync(filter, BoardListLimit, cancel);
        board.AboutToRelease.AddRange(warned.Items);
        board.AboutToReleaseTotal = warned.Total;
    }
}
