using ActorSales.Domain.Identity;
using ActorSales.Domain.Pipeline;

namespace ActorSales.Grains.Abstractions.Opportunities;

/// <summary>An approval as callers see it.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.ApprovalView")]
public sealed record ApprovalView(
    [property: Id(0)] string Id,
    [property: Id(1)] string OpportunityId,
    [property: Id(2)] string OwnerId,
    [property: Id(3)] string OwnerTeamId,
    [property: Id(4)] string ApproverId,
    [property: Id(5)] Money Value,
    [property: Id(6)] ApprovalStatus Status,
    [property: Id(7)] DateTimeOffset RequestedAt,
    [property: Id(8)] string? DecidedBy,
    [property: Id(9)] DateTimeOffset? DecidedAt,
    [property: Id(10)] string? Comment,
    [property: Id(11)] string? EscalatedToId = null,
    [property: Id(12)] DateTimeOffset? EscalatedAt = null);

/// <summary>
/// One approval request. Key: see <see cref="ApprovalIds"/> ("{opportunityId}/approval/{n}"), so a retried or replayed
/// change asks once. It calls no opportunity: the opportunity files requests and brings decisions here.
/// </summary>
[Alias("actorsales.IApprovalGrain")]
public interface IApprovalGrain : IGrainWithStringKey
{
    /// <summary>
    /// Opens the request (idempotent) and files it with the approver. A pending request asked again with another
    /// approver moves to that approver (the opportunity rerouted it because the first one left); asked again with an
    /// escalation, the escalated approver lists it too and may decide it.
    /// </summary>
    [Alias("Request")]
    Task<ApprovalView> Request(ApprovalRequest request);

    [Alias("Get"), ReadOnly]
    Task<ApprovalView> Get(Caller caller);

    /// <summary>
    /// Records the decision after checking that <paramref name="caller"/> may make it (before anything about the request's
    /// state is answered). Called by the opportunity grain, which applies the outcome to the deal afterwards.
    /// </summary>
    [Alias("Decide")]
    Task<ApprovalView> Decide(bool approve, string comment, Caller caller);

    [Alias("Find"), ReadOnly, AlwaysInterleave]
    Task<ApprovalView?> Find();
}
