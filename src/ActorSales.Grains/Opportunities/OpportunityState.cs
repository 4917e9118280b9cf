using ActorSales.Domain.Identity;
using ActorSales.Domain.Deadlines;
using ActorSales.Domain.Pipeline;

namespace ActorSales.Grains.Opportunities;

/// <summary>
/// An opportunity as stored. <see cref="OpportunityAggregate"/> decides over it through <see cref="IOpportunityData"/>;
/// the outbox, the effects and the reminder time are the grain's own.
/// </summary>
[GenerateSerializer, Alias("actorsales.OpportunityState")]
public sealed class OpportunityState : IOpportunityData, IRequestLedgerState
{
    [Id(0)] public bool Created { get; set; }
    [Id(1)] public string CustomerId { get; set; } = string.Empty;
    [Id(2)] public string OwnerId { get; set; } = string.Empty;
    [Id(3)] public string OwnerTeamId { get; set; } = string.Empty;
    [Id(4)] public OpportunityTerms? Terms { get; set; }

    /// <summary>The pipeline version the opportunity started with, kept whole so later versions never change its rules.</summary>
    [Id(5)] public PipelineDefinition? Pipeline { get; set; }
    [Id(6)] public string Stage { get; set; } = string.Empty;
    [Id(7)] public DateTimeOffset StageEnteredAt { get; set; }
    [Id(8)] public List<StageChangeRecord> History { get; set; } = [];
    [Id(9)] public List<Evidence> Evidence { get; set; } = [];
    [Id(10)] public ForecastSignal Signal { get; set; }
    [Id(11)] public DateTimeOffset? SignalChangedAt { get; set; }
    [Id(12)] public List<DecisionMaker> DecisionMakers { get; set; } = [];
    [Id(13)] public DateTimeOffset? ContractReviewAt { get; set; }
    [Id(14)] public OpportunityStatus Status { get; set; }
    [Id(15)] public string? LostReason { get; set; }
    [Id(16)] public string? LostNote { get; set; }
    [Id(17)] public long Version { get; set; }
    [Id(18)] public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Legacy (rows before effects): the customer's and owner's lists may lag; becomes effects on activation.</summary>
    [Id(19)] public bool LinksPending { get; set; }

    /// <summary>The approval the deal waits for; terms are locked and the stage frozen while it is set.</summary>
    [Id(20)] public ApprovalRequest? PendingApproval { get; set; }
    [Id(21)] public string? PendingApprovalId { get; set; }

    /// <summary>Legacy: the approval request may not have reached the approval grain; becomes an effect on activation.</summary>
    [Id(22)] public bool ApprovalRequestPending { get; set; }

    /// <summary>Every task this opportunity planned (ids are deterministic per stage entry and rule).</summary>
    [Id(23)] public List<string> TaskIds { get; set; } = [];

    /// <summary>Legacy: planned tasks not yet confirmed by their grains; become effects on activation.</summary>
    [Id(24)] public List<TaskPlan> TasksToCreate { get; set; } = [];

    [Id(25)] public string? NextAction { get; set; }
    [Id(26)] public DateTimeOffset? NextActionDueAt { get; set; }

    /// <summary>Stall deadlines count from here: the stage entry or the latest qualifying activity.</summary>
    [Id(27)] public DateTimeOffset StallClockStart { get; set; }
    [Id(28)] public StallLevel StallLevel { get; set; }

    /// <summary>Firing keys (rule, record, due time) already acted on since the stall clock last started.</summary>
    [Id(29)] public List<string> FiredDeadlines { get; set; } = [];

    /// <summary>When the durable reminder is set to wake this grain (null: none).</summary>
    [Id(30)] public DateTimeOffset? ReminderDueAt { get; set; }

    /// <summary>Legacy: a stall change whose notifications and team-list update may lag; becomes effects on activation.</summary>
    [Id(31)] public bool StallEffectsPending { get; set; }
    [Id(32)] public Deadline? StallFiring { get; set; }

