using ActorSales.Domain.Identity;
using ActorSales.Grains.Abstractions.Events;
using ActorSales.Domain.Customers;

namespace ActorSales.Grains.Customers;

/// <summary>A customer as stored; <see cref="CustomerAggregate"/> decides over it, the grain adds outbox and effects.</summary>
[GenerateSerializer, Alias("actorsales.CustomerState")]
public sealed class CustomerState : ICustomerRecord, IRequestLedgerState
{
    [Id(0)] public bool Registered { get; set; }
    [Id(1)] public CustomerDetails? Details { get; set; }
    [Id(2)] public string OwnerId { get; set; } = string.Empty;
    [Id(3)] public string OwnerTeamId { get; set; } = string.Empty;
    [Id(4)] public DateTimeOffset CreatedAt { get; set; }
    [Id(5)] public DateTimeOffset UpdatedAt { get; set; }
    [Id(6)] public DateTimeOffset? LastFollowUpAt { get; set; }
    [Id(7)] public long ActivityCount { get; set; }

    /// <summary>Version of the customer; also the sequence of its latest domain event.</summary>
    [Id(8)] public long Version { get; set; }

    /// <summary>De-duplication keys this customer holds.</summary>
    [Id(9)] public List<string> DedupKeys { get; set; } = [];

    /// <summary>Legacy (rows before effects): owner links not yet applied; activation turns it into effects.</summary>
    [Id(10)] public PendingOwnerLink? PendingOwnerLink { get; set; }

    /// <summary>Latest planned next action, for follow-up rules.</summary>
    [Id(11)] public string? NextAction { get; set; }
    [Id(12)] public DateTimeOffset? NextActionDueAt { get; set; }

    /// <summary>Open opportunities on this customer.</summary>
    [Id(13)] public SortedSet<string> OpenOpportunityIds { get; set; } = new(StringComparer.Ordinal);

    /// <summary>When the current owner got the customer (registration or transfer): follow-up clocks start here.</summary>
    [Id(14)] public DateTimeOffset AssignedAt { get; set; }

    /// <summary>Firing keys already acted on since the last follow-up or assignment.</summary>
    [Id(15)] public List<string> FiredDeadlines { get; set; } = [];
    [Id(16)] public DateTimeOffset? ReminderDueAt { get; set; }

    /// <summary>Legacy: a fired follow-up whose notifications may not have gone out; activation turns it into effects.</summary>
    [Id(17)] public Domain.Deadlines.Deadline? PendingFollowUpNotice { get; set; }

    /// <summary>When the owner last set the qualification label (the tier) since assignment: the SLA's "1".</summary>
    [Id(18)] public DateTimeOffset? QualifiedAt { get; set; }

    /// <summary>The owner's team time zone at assignment: working days for the new-customer SLA follow it.</summary>
    [Id(19)] public string? OwnerTimeZone { get; set; }

    /// <summary>Locked by a manager: never released.</summary>
    [Id(20)] public bool Locked { get; set; }

    /// <summary>Released to the pool of <see cref="OwnerTeamId"/>; <see cref="OwnerId"/> is empty meanwhile.</summary>
    [Id(21)] public bool InPool { get; set; }
    [Id(22)] public DateTimeOffset? ReleasedAt { get; set; }
    [Id(23)] public string? PreviousOwnerId { get; set; }
    [Id(24)] public DateTimeOffset? LastWonAt { get; set; }

    /// <summary>Legacy: a release whose pool entry may not have been made; activation turns it into effects.</summary>
    [Id(25)] public bool PoolEntryPending { get; set; }

    /// <summary>Events of the latest changes, written with them; see <see cref="Events.EventOutbox"/>.</summary>
    [Id(26)] public List<LoggedEvent> Outbox { get; set; } = [];

    /// <summary>Handovers that already moved (or passed over) this customer: a replayed item transfer is a no-op.</summary>
    [Id(27)] public List<string> AppliedHandovers { get; set; } = [];

    /// <summary>Follow-ups of stored changes not yet applied (books, pool entry, team lists, notices), in order.</summary>
    [Id(28)] public List<Effects.Effect> Effects { get; set; } = [];

    /// <summary>Client requests applied in the last 24 h (retry-safe writes).</summary>
    [Id(29)] public RequestLedger Requests { get; set; } = new();

    /// <summary>What the customer's deals last reported (grading); rows before grading have none.</summary>
    [Id(30)] public Dictionary<string, DealFacts> Deals { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Times of recent real follow-ups (grading's interaction frequency).</summary>
    [Id(31)] public List<DateTimeOffset> RecentFollowUps { get; set; } = [];

    /// <summary>The latest computed grade; null on rows before grading until their first regrade.</summary>
    [Id(32)] public GradeResult? Grade { get; set; }

    /// <summary>The latest grade changes, oldest first (bounded; the read model keeps every grade event).</summary>
    [Id(33)] public List<GradeChange> GradeHistory { get; set; } = [];

    /// <summary>When the scheduled regrade is due; null on rows before grading (due at once on activation).</summary>
    [Id(34)] public DateTimeOffset? GradeDueAt { get; set; }

    /// <summary>A registration of this id was refused as a duplicate (its event is published once per attempt).</summary>
    [Id(35)] public bool RegistrationRefused { get; set; }

    /// <summary>The planned next action was done (follow-through); rows stored before have it open.</summary>
    [Id(36)] public bool NextActionDone { get; set; }

    /// <summary>When the manager confirmed the overdue next action.</summary>
    [Id(37)] public DateTimeOffset? NextActionConfirmedAt { get; set; }

    /// <summary>What the customer's orders last reported (grading's payment record); rows before orders have none.</summary>
    [Id(38)] public Dictionary<string, OrderPaymentFacts> Orders { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The lead this customer was converted from (null: none; rows from before leads have none).</summary>
    [Id(39)] public string? OriginLeadId { get; set; }
}

/// <summary>Book entries to add/remove after an ownership change; each step is idempotent.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.PendingOwnerLink")]
public sealed record PendingOwnerLink([property: Id(0)] string? RemoveFrom, [property: Id(1)] string? AddTo);

[GenerateSerializer, Alias("actorsales.ActivityChunkState")]
public sealed class ActivityChunkState
{
    [Id(0)] public List<Activity> Activities { get; set; } = [];
}

[GenerateSerializer, Alias("actorsales.DedupIndexState")]
public sealed class DedupIndexState
{
    [Id(0)] public string? CustomerId { get; set; }
    [Id(1)] public bool Committed { get; set; }
    [Id(2)] public DateTimeOffset ReservedAt { get; set; }
}
