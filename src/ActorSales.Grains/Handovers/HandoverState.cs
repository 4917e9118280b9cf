using ActorSales.Domain.Identity;
using ActorSales.Domain.Deadlines;
using ActorSales.Domain.Handovers;
using ActorSales.Grains.Abstractions.Events;

namespace ActorSales.Grains.Handovers;

[GenerateSerializer, Alias("actorsales.HandoverState")]
public sealed class HandoverState : IHandoverState, IRequestLedgerState
{
    [Id(0)] public bool Started { get; set; }
    [Id(1)] public string TeamId { get; set; } = string.Empty;
    [Id(2)] public DateOnly? LastWorkingDay { get; set; }
    [Id(3)] public string StartedBy { get; set; } = string.Empty;
    [Id(4)] public DateTimeOffset StartedAt { get; set; }

    /// <summary>One package per receiver ("" = the team pool), each with its items and their progress.</summary>
    [Id(5)] public List<PackageState> Packages { get; set; } = [];

    /// <summary>Every package moved; the leaver's departure is (being) completed.</summary>
    [Id(6)] public bool Completed { get; set; }

    /// <summary>Version of the handover; also the sequence of its latest domain event.</summary>
    [Id(7)] public long Version { get; set; }

    /// <summary>Firing keys of acceptance reminders and escalations already acted on.</summary>
    [Id(8)] public List<string> FiredDeadlines { get; set; } = [];
    [Id(9)] public DateTimeOffset? ReminderDueAt { get; set; }

    /// <summary>
    /// While items wait to move: when the transfer process is due (the first acceptance, or a retry after a failed
    /// batch). It is a deadline like any other, so the grain's one durable reminder resumes it after a silo loss.
    /// </summary>
    [Id(10)] public DateTimeOffset? TransferDueAt { get; set; }

    /// <summary>Legacy (rows before effects): notifications not yet delivered; activation turns them into effects.</summary>
    [Id(11)] public List<PendingNotice> PendingNotices { get; set; } = [];

    /// <summary>Legacy: receivers whose package list may lag; activation turns them into effects.</summary>
    [Id(12)] public List<PackageLink> PendingPackageLinks { get; set; } = [];

    /// <summary>Legacy: the leaver's departure still to be completed; activation turns it into an effect.</summary>
    [Id(13)] public bool CompletionPending { get; set; }

    /// <summary>Who gets open opportunities whose customer goes to the pool (the default receiver, else the team's manager).</summary>
    [Id(14)] public string? FallbackOwnerId { get; set; }

    /// <summary>Events of the latest changes, written with them; see <see cref="Events.EventOutbox"/>.</summary>
    [Id(15)] public List<LoggedEvent> Outbox { get; set; } = [];

    /// <summary>When every package had moved (null: not yet, or stored before this was recorded).</summary>
    [Id(16)] public DateTimeOffset? CompletedAt { get; set; }

    /// <summary>The retention after completion has passed: the packages left their receivers' lists and keep only their counts.</summary>
    [Id(17)] public bool Pruned { get; set; }

    /// <summary>Follow-ups of stored changes not yet applied (receivers' package lists, notifications, the departure), in order.</summary>
    [Id(18)] public List<Effects.Effect> Effects { get; set; } = [];

    /// <summary>Client requests applied in the last 24 h (retry-safe writes).</summary>
    [Id(19)] public RequestLedger Requests { get; set; } = new();
}

[GenerateSerializer, Immutable, Alias("actorsales.HandoverPendingNotice")]
public sealed record PendingNotice([property: Id(0)] string RecipientId, [property: Id(1)] Notification Notification);

[GenerateSerializer, Immutable, Alias("actorsales.HandoverPackageLink")]
public sealed record PackageLink([property: Id(0)] string ReceiverId, [property: Id(1)] bool Addressed);