    /// <summary>The signal stopped advancing: the deal is on the team's intervention list.</summary>
    [Id(33)] public bool NeedsIntervention { get; set; }

    /// <summary>Legacy: the intervention list and the manager's inbox may lag; becomes effects on activation.</summary>
    [Id(34)] public bool InterventionEffectsPending { get; set; }
    [Id(35)] public Deadline? InterventionFiring { get; set; }

    /// <summary>Events of the latest changes, written with them; see <see cref="Events.EventOutbox"/>.</summary>
    [Id(36)] public List<ActorSales.Grains.Abstractions.Events.LoggedEvent> Outbox { get; set; } = [];

    /// <summary>Handovers that already moved (or passed over) this opportunity: a replayed item transfer is a no-op.</summary>
    [Id(37)] public List<string> AppliedHandovers { get; set; } = [];

    /// <summary>Legacy: a previous owner whose open list may still name this opportunity (with <see cref="LinksPending"/>).</summary>
    [Id(38)] public string? PreviousOwnerId { get; set; }

    /// <summary>Legacy: a previous team whose lists may still name this opportunity (with <see cref="LinksPending"/>).</summary>
    [Id(39)] public string? PreviousTeamId { get; set; }

    /// <summary>The value the last granted approval covered; raising the amount above it (or changing its currency) needs a new one.</summary>
    [Id(40)] public Money? ApprovedValue { get; set; }

    /// <summary>
    /// Follow-ups of stored changes not yet applied (the customer's and owners' lists, approvals, tasks, team lists,
    /// notifications), in order; see <see cref="Effects.EffectDispatcher"/>. The flags above marked "legacy" are what rows
    /// of earlier releases carry instead; activation turns them into effects.
    /// </summary>
    [Id(41)] public List<Effects.Effect> Effects { get; set; } = [];

    /// <summary>Client requests applied in the last 24 h (retry-safe writes).</summary>
    [Id(42)] public RequestLedger Requests { get; set; } = new();

    /// <summary>The key factor of a win (rows won before win factors existed have none).</summary>
    [Id(43)] public string? WinFactor { get; set; }
    [Id(44)] public string? WinNote { get; set; }

    /// <summary>When the pending approval reached its current approver (approval reminder and escalation count from it).</summary>
    [Id(45)] public DateTimeOffset? PendingApprovalSince { get; set; }

    /// <summary>The planned next action was done (follow-through); rows stored before have it open.</summary>
    [Id(46)] public bool NextActionDone { get; set; }

    /// <summary>When the manager confirmed the overdue next action.</summary>
    [Id(47)] public DateTimeOffset? NextActionConfirmedAt { get; set; }

    /// <summary>When the current next action was planned (null: before follow-through, which such plans do not get).</summary>
    [Id(48)] public DateTimeOffset? NextActionPlannedAt { get; set; }
}

[GenerateSerializer, Alias("actorsales.PipelineState")]
public sealed class PipelineState : Effects.IEffectsState, IRequestLedgerState
{
    [Id(0)] public List<PipelineDefinition> Versions { get; set; } = [];

    /// <summary>The catalog entry of a new definition, until the catalog has it.</summary>
    [Id(1)] public List<Effects.Effect> Effects { get; set; } = [];

    /// <summary>When the effects-retry reminder is registered for (null: none).</summary>
    [Id(2)] public DateTimeOffset? ReminderDueAt { get; set; }

    /// <summary>Client requests applied in the last 24 h (retry-safe writes); the result is the version defined.</summary>
    [Id(3)] public RequestLedger Requests { get; set; } = new();
}

[GenerateSerializer, Alias("actorsales.PipelineCatalogState")]
public sealed class PipelineCatalogState
{
    [Id(0)] public SortedSet<string> Keys { get; set; } = new(StringComparer.Ordinal);
}
