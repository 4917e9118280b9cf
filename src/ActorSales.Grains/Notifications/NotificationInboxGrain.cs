using System.Globalization;
using ActorSales.Domain.Deadlines;
using ActorSales.Domain.Errors;
using ActorSales.Domain.Identity;
using ActorSales.Grains.Abstractions;
using ActorSales.Grains.Abstractions.Notifications;
using ActorSales.Grains.Abstractions.Events;
using ActorSales.Grains.Infrastructure;
using ActorSales.Grains.Requests;
using Microsoft.Extensions.Logging;

namespace ActorSales.Grains.Notifications;

[GenerateSerializer, Alias("actorsales.InboxState")]
public sealed class InboxState : IRequestLedgerState
{
    /// <summary>Oldest first; each entry's position in <see cref="Sequence"/> order is its cursor.</summary>
    [Id(0)] public List<Notification> Items { get; set; } = [];
    [Id(1)] public List<long> Sequence { get; set; } = [];
    [Id(2)] public long LastSequence { get; set; }

    /// <summary>The user departed: nothing more is delivered.</summary>
    [Id(3)] public bool Closed { get; set; }

    [Id(4)] public RequestLedger Requests { get; set; } = new();
}

/// <summary>A user's notifications. Delivery is idempotent by notification id; the newest 500 are kept.</summary>
public sealed partial class NotificationInboxGrain(
    [PersistentState("inbox", StorageNames.Default)] IPersistentState<InboxState> state,
    ILogger<NotificationInboxGrain> logger) : Grain, INotificationInboxGrain, IRetrySafeGrain
{
    private const int Capacity = 500;

    private string UserId => this.GetPrimaryKeyString();

    public async Task Notify(Notification notification)
    {
        if (state.State.Closed || state.State.Items.Exists(n => n.Id == notification.Id))
        {
            return;
        }
        state.State.Items.Add(notification);
        state.State.Sequence.Add(++state.State.LastSequence);
        if (state.State.Items.Count > Capacity)
        {
            state.State.Items.RemoveAt(0);
            state.State.Sequence.RemoveAt(0);
        }
        await state.WriteOrConflictAsync("inbox", UserId);
        try
        {
            // Live watchers (NotificationsService.WatchNotifications); the inbox itself is the durable copy.
            await this.GetStreamProvider(EventStreams.InboxProviderName)
                .GetStream<Notification>(StreamId.Create(EventStreams.Inbox, UserId))
                .OnNextAsync(notification);
        }
        catch (Exception exception)
        {
            LogWatchPublishFailed(exception, UserId);
        }
    }

    public async Task Close()
    {
        if (!state.State.Closed)
        {
            state.State.Closed = true;
            await state.WriteOrConflictAsync("inbox", UserId);
        }
    }

    public Task<Page<Notification>> List(Caller caller, int pageSize, string? beforeCursor, bool unreadOnly)
    {
        AccessPolicy.EnsureCanReadInbox(caller, UserId); // a departing user reads their own inbox until the last working day
        var before = long.MaxValue;
        if (beforeCursor is not null && !long.TryParse(beforeCursor, NumberStyles.None, CultureInfo.InvariantCulture, out before))
        {
            throw new ValidationException("page_token", "is not a token returned by this list; start again without a token");
        }
        var page = new List<Notification>(pageSize);
        long? last = null;
        var more = false;
        for (var i = state.State.Items.Count - 1; i >= 0; i--)
        {
            var item = state.State.Items[i];
            if (state.State.Sequence[i] >= before || (unreadOnly && item.Read))
            {
                continue;
            }
            if (page.Count == pageSize)
            {
                more = true;
                break;
            }
            page.Add(item);
            last = state.State.Sequence[i];
        }
        var unread = state.State.Items.Count(n => !n.Read);
        return Task.FromResult(new Page<Notification>(page, more ? last!.Value.ToString(CultureInfo.InvariantCulture) : null, unread));
    }

    public RequestLedger Requests => state.State.Requests;

    /// <summary>A repeated MarkRead answers with the unread count as it is now (marking read again changes nothing).</summary>
    public ValueTask<object?> ReplayAsync(string method, AppliedRequest applied) =>
        ValueTask.FromResult<object?>(state.State.Items.Count(n => !n.Read));

    public async Task<int> MarkRead(Caller caller, IReadOnlyList<string> ids)
    {
        AccessPolicy.EnsureCanChangeInbox(caller, UserId);
        var wanted = new HashSet<string>(ids, StringComparer.Ordinal);
        var changed = false;
        for (var i = 0; i < state.State.Items.Count; i++)
        {
            if (!state.State.Items[i].Read && wanted.Contains(state.State.Items[i].Id))
            {
                state.State.Items[i] = state.State.Items[i] with { Read = true };
                changed = true;
            }
        }
        if (changed)
        {
            await state.WriteOrConflictAsync("inbox", UserId);
        }
        return state.State.Items.Count(n => !n.Read);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Inbox {UserId}: could not push a notification to live watchers")]
    private partial void LogWatchPublishFailed(Exception exception, string userId);
}
