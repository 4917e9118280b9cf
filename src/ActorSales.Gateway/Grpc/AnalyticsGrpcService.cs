using ActorSales.Contracts.V1;
using ActorSales.Domain.Common;
using ActorSales.Domain.Errors;
using ActorSales.Domain.Identity;
using ActorSales.Gateway.Identity;
using ActorSales.Gateway.Mapping;
using ActorSales.Gateway.ReadSide;
using ActorSales.Grains.Abstractions;
using ActorSales.Grains.Abstractions.Opportunities;
using ActorSales.ReadModel;
using ActorSales.ReadModel.Analytics;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using PipelineOptions = ActorSales.Domain.Pipeline.OpportunityOptions;

namespace ActorSales.Gateway.Grpc;

/// <summary>
/// The management figures (README "Analytics"): every RPC checks its fields, decides the caller's scope with the
/// read side's one policy (<see cref="ReadModelReader.ScopeAsync"/>), waits for a consistency token, reads facts from the
/// read model and has <see cref="AnalyticsFigures"/> compute the figures. The only grain calls are pipeline definitions
/// (stage order, key actions): configuration, never the records.
/// </summary>
[Authorize]
public sealed partial class AnalyticsGrpcService(
    IGrainFactory grains,
    CallerResolver callers,
    ReadModelReader reads,
    TimeProvider clock,
    IOptions<PipelineOptions> pipelines,
    IOptions<AnalyticsOptions> options,
    ReadModelChanges changes,
    BoardStreams boardStreams) : AnalyticsService.AnalyticsServiceBase
{
    public override async Task<GetFunnelResponse> GetFunnel(GetFunnelRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        var subject = AnalyticsMapper.ToSubject(request.Scope);
        var period = AnalyticsMapper.ToPeriod(request.Period);
        var pipelineKey = AnalyticsMapper.PipelineKey(request.PipelineKey) ?? pipelines.Value.DefaultPipeline;
        var filter = await FilterAsync(caller, subject, request.ConsistencyToken, context);
        return await FunnelAsync(filter, pipelineKey, period, context.CancellationToken);
    }

    public override async Task<ListFunnelOpportunitiesResponse> ListFunnelOpportunities(ListFunnelOpportunitiesRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        var subject = AnalyticsMapper.ToSubject(request.Scope);
        var period = AnalyticsMapper.ToPeriod(request.Period);
        var pipelineKey = AnalyticsMapper.PipelineKey(request.PipelineKey) ?? pipelines.Value.DefaultPipeline;
        var stage = Guard.Id(request.Stage, "stage");
        var cell = AnalyticsMapper.ToCell(request.Cell);
        var lossReason = AnalyticsMapper.LossReason(request.LossReason, cell);
        var size = AnalyticsMapper.PageSize(request.PageSize);
        var after = AnalyticsMapper.PageToken(request.PageToken, AnalyticsMapper.FunnelPages);
        var filter = await FilterAsync(caller, subject, request.ConsistencyToken, context);
        var stages = await StagesAsync(pipelineKey);
        var facts = await reads.Queries.StageEntriesAsync(filter, pipelineKey, period, context.CancellationToken);
        var ids = AnalyticsFigures.FunnelCellIds(facts, AnalyticsFigures.StageOrder(stages, facts), stage, cell, lossReason)
            .Where(id => after is null || string.CompareOrdinal(id, after) > 0)
            .Take(size + 1)
            .ToList();
        var more = ids.Count > size;
        if (more)
        {
            ids.RemoveAt(size);
        }
        var found = await reads.Queries.OpportunitiesAsync(ids, context.CancellationToken);
        var response = new ListFunnelOpportunitiesResponse { NextPageToken = more ? Paging.EncodeToken(AnalyticsMapper.FunnelPages, ids[^1]) : string.Empty };
        response.Opportunities.AddRange(found.OrderBy(o => o.OpportunityId, StringComparer.Ordinal));
        return response;
    }

    public override async Task<GetStallHeatmapResponse> GetStallHeatmap(GetStallHeatmapRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        var subject = AnalyticsMapper.ToSubject(request.Scope);
        var pipelineKey = AnalyticsMapper.PipelineKey(request.PipelineKey);
        var filter = await FilterAsync(caller, subject, request.ConsistencyToken, context);
        return await HeatmapAsync(filter, pipelineKey, clock.GetUtcNow(), context.CancellationToken);
    }

    public override async Task<ListStallHeatmapOpportunitiesResponse> ListStallHeatmapOpportunities(
        ListStallHeatmapOpportunitiesRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        var subject = AnalyticsMapper.ToSubject(request.Scope);
        var pipelineKey = Guard.Id(request.PipelineKey, "pipeline_key");
        var stage = Guard.Id(request.Stage, "stage");
        StallLevel? stall = null;
        AgeBucket? bucket = null;
        switch (request.CellCase)
        {
            case ListStallHeatmapOpportunitiesRequest.CellOneofCase.StallLevel:
                stall = System.Enum.IsDefined(request.StallLevel)
                    ? request.StallLevel
                    : throw new ValidationException("stall_level", $"must be one of {string.Join(", ", System.Enum.GetNames<StallLevel>())}");
                break;
            case ListStallHeatmapOpportunitiesRequest.CellOneofCase.AgeBucket:
                bucket = Guard.Enum(request.AgeBucket, "age_bucket");
                break;
            default:
                throw new ValidationException("cell", "name stall_level or age_bucket");
        }
        var size = AnalyticsMapper.PageSize(request.PageSize);
        var after = AnalyticsMapper.PageToken(request.PageToken, AnalyticsMapper.HeatmapPages);
        var filter = await FilterAsync(caller, subject, request.ConsistencyToken, context);
        var (from, to) = bucket is { } b ? AnalyticsFigures.EnteredRange(b, clock.GetUtcNow()) : (null, null);
        var page = await reads.Queries.ListOpportunitiesAsync(new OpportunityQuery(
            filter.Reach, size, after, OwnerId: filter.OwnerId, TeamId: filter.TeamId, Region: filter.Region, PipelineKey: pipelineKey, Stage: stage,
            Status: OpportunityStatus.Open, StallLevel: stall, Sort: OpportunitySort.TimeInStage, Descending: true,
            StageEnteredFrom: from, StageEnteredTo: to), context.CancellationToken);
        var response = new ListStallHeatmapOpportunitiesResponse
        {
            NextPageToken = QueryMapper.NextPageToken(page.NextPageToken, AnalyticsMapper.HeatmapPages),
        };
        response.Opportunities.AddRange(page.Items);
        return response;
    }

    public override async Task<GetCycleTimesResponse> GetCycleTimes(GetCycleTimesRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        var subject = AnalyticsMapper.ToSubject(request.Scope);
        var period = AnalyticsMapper.ToPeriod(request.Period, AnalyticsMapper.MaxCyclePeriod);
        var filter = await FilterAsync(caller, subject, request.ConsistencyToken, context);
        var wins = await reads.Queries.WonCyclesAsync(filter, period, context.CancellationToken);
        var response = new GetCycleTimesResponse();
        response.Months.AddRange(AnalyticsFigures.CycleTimes(wins).Select(m => new CycleTimeMonth
        {
            Month = m.Month,
            Won = m.Won,
            MedianDays = (double)m.MedianDays,
            StddevDays = (double)m.StdDevDays,
            Paid = m.Paid,
            MedianDaysToFirstPayment = (double)m.MedianDaysToPayment,
            StddevDaysToFirstPayment = (double)m.StdDevDaysToPayment,
        }));
        return response;
    }

    public override async Task<GetProcessHealthResponse> GetProcessHealth(GetProcessHealthRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        var subject = AnalyticsMapper.ToSubject(request.Scope);
        var period = AnalyticsMapper.ToPeriod(request.Period);
        var filter = await FilterAsync(caller, subject, request.ConsistencyToken, context);
        var queries = reads.Queries;
        var created = await queries.CreatedOpportunitiesAsync(filter, period, context.CancellationToken);
        var penetration = AnalyticsFigures.Penetration(created, await KeyActionsAsync(created.Select(o => (o.PipelineKey, o.PipelineVersion))));
        var followUp = await queries.NewCustomerFollowUpAsync(filter, period, context.CancellationToken);
        var visits = await queries.VisitsAsync(filter, period, context.CancellationToken);
        var journey = new JourneyPenetration { Opportunities = penetration.Opportunities, AveragePercent = (double)penetration.AveragePercent };
        journey.Lowest.AddRange(penetration.Lowest.Select(p => new OpportunityPenetration
        {
            OpportunityId = p.OpportunityId,
            OwnerId = p.OwnerId,
            Penetration = ToContract(p.Penetration),
        }));
        var response = new GetProcessHealthResponse
        {
            Penetration = journey,
            FollowUpResponse = new FollowUpResponse
            {
                NewCustomers = followUp.NewCustomers,
                Met = followUp.Met,
                Missed = followUp.Missed,
                Pending = followUp.NewCustomers - followUp.Met - followUp.Missed,
                ResponseRate = ToContract(new Share(followUp.Met, followUp.Met + followUp.Missed)),
            },
        };
        response.EffectiveVisits.AddRange(visits.OrderByDescending(v => v.Effective).ThenBy(v => v.SalespersonId, StringComparer.Ordinal)
            .Select(v => new RepVisits { SalespersonId = v.SalespersonId, EffectiveVisits = v.Effective, Visits = v.Visits }));
        return response;
    }

    public override async Task<GetDataHealthResponse> GetDataHealth(GetDataHealthRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        var subject = AnalyticsMapper.ToSubject(request.Scope);
        var period = AnalyticsMapper.ToPeriod(request.Period);
        var filter = await FilterAsync(caller, subject, request.ConsistencyToken, context);
        var queries = reads.Queries;
        var asOf = clock.GetUtcNow();
        var required = options.Value.RequiredMask();
        var completeness = await queries.CompletenessAsync(filter, required, context.CancellationToken);
        var late = await queries.LateUpdatesAsync(filter, asOf - options.Value.LateUpdateAfter, context.CancellationToken);
        var refused = await queries.RefusalsAsync(filter, period, context.CancellationToken);
        var response = new GetDataHealthResponse
        {
            CompleteCustomers = ToContract(new Share(completeness.Complete, completeness.Customers)),
            LateUpdatedOpportunities = ToContract(new Share(late.Late, late.Open)),
            DuplicatesRejected = refused,
            AsOf = Timestamp.FromDateTimeOffset(asOf),
        };
        response.MissingFields.AddRange(AnalyticsFacts.CustomerFields.Where(f => completeness.Missing.ContainsKey(f.Field))
            .Select(f => new MissingField { Field = f.Name, Customers = completeness.Missing[f.Field] }));
        return response;
    }

    /// <summary>
    /// The caller's reach and the request's narrowing, decided before anything is read (a team or owner outside the
    /// reach, or a region for anyone but directors, admins and services, is PERMISSION_DENIED); then read-your-writes.
    /// </summary>
    private async Task<AnalyticsFilter> FilterAsync(Caller caller, AnalyticsMapper.Subject subject, string consistencyToken, ServerCallContext context)
    {
        var token = ConsistencyToken.Parse(consistencyToken);
        var reach = await reads.ScopeAsync(caller, subject.TeamId, subject.OwnerId);
        if (subject.Region is not null && reach != ReadScope.Everything)
        {
            throw new AccessDeniedException("only directors, admins and services may read region-wide figures");
        }
        await reads.CatchUpAsync(token, caller, context.CancellationToken);
        return new AnalyticsFilter(reach, subject.TeamId, subject.OwnerId, subject.Region);
    }

    /// <summary>The funnel of <paramref name="pipelineKey"/> for <paramref name="period"/> (GetFunnel and the board).</summary>
    private async Task<GetFunnelResponse> FunnelAsync(AnalyticsFilter filter, string pipelineKey, Period period, CancellationToken cancellationToken)
    {
        var stages = await StagesAsync(pipelineKey);
        var facts = await reads.Queries.StageEntriesAsync(filter, pipelineKey, period, cancellationToken);
        var order = AnalyticsFigures.StageOrder(stages, facts);
        var response = new GetFunnelResponse { PipelineKey = pipelineKey };
        foreach (var s in AnalyticsFigures.Funnel(facts, order))
        {
            var stage = new FunnelStage
            {
                Stage = s.Stage,
                Entered = s.Entered,
                MovedOn = s.MovedOn,
                MovedBack = s.MovedBack,
                Lost = s.Lost,
                StillOpen = s.StillOpen,
                Won = s.Won,
                ConversionToNext = ToContract(s.ConversionToNext),
                ConversionToWon = ToContract(s.ConversionToWon),
                MedianTimeInStage = s.MedianTimeInStage is { } median ? Duration.FromTimeSpan(median) : null,
                P90TimeInStage = s.P90TimeInStage is { } p90 ? Duration.FromTimeSpan(p90) : null,
            };
            stage.Losses.AddRange(s.Losses.Select(l => new LossCount { Reason = l.Reason, Count = l.Count }));
            response.Stages.Add(stage);
        }
        return response;
    }

    /// <summary>Open deals by stage x stall level and by age in stage at <paramref name="asOf"/> (GetStallHeatmap and the board).</summary>
    private async Task<GetStallHeatmapResponse> HeatmapAsync(AnalyticsFilter filter, string? pipelineKey, DateTimeOffset asOf, CancellationToken cancellationToken)
    {
        var counts = await reads.Queries.OpenCountsAsync(filter, pipelineKey, asOf, cancellationToken);
        var response = new GetStallHeatmapResponse { OpenTotal = counts.Sum(c => c.Count), AsOf = Timestamp.FromDateTimeOffset(asOf) };
        response.StallCells.AddRange(counts.GroupBy(c => (c.PipelineKey, c.Stage, c.StallLevel))
            .OrderBy(g => g.Key.PipelineKey, StringComparer.Ordinal).ThenBy(g => g.Key.Stage, StringComparer.Ordinal).ThenBy(g => g.Key.StallLevel)
            .Select(g => new StallCell { PipelineKey = g.Key.PipelineKey, Stage = g.Key.Stage, StallLevel = g.Key.StallLevel, Count = g.Sum(c => c.Count) }));
        response.AgeCells.AddRange(counts.GroupBy(c => (c.PipelineKey, c.Stage, c.AgeBucket))
            .OrderBy(g => g.Key.PipelineKey, StringComparer.Ordinal).ThenBy(g => g.Key.Stage, StringComparer.Ordinal).ThenBy(g => g.Key.AgeBucket)
            .Select(g => new AgeCell { PipelineKey = g.Key.PipelineKey, Stage = g.Key.Stage, AgeBucket = g.Key.AgeBucket, Count = g.Sum(c => c.Count) }));
        return response;
    }

    /// <summary>The stage keys of the pipeline's latest version; NOT_FOUND for an unknown pipeline.</summary>
    private async Task<IReadOnlyList<string>> StagesAsync(string pipelineKey)
    {
        var definition = await grains.Ref<IPipelineGrain>(pipelineKey).Get(0) ?? throw new NotFoundException("pipeline", pipelineKey);
        return definition.Stages.Select(s => s.Key).ToList();
    }

    /// <summary>The key actions (evidence kinds required to enter or leave any stage) of each pipeline version named.</summary>
    private async Task<IReadOnlyDictionary<(string Key, int Version), IReadOnlySet<string>>> KeyActionsAsync(IEnumerable<(string Key, int Version)> versions)
    {
        var result = new Dictionary<(string Key, int Version), IReadOnlySet<string>>();
        foreach (var (key, version) in versions.Distinct())
        {
            if (key.Length == 0 || version < 1)
            {
                continue;
            }
            var definition = await grains.Ref<IPipelineGrain>(key).Get(version);
            result[(key, version)] = definition is null ? new HashSet<string>() : AnalyticsFigures.KeyActionsOf(definition);
        }
        return result;
    }

    private static Percentage ToContract(Share share) =>
        new() { Numerator = share.Numerator, Denominator = share.Denominator, Percent = (double)share.Percent };
}
