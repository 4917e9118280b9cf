using ActorSales.Domain.Customers;
using ActorSales.Domain.Errors;
using ActorSales.Domain.Identity;
using ActorSales.Domain.People;
using ActorSales.Domain.Pipeline;
using ActorSales.Grains.Abstractions;
using ActorSales.Grains.Abstractions.Customers;
using ActorSales.Grains.Abstractions.Opportunities;
using ActorSales.Grains.Infrastructure;
using ActorSales.Grains.Opportunities;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Orleans.Streams;

namespace ActorSales.Grains.Tests;

[Collection(ClusterCollection.Name)]
public sealed class TaskTests(ClusterFixture fixture)
{
    private IDepartmentQueueGrain Legal => fixture.Grains.GetGrain<IDepartmentQueueGrain>(ClusterFixture.LegalDepartment);

    private static Caller Service { get; } = new("billing", Role.Service, null, SalespersonStatus.Active);

    private async Task<(TestTeam Team, IOpportunityGrain Deal, IDepartmentTaskGrain Task)> LegalTaskAsync()
    {
        var (team, deal) = await DealInPriceNegotiationAsync();
        await deal.ChangeStage("ContractApproval", "", 0, team.Rep);
        var task = Assert.Single(await deal.ListTasks(team.Rep));
        return (team, deal, fixture.Grains.GetGrain<IDepartmentTaskGrain>(task.Id));
    }

    /// <summary>Someone of another team who works for legal: a member of the department, outside the deal's owner chain.</summary>
    private async Task<Caller> LegalMemberAsync()
    {
        var member = (await fixture.CreateTeamAsync()).Rep;
        await fixture.JoinLegalAsync(member);
        return member;
    }

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
    public async Task A_service_can_neither_claim_nor_complete_a_task_which_stays_as_it_was()
    {
        var (_, _, task) = await LegalTaskAsync();
        var member = await LegalMemberAsync();

        await Assert.ThrowsAsync<AccessDeniedException>(() => task.Claim(Service));
        await Assert.ThrowsAsync<AccessDeniedException>(() => task.Complete("done", Service));
        var open = await task.Find();
        await task.Claim(member);
        await fixture.JoinLegalAsync(Service); // not even an admin listing it as a member lets a service change a task
        await Assert.ThrowsAsync<AccessDeniedException>(() => task.Claim(Service));
        await Assert.ThrowsAsync<AccessDeniedException>(() => task.Complete("done", Service));
        var claimed = await task.Find();
        var queue = await Legal.List(Service, 500, null); // it still reads the queue

        Assert.Equal((DepartmentTaskStatus.Open, null), (open!.Status, open.AssigneeId));
        Assert.Equal((DepartmentTaskStatus.Claimed, member.UserId, null, null), (claimed!.Status, claimed.AssigneeId, claimed.CompletedAt, claimed.Note));
        Assert.Contains(queue.Items, t => t.Id == claimed.Id);
    }

    [Fact]
    public async Task A_rep_of_another_team_who_is_no_member_can_neither_list_nor_claim_and_learns_nothing_of_the_task()
    {
        var (team, deal, task) = await LegalTaskAsync();
        var outsider = (await fixture.CreateTeamAsync()).Rep;
        var member = await LegalMemberAsync();
        var opportunityId = deal.GetPrimaryKeyString();
        var missing = fixture.Grains.GetGrain<IDepartmentTaskGrain>($"{opportunityId}/task/9/0");

        var list = await Assert.ThrowsAsync<AccessDeniedException>(() => Legal.List(outsider, 500, null));
        var ownersManager = await Assert.ThrowsAsync<AccessDeniedException>(() => Legal.List(team.Manager, 500, null));
        var claims = new List<AccessDeniedException> { await Assert.ThrowsAsync<AccessDeniedException>(() => task.Claim(outsider)) };
        var completions = new List<AccessDeniedException> { await Assert.ThrowsAsync<AccessDeniedException>(() => task.Complete("", outsider)) };
        await task.Claim(member);
        claims.Add(await Assert.ThrowsAsync<AccessDeniedException>(() => task.Claim(outsider)));
        completions.Add(await Assert.ThrowsAsync<AccessDeniedException>(() => task.Complete("", outsider)));
        await task.Complete("reviewed", member);
        claims.Add(await Assert.ThrowsAsync<AccessDeniedException>(() => task.Claim(outsider)));
        completions.Add(await Assert.ThrowsAsync<AccessDeniedException>(() => task.Complete("", outsider)));
        claims.Add(await Assert.ThrowsAsync<AccessDeniedException>(() => missing.Claim(outsider)));
        completions.Add(await Assert.ThrowsAsync<AccessDeniedException>(() => missing.Complete("", outsider)));
        var missingForAdmin = await Assert.ThrowsAsync<NotFoundException>(() => missing.Claim(ClusterFixture.Admin));

        // Open, claimed, done or missing: the same answer, naming nothing of the task.
        Assert.Single(claims.Select(e => e.Message).Distinct());
        Assert.Single(completions.Select(e => e.Message).Distinct());
        foreach (var message in claims.Concat(completions).Append(list).Append(ownersManager).Select(e => e.Message))
        {
            foreach (var secret in new[] { opportunityId, "ContractApproval", member.UserId, team.Rep.UserId, team.TeamId, "reviewed" })
            {
                Assert.DoesNotContain(secret, message, StringComparison.Ordinal);
            }
        }
        Assert.Equal(DepartmentTaskStatus.Done, (await task.Find())!.Status);
        Assert.NotNull(missingForAdmin);
    }

