using ActorSales.Grains.Abstractions.Handovers;
using Google.Protobuf.WellKnownTypes;
using V1 = ActorSales.Contracts.V1;

namespace ActorSales.Grains.Abstractions.Contracts;

/// <summary>Handover views to their protobuf messages (the gateway's responses and the handover events).</summary>
public static class HandoverContractMapper
{
    public static V1.Handover ToContract(this HandoverView view)
    {
        var handover = new V1.Handover
        {
            HandoverId = view.Id,
            LeaverId = view.LeaverId,
            TeamId = view.TeamId,
            LastWorkingDay = view.LastWorkingDay?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty,
            StartedBy = view.StartedBy,
            StartedAt = Timestamp.FromDateTimeOffset(view.StartedAt),
            Completed = view.Completed,
        };
        handover.Packages.AddRange(view.Packages.Select(p => p.ToContract()));
        return handover;
    }

    public static V1.HandoverPackage ToContract(this HandoverPackageView view)
    {
        var package = new V1.HandoverPackage
        {
            HandoverId = view.HandoverId,
            LeaverId = view.LeaverId,
            ReceiverId = view.ReceiverId,
            Status = (V1.HandoverPackageStatus)view.Status,
            AddressedAt = Timestamp.FromDateTimeOffset(view.AddressedAt),
            AcceptBy = Timestamp.FromDateTimeOffset(view.AcceptBy),
            CustomerCount = view.CustomerCount,
            OpportunityCount = view.OpportunityCount,
            TransferredCount = view.TransferredCount,
            FollowUpPlan = view.FollowUpPlan ?? string.Empty,
            RejectionReason = view.RejectionReason ?? string.Empty,
            Escalated = view.Escalated,
        };
        package.Items.AddRange(view.Items.Select(i => new V1.HandoverItem
        {
            Kind = (V1.HandoverItemKind)i.Kind, Id = i.Id, Name = i.Name,
            CustomerId = i.Kind == Domain.Handovers.HandoverItemKind.Opportunity ? i.CustomerId : string.Empty,
            Transferred = i.Transferred,
        }));
        return package;
    }

    public static V1.HandoverBrief ToContract(this HandoverBrief brief)
    {
        var message = new V1.HandoverBrief
        {
            CustomerId = brief.CustomerId,
            Name = brief.Name,
            Tier = (V1.CustomerTier)brief.Tier,
            NextAction = brief.NextAction ?? string.Empty,
            NextActionDueAt = brief.NextActionDueAt is { } due ? Timestamp.FromDateTimeOffset(due) : null,
            Transferred = brief.Transferred,
        };
        message.Contacts.AddRange(brief.Contacts.Select(c => c.ToContract()));
        message.RecentNotes.AddRange(brief.RecentNotes.Select(a => new V1.HandoverNote
        {
            Kind = (V1.ActivityKind)a.Kind, OccurredAt = Timestamp.FromDateTimeOffset(a.OccurredAt), Summary = a.Summary,
        }));
        message.Deals.AddRange(brief.Deals.Select(d =>
        {
            var deal = new V1.HandoverDeal
            {
                OpportunityId = d.OpportunityId, Title = d.Title, Stage = d.Stage, NextAction = d.NextAction ?? string.Empty,
                NextActionDueAt = d.NextActionDueAt is { } at ? Timestamp.FromDateTimeOffset(at) : null,
                Stalled = d.Stalled, PendingApprovalId = d.PendingApprovalId ?? string.Empty,
            };
            deal.OpenTaskIds.AddRange(d.OpenTaskIds);
            return deal;
        }));
        return message;
    }
}
