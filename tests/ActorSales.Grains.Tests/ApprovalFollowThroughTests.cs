using ActorSales.Domain.Deadlines;
using ActorSales.Domain.Identity;
using ActorSales.Domain.Pipeline;
using ActorSales.Grains.Abstractions.Opportunities;
using ActorSales.Grains.Abstractions.People;

namespace ActorSales.Grains.Tests;

/// <summary>
/// A pending approval on fake time: its approver is reminded after 24 h, it is escalated up the chain after 72 h (here the
/// director's level above, <see cref="ClusterFixture.HeadOfSales"/>), each once; the escalated approver may decide; a
/// decision ends both.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ApprovalFollowThroughTests(ClusterFixture fixture)
{
    private const string Kind = "approval_follow_through";
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    private Task<IReadOnlyList<Notification>> Notices(Caller user) => fixture.NoticesAsync(user, Kind);

    private async Task<(TestTeam Team, Caller Director, IOpportunityGrain Deal, string ApprovalId)> PendingAsync()
    {
        var team = await fixture.CreateTeamAsync();
        var director = await fixture.AppointDirectorAsync(team);
        var deal = await fixture.DealReadyForApprovalAsync(team, 700_000m);
        var waiting = await deal.ChangeStage("ContractApproval", "", 0, team.Rep);
        return (team, director, deal, waiting.PendingApprovalId!);
    }

    private async Task<int> HeadOfSalesNoticesAbout(string dealId) =>
        (await Notices(ClusterFixture.HeadOfSales)).Count(n => n.EntityId == dealId);

    [Fact]
    public async Task A_pending_approval_reminds_its_approver_at_24_hours_and_escalates_at_72_each_once_and_not_before()
    {
        var (team, director, deal, approvalId) = await PendingAsync();
        var dealId = deal.GetPrimaryKeyString();

        fixture.Clock.Advance(TimeSpan.FromHours(24) - Second);
        await deal.Get(team.Rep); // a turn after the advance: a due timer would have run first
        var beforeReminder = await Notices(director);
        fixture.Clock.Advance(Second);
        var reminded = await ClusterFixture.EventuallyAsync(() => Notices(director), n => n.Count > 0);
        fixture.Clock.Advance(TimeSpan.FromHours(48) - Second);
        await deal.Get(team.Rep);
        var beforeEscalation = await HeadOfSalesNoticesAbout(dealId);
        var notEscalated = await Approval(approvalId).Get(director);
        fixture.Clock.Advance(Second);
        var escalatedNotices = await ClusterFixture.EventuallyAsync(() => HeadOfSalesNoticesAbout(dealId), n => n > 0);
        fixture.Clock.Advance(TimeSpan.FromDays(5));
        await deal.Get(team.Rep);
        var directorList = await fixture.Grains.GetGrain<ISalespersonGrain>(director.UserId).ListPendingApprovals(director);
        // The head of sales is no salesperson record here (a configured account): their pending index is what lists for them.
        var escalatedList = await fixture.Grains.GetGrain<IPendingApprovalsGrain>(ClusterFixture.HeadOfSales.UserId).ApprovalIds();

        Assert.Empty(beforeReminder);
        Assert.Contains("has waited for your decision", Assert.Single(reminded).Message, StringComparison.Ordinal);
        Assert.Equal(0, beforeEscalation);
        Assert.Null(notEscalated.EscalatedToId);
        Assert.Equal(1, escalatedNotices);
        Assert.Equal(1, await HeadOfSalesNoticesAbout(dealId));
        Assert.Equal(2, (await Notices(director)).Count); // the reminder, then word of the escalation
        Assert.Contains(await Notices(director), n => n.Message.Contains("was escalated to head-of-sales", StringComparison.Ordinal));
        // The director's pending item shows the escalation; the head of sales lists the same item.
        var item = Assert.Single(directorList, a => a.Id == approvalId);
        Assert.Equal(ClusterFixture.HeadOfSales.UserId, item.EscalatedToId);
        Assert.NotNull(item.EscalatedAt);
        Assert.Contains(approvalId, escalatedList);

        // The escalated approver decides; both lists drop it and nothing more fires.
        var decided = await deal.DecideApproval(approvalId, true, "approved above the director", ClusterFixture.HeadOfSales);
        fixture.Clock.Advance(TimeSpan.FromDays(5));
        await deal.Get(team.Rep);

        Assert.Equal(ApprovalStatus.Approved, decided.Status);
        Assert.Equal(ClusterFixture.HeadOfSales.UserId, decided.DecidedBy);
        Assert.Null((await deal.Get(team.Rep)).PendingApprovalId);
        Assert.DoesNotContain(await fixture.Grains.GetGrain<ISalespersonGrain>(director.UserId).ListPendingApprovals(director), a => a.Id == approvalId);
        Assert.DoesNotContain(approvalId, await fixture.Grains.GetGrain<IPendingApprovalsGrain>(ClusterFixture.HeadOfSales.UserId).ApprovalIds());
        Assert.Equal(2, (await Notices(director)).Count);
        Assert.Equal(1, await HeadOfSalesNoticesAbout(dealId));
    }

    [Fact]
    public async Task A_decision_before_the_reminder_clears_both_and_nobody_is_told()
    {
        var (team, director, deal, approvalId) = await PendingAsync();
        fixture.Clock.Advance(TimeSpan.FromHours(23));
        await deal.DecideApproval(approvalId, true, "fine", director);

        fixture.Clock.Advance(TimeSpan.FromDays(5));
        await deal.Get(team.Rep);

        Assert.Empty(await Notices(director));
        Assert.Equal(0, await HeadOfSalesNoticesAbout(deal.GetPrimaryKeyString()));
    }

    [Fact]
    public async Task A_decision_after_the_reminder_clears_the_escalation()
    {
        var (team, director, deal, approvalId) = await PendingAsync();
        fixture.Clock.Advance(TimeSpan.FromHours(24));
        var reminded = await ClusterFixture.EventuallyAsync(() => Notices(director), n => n.Count > 0);
        await deal.DecideApproval(approvalId, false, "margin too thin", director);

        fixture.Clock.Advance(TimeSpan.FromDays(5));
        await deal.Get(team.Rep);

        Assert.Single(reminded);
        Assert.Single(await Notices(director));
        Assert.Equal(0, await HeadOfSalesNoticesAbout(deal.GetPrimaryKeyString()));
    }

    [Fact]
    public async Task Only_the_approver_the_approval_was_escalated_to_decides_besides_the_approver()
    {
        var (team, director, deal, approvalId) = await PendingAsync();
        fixture.Clock.Advance(TimeSpan.FromHours(72));
        await ClusterFixture.EventuallyAsync(() => Approval(approvalId).Get(director), a => a.EscalatedToId is not null);

        await Assert.ThrowsAsync<Domain.Errors.AccessDeniedException>(() => deal.DecideApproval(approvalId, true, "", team.Manager));
        var decided = await deal.DecideApproval(approvalId, true, "still mine to decide", director);

        Assert.Equal(director.UserId, decided.DecidedBy);
        Assert.Equal(ClusterFixture.HeadOfSales.UserId, decided.EscalatedToId);
    }

    private IApprovalGrain Approval(string id) => fixture.Grains.GetGrain<IApprovalGrain>(id);
}
