using ActorSales.Domain.Deadlines;

namespace ActorSales.Domain.Handovers;

/// <summary>What happened to a handover; each becomes one published event, built from the state the command left.</summary>
public abstract record HandoverEvent
{
    public sealed record Started : HandoverEvent;

    public sealed record PackageAccepted(string ReceiverId) : HandoverEvent;

    public sealed record PackageRejected(string ReceiverId) : HandoverEvent;

    public sealed record ItemsReassigned(string FromReceiverId, string ToReceiverId, IReadOnlyList<string> CustomerIds) : HandoverEvent;

    public sealed record PackageTransferred(string ReceiverId) : HandoverEvent;

    public sealed record AcceptanceReminded(string ReceiverId, DateTimeOffset AcceptBy) : HandoverEvent;

    /// <summary>A package was not accepted in time; <paramref name="ManagerId"/> was told (null: the team has no manager).</summary>
    public sealed record AcceptanceEscalated(string ReceiverId, string? ManagerId) : HandoverEvent;

    public sealed record Completed(int CustomersTransferred, int CustomersPooled, int OpportunitiesTransferred) : HandoverEvent;
}

/// <summary>What other records must learn about a handover's change.</summary>
public abstract record HandoverFollowUp
{
    /// <summary>The receiver's list of handover packages shows (or drops) this handover.</summary>
    public sealed record LinkPackage(string ReceiverId, bool Addressed) : HandoverFollowUp;

    /// <summary>A notification in one user's inbox (its id makes a replay add nothing).</summary>
    public sealed record Notify(string RecipientId, Notification Notification) : HandoverFollowUp;

    /// <summary>The leaver departs: every package has moved.</summary>
    public sealed record CompleteDeparture(string ActorId) : HandoverFollowUp;
}

/// <summary>A customer of the leaver's book as its own record tells it.</summary>
public sealed record BookCustomer(string Id, string Name, string OwnerId, bool InPool);

/// <summary>An opportunity of the leaver's book as its own record tells it.</summary>
public sealed record BookDeal(string Id, string Title, string CustomerId, string OwnerId, bool Open);
