using ActorSales.Domain.Customers;
using ActorSales.Domain.Errors;
using ActorSales.Domain.Identity;
using ActorSales.Domain.Pipeline;
using ActorSales.Grains.Abstractions;
using ActorSales.Grains.Abstractions.Customers;
using ActorSales.Grains.Abstractions.Opportunities;
using ActorSales.Grains.Abstractions.People;

namespace ActorSales.Grains.Tests;

[Collection(ClusterCollection.Name)]
public sealed class ApprovalTests(ClusterFixture fixture)
{
    private async Task<(TestTeam Team, Caller Director, IOpportunityGrain Deal)> DealInPriceNegotiationAsync(decimal amount, bool withDirector = true)
    {
        var team = await fixture.CreateTeamAsync();
        var director = withDirector ? await fixture.AppointDirectorAsync(team) : ClusterFixture.Admin;
        return (team, director, await fixture.DealReadyForApprovalAsync(team, amount));
    }

    private IApprovalGrain Approval(string id) => fixture.Grains.GetGrain<IApprovalGrain>(id);

    [Fact]
    public async Task A_deal_above_the_threshold_asks_the_director_and_locks_its_terms_until_approved()
    {
        var (team, director, deal) = await DealInPriceNegotiationAsync(600_000m);

        var waiting = await deal.ChangeStage("ContractApproval", "", 0, team.Rep);
        var locked = await Assert.ThrowsAsync<PreconditionFailedException>(() => deal.UpdateTerms(new TermsChanges(null, new Money(700_000m, "EUR"), null), 0, team.Rep));
        await deal.AddEvidence("signed_contract", "DOC-c", "", team.Rep);
        await Assert.ThrowsAsync<PreconditionFailedException>(() => deal.Win("product_fit", "", 0, team.Rep));
        var pending = await fixture.Grains.GetGrain<ISalespersonGrain>(director.UserId).ListPendingApprovals(director);
        await Assert.ThrowsAsync<AccessDeniedException>(() => deal.DecideApproval(waiting.PendingApprovalId!, true, "", team.Manager));
        var approved = await deal.DecideApproval(waiting.PendingApprovalId!, true, "fine", director);
        var won = await deal.Win("product_fit", "", 0, team.Rep);

        Assert.Equal($"amount and terms are locked while approval '{waiting.PendingApprovalId}' is pending", locked.Message);
        Assert.Equal(director.UserId, Assert.Single(pending).ApproverId);
        Assert.Equal(ApprovalStatus.Approved, approved.Status);
        Assert.Equal(OpportunityStatus.Won, won.Status);
        Assert.Empty(await fixture.Grains.GetGrain<ISalespersonGrain>(director.UserId).ListPendingApprovals(director));
    }

    [Fact]
    public async Task A_rejected_deal_returns_to_price_negotiation_with_the_reason()
    {
        var (team, director, deal) = await DealInPriceNegotiationAsync(900_000m);
        var waiting = await deal.ChangeStage("ContractApproval", "", 0, team.Rep);

        Assert.Equal("comment", (await Assert.ThrowsAsync<ValidationException>(() => deal.DecideApproval(waiting.PendingApprovalId!, false, "", director))).Field);
        await deal.DecideApproval(waiting.PendingApprovalId!, false, "margin too thin", director);
        var back = await deal.Get(team.Rep);

        Assert.Equal("PriceNegotiation", back.Stage);
        Assert.Null(back.PendingApprovalId);
        Assert.Equal($"approval rejected by {director.UserId}: margin too thin", back.History[^1].Reason);
        await Assert.ThrowsAsync<PreconditionFailedException>(() => deal.DecideApproval(waiting.PendingApprovalId!, true, "", director));
    }

    [Fact]
    public async Task An_active_delegate_decides_for_an_absent_director_but_not_outside_the_period()
    {
        var (team, director, deal) = await DealInPriceNegotiationAsync(800_000m);
        var now = fixture.Clock.GetUtcNow();
        var person = fixture.Grains.GetGrain<ISalespersonGrain>(director.UserId);
        await person.SetDelegate(new Delegation(team.Manager.UserId, now.AddDays(1), now.AddDays(8)), director);
        var waiting = await deal.ChangeStage("ContractApproval", "", 0, team.Rep);
        var approvalId = waiting.PendingApprovalId!;

        await Assert.ThrowsAsync<AccessDeniedException>(() => deal.DecideApproval(approvalId, true, "", team.Manager));
        Assert.Empty(await fixture.Grains.GetGrain<ISalespersonGrain>(team.Manager.UserId).ListPendingApprovals(team.Manager));
        fixture.Clock.Advance(TimeSpan.FromDays(2));
        var visible = await fixture.Grains.GetGrain<ISalespersonGrain>(team.Manager.UserId).ListPendingApprovals(team.Manager);
        var decided = await deal.DecideApproval(approvalId, true, "on behalf", team.Manager);

        Assert.Equal(waiting.PendingApprovalId, Assert.Single(visible).Id);
        Assert.Equal(team.Manager.UserId, decided.DecidedBy);
        Assert.Null((await deal.Get(team.Rep)).PendingApprovalId);
    }

