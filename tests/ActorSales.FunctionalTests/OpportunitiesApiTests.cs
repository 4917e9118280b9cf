using ActorSales.Contracts.V1;
using ActorSales.Testing;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace ActorSales.FunctionalTests;

[Collection(HostCollection.Name)]
public sealed class OpportunitiesApiTests(HostFixture fixture)
{
    private TestHost host => fixture.Host;

    private OpportunitiesService.OpportunitiesServiceClient Opportunities => new(host.Channel);

    private async Task<(ApiTeam Team, string CustomerId)> CustomerAsync()
    {
        var team = await host.CreateTeamAsync();
        var customer = await host.Customers.CreateCustomerAsync(new CreateCustomerRequest
        {
            Name = "Acme Hospital", Company = $"Acme {Guid.NewGuid():N}", Tier = CustomerTier.A, SourceChannel = SourceChannel.Referral,
            Contacts = { new Contact { Name = "Anna", Email = $"anna.{Guid.NewGuid():N}@acme.com" } },
        }, team.Rep);
        return (team, customer.Customer.CustomerId);
    }

    private static CreateOpportunityRequest NewOpportunity(string customerId, string amount = "120000.50", string currency = "EUR", string pipeline = "") => new()
    {
        CustomerId = customerId,
        Title = "Cath lab upgrade",
        Value = new Money { Amount = amount, Currency = currency },
        ExpectedCloseAt = Timestamp.FromDateTime(DateTime.UtcNow.AddDays(60)),
        PipelineKey = pipeline,
    };

    [Fact]
    public async Task A_deal_walks_the_default_pipeline_with_evidence_and_is_won()
    {
        var (team, customerId) = await CustomerAsync();
        var opportunity = (await Opportunities.CreateOpportunityAsync(NewOpportunity(customerId), team.Rep)).Opportunity;
        Assert.Equal(("b2b", "NeedsConfirmed", "120000.5"), (opportunity.PipelineKey, opportunity.Stage, opportunity.Value.Amount));

        var missing = await Assert.ThrowsAsync<RpcException>(async () =>
            await Opportunities.ChangeStageAsync(new ChangeStageRequest { OpportunityId = opportunity.OpportunityId, ToStage = "ProposalSubmitted" }, team.Rep));
        Assert.Equal(StatusCode.FailedPrecondition, missing.StatusCode);
        Assert.Equal("moving from 'NeedsConfirmed' to 'ProposalSubmitted' needs evidence: meeting_minutes", missing.Status.Detail);

        foreach (var (kind, next) in new[] { ("meeting_minutes", "ProposalSubmitted"), ("proposal_document", "PriceNegotiation"), ("quote", "ContractApproval") })
        {
            await Opportunities.AddEvidenceAsync(new AddEvidenceRequest { OpportunityId = opportunity.OpportunityId, Kind = kind, Reference = $"DOC-{kind}" }, team.Rep);
            await Opportunities.ChangeStageAsync(new ChangeStageRequest { OpportunityId = opportunity.OpportunityId, ToStage = next }, team.Rep);
        }
        await Opportunities.AddEvidenceAsync(new AddEvidenceRequest { OpportunityId = opportunity.OpportunityId, Kind = "signed_contract", Reference = "https://dms.example/c/1" }, team.Rep);
        var won = (await Opportunities.WinOpportunityAsync(new WinOpportunityRequest { OpportunityId = opportunity.OpportunityId, WinFactor = "product_fit" }, team.Rep)).Opportunity;

        Assert.Equal(OpportunityStatus.Won, won.Status);
        Assert.Equal(5, won.History.Count);
        Assert.Empty((await Opportunities.ListOpportunitiesAsync(new ListOpportunitiesRequest(), team.Rep)).Opportunities);
    }

    public static TheoryData<string, string, string> BadMoney => new()
    {
        { "abc", "EUR", "value.amount" },
        { "-5", "EUR", "value.amount" },
        { "0", "EUR", "value.amount" },
        { "1000000000001", "EUR", "value.amount" },
        { "10.123", "EUR", "value.amount" },
        { "1e5", "EUR", "value.amount" },
        { "100", "EURO", "value.currency" },
        { "100", "", "value.currency" },
    };

