using ActorSales.Contracts.V1;
using ActorSales.Domain.Common;
using ActorSales.Domain.Errors;
using ActorSales.Gateway.Identity;
using ActorSales.Grains.Abstractions.Contracts;
using ActorSales.Grains.Abstractions.Notifications;
using System.Threading.Channels;
using ActorSales.Grains.Abstractions.Events;
using Grpc.Core;
using Orleans.Runtime;
using Orleans.Streams;
using Microsoft.AspNetCore.Authorization;

namespace ActorSales.Gateway.Grpc;

[Authorize]
public sealed class NotificationsGrpcService(IGrainFactory grains, IClusterClient cluster, CallerResolver callers) : NotificationsService.NotificationsServiceBase
{
    /// <summary>Notifications buffered per watcher; a slow reader holds the stream back instead of growing memory.</summary>
    private const int WatchBuffer = 64;

    public override async Task<ListNotificationsResponse> ListNotifications(ListNotificationsRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        var page = await grains.Ref<INotificationInboxGrain>(caller.UserId)
            .List(caller, Paging.PageSize(request.PageSize), Paging.DecodeToken(request.PageToken, "notifications"), request.UnreadOnly);
        var response = new ListNotificationsResponse
        {
            NextPageToken = page.NextCursor is { } next ? Paging.EncodeToken("notifications", next) : string.Empty,
            UnreadCount = (int)page.TotalCount,
        };
        response.Notifications.AddRange(page.Items.Select(n => n.ToContract()));
        return response;
    }

    public override async Task<MarkNotificationsReadResponse> MarkNotificationsRead(MarkNotificationsReadRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        if (request.NotificationIds.Count > Limits.MaxPageSize)
        {
            throw new ValidationException("notification_ids", $"at most {Limits.MaxPageSize} ids per call");
        }
        var unread = await grains.Ref<INotificationInboxGrain>(caller.UserId).MarkRead(caller, [.. request.NotificationIds]);
        return new MarkNotificationsReadResponse { UnreadCount = unread };
    }

    public override async Task WatchNotifications(WatchNotificationsRequest request, IServerStreamWriter<WatchNotificationsResponse> responseStream, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        Domain.Identity.AccessPolicy.EnsureActive(caller);
        var buffer = Channel.CreateBounded<Domain.Deadlines.Notification>(new BoundedChannelOptions(WatchBuffer) { SingleReader = true });
        var stream = cluster.GetStreamProvider(EventStreams.InboxProviderName)
            .GetStream<Domain.Deadlines.Notification>(StreamId.Create(EventStreams.Inbox, caller.UserId));
        var subscription = await stream.SubscribeAsync(async (notification, _) => await buffer.Writer.WriteAsync(notification, context.CancellationToken));
        try
        {
            await foreach (var notification in buffer.Reader.ReadAllAsync(context.CancellationToken))
            {
                await responseStream.WriteAsync(new WatchNotificationsResponse { Notification = notification.ToContract() }, context.CancellationToken);
            }
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            // The caller hung up: the normal end of a watch.
        }
        finally
        {
            await subscription.UnsubscribeAsync();
        }
    }
}
