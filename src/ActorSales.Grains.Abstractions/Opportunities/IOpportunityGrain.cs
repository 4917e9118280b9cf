using ActorSales.Domain.Identity;
using ActorSales.Domain.Pipeline;

namespace ActorSales.Grains.Abstractions.Opportunities;

/// <summary>A deal moving through a pipeline. Key: see <see cref="GrainKeys"/>.</summary>
[Alias("actorsales.IOpportunityGrain")]
public interface IOpportunityGrain : IGrainWithStringKey
{
    [Alias("Open")]
    Task<OpportunityView> Open(OpportunityDraft draft, Caller caller);

    [Alias("Get"), ReadOnly]
    Task<OpportunityView> Get(Caller caller);

    [Alias("AddEvidence")]
    Task<OpportunityView> AddEvidence(string kind, string reference, string note, Caller caller);

    [Alias("ChangeStage")]
    Task<OpportunityView> ChangeStage(string toStage, string reason, long expectedVersion, Caller caller);

    [Alias("SetSignal")]
    Task<OpportunityView> SetSignal(SignalChange change, long expectedVersion, Caller caller);

    [Alias("UpdateTerms")]
    Task<OpportunityView> UpdateTerms(TermsChanges changes, long expectedVersion, Caller caller);

    /// <summary>Plans (or, with null, clears) the next action and its due date.</summary>
    [Alias("SetNextAction")]
    Task<OpportunityView> SetNextAction(string? nextAction, DateTimeOffset? dueAt, Caller caller);

    /// <summary>The owner's manager (a director, an admin) confirms the open next action: it is not escalated to the director.</summary>
    [Alias("ConfirmNextAction")]
    Task<OpportunityView> ConfirmNextAction(Caller caller);

    [Alias("Win")]
    Task<OpportunityView> Win(string winFactor, string note, long expectedVersion, Caller caller);

    [Alias("Lose")]
    Task<OpportunityView> Lose(string reason, string note, long expectedVersion, Caller caller);

    /// <summary>
    /// <paramref name="caller"/> decides approval <paramref name="approvalId"/> of this deal: the approval grain checks
    /// the caller (the approver or their active delegate) and records the decision, then the deal applies it in its own
    /// write (it unlocks; a rejection returns it to the configured stage). Decisions come in here, never from the
    /// approval grain, so calls between the two run one way. NotFound if the deal does not exist; FailedPrecondition if
    /// the approval was decided already (a decision this deal had not applied yet is applied then).
    /// </summary>
    [Alias("DecideApproval")]
    Task<ApprovalView> DecideApproval(string approvalId, bool approve, string comment, Caller caller);

    /// <summary>
    /// Tasks this opportunity created, oldest first (the caller may read the opportunity). Interleaves: it takes the task
    /// ids before its first await, and a customer's brief asks it while the deal may be waiting on that customer.
    /// </summary>
    [Alias("ListTasks"), ReadOnly, AlwaysInterleave]
    Task<IReadOnlyList<DepartmentTaskView>> ListTasks(Caller caller);

    /// <summary>The opportunity without caller checks, for other grains; null if it does not exist.</summary>
    [Alias("Find"), ReadOnly, AlwaysInterleave]
    Task<OpportunityView?> Find();

    /// <summary>
    /// Moves the open opportunity from <paramref name="fromOwnerId"/> to <paramref name="toOwnerId"/> as part of handover
    /// <paramref name="handoverId"/>; idempotent by handover id. Called by the handover grain.
    /// </summary>
    [Alias("HandOver")]
    Task<Handovers.HandoverOutcome> HandOver(string handoverId, string fromOwnerId, string toOwnerId, string actorId);

    /// <summary>
    /// The owner <paramref name="ownerId"/> moved to team <paramref name="newTeamId"/>: an open deal of theirs moves into
    /// that team's scope and lists. Idempotent; a deal closed or owned by someone else meanwhile is left alone. Called
    /// by the salesperson grain's team-move effects.
    /// </summary>
    [Alias("OwnerTeamChanged")]
    Task OwnerTeamChanged(string ownerId, string newTeamId);

    /// <summary>
    /// Sends pending approval <paramref name="approvalId"/>, addressed to <paramref name="fromApproverId"/> (who is leaving),
    /// to the next active approver: the team's director, else the configured default approver. Returns the new approver,
    /// or null if the approval is no longer pending with them (idempotent). FailedPrecondition if there is nobody to
    /// send it to. Called by the handover grain.
    /// </summary>
    [Alias("RerouteApproval")]
    Task<string?> RerouteApproval(string approvalId, string fromApproverId, string actorId);
}

/// <summary>All versions of one pipeline definition. Key: the pipeline key, e.g. "b2b".</summary>
[Alias("actorsales.IPipelineGrain")]
public interface IPipelineGrain : IGrainWithStringKey
{
    /// <summary>Stores the definition as a new version unless it equals the latest (then returns the latest).</summary>
    [Alias("Define")]
    Task<PipelineDefinition> Define(PipelineDefinition definition, Caller caller);

    /// <summary>The latest version, or a given one; null if none.</summary>
    [Alias("Get"), ReadOnly]
    Task<PipelineDefinition?> Get(int version);
}

/// <summary>The keys of every defined pipeline (tiny, read-mostly). Key: "all".</summary>
[Alias("actorsales.IPipelineCatalogGrain")]
public interface IPipelineCatalogGrain : IGrainWithStringKey
{
    [Alias("Add")]
    Task Add(string key);

    [Alias("Keys"), ReadOnly]
    Task<IReadOnlyList<string>> Keys();
}
