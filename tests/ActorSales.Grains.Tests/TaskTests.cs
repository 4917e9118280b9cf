using ActorSales.Domain.Customers;
using ActorSales.Domain.Errors;
using ActorSales.Domain.Identity;
using ActorSales.Domain.People;
using ActorSales.Domain.Pipeline;
using ActorSales.Grains.Abstractions;
using ActorSales.Grains.Abstractions.Customers;
using ActorSales.Grains.Abstractions.Opportunities;
using Orleans.Streams;

namespace ActorSales.Grains.Tests;

[Collection(ClusterCollection.Name)]
public sealed class TaskTests(ClusterFixture fixture)
{
    private IDepartmentQueueGrain Legal => fixture.Grains.GetGrain<IDepartmentQueueGrain>(ClusterFixture.LegalDepartment);

    private static Caller Service { get; } = new("billing", Role.Service, null, SalespersonStatus.Active);

    private async Task<(TestTeam Team, IOpportunityGrain Deal)> DealInPriceNegotiationAsync()
    {
        var team = await fixture.CreateTeamAsync();
        var deal = await fixture.OpenDealAsync(team, team.Rep);
        await ClusterFixture.WalkToAsync(deal, team.Rep, "PriceNegotiation");
        await deal.AddEvidence("quote", "DOC-q", "", team.Rep);
        return (team, deal);
    }

    [Fact]
    public async Task Entering_a_stage_with_a_rule_creates_one_task_for_the_department_linked_to_the_deal()
    {
        var (team, deal) = await DealInPriceNegotiationAsync();
        await fixture.JoinLegalAsync(team.Manager);
        Assert.Empty(await deal.ListTasks(team.Rep)); // earlier stages have no rule: "any update" creates nothing

        var entered = await deal.ChangeStage("ContractApproval", "", 0, team.Rep);
        var tasks = await deal.ListTasks(team.Rep);

        var task = Assert.Single(tasks);
        Assert.Equal((ClusterFixture.LegalDepartment, "Review the framework agreement", entered.Id, "ContractApproval"), (task.Department, task.Title, task.OpportunityId, task.Stage));
        Assert.Equal(entered.StageEnteredAt.AddDays(2), task.DueAt);
        Assert.Contains((await Legal.List(team.Manager, 500, null)).Items, t => t.Id == task.Id);
    }

    [Fact]
    public async Task Replaying_a_stage_changes_task_creation_never_creates_a_task_twice()
    {
        var (team, deal) = await DealInPriceNegotiationAsync();
        await fixture.JoinLegalAsync(team.Manager);
        await deal.ChangeStage("ContractApproval", "", 0, team.Rep);
        var task = Assert.Single(await deal.ListTasks(team.Rep));
        var before = (await Legal.List(team.Manager, 500, null)).TotalCount;
        var plan = new TaskPlan(task.Id, task.Department, task.Title, task.Stage, task.DueAt);

        var again = await fixture.Grains.GetGrain<IDepartmentTaskGrain>(task.Id).Create(plan, task.OpportunityId, team.TeamId);

        Assert.Equal(task.CreatedAt, again.CreatedAt);
        Assert.Equal(before, (await Legal.List(team.Manager, 500, null)).TotalCount);
        Assert.Single(await deal.ListTasks(team.Rep));
    }

    [Fact]
    public async Task Re_entering_the_stage_later_is_a_new_entry_with_its_own_task()
    {
        var (team, deal) = await DealInPriceNegotiationAsync();
        await deal.ChangeStage("ContractApproval", "", 0, team.Rep);
        await deal.ChangeStage("PriceNegotiation", "customer reopened the price", 0, team.Rep);
        await deal.ChangeStage("ContractApproval", "", 0, team.Rep);

        var tasks = await deal.ListTasks(team.Rep);

        Assert.Equal(2, tasks.Select(t => t.Id).Distinct().Count());
    }

    [Fact]
    public async Task A_task_is_claimed_once_and_completed_by_the_member_who_claimed_it()
    {
        var (team, deal) = await DealInPriceNegotiationAsync();
        await fixture.JoinLegalAsync(team.Manager, team.Rep, team.OtherRep);
        await deal.ChangeStage("ContractApproval", "", 0, team.Rep);
        var taskId = Assert.Single(await deal.ListTasks(team.Rep)).Id;
        var task = fixture.Grains.GetGrain<IDepartmentTaskGrain>(taskId);

        var claimed = await task.Claim(team.OtherRep);
        await Assert.ThrowsAsync<PreconditionFailedException>(() => task.Claim(team.Rep));
        await Assert.ThrowsAsync<AccessDeniedException>(() => task.Complete("", team.Rep));
        var done = await task.Complete("reviewed, two clauses changed", team.OtherRep);

        Assert.Equal((DepartmentTaskStatus.Claimed, team.OtherRep.UserId), (claimed.Status, claimed.AssigneeId));
        Assert.Equal(DepartmentTaskStatus.Done, done.Status);
        Assert.Equal(fixture.Clock.GetUtcNow(), done.CompletedAt);
        Assert.DoesNotContain((await Legal.List(team.Manager, 500, null)).Items, t => t.Id == taskId);
    }

