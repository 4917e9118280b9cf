using ActorSales.Contracts.V1;
using ActorSales.Domain.Pipeline;
using ActorSales.Grains.Abstractions.Contracts;
using ActorSales.Grains.Abstractions.Opportunities;
using ActorSales.Grains.Effects;
using Google.Protobuf.WellKnownTypes;
using E = ActorSales.Domain.Pipeline.OpportunityEvent;
using F = ActorSales.Domain.Pipeline.OpportunityFollowUp;
using ApprovalStatus = ActorSales.Domain.Pipeline.ApprovalStatus;

namespace ActorSales.Grains.Opportunities;

/// <summary>
/// What <see cref="OpportunityAggregate"/> decided, as the grain stores it: each domain event as the published
/// <c>DomainEvent</c> change (built when recorded, so it shows the opportunity as the command left it), each follow-up
/// as the effect that runs it.
/// </summary>
internal static class OpportunityRecording
{
    public static Action<DomainEvent> ToContract(OpportunityEvent @event, string id, Func<OpportunityView> view) => @event switch
    {
        E.Opened => e => e.OpportunityOpened = new OpportunityOpened { Opportunity = view().ToContract() },
        E.EvidenceAdded added => e => e.EvidenceAdded = new EvidenceAdded { OpportunityId = id, Evidence = added.Evidence.ToContract() },
        E.StageChanged changed => e => e.OpportunityStageChanged = new OpportunityStageChanged { OpportunityId = id, Change = changed.Change.ToContract() },
        E.SignalChanged signal => e => e.ForecastSignalChanged = new ForecastSignalChanged
        {
            OpportunityId = id,
            Previous = (Contracts.V1.ForecastSignal)signal.Previous,
            Current = (Contracts.V1.ForecastSignal)signal.Current,
        },
        E.TermsChanged terms => e =>
        {
            var termsChanged = new OpportunityTermsChanged { Opportunity = view().ToContract() };
            termsChanged.ChangedFields.AddRange(terms.ChangedFields);
            e.OpportunityTermsChanged = termsChanged;
        },
        E.ApprovalRequested requested => e => e.ApprovalRequested = new ApprovalRequested
        {
            Approval = Approval(requested.ApprovalId, requested.Request, ApprovalStatus.Pending, requested.RequestedAt).ToContract(),
        },
        E.ApprovalDecided decided => e => e.ApprovalDecided = new ApprovalDecided
        {
            Approval = Approval(decided.ApprovalId, decided.Request, decided.Approved ? ApprovalStatus.Approved : ApprovalStatus.Rejected,
                decided.RequestedAt, decided.DecidedBy, decided.DecidedAt, decided.Comment).ToContract(),
        },
        E.ApprovalRerouted rerouted => e => e.ApprovalRerouted = new ApprovalRerouted
        {
            Approval = Approval(rerouted.ApprovalId, rerouted.Request, ApprovalStatus.Pending, rerouted.RequestedAt).ToContract(),
            PreviousApproverId = rerouted.PreviousApproverId,
        },
        E.ApprovalReminded reminded => e => e.ApprovalReminded = new ApprovalReminded
        {
            Approval = Approval(reminded.ApprovalId, reminded.Request, ApprovalStatus.Pending, reminded.PendingSince).ToContract(),
        },
        E.ApprovalEscalated escalated => e => e.ApprovalEscalated = new ApprovalEscalated
        {
            Approval = Approval(escalated.ApprovalId, escalated.Request, ApprovalStatus.Pending, escalated.PendingSince).ToContract(),
        },
        E.NextActionPlanned planned => e => e.NextActionPlanned = new NextActionPlanned
        {
            OpportunityId = id,
            NextAction = planned.NextAction,
            DueAt = planned.DueAt is { } at ? Timestamp.FromDateTimeOffset(at) : null,
        },
        E.NextActionOverdue overdue => e => e.OpportunityNextActionOverdue = new OpportunityNextActionOverdue
        {
            OpportunityId = id,
            Rule = overdue.Rule,
            DueAt = Timestamp.FromDateTimeOffset(overdue.DueAt),
            NextAction = overdue.NextAction,
            RecipientId = overdue.RecipientId ?? string.Empty,
        },
        E.NextActionConfirmed confirmed => e => e.OpportunityNextActionConfirmed = new OpportunityNextActionConfirmed
        {
            OpportunityId = id,
            NextAction = confirmed.NextAction,
            DueAt = Timestamp.FromDateTimeOffset(confirmed.DueAt),
        },
        E.Won => e => e.OpportunityWon = new OpportunityWon { Opportunity = view().ToContract() },
        E.Lost => e => e.OpportunityLost = new OpportunityLost { Opportunity = view().ToContract() },
        E.StallChanged stall => e => e.OpportunityStallChanged = new OpportunityStallChanged
        {
            OpportunityId = id,
            Previous = (Contracts.V1.StallLevel)stall.Previous,
            Current = (Contracts.V1.StallLevel)stall.Current,
            DueAt = stall.DueAt is { } at ? Timestamp.FromDateTimeOffset(at) : null,
        },
        E.InterventionChanged intervention => e => e.OpportunityInterventionChanged = new OpportunityInterventionChanged
        {
            OpportunityId = id,
            NeedsIntervention = intervention.NeedsIntervention,
        },
        E.OwnerChanged owner => e => e.OpportunityOwnerChanged = new OpportunityOwnerChanged
        {
            OpportunityId = id,
            PreviousOwnerId = owner.PreviousOwnerId,
            NewOwnerId = owner.NewOwnerId,
            NewOwnerTeamId = owner.NewOwnerTeamId,
            Reason = owner.Reason,
        },
        _ => throw new ArgumentOutOfRangeException(nameof(@event), @event.GetType().Name, "no published form"),
    };

    public static Effect ToEffect(OpportunityFollowUp followUp) => followUp switch
    {
        F.LinkToCustomer link => new LinkOpportunityToCustomer(link.CustomerId, link.OpportunityId, link.Open),
        F.ReportToCustomer report => new ReportDealToCustomer(report.CustomerId, report.OpportunityId, report.Facts),
        F.LinkToOwner link => new LinkOpportunityToOwner(link.OwnerId, link.OpportunityId, link.Open),
        F.RecordCustomerWin win => new RecordCustomerWin(win.CustomerId, win.WonAt),
        F.FileApproval file => new FileApproval(file.ApprovalId, file.Request),
        F.CreateTask task => new CreateDepartmentTask(task.Plan, task.OpportunityId, task.OwnerTeamId),
        F.SetTeamStall stall => new SetTeamStall(stall.TeamId, stall.OpportunityId, stall.Level),
        F.SetTeamIntervention intervention => new SetTeamIntervention(intervention.TeamId, intervention.OpportunityId, intervention.Needed),
        F.Notify notify => new Notify(notify.RecipientId, notify.Notification),
        F.NotifyTeamManager notify => new NotifyTeamManager(notify.TeamId, notify.ExceptUserId, notify.KeyPrefix, notify.Template),
        _ => throw new ArgumentOutOfRangeException(nameof(followUp), followUp.GetType().Name, "no effect"),
    };

    private static ApprovalView Approval(
        string approvalId, ApprovalRequest request, ApprovalStatus status, DateTimeOffset requestedAt,
        string? decidedBy = null, DateTimeOffset? decidedAt = null, string? comment = null) =>
        new(approvalId, request.OpportunityId, request.OwnerId, request.OwnerTeamId, request.ApproverId, request.Value, status,
            requestedAt, decidedBy, decidedAt, comment, request.EscalatedToId, request.EscalatedAt);
}
