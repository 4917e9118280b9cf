using ActorSales.Domain.Deadlines;

namespace ActorSales.Domain.Pipeline;

/// <summary>One entry of an opportunity's stage history (persisted: moved here from Grains.Abstractions, same alias and ids).</summary>
[GenerateSerializer, Immutable, Alias("actorsales.StageChangeRecord")]
public sealed record StageChangeRecord(
    [property: Id(0)] string? From,
    [property: Id(1)] string To,
    [property: Id(2)] DateTimeOffset At,
    [property: Id(3)] string By,
    [property: Id(4)] string Reason);

/// <summary>The customer an opportunity is opened on, as the grain looked it up.</summary>
public sealed record OpportunityCustomer(string Id, string OwnerId, string OwnerTeamId);

/// <summary>A new owner of an opportunity, as the grain looked them up.</summary>
public sealed record OpportunityOwner(string Id, string TeamId);

/// <summary>What a handover does to an opportunity.</summary>
public enum HandoverMove
{
    /// <summary>This handover already moved it (or passed over it): nothing to do.</summary>
    AlreadyApplied,
    /// <summary>It moves to the receiver.</summary>
    Moves,
    /// <summary>The leaver no longer owns it: it stays where it is.</summary>
    NotOwnedByLeaver,
}

/// <summary>
/// The opportunity's data as <see cref="OpportunityAggregate"/> reads and changes it. The grain's persisted state
/// implements it, so the stored shape (and its serialisation ids) stays the grain's, and the domain never sees the
/// outbox or the effects list. Properties marked legacy are what rows of earlier releases carry instead of effects.
/// Its next action (<see cref="INextActionPlan"/>) is done by a move of the deal after it was planned: evidence added or
/// a stage change by the owner.
/// </summary>
public interface IOpportunityData : INextActionPlan
{
    bool Created { get; set; }
    string CustomerId { get; set; }
    string OwnerId { get; set; }
    string OwnerTeamId { get; set; }
    OpportunityTerms? Terms { get; set; }
    PipelineDefinition? Pipeline { get; set; }
    string Stage { get; set; }
    DateTimeOffset StageEnteredAt { get; set; }
    List<StageChangeRecord> History { get; set; }
    List<Evidence> Evidence { get; set; }
    ForecastSignal Signal { get; set; }
    DateTimeOffset? SignalChangedAt { get; set; }
    List<DecisionMaker> DecisionMakers { get; set; }
    DateTimeOffset? ContractReviewAt { get; set; }
    OpportunityStatus Status { get; set; }
    string? LostReason { get; set; }
    string? LostNote { get; set; }
    string? WinFactor { get; set; }
    string? WinNote { get; set; }
    long Version { get; set; }
    DateTimeOffset CreatedAt { get; set; }
    ApprovalRequest? PendingApproval { get; set; }
    string? PendingApprovalId { get; set; }

    /// <summary>When the pending approval reached its current approver (null on rows from before approval follow-through).</summary>
    DateTimeOffset? PendingApprovalSince { get; set; }
    Money? ApprovedValue { get; set; }
    List<string> TaskIds { get; set; }

    /// <summary>
    /// When the current next action was planned; null on rows planned before opportunity follow-through, whose plans are
    /// not followed through (a months-old plan would otherwise remind, ask and escalate at once on the next activation).
    /// </summary>
    DateTimeOffset? NextActionPlannedAt { get; set; }
    DateTimeOffset StallClockStart { get; set; }
    StallLevel StallLevel { get; set; }
    List<string> FiredDeadlines { get; set; }
    bool NeedsIntervention { get; set; }
    List<string> AppliedHandovers { get; set; }

    bool LinksPending { get; set; }
    string? PreviousOwnerId { get; set; }
    string? PreviousTeamId { get; set; }
    bool ApprovalRequestPending { get; set; }
    List<TaskPlan> TasksToCreate { get; set; }
    bool StallEffectsPending { get; set; }
    Deadline? StallFiring { get; set; }
    bool InterventionEffectsPending { get; set; }
    Deadline? InterventionFiring { get; set; }
}
