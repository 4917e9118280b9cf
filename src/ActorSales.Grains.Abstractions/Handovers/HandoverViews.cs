using ActorSales.Domain.Customers;
using ActorSales.Domain.Handovers;

namespace ActorSales.Grains.Abstractions.Handovers;

/// <summary>What a manager asks for when a salesperson leaves; validated by the handover grain.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.DepartureRequest")]
public sealed record DepartureRequest(
    [property: Id(0)] string? LastWorkingDay,
    [property: Id(1)] string? DefaultReceiverId,
    [property: Id(2)] IReadOnlyList<CustomerAssignment> Assignments);

/// <summary>One customer sent to one receiver ("" = the team pool).</summary>
[GenerateSerializer, Immutable, Alias("actorsales.CustomerAssignment")]
public sealed record CustomerAssignment([property: Id(0)] string CustomerId, [property: Id(1)] string ReceiverId);

/// <summary>A departure handover as callers see it.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.HandoverView")]
public sealed record HandoverView(
    [property: Id(0)] string Id,
    [property: Id(1)] string LeaverId,
    [property: Id(2)] string TeamId,
    [property: Id(3)] DateOnly? LastWorkingDay,
    [property: Id(4)] string StartedBy,
    [property: Id(5)] DateTimeOffset StartedAt,
    [property: Id(6)] bool Completed,
    [property: Id(7)] IReadOnlyList<HandoverPackageView> Packages);

/// <summary>One receiver's package ("" receiver: the team pool).</summary>
[GenerateSerializer, Immutable, Alias("actorsales.HandoverPackageView")]
public sealed record HandoverPackageView(
    [property: Id(0)] string HandoverId,
    [property: Id(1)] string LeaverId,
    [property: Id(2)] string ReceiverId,
    [property: Id(3)] PackageStatus Status,
    [property: Id(4)] DateTimeOffset AddressedAt,
    [property: Id(5)] DateTimeOffset AcceptBy,
    [property: Id(6)] int CustomerCount,
    [property: Id(7)] int OpportunityCount,
    [property: Id(8)] int TransferredCount,
    [property: Id(9)] string? FollowUpPlan,
    [property: Id(10)] string? RejectionReason,
    [property: Id(11)] bool Escalated,
    [property: Id(12)] IReadOnlyList<HandoverItemView> Items);

/// <summary>One record in a package.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.HandoverItemView")]
public sealed record HandoverItemView(
    [property: Id(0)] HandoverItemKind Kind,
    [property: Id(1)] string Id,
    [property: Id(2)] string Name,
    [property: Id(3)] string CustomerId,
    [property: Id(4)] bool Transferred);

/// <summary>A page of a package's customer briefs.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.HandoverPackagePage")]
public sealed record HandoverPackagePage(
    [property: Id(0)] HandoverPackageView Package,
    [property: Id(1)] IReadOnlyList<HandoverBrief> Briefs,
    [property: Id(2)] string? NextCursor);

/// <summary>What a receiver needs to know about one customer to pick it up.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.HandoverBrief")]
public sealed record HandoverBrief(
    [property: Id(0)] string CustomerId,
    [property: Id(1)] string Name,
    [property: Id(2)] CustomerTier Tier,
    [property: Id(3)] IReadOnlyList<Contact> Contacts,
    [property: Id(4)] IReadOnlyList<Activity> RecentNotes,
    [property: Id(5)] string? NextAction,
    [property: Id(6)] DateTimeOffset? NextActionDueAt,
    [property: Id(7)] IReadOnlyList<HandoverDealBrief> Deals,
    [property: Id(8)] bool Transferred = false);

/// <summary>An open opportunity in a brief.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.HandoverDealBrief")]
public sealed record HandoverDealBrief(
    [property: Id(0)] string OpportunityId,
    [property: Id(1)] string Title,
    [property: Id(2)] string Stage,
    [property: Id(3)] string? NextAction,
    [property: Id(4)] DateTimeOffset? NextActionDueAt,
    [property: Id(5)] bool Stalled,
    [property: Id(6)] string? PendingApprovalId,
    [property: Id(7)] IReadOnlyList<string> OpenTaskIds);

/// <summary>What one idempotent item transfer did.</summary>
public enum HandoverOutcome
{
    Unspecified = 0,
    /// <summary>Moved to the receiver (or the pool) now.</summary>
    Moved = 1,
    /// <summary>This handover already moved it: a replay, nothing done.</summary>
    AlreadyApplied = 2,
    /// <summary>The leaver no longer owned it (a manager moved it, or it was released); left where it is.</summary>
    NotOwnedByLeaver = 3,
}
