using ActorSales.Contracts.V1;
using ActorSales.Gateway.Identity;
using ActorSales.Gateway.Mapping;
using ActorSales.Gateway.ReadSide;
using ActorSales.Grains.Abstractions.Customers;
using ActorSales.Grains.Abstractions.Opportunities;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;

namespace ActorSales.Gateway.Grpc;

[Authorize]
public sealed class TimelineGrpcService(IGrainFactory grains, CallerResolver callers, ReadModelReader reads) : TimelineService.TimelineServiceBase
{
    public override async Task<GetTimelineResponse> GetTimeline(GetTimelineRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        var query = QueryMapper.ToQuery(request);
        var token = ConsistencyToken.Parse(request.ConsistencyToken);
        // The subject's own get decides access before any of its history is read: PERMISSION_DENIED or NOT_FOUND
        // exactly as GetCustomer or GetOpportunity answer.
        if (query.EntityType == EntityType.Customer)
        {
            await grains.Ref<ICustomerGrain>(query.EntityId).Get(caller);
        }
        else if (query.EntityType == EntityType.Lead)
        {
            await grains.Ref<Grains.Abstractions.Leads.ILeadGrain>(query.EntityId).Get(caller);
        }
        else
        {
            await grains.Ref<IOpportunityGrain>(query.EntityId).Get(caller);
        }
        await reads.CatchUpAsync(token, caller, context.CancellationToken);
        var page = await reads.Queries.TimelineAsync(query, context.CancellationToken);
        var response = new GetTimelineResponse { NextPageToken = QueryMapper.NextPageToken(page.NextPageToken, QueryMapper.TimelinePages) };
        response.Events.AddRange(page.Items);
        return response;
    }
}
