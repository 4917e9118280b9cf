using ActorSales.Domain.Errors;
using ActorSales.Domain.Identity;
using ActorSales.Domain.People;
using ActorSales.Grains.Abstractions.Opportunities;

namespace ActorSales.Grains.Tests;

/// <summary>
/// A department's lead: named by admins among the members, keeps the members with admins, and is told once, on fake time,
/// when a task of the department passes its due time not done.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class DepartmentLeadTests(ClusterFixture fixture)
{
    private const string OverdueKind = "department_task_overdue";
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    private IDepartmentQueueGrain Legal => fixture.Grains.GetGrain<IDepartmentQueueGrain>(ClusterFixture.LegalDepartment);

    private async Task<int> OverdueNotices(Caller lead, string taskId) =>
        (await fixture.NoticesAsync(lead, OverdueKind)).Count(n => n.EntityId == taskId);

    /// <summary>A new member of legal named its lead; the legal task of a deal that just entered ContractApproval (due in 2 days).</summary>
    private async Task<(Caller Lead, TestTeam Team, IDepartmentTaskGrain Task)> LegalTaskWithLeadAsync()
    {
        var lead = (await fixture.CreateTeamAsync()).Rep;
        await fixture.JoinLegalAsync(lead);
        var current = await Legal.Get(ClusterFixture.Admin);
        await Legal.SetLead(lead.UserId, current.Version, ClusterFixture.Admin);
        var team = await fixture.CreateTeamAsync();
        var deal = await fixture.OpenDealAsync(team, team.Rep);
        await ClusterFixture.WalkToAsync(deal, team.Rep, "PriceNegotiation");
        await deal.AddEvidence("quote", "DOC-q", "", team.Rep);
        await deal.ChangeStage("ContractApproval", "", 0, team.Rep);
        var task = Assert.Single(await deal.ListTasks(team.Rep));
        return (lead, team, fixture.Grains.GetGrain<IDepartmentTaskGrain>(task.Id));
    }

    [Fact]
    public async Task An_overdue_department_task_tells_the_lead_once_at_its_due_time_and_not_before()
    {
        var (lead, _, task) = await LegalTaskWithLeadAsync();
        var taskId = task.GetPrimaryKeyString();
        var dueAt = (await task.Find())!.DueAt;

        fixture.Clock.Advance(dueAt - fixture.Clock.GetUtcNow() - Second);
        await task.Find(); // a turn after the advance: a due timer would have run first
        var before = await OverdueNotices(lead, taskId);
        fixture.Clock.Advance(Second);
        var atDue = await ClusterFixture.EventuallyAsync(() => OverdueNotices(lead, taskId), n => n > 0);
        fixture.Clock.Advance(TimeSpan.FromDays(3));
        await task.Find();
        var later = await OverdueNotices(lead, taskId);

        Assert.Equal((0, 1, 1), (before, atDue, later));
    }

    [Fact]
    public async Task A_task_done_before_its_due_time_tells_nobody()
    {
        var (lead, _, task) = await LegalTaskWithLeadAsync();
        await task.Claim(lead);
        await task.Complete("reviewed", lead);

        fixture.Clock.Advance(TimeSpan.FromDays(3));
        await task.Find();

        Assert.Equal(0, await OverdueNotices(lead, task.GetPrimaryKeyString()));
    }

    [Fact]
    public async Task Admins_name_a_member_as_lead_and_the_lead_and_admins_add_and_remove_members_nobody_else()
    {
        var team = await fixture.CreateTeamAsync();
        var director = await fixture.AppointDirectorAsync(team);
        var department = fixture.Grains.GetGrain<IDepartmentQueueGrain>($"supply-{Guid.NewGuid():N}"[..15]);
        var members = await department.SetMembers([team.Rep.UserId, team.OtherRep.UserId], 0, ClusterFixture.Admin);

        var notMember = await Assert.ThrowsAsync<PreconditionFailedException>(() => department.SetLead(team.Manager.UserId, 0, ClusterFixture.Admin));
        var byLeadToBe = await Assert.ThrowsAsync<AccessDeniedException>(() => department.SetLead(team.Rep.UserId, 0, team.Rep));
        var led = await department.SetLead(team.Rep.UserId, members.Version, ClusterFixture.Admin);
        var added = await department.AddMember(team.Manager.UserId, 0, team.Rep);
        var addedAgain = await department.AddMember(team.Manager.UserId, 0, team.Rep);
        var removed = await department.RemoveMember(team.OtherRep.UserId, added.Version, team.Rep);
        var stale = await Assert.ThrowsAsync<ConcurrencyConflictException>(() => department.AddMember(team.OtherRep.UserId, added.Version, team.Rep));
        var leadStays = await Assert.ThrowsAsync<PreconditionFailedException>(() => department.RemoveMember(team.Rep.UserId, 0, ClusterFixture.Admin));
        var leadStaysInList = await Assert.ThrowsAsync<PreconditionFailedException>(() => department.SetMembers([team.Manager.UserId], 0, ClusterFixture.Admin));
        var byAdmin = await department.AddMember(team.OtherRep.UserId, 0, ClusterFixture.Admin);
        var badId = await Assert.ThrowsAsync<ValidationException>(() => department.AddMember("../x", 0, team.Rep));
        var frozenLead = team.Rep with { Status = SalespersonStatus.Departing };
        var outsider = (await fixture.CreateTeamAsync()).Rep;
        foreach (var refused in new[] { team.Manager /* a member, not the lead */, director, outsider, frozenLead })
        {
            await Assert.ThrowsAsync<AccessDeniedException>(() => department.AddMember("someone", 0, refused));
            await Assert.ThrowsAsync<AccessDeniedException>(() => department.RemoveMember(team.OtherRep.UserId, 0, refused));
        }
        var read = await department.Get(team.Manager);

        Assert.Contains("is not a member", notMember.Message, StringComparison.Ordinal);
        Assert.Contains("only admins", byLeadToBe.Message, StringComparison.Ordinal);
        Assert.Equal((team.Rep.UserId, members.Version + 1), (led.LeadId, led.Version));
        Assert.Contains(team.Manager.UserId, added.MemberIds);
        Assert.Equal(added.Version, addedAgain.Version); // already a member: nothing changes
        Assert.DoesNotContain(team.OtherRep.UserId, removed.MemberIds);
        Assert.IsType<ConcurrencyConflictException>(stale);
        Assert.Contains("lead", leadStays.Message, StringComparison.Ordinal);
        Assert.Contains("member_ids", leadStaysInList.Message, StringComparison.Ordinal);
        Assert.Contains(team.OtherRep.UserId, byAdmin.MemberIds);
        Assert.Equal("member_id", badId.Field);
        Assert.Equal(byAdmin, read with { MemberIds = byAdmin.MemberIds } );
        Assert.Equal(byAdmin.MemberIds, read.MemberIds);
    }
}
