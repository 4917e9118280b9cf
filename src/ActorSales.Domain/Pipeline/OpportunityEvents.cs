using ActorSales.Domain.Deadlines;

namespace ActorSales.Domain.Pipeline;

/// <summary>
/// What happened to an opportunity, as <see cref="OpportunityAggregate"/> raises it. The grain publishes each as an
/// <c>actorsales.v1.DomainEvent</c>; events that show the whole opportunity carry nothing, because the published event
/// shows the opportunity as the command left it.
/// </summary>
public abstract record OpportunityEvent
{
    private OpportunityEvent() { }

    public sealed record Opened : OpportunityEvent;

    public sealed record EvidenceAdded(Evidence Evidence) : OpportunityEvent;

    public sealed record StageChanged(StageChangeRecord Change) : OpportunityEvent;

    public sealed record SignalChanged(ForecastSignal Previous, ForecastSignal Current) : OpportunityEvent;

    public sealed record TermsChanged(IReadOnlyList<string> ChangedFields) : OpportunityEvent;

    public sealed record ApprovalRequested(string ApprovalId, ApprovalRequest Request, DateTimeOffset RequestedAt) : OpportunityEvent;

    public sealed record ApprovalDecided(
        string ApprovalId, ApprovalRequest Request, bool Approved, DateTimeOffset RequestedAt, string DecidedBy, DateTimeOffset DecidedAt, string Comment)
        : OpportunityEvent;

    /// <summary>The pending approval moved to <see cref="ApprovalRequest.ApproverId"/> of <paramref name="Request"/>.</summary>
    public sealed record ApprovalRerouted(string ApprovalId, ApprovalRequest Request, string PreviousApproverId, DateTimeOffset RequestedAt) : OpportunityEvent;

    /// <summary>The approver of a request pending since <paramref name="PendingSince"/> was reminded.</summary>
    public sealed record ApprovalReminded(string ApprovalId, ApprovalRequest Request, DateTimeOffset PendingSince) : OpportunityEvent;

    /// <summary>
    /// A request pending since <paramref name="PendingSince"/> was escalated to <see cref="ApprovalRequest.EscalatedToId"/>
    /// of <paramref name="Request"/> (null: there was nobody above its approver).
    /// </summary>
    public sealed record ApprovalEscalated(string ApprovalId, ApprovalRequest Request, DateTimeOffset PendingSince) : OpportunityEvent;

    /// <summary>A next action was planned (or, with an empty action, cleared).</summary>
    public sealed record NextActionPlanned(string NextAction, DateTimeOffset? DueAt) : OpportunityEvent;

    /// <summary>
    /// A next action's follow-through rule fired (<see cref="Deadlines.FollowThroughRules"/>): <paramref name="RecipientId"/>
    /// was told (null: the team's manager).
    /// </summary>
    public sealed record NextActionOverdue(string Rule, DateTimeOffset DueAt, string NextAction, string? RecipientId) : OpportunityEvent;

    /// <summary>The manager confirmed the planned next action that was not done in time.</summary>
    public sealed record NextActionConfirmed(string NextAction, DateTimeOffset DueAt) : OpportunityEvent;

    public sealed record Won : OpportunityEvent;

    public sealed record Lost : OpportunityEvent;

    /// <summary><paramref name="DueAt"/>: the deadline whose firing changed the level (null: a clock restart or a close).</summary>
    public sealed record StallChanged(StallLevel Previous, StallLevel Current, DateTimeOffset? DueAt) : OpportunityEvent;

    public sealed record InterventionChanged(bool NeedsIntervention) : OpportunityEvent;

    public sealed record OwnerChanged(string PreviousOwnerId, string NewOwnerId, string NewOwnerTeamId, string Reason) : OpportunityEvent;
}

/// <summary>What other records must learn about an opportunity's change; the grain persists each as an effect.</summary>
public abstract record OpportunityFollowUp
{
    private OpportunityFollowUp() { }

    /// <summary>The customer's list of open deals shows (or drops) the opportunity.</summary>
    public sealed record LinkToCustomer(string CustomerId, string OpportunityId, bool Open) : OpportunityFollowUp;

    /// <summary>The owner's book of open deals shows (or drops) the opportunity.</summary>
    public sealed record LinkToOwner(string OwnerId, string OpportunityId, bool Open) : OpportunityFollowUp;

    /// <summary>The customer learns the deal's status, value, signal and decision makers (its grading inputs).</summary>
    public sealed record ReportToCustomer(string CustomerId, string OpportunityId, Customers.DealFacts Facts) : OpportunityFollowUp;

    /// <summary>The customer records a won deal.</summary>
    public sealed record RecordCustomerWin(string CustomerId, DateTimeOffset WonAt) : OpportunityFollowUp;

    /// <summary>The approval holds the request (or moves it to the request's approver).</summary>
    public sealed record FileApproval(string ApprovalId, ApprovalRequest Request) : OpportunityFollowUp;

    /// <summary>A department task a stage entry asks for.</summary>
    public sealed record CreateTask(TaskPlan Plan, string OpportunityId, string OwnerTeamId) : OpportunityFollowUp;

    /// <summary>The team's stalled list shows the deal at its level (None takes it off).</summary>
    public sealed record SetTeamStall(string TeamId, string OpportunityId, StallLevel Level) : OpportunityFollowUp;

    /// <summary>The team's intervention list shows (or drops) the deal.</summary>
    public sealed record SetTeamIntervention(string TeamId, string OpportunityId, bool Needed) : OpportunityFollowUp;

    /// <summary>A notification in one user's inbox.</summary>
    public sealed record Notify(string RecipientId, Notification Notification) : OpportunityFollowUp;

    /// <summary>A notification for whoever manages the team when it runs (unless that is <paramref name="ExceptUserId"/>).</summary>
    public sealed record NotifyTeamManager(string TeamId, string? ExceptUserId, string KeyPrefix, Notification Template) : OpportunityFollowUp;
}
