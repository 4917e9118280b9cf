using ActorSales.Domain.Deadlines;
using ActorSales.Domain.Errors;
using ActorSales.Domain.Identity;
using ActorSales.Grains.Abstractions.Opportunities;

namespace ActorSales.Grains.Tests;

/// <summary>
/// A deal's planned next action on fake time, by the rule customers use: the owner is reminded when it falls due, the
/// manager asked to confirm it 48 h later, the director told 48 h after that; each once, and each cleared by the right
/// action (evidence or a stage change on the deal, a new plan, the manager's confirmation).
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class OpportunityNextActionFollowThroughTests(ClusterFixture fixture)
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    private async Task<List<Notification>> Notices(Caller user, IOpportunityGrain deal) =>
        (await fixture.NoticesAsync(user, FollowThroughRules.NotificationKind)).Where(n => n.EntityId == deal.GetPrimaryKeyString()).ToList();

    private async Task<IOpportunityGrain> PlannedAsync(TestTeam team, TimeSpan? dueIn = null)
    {
        var deal = await fixture.OpenDealAsync(team, team.Rep);
        await deal.SetNextAction("send the contract", fixture.Clock.GetUtcNow() + (dueIn ?? TimeSpan.FromDays(1)), team.Rep);
        return deal;
    }

    [Fact]
    public async Task An_undone_next_action_on_a_deal_reminds_the_owner_asks_the_manager_then_the_director_each_once_and_not_before()
    {
        var team = await fixture.CreateTeamAsync();
        var director = await fixture.AppointDirectorAsync(team);
        var deal = await PlannedAsync(team);

        fixture.Clock.Advance(TimeSpan.FromDays(1) - Second);
        await deal.Get(team.Rep); // a turn after the advance: a due timer would have run first
        var beforeDue = await Notices(team.Rep, deal);
        fixture.Clock.Advance(Second);
        var owner = await ClusterFixture.EventuallyAsync(() => Notices(team.Rep, deal), n => n.Count > 0);
        fixture.Clock.Advance(TimeSpan.FromHours(48) - Second);
        await deal.Get(team.Rep);
        var beforeAsk = await Notices(team.Manager, deal);
        fixture.Clock.Advance(Second);
        var manager = await ClusterFixture.EventuallyAsync(() => Notices(team.Manager, deal), n => n.Count > 0);
        fixture.Clock.Advance(TimeSpan.FromHours(48) - Second);
        await deal.Get(team.Rep);
        var beforeEscalation = await Notices(director, deal);
        fixture.Clock.Advance(Second);
        var escalated = await ClusterFixture.EventuallyAsync(() => Notices(director, deal), n => n.Count > 0);
        fixture.Clock.Advance(TimeSpan.FromDays(5));
        await deal.Get(team.Rep);

        Assert.Empty(beforeDue);
        Assert.Contains("'send the contract' for 'Deal'", Assert.Single(owner).Message, StringComparison.Ordinal);
        Assert.Empty(beforeAsk);
        Assert.Contains("please confirm", Assert.Single(manager).Message, StringComparison.Ordinal);
        Assert.Empty(beforeEscalation);
        Assert.Equal(NotificationSeverity.Critical, Assert.Single(escalated).Severity);
        Assert.Equal((1, 1, 1), ((await Notices(team.Rep, deal)).Count, (await Notices(team.Manager, deal)).Count, (await Notices(director, deal)).Count));
    }

    [Fact]
    public async Task Evidence_or_a_stage_change_on_the_deal_does_the_next_action_and_nobody_is_asked()
    {
        var team = await fixture.CreateTeamAsync();
        var director = await fixture.AppointDirectorAsync(team);
        var withEvidence = await PlannedAsync(team);
        var moved = await fixture.OpenDealAsync(team, team.Rep);
        await moved.AddEvidence("meeting_minutes", "DOC-m", "", team.Rep); // ready to move before the plan
        await moved.SetNextAction("send the proposal", fixture.Clock.GetUtcNow().AddDays(1), team.Rep);

        fixture.Clock.Advance(TimeSpan.FromDays(1));
        var reminded = await ClusterFixture.EventuallyAsync(() => Notices(team.Rep, moved), n => n.Count > 0);
        await withEvidence.AddEvidence("meeting_minutes", "DOC-m", "", team.Rep);
        await moved.ChangeStage("ProposalSubmitted", "", 0, team.Rep);
        fixture.Clock.Advance(TimeSpan.FromDays(5));
        await withEvidence.Get(team.Rep);
        await moved.Get(team.Rep);

        Assert.Single(reminded);
        Assert.Empty(await Notices(team.Manager, withEvidence));
        Assert.Empty(await Notices(team.Manager, moved));
        Assert.Empty(await Notices(director, withEvidence));
        Assert.Empty(await Notices(director, moved));
    }

    [Fact]
    public async Task A_new_next_action_on_a_deal_replaces_the_old_one_and_its_clock_starts_over()
    {
        var team = await fixture.CreateTeamAsync();
        var deal = await PlannedAsync(team);
        await deal.SetNextAction("book the demo", fixture.Clock.GetUtcNow().AddDays(3), team.Rep);

        fixture.Clock.Advance(TimeSpan.FromDays(3) - Second);
        await deal.Get(team.Rep);
        var beforeNewDue = await Notices(team.Rep, deal);
        fixture.Clock.Advance(Second);
        var owner = await ClusterFixture.EventuallyAsync(() => Notices(team.Rep, deal), n => n.Count > 0);

        Assert.Empty(beforeNewDue); // the replaced plan's due time passed without a word
        Assert.Contains("'book the demo'", Assert.Single(owner).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_managers_confirmation_keeps_a_deals_next_action_from_the_director_and_only_the_manager_may_give_it()
    {
        var team = await fixture.CreateTeamAsync();
        var director = await fixture.AppointDirectorAsync(team);
        var deal = await PlannedAsync(team);
        var unplanned = await fixture.OpenDealAsync(team, team.Rep);

        fixture.Clock.Advance(TimeSpan.FromDays(3));
        var asked = await ClusterFixture.EventuallyAsync(() => Notices(team.Manager, deal), n => n.Count > 0);
        var byRep = await Assert.ThrowsAsync<AccessDeniedException>(() => deal.ConfirmNextAction(team.Rep));
        var outsider = await fixture.CreateTeamAsync();
        await Assert.ThrowsAsync<AccessDeniedException>(() => deal.ConfirmNextAction(outsider.Manager));
        var confirmed = await deal.ConfirmNextAction(team.Manager);
        var again = await deal.ConfirmNextAction(team.Manager);
        var nothingToConfirm = await Assert.ThrowsAsync<PreconditionFailedException>(() => unplanned.ConfirmNextAction(team.Manager));
        fixture.Clock.Advance(TimeSpan.FromDays(3));
        await deal.Get(team.Rep);

        Assert.Single(asked);
        Assert.Contains("only the owner's manager", byRep.Message, StringComparison.Ordinal);
        Assert.Equal(confirmed.Version, again.Version); // once per plan
        Assert.Contains("no open next action", nothingToConfirm.Message, StringComparison.Ordinal);
        Assert.Empty(await Notices(director, deal));
    }
}