    [Fact]
    public async Task Without_a_director_or_default_approver_the_deal_cannot_enter_approval()
    {
        var (team, _, deal) = await DealInPriceNegotiationAsync(600_000m, withDirector: false);

        await Assert.ThrowsAsync<PreconditionFailedException>(() => deal.ChangeStage("ContractApproval", "", 0, team.Rep));

        Assert.Equal("PriceNegotiation", (await deal.Get(team.Rep)).Stage);
    }

    [Fact]
    public async Task A_deal_at_or_below_the_threshold_needs_no_approval()
    {
        var (team, _, deal) = await DealInPriceNegotiationAsync(500_000m);

        var entered = await deal.ChangeStage("ContractApproval", "", 0, team.Rep);

        Assert.Null(entered.PendingApprovalId);
    }

    [Fact]
    public async Task Raising_an_approved_amount_asks_the_director_again_and_locks_the_deal_until_decided()
    {
        var (team, director, deal) = await DealInPriceNegotiationAsync(600_000m);
        var first = await deal.ChangeStage("ContractApproval", "", 0, team.Rep);
        await deal.DecideApproval(first.PendingApprovalId!, true, "fine", director);
        await deal.AddEvidence("signed_contract", "DOC-c", "", team.Rep);

        var lowered = await deal.UpdateTerms(new TermsChanges(null, new Money(550_000m, "EUR"), null), 0, team.Rep);
        var raised = await deal.UpdateTerms(new TermsChanges(null, new Money(2_000_000m, "EUR"), null), 0, team.Rep);
        var winWhileWaiting = await Assert.ThrowsAsync<PreconditionFailedException>(() => deal.Win("product_fit", "", 0, team.Rep));
        var pending = await fixture.Grains.GetGrain<ISalespersonGrain>(director.UserId).ListPendingApprovals(director);
        var secondApproval = await Approval(raised.PendingApprovalId!).Get(director);
        await deal.DecideApproval(raised.PendingApprovalId!, true, "still fine", director);
        var won = await deal.Win("product_fit", "", 0, team.Rep);

        Assert.Null(lowered.PendingApprovalId); // within what was approved
        Assert.NotNull(raised.PendingApprovalId);
        Assert.NotEqual(first.PendingApprovalId, raised.PendingApprovalId);
        Assert.Equal(new Money(2_000_000m, "EUR"), secondApproval.Value);
        Assert.Contains("waits for approval", winWhileWaiting.Message, StringComparison.Ordinal);
        Assert.Equal(raised.PendingApprovalId, Assert.Single(pending).Id);
        Assert.Equal(OpportunityStatus.Won, won.Status);
    }

    [Fact]
    public async Task Changing_the_currency_of_an_approved_deal_or_raising_a_deal_that_entered_approval_below_the_threshold_needs_approval()
    {
        var (team, director, deal) = await DealInPriceNegotiationAsync(600_000m);
        var first = await deal.ChangeStage("ContractApproval", "", 0, team.Rep);
        await deal.DecideApproval(first.PendingApprovalId!, true, "fine", director);
        var (_, _, small) = await DealInPriceNegotiationAsync(400_000m);
        var smallTeamRep = (await small.Get(ClusterFixture.Admin)).OwnerId;
        var smallOwner = new Caller(smallTeamRep, Role.Rep, (await small.Get(ClusterFixture.Admin)).OwnerTeamId, Domain.People.SalespersonStatus.Active);
        var entered = await small.ChangeStage("ContractApproval", "", 0, smallOwner);

        var otherCurrency = await deal.UpdateTerms(new TermsChanges(null, new Money(600_000m, "USD"), null), 0, team.Rep);
        var raisedPastThreshold = await small.UpdateTerms(new TermsChanges(null, new Money(700_000m, "EUR"), null), 0, smallOwner);

        Assert.Null(entered.PendingApprovalId);
        Assert.NotNull(otherCurrency.PendingApprovalId);
        Assert.NotNull(raisedPastThreshold.PendingApprovalId);
    }

    [Fact]
    public async Task A_caller_who_may_not_decide_gets_access_denied_even_on_a_decided_approval_and_learns_no_names()
    {
        var (team, director, deal) = await DealInPriceNegotiationAsync(600_000m);
        var waiting = await deal.ChangeStage("ContractApproval", "", 0, team.Rep);
        await deal.DecideApproval(waiting.PendingApprovalId!, true, "fine", director);

        var denied = await Assert.ThrowsAsync<AccessDeniedException>(() => deal.DecideApproval(waiting.PendingApprovalId!, false, "no", team.Rep));

        Assert.DoesNotContain(director.UserId, denied.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("approved", denied.Message, StringComparison.Ordinal);
    }
}
