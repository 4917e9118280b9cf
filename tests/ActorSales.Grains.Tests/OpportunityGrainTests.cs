using ActorSales.Domain.Customers;
using ActorSales.Domain.Errors;
using ActorSales.Domain.Pipeline;
using ActorSales.Grains.Abstractions;
using ActorSales.Grains.Abstractions.Customers;
using ActorSales.Grains.Abstractions.Opportunities;
using ActorSales.Grains.Abstractions.People;

namespace ActorSales.Grains.Tests;

[Collection(ClusterCollection.Name)]
public sealed class OpportunityGrainTests(ClusterFixture fixture)
{
    private async Task<(TestTeam Team, string CustomerId)> CustomerAsync()
    {
        var team = await fixture.CreateTeamAsync();
        var details = new CustomerDetails("Acme Hospital", $"Acme {Guid.NewGuid():N}", "Health", CustomerTier.A,
            [new Contact("Anna", "Buyer", "", $"anna.{Guid.NewGuid():N}@acme.com")], null, SourceChannel.Referral);
        var customer = await fixture.Grains.GetGrain<ICustomerGrain>(GrainKeys.NewCustomerId()).Register(details, team.Rep.UserId, team.Rep);
        return (team, customer.Id);
    }

    private static OpportunityDraft Draft(string customerId, decimal amount = 120_000m) =>
        new(customerId, new OpportunityTerms("Cath lab upgrade", new Money(amount, "EUR"), ClusterFixture.Start.AddDays(60)), null);

    private IOpportunityGrain NewOpportunity() => fixture.Grains.GetGrain<IOpportunityGrain>(GrainKeys.NewOpportunityId());

    [Fact]
    public async Task An_opportunity_opens_in_the_first_stage_of_the_latest_pipeline_and_is_known_to_customer_and_owner()
    {
        var (team, customerId) = await CustomerAsync();

        var view = await NewOpportunity().Open(Draft(customerId), team.Rep);

        Assert.Equal("NeedsConfirmed", view.Stage);
        Assert.Equal(OpportunityStatus.Open, view.Status);
        Assert.Equal(team.Rep.UserId, view.OwnerId);
        Assert.Equal(fixture.Clock.GetUtcNow(), view.StageEnteredAt);
        var listed = await fixture.Grains.GetGrain<ISalespersonGrain>(team.Rep.UserId).ListOpportunities(team.Rep, null, 10, null);
        Assert.Equal([view.Id], listed.Items.Select(o => o.Id));
    }

    [Fact]
    public async Task An_opportunity_needs_an_existing_customer_the_caller_may_act_on()
    {
        var (team, customerId) = await CustomerAsync();
        var other = await fixture.CreateTeamAsync();

        await Assert.ThrowsAsync<NotFoundException>(() => NewOpportunity().Open(Draft("cus_missing"), team.Rep));
        await Assert.ThrowsAsync<AccessDeniedException>(() => NewOpportunity().Open(Draft(customerId), team.OtherRep));
        await Assert.ThrowsAsync<AccessDeniedException>(() => NewOpportunity().Open(Draft(customerId), other.Manager));
    }

    [Fact]
    public async Task Advancing_without_evidence_lists_the_missing_kinds_and_changes_nothing()
    {
        var (team, customerId) = await CustomerAsync();
        var opportunity = NewOpportunity();
        await opportunity.Open(Draft(customerId), team.Rep);

        var error = await Assert.ThrowsAsync<MissingEvidenceException>(() => opportunity.ChangeStage("ProposalSubmitted", "", 0, team.Rep));

        Assert.Equal(["meeting_minutes"], error.Missing);
        Assert.Equal("NeedsConfirmed", (await opportunity.Get(team.Rep)).Stage);
    }

    [Fact]
    public async Task With_evidence_the_opportunity_advances_records_history_and_can_be_won_from_the_last_stage()
    {
        var (team, customerId) = await CustomerAsync();
        var opportunity = NewOpportunity();
        await opportunity.Open(Draft(customerId), team.Rep);
        foreach (var (kind, next) in new[] { ("meeting_minutes", "ProposalSubmitted"), ("proposal_document", "PriceNegotiation"), ("quote", "ContractApproval") })
        {
            await opportunity.AddEvidence(kind, $"DOC-{kind}", "", team.Rep);
            fixture.Clock.Advance(TimeSpan.FromHours(1));
            await opportunity.ChangeStage(next, "", 0, team.Rep);
        }
        await Assert.ThrowsAsync<MissingEvidenceException>(() => opportunity.Win("product_fit", "", 0, team.Rep));
        await opportunity.AddEvidence("signed_contract", "https://dms.example/contract/1", "countersigned", team.Rep);

        var won = await opportunity.Win("product_fit", "", 0, team.Rep);

        Assert.Equal(OpportunityStatus.Won, won.Status);
        Assert.Equal(["NeedsConfirmed", "ProposalSubmitted", "PriceNegotiation", "ContractApproval", "won"], won.History.Select(h => h.To));
        Assert.Equal(won.History[3].At, won.StageEnteredAt);
        Assert.Empty((await fixture.Grains.GetGrain<ISalespersonGrain>(team.Rep.UserId).ListOpportunities(team.Rep, null, 10, null)).Items);
        await Assert.ThrowsAsync<PreconditionFailedException>(() => opportunity.AddEvidence("note", "DOC-1", "", team.Rep));
    }