    [Fact]
    public async Task Creating_claiming_and_completing_a_task_are_events_on_the_tasks_stream()
    {
        var (team, deal) = await DealInPriceNegotiationAsync();
        // Ids are deterministic: the fourth stage entry of this deal, first rule.
        var taskId = $"{deal.GetPrimaryKeyString()}/task/4/0";
        var received = new List<Contracts.V1.DomainEvent>();
        var third = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stream = fixture.Client.GetStreamProvider(Abstractions.Events.EventStreams.ProviderName)
            .GetStream<Abstractions.Events.DomainEventEnvelope>(StreamId.Create(Abstractions.Events.EventStreams.Tasks, taskId));
        var subscription = await stream.SubscribeAsync((envelope, _) =>
        {
            lock (received)
            {
                received.Add(envelope.ToEvent());
                if (received.Count == 3)
                {
                    third.TrySetResult();
                }
            }
            return Task.CompletedTask;
        });

        await fixture.JoinLegalAsync(team.OtherRep);
        await deal.ChangeStage("ContractApproval", "", 0, team.Rep);
        var task = fixture.Grains.GetGrain<IDepartmentTaskGrain>(taskId);
        await task.Claim(team.OtherRep);
        await task.Complete("done", team.OtherRep);
        await fixture.AdvanceUntilAsync(third.Task);
        await subscription.UnsubscribeAsync();

        Assert.Equal([1L, 2L, 3L], received.Select(e => e.Sequence));
        Assert.Equal(
            [Contracts.V1.DepartmentTaskStatus.Open, Contracts.V1.DepartmentTaskStatus.Claimed, Contracts.V1.DepartmentTaskStatus.Done],
            received.Select(e => e.DepartmentTaskChanged.Task.Status));
        Assert.All(received, e => Assert.Equal(team.TeamId, e.TeamId));
    }

    [Fact]
    public async Task Only_admins_keep_a_departments_members_and_a_stale_version_is_refused()
    {
        var department = fixture.Grains.GetGrain<IDepartmentQueueGrain>($"dept-{Guid.NewGuid():N}"[..16]);
        var team = await fixture.CreateTeamAsync();
        var director = await fixture.AppointDirectorAsync(team);

        var fresh = await department.Get(ClusterFixture.Admin);
        var first = await department.SetMembers([team.Rep.UserId, team.OtherRep.UserId, team.Rep.UserId], 0, ClusterFixture.Admin);
        var second = await department.SetMembers([team.Rep.UserId], first.Version, ClusterFixture.Admin);
        var stale = await Assert.ThrowsAsync<ConcurrencyConflictException>(() => department.SetMembers([team.OtherRep.UserId], first.Version, ClusterFixture.Admin));
        foreach (var notAdmin in new[] { director, team.Manager, team.Rep, Service })
        {
            await Assert.ThrowsAsync<AccessDeniedException>(() => department.SetMembers([notAdmin.UserId], 0, notAdmin));
        }
        await Assert.ThrowsAsync<ValidationException>(() => department.SetMembers(["../x"], 0, ClusterFixture.Admin));
        var readByMember = await department.Get(team.Rep);
        var readByDirector = await department.Get(director);
        var readByService = await department.Get(Service);
        await Assert.ThrowsAsync<AccessDeniedException>(() => department.Get(team.OtherRep)); // no longer a member
        await Assert.ThrowsAsync<AccessDeniedException>(() => department.Get(team.Manager));

        Assert.Equal((0, 0L), (fresh.MemberIds.Count, fresh.Version));
        Assert.Equal(new[] { team.Rep.UserId, team.OtherRep.UserId }.Order(StringComparer.Ordinal), first.MemberIds);
        Assert.Equal(1, first.Version);
        Assert.Equal([team.Rep.UserId], second.MemberIds);
        Assert.Equal(2, second.Version);
        Assert.Contains("not the expected 1", stale.Message, StringComparison.Ordinal);
        Assert.All([readByMember, readByDirector, readByService], read =>
        {
            Assert.Equal(second.MemberIds, read.MemberIds);
            Assert.Equal(2, read.Version);
        });
    }
}