    [Theory]
    [MemberData(nameof(BadMoney))]
    public async Task Malformed_or_out_of_range_amounts_are_invalid_argument(string amount, string currency, string field)
    {
        var (team, customerId) = await CustomerAsync();

        var error = await Assert.ThrowsAsync<RpcException>(async () => await Opportunities.CreateOpportunityAsync(NewOpportunity(customerId, amount, currency), team.Rep));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.StartsWith(field + ":", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Signals_need_evidence_and_unknown_levels_are_invalid()
    {
        var (team, customerId) = await CustomerAsync();
        var id = (await Opportunities.CreateOpportunityAsync(NewOpportunity(customerId, "200000"), team.Rep)).Opportunity.OpportunityId;

        var noEvidence = await Assert.ThrowsAsync<RpcException>(async () =>
            await Opportunities.SetSignalAsync(new SetSignalRequest { OpportunityId = id, Signal = ForecastSignal.L2 }, team.Rep));
        var unknown = await Assert.ThrowsAsync<RpcException>(async () =>
            await Opportunities.SetSignalAsync(new SetSignalRequest { OpportunityId = id, Signal = (ForecastSignal)9 }, team.Rep));
        var verbal = await Assert.ThrowsAsync<RpcException>(async () =>
            await Opportunities.AddEvidenceAsync(new AddEvidenceRequest { OpportunityId = id, Kind = "verbal", Reference = "he said yes" }, team.Rep));
        await Opportunities.AddEvidenceAsync(new AddEvidenceRequest { OpportunityId = id, Kind = "demo_acceptance", Reference = "mail-2" }, team.Rep);
        var l2 = (await Opportunities.SetSignalAsync(new SetSignalRequest { OpportunityId = id, Signal = ForecastSignal.L2 }, team.Rep)).Opportunity;

        Assert.Equal(StatusCode.FailedPrecondition, noEvidence.StatusCode);
        Assert.Equal("signal L2 needs evidence of kind 'demo_acceptance'", noEvidence.Status.Detail);
        Assert.Equal(StatusCode.InvalidArgument, unknown.StatusCode);
        Assert.Equal(StatusCode.InvalidArgument, verbal.StatusCode);
        Assert.Equal("60000", l2.WeightedValue.Amount);
    }

    [Fact]
    public async Task L4_without_the_contract_review_date_is_invalid_naming_contract_review_at()
    {
        var (team, customerId) = await CustomerAsync();
        var id = (await Opportunities.CreateOpportunityAsync(NewOpportunity(customerId, "200000"), team.Rep)).Opportunity.OpportunityId;
        await Opportunities.AddEvidenceAsync(new AddEvidenceRequest { OpportunityId = id, Kind = "contract_review_date", Reference = "mail-4" }, team.Rep);
        var review = Timestamp.FromDateTime(DateTime.UtcNow.AddDays(14).Date);

        var missing = await Assert.ThrowsAsync<RpcException>(async () =>
            await Opportunities.SetSignalAsync(new SetSignalRequest { OpportunityId = id, Signal = ForecastSignal.L4 }, team.Rep));
        var l4 = (await Opportunities.SetSignalAsync(new SetSignalRequest { OpportunityId = id, Signal = ForecastSignal.L4, ContractReviewAt = review }, team.Rep)).Opportunity;

        Assert.Equal(StatusCode.InvalidArgument, missing.StatusCode);
        Assert.Equal("contract_review_at: is required for signal L4", missing.Status.Detail);
        Assert.True(FieldPaths.Resolves(SetSignalRequest.Descriptor, FieldPaths.LeadingPath(missing.Status.Detail)!));
        Assert.Equal((ForecastSignal.L4, review), (l4.Signal, l4.ContractReviewAt));
    }

    [Fact]
    public async Task Another_rep_cannot_touch_the_deal_and_a_stale_version_is_aborted()
    {
        var (team, customerId) = await CustomerAsync();
        var opened = (await Opportunities.CreateOpportunityAsync(NewOpportunity(customerId), team.Rep)).Opportunity;

        var foreign = await Assert.ThrowsAsync<RpcException>(async () =>
            await Opportunities.GetOpportunityAsync(new GetOpportunityRequest { OpportunityId = opened.OpportunityId }, team.OtherRep));
        var foreignCustomer = await Assert.ThrowsAsync<RpcException>(async () =>
            await Opportunities.CreateOpportunityAsync(NewOpportunity(customerId), team.OtherRep));
        await Opportunities.UpdateTermsAsync(new UpdateTermsRequest { OpportunityId = opened.OpportunityId, Title = "Bigger", ExpectedVersion = opened.Version }, team.Rep);
        var stale = await Assert.ThrowsAsync<RpcException>(async () =>
            await Opportunities.UpdateTermsAsync(new UpdateTermsRequest { OpportunityId = opened.OpportunityId, Title = "Smaller", ExpectedVersion = opened.Version }, team.Rep));
        var managerView = (await Opportunities.ListOpportunitiesAsync(new ListOpportunitiesRequest { OwnerId = team.RepId, Stage = "NeedsConfirmed" }, team.Manager)).Opportunities;

        Assert.Equal(StatusCode.PermissionDenied, foreign.StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, foreignCustomer.StatusCode);
        Assert.Equal(StatusCode.Aborted, stale.StatusCode);
        Assert.Equal("Bigger", Assert.Single(managerView).Title);
    }

    [Fact]
    public async Task The_hospital_pipeline_needs_the_trial_agreement_and_period_to_enter_the_trial()
    {
        var (team, customerId) = await CustomerAsync();
        var id = (await Opportunities.CreateOpportunityAsync(NewOpportunity(customerId, pipeline: "hospital-device"), team.Rep)).Opportunity.OpportunityId;
        foreach (var (kind, next) in new[] { ("meeting_minutes", "NeedsScreening"), ("needs_assessment", "DepartmentAccess") })
        {
            await Opportunities.AddEvidenceAsync(new AddEvidenceRequest { OpportunityId = id, Kind = kind, Reference = "DOC-1" }, team.Rep);
            await Opportunities.ChangeStageAsync(new ChangeStageRequest { OpportunityId = id, ToStage = next }, team.Rep);
        }
        await Opportunities.AddEvidenceAsync(new AddEvidenceRequest { OpportunityId = id, Kind = "department_contact", Reference = "DOC-2" }, team.Rep);

        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await Opportunities.ChangeStageAsync(new ChangeStageRequest { OpportunityId = id, ToStage = "ClinicalTrialArranged" }, team.Rep));

        Assert.Equal("moving from 'DepartmentAccess' to 'ClinicalTrialArranged' needs evidence: trial_agreement, trial_period", error.Status.Detail);
    }

    [Fact]
    public async Task Pipelines_are_listed_for_everyone_and_defined_by_admins_only()
    {
        var team = await host.CreateTeamAsync();
        var pipelines = new PipelinesService.PipelinesServiceClient(host.Channel);
        var key = $"p-{Guid.NewGuid():N}"[..16];
        var definition = new Pipeline
        {
            Key = key, Name = "Short",
            Stages = { new PipelineStage { Key = "Open", DisplayName = "Open", RequiredEvidenceToLeave = { "po" }, WarningAge = Duration.FromTimeSpan(TimeSpan.FromDays(2)) } },
        };

        var listed = (await pipelines.ListPipelinesAsync(new ListPipelinesRequest(), team.Rep)).Pipelines.Select(p => p.Key).ToList();
        var denied = await Assert.ThrowsAsync<RpcException>(async () => await pipelines.DefinePipelineAsync(new DefinePipelineRequest { Pipeline = definition }, team.Manager));
        var v1 = (await pipelines.DefinePipelineAsync(new DefinePipelineRequest { Pipeline = definition }, host.Admin)).Pipeline;
        definition.Stages[0].RequiredEvidenceToLeave.Add("invoice");
        var v2 = (await pipelines.DefinePipelineAsync(new DefinePipelineRequest { Pipeline = definition }, host.Admin)).Pipeline;
        var readV1 = (await pipelines.GetPipelineAsync(new GetPipelineRequest { Key = key, Version = 1 }, team.Rep)).Pipeline;
        var negative = await Assert.ThrowsAsync<RpcException>(async () => await pipelines.DefinePipelineAsync(new DefinePipelineRequest
        {
            Pipeline = new Pipeline { Key = key, Name = "x", Stages = { new PipelineStage { Key = "A", DisplayName = "A", LimitAge = new Duration { Seconds = -5 } } } },
        }, host.Admin));

        Assert.Contains("b2b", listed);
        Assert.Contains("hospital-device", listed);
        Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);
        Assert.Equal((1, 2), (v1.Version, v2.Version));
        Assert.Equal(["po"], readV1.Stages[0].RequiredEvidenceToLeave);
        Assert.Equal(StatusCode.InvalidArgument, negative.StatusCode);
    }

