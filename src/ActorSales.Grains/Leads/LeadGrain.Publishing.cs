using ActorSales.Contracts.V1;
using ActorSales.Domain.Leads;
using ActorSales.Grains.Abstractions.Contracts;
using ActorSales.Grains.Effects;
using Google.Protobuf.WellKnownTypes;

namespace ActorSales.Grains.Leads;

/// <summary>A lead's events in their published form (each carries the whole lead) and its follow-ups as effects.</summary>
public sealed partial class LeadGrain
{
    private Action<DomainEvent> ToContract(LeadEvent @event)
    {
        var lead = ToView().ToContract();
        return @event switch
        {
            LeadEvent.Created => e => e.LeadCreated = new LeadCreated { Lead = lead },
            LeadEvent.Assigned assigned => e => e.LeadAssigned = new LeadAssigned { Lead = lead, PreviousOwnerId = assigned.PreviousOwnerId, Claimed = assigned.Claimed },
            LeadEvent.BasicsRecorded basics => e => e.LeadBasicsRecorded = new LeadBasicsRecorded { Lead = lead, ChangedFields = { basics.ChangedFields } },
            LeadEvent.Contacted contacted => e => e.LeadContacted = new LeadContacted
            {
                Lead = lead, Kind = (ActivityKind)contacted.Contact.Kind, OccurredAt = Timestamp.FromDateTimeOffset(contacted.Contact.OccurredAt),
                RealContact = contacted.RealContact, Summary = contacted.Contact.Summary,
            },
            LeadEvent.Qualified qualified => e => e.LeadQualified = new LeadQualified
            {
                Lead = lead, Qualification = (Contracts.V1.LeadQualification)qualified.Tag.Qualification,
                Reason = (Contracts.V1.LeadDisqualifyReason)qualified.Tag.Reason, Note = qualified.Tag.Note,
            },
            LeadEvent.Converted converted => e => e.LeadConverted = new LeadConverted { Lead = lead, CustomerId = converted.CustomerId, LinkedToExisting = converted.LinkedToExisting },
            LeadEvent.DeadlineMissed missed => e => e.LeadDeadlineMissed = new LeadDeadlineMissed { Lead = lead, Rule = missed.Rule, DueAt = Timestamp.FromDateTimeOffset(missed.DueAt) },
            LeadEvent.UnsubscribedChanged => e => e.LeadUnsubscribedChanged = new LeadUnsubscribedChanged { Lead = lead },
            _ => throw new ArgumentOutOfRangeException(nameof(@event), @event, "no contract for this lead event"),
        };
    }

    private static Effect ToEffect(LeadFollowUp followUp) => followUp switch
    {
        LeadFollowUp.Notify notify => new Notify(notify.RecipientId, notify.Notification),
        LeadFollowUp.NotifyTeamManager manager => new NotifyTeamManager(manager.TeamId, manager.ExceptUserId, manager.KeyPrefix, manager.Template),
        _ => throw new ArgumentOutOfRangeException(nameof(followUp), followUp, "no effect for this lead follow-up"),
    };
}