    [Fact]
    public async Task A_member_lists_claims_and_completes_until_an_admin_removes_them()
    {
        var (_, _, task) = await LegalTaskAsync();
        var member = await LegalMemberAsync();
        var legal = Legal;

        var listed = await legal.List(member, 500, null);
        var claimed = await task.Claim(member);
        var current = await legal.Get(ClusterFixture.Admin);
        await legal.SetMembers([.. current.MemberIds.Where(id => id != member.UserId)], current.Version, ClusterFixture.Admin);
        var removedCompletes = await Assert.ThrowsAsync<AccessDeniedException>(() => task.Complete("reviewed", member));
        var removedLists = await Assert.ThrowsAsync<AccessDeniedException>(() => legal.List(member, 500, null));
        await fixture.JoinLegalAsync(member);
        var done = await task.Complete("reviewed", member);

        Assert.Contains(listed.Items, t => t.Id == claimed.Id);
        Assert.Equal((DepartmentTaskStatus.Claimed, member.UserId), (claimed.Status, claimed.AssigneeId));
        Assert.NotNull(removedCompletes);
        Assert.NotNull(removedLists);
        Assert.Equal((DepartmentTaskStatus.Done, member.UserId, "reviewed"), (done.Status, done.AssigneeId, done.Note));
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

    [Fact]
    public async Task The_deals_owner_chain_and_services_read_its_tasks_a_department_member_outside_it_does_not()
    {
        var (team, deal, _) = await LegalTaskAsync();
        var director = await fixture.AppointDirectorAsync(team);
        var member = await LegalMemberAsync();
        var otherManager = (await fixture.CreateTeamAsync()).Manager;

        foreach (var reader in new[] { team.Rep, team.Manager, director, ClusterFixture.Admin, Service })
        {
            Assert.Single(await deal.ListTasks(reader));
        }
        foreach (var outsider in new[] { team.OtherRep, otherManager, member })
        {
            var denied = await Assert.ThrowsAsync<AccessDeniedException>(() => deal.ListTasks(outsider));
            Assert.DoesNotContain(team.Rep.UserId, denied.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_queue_stored_before_departments_had_members_reads_as_having_none()
    {
        var department = fixture.Grains.GetGrain<IDepartmentQueueGrain>($"dept-{Guid.NewGuid():N}"[..16]);
        var team = await fixture.CreateTeamAsync();
        var storage = fixture.SiloServices.GetRequiredKeyedService<IGrainStorage>(StorageNames.Default);
        var stored = new GrainState<DepartmentQueueState> { State = new DepartmentQueueState { Members = null } };
        stored.State.DueByTask["opp_old/task/1/0"] = ClusterFixture.Start;
        await storage.WriteStateAsync("queue", department.GetGrainId(), stored);

        var read = await department.Get(ClusterFixture.Admin);
        var byAdmin = await department.List(ClusterFixture.Admin, 500, null);
        await Assert.ThrowsAsync<AccessDeniedException>(() => department.List(team.Rep, 500, null));
        var set = await department.SetMembers([team.Rep.UserId], read.Version, ClusterFixture.Admin);
        var byMember = await department.List(team.Rep, 500, null);

        Assert.Equal((0, 0L), (read.MemberIds.Count, read.Version));
        Assert.Equal(1, byAdmin.TotalCount);
        Assert.Equal([team.Rep.UserId], set.MemberIds);
        Assert.Equal(1, set.Version);
        Assert.Equal(1, byMember.TotalCount);
    }
}