    [Fact]
    public async Task Moving_back_needs_a_reason_and_skipping_is_refused()
    {
        var (team, customerId) = await CustomerAsync();
        var opportunity = NewOpportunity();
        await opportunity.Open(Draft(customerId), team.Rep);
        await opportunity.AddEvidence("meeting_minutes", "DOC-1", "", team.Rep);
        await opportunity.AddEvidence("proposal_document", "DOC-2", "", team.Rep);

        await Assert.ThrowsAsync<PreconditionFailedException>(() => opportunity.ChangeStage("PriceNegotiation", "", 0, team.Rep));
        await opportunity.ChangeStage("ProposalSubmitted", "", 0, team.Rep);
        await Assert.ThrowsAsync<ValidationException>(() => opportunity.ChangeStage("NeedsConfirmed", "", 0, team.Rep));
        var back = await opportunity.ChangeStage("NeedsConfirmed", "scope changed", 0, team.Rep);

        Assert.Equal("NeedsConfirmed", back.Stage);
        Assert.Equal("scope changed", back.History[^1].Reason);
    }

    [Fact]
    public async Task Two_conflicting_stage_changes_serialise_and_the_stale_one_is_refused()
    {
        var (team, customerId) = await CustomerAsync();
        var opportunity = NewOpportunity();
        var opened = await opportunity.Open(Draft(customerId), team.Rep);
        await opportunity.AddEvidence("meeting_minutes", "DOC-1", "", team.Rep);
        var version = opened.Version + 1;

        var results = await Task.WhenAll(
            Attempt(() => opportunity.ChangeStage("ProposalSubmitted", "", version, team.Rep)),
            Attempt(() => opportunity.ChangeStage("ProposalSubmitted", "", version, team.Manager)));

        Assert.Single(results, r => r is null);
        Assert.Single(results, r => r is ConcurrencyConflictException);
        Assert.Equal(2, (await opportunity.Get(team.Rep)).History.Count);

        static async Task<Exception?> Attempt(Func<Task> change)
        {
            try
            {
                await change();
                return null;
            }
            catch (Exception exception)
            {
                return exception;
            }
        }
    }

    [Fact]
    public async Task Signals_need_their_evidence_and_weight_the_forecast()
    {
        var (team, customerId) = await CustomerAsync();
        var opportunity = NewOpportunity();
        await opportunity.Open(Draft(customerId, 200_000m), team.Rep);
        var customer = await fixture.Grains.GetGrain<ICustomerGrain>(customerId).Find();
        var domain = customer!.Details.Contacts[0].Email.Split('@')[1];

        await Assert.ThrowsAsync<PreconditionFailedException>(() => opportunity.SetSignal(new SignalChange(ForecastSignal.L1, [], null), 0, team.Rep));
        await opportunity.AddEvidence("price_request", "mail-4711", "asked for a price", team.Rep);
        var l1 = await opportunity.SetSignal(new SignalChange(ForecastSignal.L1, [], null), 0, team.Rep);
        await opportunity.AddEvidence("decision_chain", "DOC-org-chart", "", team.Rep);
        var foreign = new DecisionMaker("Carla", "CFO", "carla@elsewhere.org", "");
        await Assert.ThrowsAsync<PreconditionFailedException>(() =>
            opportunity.SetSignal(new SignalChange(ForecastSignal.L3, [foreign, new DecisionMaker("Hugo", "Head", "", "+49 1")], null), 0, team.Rep));
        var l3 = await opportunity.SetSignal(new SignalChange(ForecastSignal.L3,
            [foreign with { Email = $"carla@{domain}" }, new DecisionMaker("Hugo", "Head of Cardiology", "", "+49 1")], null), 0, team.Rep);

        Assert.Equal(20_000m, l1.WeightedAmount);
        Assert.Equal(130_000m, l3.WeightedAmount);
        Assert.Equal(2, l3.DecisionMakers.Count);
    }