    [Fact]
    public async Task Managers_list_their_teams_deals_and_owners_plan_next_actions()
    {
        var (team, customerId) = await CustomerAsync();
        var id = (await Opportunities.CreateOpportunityAsync(NewOpportunity(customerId), team.Rep)).Opportunity.OpportunityId;
        var due = Timestamp.FromDateTime(DateTime.UtcNow.AddDays(2).Date);

        var planned = (await Opportunities.SetNextActionAsync(new SetNextActionRequest { OpportunityId = id, NextAction = "demo", DueAt = due }, team.Rep)).Opportunity;
        var missingDue = await Assert.ThrowsAsync<RpcException>(async () =>
            await Opportunities.SetNextActionAsync(new SetNextActionRequest { OpportunityId = id, NextAction = "demo" }, team.Rep));
        var teamList = (await Opportunities.ListOpportunitiesAsync(new ListOpportunitiesRequest { TeamId = team.TeamId, Stage = "NeedsConfirmed" }, team.Manager)).Opportunities;
        var repAsksTeam = await Assert.ThrowsAsync<RpcException>(async () =>
            await Opportunities.ListOpportunitiesAsync(new ListOpportunitiesRequest { TeamId = team.TeamId }, team.Rep));
        var both = await Assert.ThrowsAsync<RpcException>(async () =>
            await Opportunities.ListOpportunitiesAsync(new ListOpportunitiesRequest { TeamId = team.TeamId, OwnerId = team.RepId }, team.Manager));

        Assert.Equal(("demo", due), (planned.NextAction, planned.NextActionDueAt));
        Assert.Equal(StatusCode.InvalidArgument, missingDue.StatusCode);
        Assert.Equal([id], teamList.Select(o => o.OpportunityId));
        Assert.Equal(StatusCode.PermissionDenied, repAsksTeam.StatusCode);
        Assert.Equal(StatusCode.InvalidArgument, both.StatusCode);
    }
}
