using ActorSales.Contracts.V1;
using ActorSales.Domain.Common;
using ActorSales.Domain.Errors;
using ActorSales.Gateway.Identity;
using ActorSales.Grains.Abstractions.Contracts;
using ActorSales.Grains.Abstractions.Notifications;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;

namespace ActorSales.Gateway.Grpc;

[Authorize]
public sealed class NotificationsGrpcService(IGrainFactory grains, CallerResolver callers) : NotificationsService.NotificationsServiceBase
{
    public override async Task<ListNotificationsResponse> ListNotifications(ListNotificationsRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        var page = await grains.GetGrain<INotificationInboxGrain>(caller.UserId)
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
        var unread = await grains.GetGrain<INotificationInboxGrain>(caller.UserId).MarkRead(caller, [.. request.NotificationIds]);
        return new MarkNotificationsReadResponse { UnreadCount = unread };
    }
}
