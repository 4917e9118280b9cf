using ActorSales.Domain.Common;
using ActorSales.Domain.Errors;
using ActorSales.ReadModel.Analytics;
using V1 = ActorSales.Contracts.V1;

namespace ActorSales.Gateway.Mapping;

/// <summary>
/// Analytics requests checked field by field (a refusal names the request field, e.g. <c>period.to</c> or the oneof
/// <c>scope.subject</c>) before the caller's scope is applied or the store is asked.
/// </summary>
public static class AnalyticsMapper
{
    public const string FunnelPages = "funnel-cell";
    public const string HeatmapPages = "heatmap-cell";

    /// <summary>Longest period of the figures; cycle times may look back further.</summary>
    public static readonly TimeSpan MaxPeriod = TimeSpan.FromDays(366);

    public static readonly TimeSpan MaxCyclePeriod = TimeSpan.FromDays(5 * 366);

    private const int MaxRegion = 200;

    /// <summary>The narrowing a request names (team, owner or region); the reach is the caller's, set by the service.</summary>
    public sealed record Subject(string? TeamId, string? OwnerId, string? Region);

    public static Subject ToSubject(V1.AnalyticsScope? scope) => scope?.SubjectCase switch
    {
        null or V1.AnalyticsScope.SubjectOneofCase.None => new Subject(null, null, null),
        V1.AnalyticsScope.SubjectOneofCase.TeamId => new Subject(Guard.Id(scope.TeamId, "scope.team_id"), null, null),
        V1.AnalyticsScope.SubjectOneofCase.OwnerId => new Subject(null, Guard.Id(scope.OwnerId, "scope.owner_id"), null),
        _ => new Subject(null, null, Guard.Required(scope.Region, "scope.region", MaxRegion)),
    };

    public static Period ToPeriod(V1.AnalyticsPeriod? period, TimeSpan? longest = null)
    {
        if (period is null)
        {
            throw new ValidationException("period", "is required: from and to");
        }
        var from = RequestMapper.RequiredTimestamp(period.From, "period.from");
        var to = RequestMapper.RequiredTimestamp(period.To, "period.to");
        if (to <= from)
        {
            throw new ValidationException("period.to", "must be after period.from");
        }
        var limit = longest ?? MaxPeriod;
        if (to - from > limit)
        {
            throw new ValidationException("period.to", $"must be at most {limit.TotalDays:0} days after period.from");
        }
        return new Period(from, to);
    }

    public static string? PipelineKey(string key, string field = "pipeline_key") => RequestMapper.OptionalId(key, field);

    public static FunnelCellKind ToCell(V1.FunnelCell cell) => Guard.Enum(cell, "cell") switch
    {
        V1.FunnelCell.Entered => FunnelCellKind.Entered,
        V1.FunnelCell.MovedOn => FunnelCellKind.MovedOn,
        V1.FunnelCell.MovedBack => FunnelCellKind.MovedBack,
        V1.FunnelCell.Lost => FunnelCellKind.Lost,
        V1.FunnelCell.StillOpen => FunnelCellKind.StillOpen,
        _ => FunnelCellKind.Won,
    };

    public static string? LossReason(string reason, FunnelCellKind cell)
    {
        var value = RequestMapper.OptionalId(reason, "loss_reason");
        return value is not null && cell != FunnelCellKind.Lost
            ? throw new ValidationException("loss_reason", "is only for cell FUNNEL_CELL_LOST")
            : value;
    }

    /// <summary>Page size 1..500, required (as for every read-model query).</summary>
    public static int PageSize(int requested) =>
        requested == 0 ? throw new ValidationException("page_size", $"is required: 1..{Limits.MaxPageSize}") : Paging.PageSize(requested);

    /// <summary>The cursor inside a page token of <paramref name="kind"/>; null for the first page.</summary>
    public static string? PageToken(string token, string kind) => Paging.DecodeToken(token, kind) switch
    {
        null => null,
        { Length: 0 } => throw new ValidationException("page_token", "is not a token returned by this list; start again without a token"),
        var cursor => cursor,
    };
}
