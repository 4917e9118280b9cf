using ActorSales.Domain.Pipeline;

namespace ActorSales.Grains.Abstractions.Opportunities;

/// <summary>What a caller asks for when opening an opportunity.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.OpportunityDraft")]
public sealed record OpportunityDraft(
    [property: Id(0)] string CustomerId,
    [property: Id(1)] OpportunityTerms Terms,
    [property: Id(2)] string? PipelineKey);

/// <summary>An opportunity as callers see it.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.OpportunityView")]
public sealed record OpportunityView(
    [property: Id(0)] string Id,
    [property: Id(1)] string CustomerId,
    [property: Id(2)] string OwnerId,
    [property: Id(3)] string OwnerTeamId,
    [property: Id(4)] OpportunityTerms Terms,
    [property: Id(5)] string PipelineKey,
    [property: Id(6)] int PipelineVersion,
    [property: Id(7)] string Stage,
    [property: Id(8)] DateTimeOffset StageEnteredAt,
    [property: Id(9)] IReadOnlyList<StageChangeRecord> History,
    [property: Id(10)] IReadOnlyList<Evidence> Evidence,
    [property: Id(11)] ForecastSignal Signal,
    [property: Id(12)] decimal WeightedAmount,
    [property: Id(13)] IReadOnlyList<DecisionMaker> DecisionMakers,
    [property: Id(14)] DateTimeOffset? ContractReviewAt,
    [property: Id(15)] OpportunityStatus Status,
    [property: Id(16)] string? LostReason,
    [property: Id(17)] string? LostNote,
    [property: Id(18)] long Version,
    [property: Id(19)] DateTimeOffset CreatedAt,
    [property: Id(20)] string? PendingApprovalId = null,
    [property: Id(21)] string? NextAction = null,
    [property: Id(22)] DateTimeOffset? NextActionDueAt = null,
    [property: Id(23)] Domain.Deadlines.StallLevel StallLevel = Domain.Deadlines.StallLevel.None,
    [property: Id(24)] bool NeedsIntervention = false,
    [property: Id(25)] DateTimeOffset? SignalChangedAt = null,
    [property: Id(26)] string? WinFactor = null,
    [property: Id(27)] string? WinNote = null);

/// <summary>A forecast-signal change request.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.SignalChange")]
public sealed record SignalChange(
    [property: Id(0)] ForecastSignal Signal,
    [property: Id(1)] IReadOnlyList<DecisionMaker> DecisionMakers,
    [property: Id(2)] DateTimeOffset? ContractReviewAt);

/// <summary>Terms to change; null leaves a field unchanged.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.TermsChanges")]
public sealed record TermsChanges(
    [property: Id(0)] string? Title,
    [property: Id(1)] Money? Value,
    [property: Id(2)] DateTimeOffset? ExpectedCloseAt);
