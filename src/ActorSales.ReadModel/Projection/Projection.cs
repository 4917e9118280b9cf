using System.Globalization;
using ActorSales.Contracts.V1;
using ActorSales.Domain.Deadlines;
using ActorSales.Domain.Pipeline;
using ActorSales.Grains.Abstractions.Contracts;
using DomainSignal = ActorSales.Domain.Pipeline.ForecastSignal;

namespace ActorSales.ReadModel;

/// <summary>
/// How an event changes a query row: a pure function of (current row or null, event) shared by every store, so the
/// in-memory and the PostgreSQL read models hold the same rows and a rebuild from history equals the live projection.
/// Events that carry the whole record (registered, updated, opened, terms changed, won, lost, team and salesperson
/// created/updated) replace the document; the others are applied as deltas. An event at or below the row's version
/// is ignored (a replay), as is a delta for a row that does not exist (its creation was never seen). The row's version
/// is the event's sequence. Configuration it needs (the forecast weights, for the weighted value after a signal
/// change) is given at construction; <see cref="Default"/> uses the defaults.
/// </summary>
public sealed class Projection(ForecastWeights weights)
{
    public static Projection Default { get; } = new(new ForecastWeights());

    public CustomerRow? Apply(CustomerRow? row, DomainEvent e)
    {
        if (row is not null && e.Sequence <= row.Version)
        {
            return row;
        }
        if (e.ChangeCase is DomainEvent.ChangeOneofCase.CustomerRegistered or DomainEvent.ChangeOneofCase.CustomerUpdated)
        {
            var doc = (e.CustomerRegistered?.Customer ?? e.CustomerUpdated.Customer).Clone();
            doc.Version = e.Sequence;
            return Customer(doc, row is not null && e.ChangeCase == DomainEvent.ChangeOneofCase.CustomerUpdated && row.ReleaseWarned)
                with { FirstFollowUpAt = row?.FirstFollowUpAt, FirstContactMissed = row?.FirstContactMissed ?? false };
        }
        if (row is null)
        {
            return null;
        }
        var next = row.Doc.Clone();
        next.Version = e.Sequence;
        var warned = row.ReleaseWarned;
        var firstFollowUp = row.FirstFollowUpAt;
        var missed = row.FirstContactMissed;
        switch (e.ChangeCase)
        {
            case DomainEvent.ChangeOneofCase.ActivityLogged:
                var activity = e.ActivityLogged.Activity;
                if (e.ActivityLogged.IsFollowUp && activity?.OccurredAt is { } occurred && (firstFollowUp is null || occurred.ToDateTimeOffset() < firstFollowUp))
                {
                    firstFollowUp = occurred.ToDateTimeOffset();
                }
                next.ActivityCount = Math.Max(next.ActivityCount, activity?.Sequence ?? next.ActivityCount + 1);
                if (e.ActivityLogged.IsFollowUp && activity?.OccurredAt is { } at
                    && (next.LastFollowUpAt is null || at.ToDateTimeOffset() > next.LastFollowUpAt.ToDateTimeOffset()))
                {
                    next.LastFollowUpAt = at; // the release clock restarts: the warning is over
                    warned = warned && next.InPool;
                }
                next.UpdatedAt = e.OccurredAt;
                break;
            case DomainEvent.ChangeOneofCase.CustomerOwnerChanged:
                next.OwnerId = e.CustomerOwnerChanged.NewOwnerId;
                next.OwnerTeamId = e.CustomerOwnerChanged.NewOwnerTeamId;
                next.InPool = false;
                next.UpdatedAt = e.OccurredAt;
                warned = false; // the new owner's clocks start
                break;
            case DomainEvent.ChangeOneofCase.CustomerFollowUpOverdue:
                warned = warned || e.CustomerFollowUpOverdue.Rule == ReleaseRules.Warning;
                // The first owner's first-contact SLA: missed if it fired before any real follow-up.
                missed = missed || (e.CustomerFollowUpOverdue.Rule == NewCustomerSla.FirstContact && firstFollowUp is null);
                break;
            case DomainEvent.ChangeOneofCase.CustomerReleased:
                next.OwnerId = string.Empty;
                next.OwnerTeamId = e.CustomerReleased.PoolTeamId is { Length: > 0 } pool ? pool : next.OwnerTeamId;
                next.InPool = true;
                next.UpdatedAt = e.OccurredAt;
                warned = false;
                break;
            case DomainEvent.ChangeOneofCase.CustomerGradeChanged:
                next.Grade = e.CustomerGradeChanged.Grade;
                break;
            case DomainEvent.ChangeOneofCase.CustomerClaimed:
                next.OwnerId = e.CustomerClaimed.OwnerId;
                next.OwnerTeamId = e.TeamId is { Length: > 0 } team ? team : next.OwnerTeamId;
                next.InPool = false;
                next.UpdatedAt = e.OccurredAt;
                warned = false;
                break;
            default:
                break; // no query shows it; the version still moves
        }
        return row with { Doc = next, ReleaseWarned = warned, FirstFollowUpAt = firstFollowUp, FirstContactMissed = missed };
    }

