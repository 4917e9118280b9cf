using ActorSales.Domain.Leads;
using ActorSales.Grains.Abstractions.Leads;
using Google.Protobuf.WellKnownTypes;
using V1 = ActorSales.Contracts.V1;

namespace ActorSales.Grains.Abstractions.Contracts;

/// <summary>Leads in their published form (leads.proto).</summary>
public static class LeadContract
{
    public static V1.Lead ToContract(this LeadView lead)
    {
        var contract = new V1.Lead
        {
            LeadId = lead.Id,
            TeamId = lead.TeamId,
            OwnerId = lead.OwnerId,
            SourceChannel = (V1.SourceChannel)lead.SourceChannel,
            ArrivedAt = Timestamp.FromDateTimeOffset(lead.ArrivedAt),
            Name = lead.Name,
            Company = lead.Company,
            Email = lead.Email,
            Notes = lead.Notes,
            Status = (V1.LeadStatus)lead.Status,
            DisqualifyReason = (V1.LeadDisqualifyReason)lead.DisqualifyReason,
            BasicsRecordedAt = Time(lead.BasicsRecordedAt),
            FirstContactAt = Time(lead.FirstContactAt),
            QualifiedAt = Time(lead.QualifiedAt),
            CustomerId = lead.CustomerId,
            LinkedToExisting = lead.LinkedToExisting,
            Unsubscribed = lead.Unsubscribed,
            ContactCount = lead.ContactCount,
            CreatedAt = Timestamp.FromDateTimeOffset(lead.CreatedAt),
            Version = lead.Version,
            Invalid = LeadRules.IsInvalid(lead.Status, lead.DisqualifyReason),
        };
        contract.Phones.AddRange(lead.Phones);
        contract.MissedRules.AddRange(lead.MissedRules);
        return contract;
    }

    private static Timestamp? Time(DateTimeOffset? at) => at is { } t ? Timestamp.FromDateTimeOffset(t) : null;
}
