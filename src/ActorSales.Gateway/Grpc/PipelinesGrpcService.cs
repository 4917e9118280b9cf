using ActorSales.Contracts.V1;
using ActorSales.Domain.Common;
using ActorSales.Domain.Errors;
using ActorSales.Domain.Identity;
using ActorSales.Gateway.Identity;
using ActorSales.Grains.Abstractions;
using ActorSales.Grains.Abstractions.Contracts;
using ActorSales.Grains.Abstractions.Opportunities;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using PipelineDomain = ActorSales.Domain.Pipeline;

namespace ActorSales.Gateway.Grpc;

[Authorize]
public sealed class PipelinesGrpcService(IGrainFactory grains, CallerResolver callers) : PipelinesService.PipelinesServiceBase
{
    public override async Task<GetPipelineResponse> GetPipeline(GetPipelineRequest request, ServerCallContext context)
    {
        AccessPolicy.EnsureMayRead(await callers.ResolveAsync(context));
        if (request.Version < 0)
        {
            throw new ValidationException("version", "must not be negative");
        }
        var key = Guard.Id(request.Key, "key");
        var definition = await grains.Ref<IPipelineGrain>(key).Get(request.Version)
            ?? throw new NotFoundException("pipeline", request.Version == 0 ? key : $"{key} v{request.Version}");
        return new GetPipelineResponse { Pipeline = definition.ToContract() };
    }

    public override async Task<ListPipelinesResponse> ListPipelines(ListPipelinesRequest request, ServerCallContext context)
    {
        AccessPolicy.EnsureMayRead(await callers.ResolveAsync(context));
        var keys = await grains.Ref<IPipelineCatalogGrain>(GrainKeys.PipelineCatalog).Keys();
        var latest = await Task.WhenAll(keys.Select(key => grains.Ref<IPipelineGrain>(key).Get(0)));
        var response = new ListPipelinesResponse();
        response.Pipelines.AddRange(latest.OfType<PipelineDomain.PipelineDefinition>().Select(p => p.ToContract()));
        return response;
    }

    public override async Task<DefinePipelineResponse> DefinePipeline(DefinePipelineRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        var pipeline = request.Pipeline ?? throw new ValidationException("pipeline", "is required");
        if (pipeline.Stages.Count > 30)
        {
            throw new ValidationException("pipeline.stages", "a pipeline has 1 to 30 stages");
        }
        var definition = new PipelineDomain.PipelineDefinition(
            Guard.Id(pipeline.Key, "pipeline.key"), 0, pipeline.Name,
            pipeline.Stages.Select((s, i) => new PipelineDomain.StageDefinition(
                s.Key, s.DisplayName, [.. s.RequiredEvidenceToLeave], [.. s.RequiredEvidenceToEnter],
                ToAge(s.WarningAge, $"pipeline.stages[{i}].warning_age"), ToAge(s.LimitAge, $"pipeline.stages[{i}].limit_age"))).ToList(),
            pipeline.AllowSkipping);
        var stored = await grains.Ref<IPipelineGrain>(definition.Key).Define(definition, caller);
        return new DefinePipelineResponse { Pipeline = stored.ToContract() };
    }

    private static TimeSpan? ToAge(Google.Protobuf.WellKnownTypes.Duration? duration, string field)
    {
        if (duration is null)
        {
            return null;
        }
        // Durations beyond ~10,000 years or with inconsistent signs cannot become a TimeSpan.
        if (duration.Seconds is < 0 or > 315_576_000_000 || duration.Nanos is < 0 or > 999_999_999)
        {
            throw new ValidationException(field, "must be a positive duration");
        }
        return duration.ToTimeSpan();
    }
}