    public OpportunityRow? Apply(OpportunityRow? row, DomainEvent e)
    {
        if (row is not null && e.Sequence <= row.Version)
        {
            return row;
        }
        var whole = e.ChangeCase switch
        {
            DomainEvent.ChangeOneofCase.OpportunityOpened => e.OpportunityOpened.Opportunity,
            DomainEvent.ChangeOneofCase.OpportunityTermsChanged => e.OpportunityTermsChanged.Opportunity,
            DomainEvent.ChangeOneofCase.OpportunityWon => e.OpportunityWon.Opportunity,
            DomainEvent.ChangeOneofCase.OpportunityLost => e.OpportunityLost.Opportunity,
            _ => null,
        };
        if (whole is not null)
        {
            var doc = whole.Clone();
            doc.Version = e.Sequence;
            return Opportunity(doc) with { LastUpdatedAt = e.OccurredAt?.ToDateTimeOffset() ?? row?.LastUpdatedAt };
        }
        if (row is null)
        {
            return null;
        }
        var next = row.Doc.Clone();
        next.Version = e.Sequence;
        switch (e.ChangeCase)
        {
            case DomainEvent.ChangeOneofCase.EvidenceAdded:
                next.Evidence.Add(e.EvidenceAdded.Evidence);
                break;
            case DomainEvent.ChangeOneofCase.OpportunityStageChanged:
                var change = e.OpportunityStageChanged.Change;
                next.Stage = change.ToStage;
                next.StageEnteredAt = change.At ?? e.OccurredAt;
                next.History.Add(change);
                break;
            case DomainEvent.ChangeOneofCase.ForecastSignalChanged:
                var signal = e.ForecastSignalChanged;
                next.Signal = signal.Current;
                if (signal.Current > signal.Previous)
                {
                    next.SignalChangedAt = e.OccurredAt;
                }
                next.WeightedValue = new Domain.Pipeline.Money(
                    ForecastRules.Weighted(row.Amount, (DomainSignal)signal.Current, weights), next.Value?.Currency ?? string.Empty).ToContract();
                break;
            case DomainEvent.ChangeOneofCase.ApprovalRequested:
                next.PendingApprovalId = e.ApprovalRequested.Approval.ApprovalId;
                break;
            case DomainEvent.ChangeOneofCase.ApprovalRerouted:
                next.PendingApprovalId = e.ApprovalRerouted.Approval.ApprovalId;
                break;
            case DomainEvent.ChangeOneofCase.ApprovalDecided:
                if (next.PendingApprovalId == e.ApprovalDecided.Approval.ApprovalId)
                {
                    next.PendingApprovalId = string.Empty;
                }
                break;
            case DomainEvent.ChangeOneofCase.NextActionPlanned:
                next.NextAction = e.NextActionPlanned.NextAction;
                next.NextActionDueAt = e.NextActionPlanned.NextAction.Length == 0 ? null : e.NextActionPlanned.DueAt;
                break;
            case DomainEvent.ChangeOneofCase.OpportunityStallChanged:
                next.StallLevel = e.OpportunityStallChanged.Current;
                break;
            case DomainEvent.ChangeOneofCase.OpportunityInterventionChanged:
                next.NeedsIntervention = e.OpportunityInterventionChanged.NeedsIntervention;
                break;
            case DomainEvent.ChangeOneofCase.OpportunityOwnerChanged:
                next.OwnerId = e.OpportunityOwnerChanged.NewOwnerId;
                next.OwnerTeamId = e.OpportunityOwnerChanged.NewOwnerTeamId;
                break;
            default:
                break;
        }
        var updated = e.ChangeCase is DomainEvent.ChangeOneofCase.EvidenceAdded or DomainEvent.ChangeOneofCase.OpportunityStageChanged
            or DomainEvent.ChangeOneofCase.ForecastSignalChanged or DomainEvent.ChangeOneofCase.NextActionPlanned;
        return row with { Doc = next, LastUpdatedAt = updated ? e.OccurredAt?.ToDateTimeOffset() ?? row.LastUpdatedAt : row.LastUpdatedAt };
    }

