using ActorSales.Contracts.V1;
using ActorSales.Domain.Common;
using ActorSales.Domain.Errors;
using ActorSales.Domain.Identity;
using ActorSales.Gateway.Identity;
using ActorSales.Gateway.Mapping;
using ActorSales.Grains.Abstractions.Events;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;

namespace ActorSales.Gateway.Grpc;

/// <summary>
/// Serves the durable event log to everyone outside the cluster. Each subscription is a cursor over the log: read a
/// page after the cursor, write it, move on; when caught up, wait for the next append. Writing awaits HTTP/2 flow
/// control, so a slow reader slows its own cursor and holds at most one page in memory.
/// </summary>
[Authorize]
public sealed class EventsGrpcService(IEventLog log, CallerResolver callers, TimeProvider clock) : EventsService.EventsServiceBase
{
    private const int PageSize = 256;
    private const int MaxEventTypes = 64;

    /// <summary>How often a long subscription re-checks that its caller may still read (a departure stops it).</summary>
    private static readonly TimeSpan RecheckCallerEvery = TimeSpan.FromSeconds(30);

    public override async Task Subscribe(SubscribeRequest request, IServerStreamWriter<SubscribeResponse> responseStream, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        var filter = ToFilter(request, caller);
        var cancel = context.CancellationToken;
        var cursor = await StartAsync(request, cancel);
        var recheckAt = clock.GetUtcNow() + RecheckCallerEvery;
        try
        {
            while (!cancel.IsCancellationRequested)
            {
                var page = await log.ReadAsync(cursor, filter, PageSize, cancel);
                if (cursor < page.TrimmedThrough)
                {
                    throw OutOfRange($"position {cursor} is no longer retained; the retained log starts after position {page.TrimmedThrough}");
                }
                foreach (var stored in page.Events)
                {
                    // The filter narrowed by team or owner; the policy has the last word on every event.
                    if (AccessPolicy.CanRead(caller, stored.Event.OwnerId, stored.Event.TeamId))
                    {
                        await responseStream.WriteAsync(new SubscribeResponse { Position = stored.Position, Event = stored.Event.ToEvent() }, cancel);
                    }
                }
                cursor = page.ScannedThrough;
                if (clock.GetUtcNow() >= recheckAt)
                {
                    caller = await callers.ResolveAsync(context);
                    AccessPolicy.EnsureMayRead(caller); // a leaver may follow their own book until the last working day
                    recheckAt = clock.GetUtcNow() + RecheckCallerEvery;
                }
                if (page.Events.Count < PageSize)
                {
                    await log.WaitForAppendAsync(cursor, cancel);
                }
            }
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            // The caller hung up: the normal end of a subscription.
        }
    }

    /// <summary>The position to read after: now, the caller's position, or the first event at a time.</summary>
    private async Task<long> StartAsync(SubscribeRequest request, CancellationToken cancel)
    {
        var bounds = await log.GetBoundsAsync(cancel);
        switch (request.StartCase)
        {
            case SubscribeRequest.StartOneofCase.AfterPosition:
                if (request.AfterPosition < 0)
                {
                    throw new ValidationException("after_position", "must not be negative");
                }
                if (request.AfterPosition < bounds.TrimmedThrough)
                {
                    throw OutOfRange($"after_position {request.AfterPosition} is no longer retained; the retained log starts after position {bounds.TrimmedThrough}");
                }
                return request.AfterPosition;

            case SubscribeRequest.StartOneofCase.FromTime:
                var time = Guard.Timestamp(RequestMapper.RequiredTimestamp(request.FromTime, "from_time"), "from_time", Limits.LatestTimestamp);
                if (bounds.TrimmedBefore is { } trimmedBefore && time < trimmedBefore)
                {
                    throw OutOfRange($"from_time {time:O} is older than the retained log, which keeps events from {trimmedBefore:O} (position {bounds.TrimmedThrough + 1} on)");
                }
                return await log.PositionBeforeAsync(time, cancel);

            default:
                return bounds.Head;
        }
    }

    private static EventFilter ToFilter(SubscribeRequest request, Caller caller)
    {
        if (request.EntityTypes.Count > Enum.GetValues<EntityType>().Length)
        {
            throw new ValidationException("entity_types", "lists an entity type more than once");
        }
        var entityTypes = new HashSet<int>();
        foreach (var type in request.EntityTypes)
        {
            entityTypes.Add((int)Guard.Enum(type, "entity_types"));
        }
        if (request.EventTypes.Count > MaxEventTypes)
        {
            throw new ValidationException("event_types", $"at most {MaxEventTypes} event types");
        }
        var eventTypes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in request.EventTypes)
        {
            if (!EventTypes.All.Contains(name))
            {
                throw new ValidationException("event_types", $"'{Truncate(name)}' is not an event type; use the DomainEvent change field names, e.g. customer_registered");
            }
            eventTypes.Add(name);
        }
        var teamId = RequestMapper.OptionalId(request.TeamId, "team_id");
        var scope = AccessPolicy.FeedScope(caller, teamId);
        return new EventFilter(entityTypes, eventTypes, teamId, scope.TeamId, scope.OwnerId);
    }

    private static RpcException OutOfRange(string message) => new(new Status(StatusCode.OutOfRange, message));

    private static string Truncate(string value) => value.Length <= 64 ? value : value[..64] + "…";
}
