using ActorSales.Domain.Deadlines;
using ActorSales.Domain.Identity;

namespace ActorSales.Grains.Abstractions.Notifications;

/// <summary>One user's notifications (the newest 500). Key: the user id.</summary>
[Alias("actorsales.INotificationInboxGrain")]
public interface INotificationInboxGrain : IGrainWithStringKey
{
    /// <summary>Adds the notification unless one with the same id is already there.</summary>
    [Alias("Notify")]
    Task Notify(Notification notification);

    /// <summary>Newest first, older than the cursor; only the inbox's owner (or an admin) may list.</summary>
    [Alias("List"), ReadOnly]
    Task<Page<Notification>> List(Caller caller, int pageSize, string? beforeCursor, bool unreadOnly);

    /// <summary>Closes the inbox of a departed user: later notifications are dropped. Idempotent.</summary>
    [Alias("Close")]
    Task Close();

    /// <summary>Marks the given ids read; returns the unread count left.</summary>
    [Alias("MarkRead")]
    Task<int> MarkRead(Caller caller, IReadOnlyList<string> ids);
}