    public TeamRow? Apply(TeamRow? row, DomainEvent e)
    {
        if (row is not null && e.Sequence <= row.Version)
        {
            return row;
        }
        if (e.ChangeCase is DomainEvent.ChangeOneofCase.TeamCreated or DomainEvent.ChangeOneofCase.TeamUpdated)
        {
            var doc = (e.TeamCreated?.Team ?? e.TeamUpdated.Team).Clone();
            doc.Version = e.Sequence;
            return new TeamRow(doc);
        }
        if (row is null)
        {
            return null;
        }
        var next = row.Doc.Clone();
        next.Version = e.Sequence;
        var members = new SortedSet<string>(next.MemberIds, StringComparer.Ordinal);
        switch (e.ChangeCase)
        {
            case DomainEvent.ChangeOneofCase.TeamMemberJoined:
                members.Add(e.TeamMemberJoined.SalespersonId);
                break;
            case DomainEvent.ChangeOneofCase.TeamMemberLeft:
                members.Remove(e.TeamMemberLeft.SalespersonId);
                break;
            default:
                break;
        }
        next.MemberIds.Clear();
        next.MemberIds.AddRange(members);
        return new TeamRow(next);
    }

    public SalespersonRow? Apply(SalespersonRow? row, DomainEvent e)
    {
        if (row is not null && e.Sequence <= row.Version)
        {
            return row;
        }
        if (e.ChangeCase is DomainEvent.ChangeOneofCase.SalespersonCreated or DomainEvent.ChangeOneofCase.SalespersonUpdated)
        {
            var doc = (e.SalespersonCreated?.Salesperson ?? e.SalespersonUpdated.Salesperson).Clone();
            doc.Version = e.Sequence;
            return new SalespersonRow(doc);
        }
        if (row is null)
        {
            return null;
        }
        var next = row.Doc.Clone();
        next.Version = e.Sequence;
        next.Status = e.ChangeCase switch
        {
            DomainEvent.ChangeOneofCase.SalespersonDepartureStarted => SalespersonStatus.Departing,
            DomainEvent.ChangeOneofCase.SalespersonDeparted => SalespersonStatus.Departed,
            _ => next.Status,
        };
        return new SalespersonRow(next);
    }

    /// <summary>
    /// The history entry of an event: which customer's and opportunity's timelines it is on. An opportunity's customer
    /// (and a task's opportunity) comes from <paramref name="customerOfOpportunity"/>, the store's current rows.
    /// </summary>
    public static HistoryEntry History(long position, DomainEvent e, Func<string, string?> customerOfOpportunity)
    {
        switch (e.EntityType)
        {
            case EntityType.Customer:
                return new HistoryEntry(position, e, e.EntityId, null);
            case EntityType.Opportunity:
                var customerId = e.OpportunityOpened?.Opportunity?.CustomerId is { Length: > 0 } opened ? opened : customerOfOpportunity(e.EntityId);
                return new HistoryEntry(position, e, customerId, e.EntityId);
            case EntityType.Task when e.DepartmentTaskChanged?.Task?.OpportunityId is { Length: > 0 } opportunityId:
                return new HistoryEntry(position, e, customerOfOpportunity(opportunityId), opportunityId);
            case EntityType.Order:
                // An order's id is its won deal's: on the customer's timeline and the deal's.
                return new HistoryEntry(position, e, OrderFacts.OrderOf(e)?.CustomerId ?? customerOfOpportunity(e.EntityId), e.EntityId);
            case EntityType.Lead:
                // A lead's conversion is also on its customer's timeline: from there its own timeline is one step away.
                return new HistoryEntry(position, e, e.LeadConverted?.CustomerId is { Length: > 0 } converted ? converted : null, null);
            default:
                return new HistoryEntry(position, e, null, null);
        }
    }

    /// <summary>Parses a contract amount ("1234.5"); an unreadable one counts as 0.</summary>
    public static decimal AmountOf(Contracts.V1.Money? money) =>
        money is not null && decimal.TryParse(money.Amount, NumberStyles.Number, CultureInfo.InvariantCulture, out var amount) ? amount : 0m;

    private static CustomerRow Customer(Customer doc, bool warned) =>
        new(doc, warned, SearchNormalizer.CustomerText(doc), SearchNormalizer.CustomerDigits(doc));

    private static OpportunityRow Opportunity(Opportunity doc) => new(doc, AmountOf(doc.Value));
}