    [Fact]
    public async Task Losing_needs_a_configured_reason_and_closes_the_opportunity()
    {
        var (team, customerId) = await CustomerAsync();
        var opportunity = NewOpportunity();
        await opportunity.Open(Draft(customerId), team.Rep);

        Assert.Equal("reason", (await Assert.ThrowsAsync<ValidationException>(() => opportunity.Lose("bad vibes", "", 0, team.Rep))).Field);
        var lost = await opportunity.Lose("competitor", "went with the incumbent", 0, team.Rep);

        Assert.Equal(OpportunityStatus.Lost, lost.Status);
        Assert.Equal("competitor", lost.LostReason);
        await Assert.ThrowsAsync<PreconditionFailedException>(() => opportunity.Win("product_fit", "", 0, team.Rep));
    }

    [Fact]
    public async Task An_opportunity_keeps_the_pipeline_version_it_started_with()
    {
        var (team, customerId) = await CustomerAsync();
        var key = $"trial-{Guid.NewGuid():N}"[..20];
        var pipelines = fixture.Grains.GetGrain<IPipelineGrain>(key);
        var v1 = await pipelines.Define(new PipelineDefinition(key, 0, "Trial", [new StageDefinition("A", "A", ["x"], [], null, null), new StageDefinition("B", "B", [], [], null, null)], false), ClusterFixture.Admin);
        var opportunity = NewOpportunity();
        await opportunity.Open(Draft(customerId) with { PipelineKey = key }, team.Rep);
        var v2 = await pipelines.Define(v1 with { Stages = [new StageDefinition("A", "A", ["x", "y"], [], null, null), v1.Stages[1]] }, ClusterFixture.Admin);
        await opportunity.AddEvidence("x", "DOC-x", "", team.Rep);

        var moved = await opportunity.ChangeStage("B", "", 0, team.Rep);

        Assert.Equal((1, 2), (v1.Version, v2.Version));
        Assert.Equal(1, moved.PipelineVersion);
        Assert.Equal("B", moved.Stage);
        Assert.Equal(2, (await pipelines.Define(v2, ClusterFixture.Admin)).Version); // same content: no new version
    }

    [Fact]
    public async Task A_next_action_needs_a_due_date_and_can_be_cleared()
    {
        var team = await fixture.CreateTeamAsync();
        var deal = await fixture.OpenDealAsync(team, team.Rep);
        var due = fixture.Clock.GetUtcNow().AddDays(3);

        Assert.Equal("due_at", (await Assert.ThrowsAsync<ValidationException>(() => deal.SetNextAction("send the quote", null, team.Rep))).Field);
        var planned = await deal.SetNextAction("send the quote", due, team.Rep);
        var cleared = await deal.SetNextAction(null, null, team.Rep);

        Assert.Equal(("send the quote", due), (planned.NextAction, planned.NextActionDueAt));
        Assert.Null(cleared.NextAction);
        Assert.Null(cleared.NextActionDueAt);
    }

    [Fact]
    public async Task A_manager_lists_the_teams_open_deals_by_stage_and_a_rep_may_not()
    {
        var team = await fixture.CreateTeamAsync();
        var first = await fixture.OpenDealAsync(team, team.Rep);
        var second = await fixture.OpenDealAsync(team, team.OtherRep);
        await ClusterFixture.WalkToAsync(second, team.OtherRep, "ProposalSubmitted");
        var lost = await fixture.OpenDealAsync(team, team.OtherRep);
        await lost.Lose("timing", "", 0, team.OtherRep);
        var teamGrain = fixture.Grains.GetGrain<ITeamGrain>(team.TeamId);

        var all = await teamGrain.ListOpportunities(team.Manager, null, 10, null);
        var proposals = await teamGrain.ListOpportunities(team.Manager, "ProposalSubmitted", 10, null);
        var firstPage = await teamGrain.ListOpportunities(team.Manager, null, 1, null);
        var secondPage = await teamGrain.ListOpportunities(team.Manager, null, 1, firstPage.NextCursor);

        Assert.Equal(new[] { first.GetPrimaryKeyString(), second.GetPrimaryKeyString() }.Order(StringComparer.Ordinal), all.Items.Select(o => o.Id));
        Assert.Equal([second.GetPrimaryKeyString()], proposals.Items.Select(o => o.Id));
        Assert.Equal(all.Items.Select(o => o.Id), firstPage.Items.Concat(secondPage.Items).Select(o => o.Id));
        Assert.Null(secondPage.NextCursor);
        await Assert.ThrowsAsync<AccessDeniedException>(() => teamGrain.ListOpportunities(team.Rep, null, 10, null));
    }
}
