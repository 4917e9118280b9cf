using ActorSales.Domain.Identity;
using ActorSales.Grains.Abstractions.Events;
using ActorSales.Domain.People;
using ActorSales.Domain.Pipeline;

namespace ActorSales.Grains.People;

[GenerateSerializer, Alias("actorsales.SalespersonState")]
public sealed class SalespersonState : Effects.IEffectsState, ISalespersonState, IRequestLedgerState
{
    [Id(0)] public bool Created { get; set; }
    [Id(1)] public SalespersonProfile? Profile { get; set; }
    [Id(2)] public SalespersonStatus Status { get; set; }
    [Id(3)] public DateTimeOffset CreatedAt { get; set; }
    [Id(4)] public long Version { get; set; }

    /// <summary>Owned customers as releases before the book grain kept them; handed to <see cref="Abstractions.People.IBookGrain"/> on activation.</summary>
    [Id(5)] public SortedSet<string> CustomerIds { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Written by releases before effects existed: a team move not yet applied. Read once on activation and turned into
    /// <see cref="Effects"/>; never written again.
    /// </summary>
    [Id(6)] public PendingTeamMove? PendingTeamMove { get; set; }

    /// <summary>Open opportunities this person owns, as releases before the book grain kept them (see <see cref="CustomerIds"/>).</summary>
    [Id(7)] public SortedSet<string> OpenOpportunityIds { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Who may decide this person's approvals, and when.</summary>
    [Id(8)] public Delegation? Delegation { get; set; }

    /// <summary>Approvers who named this person their delegate, as the previous release kept them; now in <see cref="Abstractions.People.IDelegatorsGrain"/> (both are read).</summary>
    [Id(9)] public SortedSet<string> Delegators { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Pending approvals addressed to this person, as earlier releases kept them; now in <see cref="Abstractions.People.IPendingApprovalsGrain"/> (both are read).</summary>
    [Id(10)] public SortedSet<string> PendingApprovalIds { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Owned customers with a won deal, as releases before the book grain kept them (see <see cref="CustomerIds"/>).</summary>
    [Id(11)] public SortedSet<string> WonCustomerIds { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Events of the latest changes, written with them; see <see cref="Events.EventOutbox"/>.</summary>
    [Id(12)] public List<LoggedEvent> Outbox { get; set; } = [];

    /// <summary>While departing: the end of the last working day; reads of the own book are allowed until then.</summary>
    [Id(13)] public DateTimeOffset? ReadsUntil { get; set; }

    /// <summary>The handover that froze this account (departing or departed).</summary>
    [Id(14)] public string? HandoverId { get; set; }

    /// <summary>Handovers with a package addressed to this person, oldest first.</summary>
    [Id(15)] public List<string> HandoverPackages { get; set; } = [];

    /// <summary>Follow-ups of stored changes (team membership, customers and deals following a team move) not yet applied.</summary>
    [Id(16)] public List<Effects.Effect> Effects { get; set; } = [];

    /// <summary>When the effects-retry reminder is registered for (null: none).</summary>
    [Id(17)] public DateTimeOffset? ReminderDueAt { get; set; }

    /// <summary>The book entries above were handed to the book grain (false in rows of earlier releases).</summary>
    [Id(18)] public bool BookMoved { get; set; }

    /// <summary>Client requests applied in the last 24 h (retry-safe writes).</summary>
    [Id(19)] public RequestLedger Requests { get; set; } = new();
}

[GenerateSerializer, Immutable, Alias("actorsales.PendingTeamMove")]
public sealed record PendingTeamMove([property: Id(0)] string? FromTeamId, [property: Id(1)] string ToTeamId);
