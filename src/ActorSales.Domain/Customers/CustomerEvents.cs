using ActorSales.Domain.Deadlines;

namespace ActorSales.Domain.Customers;

/// <summary>What happened to a customer; the grain publishes each as the matching protobuf change.</summary>
public abstract record CustomerEvent
{
    private CustomerEvent()
    {
    }

    public sealed record Registered : CustomerEvent;

    /// <summary>Profile fields (or the lock, or the owner's team) changed; named as the API names them.</summary>
    public sealed record Updated(IReadOnlyList<string> ChangedFields) : CustomerEvent;

    /// <summary>The owner confirmed the tier the customer already has: the 3-2-1 qualification without a change.</summary>
    public sealed record TierConfirmed(CustomerTier Tier) : CustomerEvent;

    /// <summary>The manager confirmed the planned next action that was not done in time.</summary>
    public sealed record NextActionConfirmed(string NextAction, DateTimeOffset DueAt) : CustomerEvent;

    public sealed record ActivityLogged(Activity Activity, bool IsFollowUp) : CustomerEvent;

    public sealed record OwnerChanged(string PreviousOwnerId, string NewOwnerId, string NewOwnerTeamId, string Reason) : CustomerEvent;

    public sealed record FollowUpOverdue(Deadline Firing) : CustomerEvent;

    public sealed record Released(string PreviousOwnerId, string PoolTeamId) : CustomerEvent;

    public sealed record Claimed(string OwnerId, bool Assigned) : CustomerEvent;

    /// <summary>The computed grade changed from <paramref name="Previous"/> to <paramref name="Computed"/>'s.</summary>
    public sealed record GradeChanged(CustomerGrade Previous, GradeResult Computed) : CustomerEvent;

    /// <summary>A registration was refused: <paramref name="KeyKind"/> is held by <paramref name="ExistingCustomerId"/>.</summary>
    public sealed record RegistrationRefused(string ExistingCustomerId, string KeyKind, string IntendedOwnerId) : CustomerEvent;
}

/// <summary>What other records must learn about a customer's change; the grain stores each as an effect.</summary>
public abstract record CustomerFollowUp
{
    private CustomerFollowUp()
    {
    }

    /// <summary>The owner's book lists the customer (and counts it as won if it has a won deal).</summary>
    public sealed record AddToBook(string OwnerId, bool Won) : CustomerFollowUp;

    /// <summary>A previous owner's book drops the customer.</summary>
    public sealed record RemoveFromBook(string OwnerId) : CustomerFollowUp;

    /// <summary>The team's pool lists the released customer (and its about-to-release list drops it).</summary>
    public sealed record EnterPool(string TeamId, string Name, CustomerTier Tier, string Industry, DateTimeOffset ReleasedAt, string PreviousOwnerId) : CustomerFollowUp;

    /// <summary>The pool learns that the claim it reserved is written: the reservation is final.</summary>
    public sealed record ConfirmPoolClaim(string TeamId, PoolClaim Claim) : CustomerFollowUp;

    /// <summary>The team's about-to-release list shows (or drops) the customer.</summary>
    public sealed record SetReleaseWarning(string TeamId, bool Warned) : CustomerFollowUp;

    /// <summary>A notification for one user.</summary>
    public sealed record Notify(string RecipientId, Notification Notification) : CustomerFollowUp;

    /// <summary>A notification for the team's manager (unless that is <paramref name="ExceptUserId"/>), keyed by <paramref name="KeyPrefix"/>.</summary>
    public sealed record NotifyTeamManager(string TeamId, string? ExceptUserId, string KeyPrefix, Notification Template) : CustomerFollowUp;
}
