using ActorSales.Contracts.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace ActorSales.Testing;

/// <summary>Deals walked through the API the way a rep would: the shared set-up of the order, collection and commission tests.</summary>
public static class DealFlows
{
    /// <summary>The evidence each stage of the default pipeline asks for before it may be left, and the stage after it.</summary>
    private static readonly (string Kind, string Next)[] DefaultWalk =
        [("meeting_minutes", "ProposalSubmitted"), ("proposal_document", "PriceNegotiation"), ("quote", "ContractApproval")];

    /// <summary>Walks an open deal of the default pipeline from its first stage into ContractApproval, with each stage's evidence.</summary>
    public static async Task WalkToContractApprovalAsync(this TestHost host, Metadata rep, string deal)
    {
        var opportunities = new OpportunitiesService.OpportunitiesServiceClient(host.Channel);
        foreach (var (kind, next) in DefaultWalk)
        {
            await opportunities.AddEvidenceAsync(new AddEvidenceRequest { OpportunityId = deal, Kind = kind, Reference = "DOC-" + kind }, rep);
            await opportunities.ChangeStageAsync(new ChangeStageRequest { OpportunityId = deal, ToStage = next }, rep);
        }
    }

    /// <summary>
    /// A new customer of the rep and a deal of <paramref name="amount"/> <paramref name="currency"/> on the default pipeline,
    /// walked to won unless <paramref name="win"/> is false; returns (customer, deal).
    /// </summary>
    public static async Task<(string Customer, string Deal)> CreateDealAsync(
        this TestHost host, Metadata rep, DateTimeOffset expectedClose, string amount = "9000", string currency = "EUR", bool win = true)
    {
        var opportunities = new OpportunitiesService.OpportunitiesServiceClient(host.Channel);
        var customer = (await host.Customers.CreateCustomerAsync(new CreateCustomerRequest
        {
            Name = "Clinic", Company = $"Clinic {Guid.NewGuid():N}", Tier = CustomerTier.B, SourceChannel = SourceChannel.Referral,
        }, rep)).Customer.CustomerId;
        var deal = (await opportunities.CreateOpportunityAsync(new CreateOpportunityRequest
        {
            CustomerId = customer, Title = "Cath lab", Value = new Money { Amount = amount, Currency = currency },
            ExpectedCloseAt = Timestamp.FromDateTimeOffset(expectedClose),
        }, rep)).Opportunity.OpportunityId;
        if (win)
        {
            foreach (var (kind, next) in DefaultWalk)
            {
                await opportunities.AddEvidenceAsync(new AddEvidenceRequest { OpportunityId = deal, Kind = kind, Reference = "DOC-" + kind }, rep);
                await opportunities.ChangeStageAsync(new ChangeStageRequest { OpportunityId = deal, ToStage = next }, rep);
            }
            await opportunities.AddEvidenceAsync(new AddEvidenceRequest { OpportunityId = deal, Kind = "signed_contract", Reference = "DOC-s" }, rep);
            await opportunities.WinOpportunityAsync(new WinOpportunityRequest { OpportunityId = deal, WinFactor = "product_fit" }, rep);
        }
        return (customer, deal);
    }
}
