using ActorSales.Domain.Customers;
using ActorSales.Domain.Identity;
using ActorSales.Domain.Leads;
using ActorSales.Grains.Abstractions.Events;

namespace ActorSales.Grains.Leads;

[GenerateSerializer, Alias("actorsales.LeadState")]
public sealed class LeadState : Effects.IEffectsState, ILeadState, IRequestLedgerState
{
    [Id(0)] public bool Created { get; set; }
    [Id(1)] public string TeamId { get; set; } = string.Empty;

    /// <summary>Empty while the lead is in its team's lead pool.</summary>
    [Id(2)] public string OwnerId { get; set; } = string.Empty;

    /// <summary>The team's time zone when the lead was recorded (its working calendar).</summary>
    [Id(3)] public string? TimeZone { get; set; }
    [Id(4)] public SourceChannel SourceChannel { get; set; }
    [Id(5)] public DateTimeOffset ArrivedAt { get; set; }
    [Id(6)] public string Name { get; set; } = string.Empty;
    [Id(7)] public string Company { get; set; } = string.Empty;
    [Id(8)] public List<string> Phones { get; set; } = [];
    [Id(9)] public string Email { get; set; } = string.Empty;
    [Id(10)] public string Notes { get; set; } = string.Empty;
    [Id(11)] public LeadStatus Status { get; set; }
    [Id(12)] public LeadDisqualifyReason DisqualifyReason { get; set; }
    [Id(13)] public DateTimeOffset? BasicsRecordedAt { get; set; }
    [Id(14)] public DateTimeOffset? FirstContactAt { get; set; }
    [Id(15)] public DateTimeOffset? QualifiedAt { get; set; }
    [Id(16)] public string CustomerId { get; set; } = string.Empty;
    [Id(17)] public bool LinkedToExisting { get; set; }
    [Id(18)] public bool Unsubscribed { get; set; }
    [Id(19)] public List<string> MissedRules { get; set; } = [];
    [Id(20)] public int ContactCount { get; set; }
    [Id(21)] public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Also the sequence of the lead's latest domain event.</summary>
    [Id(22)] public long Version { get; set; }

    /// <summary>The lead's de-duplication keys (phones and email, normalised).</summary>
    [Id(23)] public List<string> DedupKeys { get; set; } = [];

    /// <summary>Firing keys of the 3-2-1 deadlines already acted on.</summary>
    [Id(24)] public HashSet<string> Fired { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Events of the latest changes, written with them; see <see cref="Events.EventOutbox"/>.</summary>
    [Id(25)] public List<LoggedEvent> Outbox { get; set; } = [];

    /// <summary>Follow-ups of stored changes (notifications) not yet applied.</summary>
    [Id(26)] public List<Effects.Effect> Effects { get; set; } = [];

    /// <summary>When the deadline reminder is registered for (null: none).</summary>
    [Id(27)] public DateTimeOffset? ReminderDueAt { get; set; }

    /// <summary>Client requests applied in the last 24 h (retry-safe writes).</summary>
    [Id(28)] public RequestLedger Requests { get; set; } = new();

    /// <summary>The owner of the existing customer a conversion was linked to.</summary>
    [Id(29)] public string ExistingOwnerId { get; set; } = string.Empty;
}

/// <summary>The holder of one lead de-duplication key.</summary>
[GenerateSerializer, Alias("actorsales.LeadIndexState")]
public sealed class LeadIndexState
{
    [Id(0)] public string? LeadId { get; set; }
}
