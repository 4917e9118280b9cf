using ActorSales.Contracts.V1;
using ActorSales.Testing;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;

namespace ActorSales.FunctionalTests;

[Collection(HostCollection.Name)]
public sealed class ApprovalsAndTasksApiTests(HostFixture fixture)
{
    private TestHost host => fixture.Host;

    private OpportunitiesService.OpportunitiesServiceClient Opportunities => new(host.Channel);

    private ApprovalsService.ApprovalsServiceClient Approvals => new(host.Channel);

    private TasksService.TasksServiceClient Tasks => new(host.Channel);

    private DepartmentsService.DepartmentsServiceClient Departments => new(host.Channel);

    /// <summary>A service account: reads everything, changes nothing.</summary>
    private Metadata Service => host.As("billing-sync", "service");

    /// <summary>Adds people to the Local profile's "legal" department (as an admin, keeping its other members).</summary>
    private async Task JoinLegalAsync(params string[] userIds)
    {
        var legal = (await Departments.GetDepartmentAsync(new GetDepartmentRequest { Department = "legal" }, host.Admin)).Department;
        await Departments.SetDepartmentMembersAsync(new SetDepartmentMembersRequest
        {
            Department = "legal", MemberIds = { legal.MemberIds, userIds }, ExpectedVersion = legal.Version,
        }, host.Admin);
    }

    /// <summary>A deal in ContractApproval, whose entry queued a legal task (the Local profile's task rule).</summary>
    private async Task<(ApiTeam Team, string DirectorId, string OpportunityId, DepartmentTask Task)> LegalTaskAsync()
    {
        var (team, directorId, id) = await DealReadyForApprovalAsync("1000");
        await Opportunities.ChangeStageAsync(new ChangeStageRequest { OpportunityId = id, ToStage = "ContractApproval" }, team.Rep);
        var task = Assert.Single((await Tasks.ListOpportunityTasksAsync(new ListOpportunityTasksRequest { OpportunityId = id }, team.Rep)).Tasks);
        return (team, directorId, id, task);
    }

    /// <summary>A rep of a team of their own who works for legal: a member of the department, outside any deal's owner chain.</summary>
    private async Task<(string Id, Metadata Token)> LegalMemberAsync()
    {
        var member = await host.CreateTeamAsync();
        await JoinLegalAsync(member.RepId);
        return (member.RepId, member.Rep);
    }

    private async Task<(ApiTeam Team, string DirectorId, string OpportunityId)> DealReadyForApprovalAsync(string amount)
    {
        var team = await host.CreateTeamAsync();
        var directorId = $"dir-{Guid.NewGuid():N}"[..16];
        await host.Salespeople.CreateSalespersonAsync(new CreateSalespersonRequest
        {
            SalespersonId = directorId, Name = "Dora Director", Email = $"{directorId}@example.com", Role = Role.Director, TeamId = team.TeamId,
        }, host.Admin);
        await host.Teams.UpdateTeamAsync(new UpdateTeamRequest { TeamId = team.TeamId, DirectorId = directorId }, host.Admin);
        var customer = await host.Customers.CreateCustomerAsync(new CreateCustomerRequest
        {
            Name = "Clinic", Company = $"Clinic {Guid.NewGuid():N}", Tier = CustomerTier.A, SourceChannel = SourceChannel.Referral,
        }, team.Rep);
        var id = (await Opportunities.CreateOpportunityAsync(new CreateOpportunityRequest
        {
            CustomerId = customer.Customer.CustomerId, Title = "Fleet", Value = new Money { Amount = amount, Currency = "EUR" },
            ExpectedCloseAt = Timestamp.FromDateTime(DateTime.UtcNow.AddDays(30)),
        }, team.Rep)).Opportunity.OpportunityId;
        foreach (var (kind, next) in new[] { ("meeting_minutes", "ProposalSubmitted"), ("proposal_document", "PriceNegotiation"), ("quote", "ContractApproval") })
        {
            await Opportunities.AddEvidenceAsync(new AddEvidenceRequest { OpportunityId = id, Kind = kind, Reference = "DOC-1" }, team.Rep);
            if (next != "ContractApproval")
            {
                await Opportunities.ChangeStageAsync(new ChangeStageRequest { OpportunityId = id, ToStage = next }, team.Rep);
            }
        }
        return (team, directorId, id);
    }

    [Fact]
    public async Task A_large_deal_waits_for_its_director_who_approves_it_over_the_api()
    {
        var (team, directorId, id) = await DealReadyForApprovalAsync("750000");
        var director = host.As(directorId, "director");

        await Opportunities.ChangeStageAsync(new ChangeStageRequest { OpportunityId = id, ToStage = "ContractApproval" }, team.Rep);
        var locked = await Assert.ThrowsAsync<RpcException>(async () => await Opportunities.UpdateTermsAsync(
            new UpdateTermsRequest { OpportunityId = id, Value = new Money { Amount = "10", Currency = "EUR" } }, team.Rep));
        var mine = (await Approvals.ListMyApprovalsAsync(new ListMyApprovalsRequest(), director)).Approvals;
        var approval = Assert.Single(mine);
        var byRep = await Assert.ThrowsAsync<RpcException>(async () => await Approvals.ApproveRequestAsync(new ApproveRequestRequest { ApprovalId = approval.ApprovalId }, team.Rep));
        var approved = (await Approvals.ApproveRequestAsync(new ApproveRequestRequest { ApprovalId = approval.ApprovalId, Comment = "go" }, director)).Approval;

        Assert.Equal(StatusCode.FailedPrecondition, locked.StatusCode);
        Assert.Equal(("750000", id), (approval.Value.Amount, approval.OpportunityId));
        Assert.Equal(StatusCode.PermissionDenied, byRep.StatusCode);
        Assert.Equal(ApprovalStatus.Approved, approved.Status);
        var read = (await Approvals.GetApprovalAsync(new GetApprovalRequest { ApprovalId = approval.ApprovalId }, team.Rep)).Approval;
        Assert.Equal(directorId, read.DecidedBy);
    }

    [Fact]
    public async Task A_rejection_over_the_api_returns_the_deal_and_an_id_that_is_no_approval_is_not_found()
    {
        var (team, directorId, id) = await DealReadyForApprovalAsync("800000");
        var director = host.As(directorId, "director");
        var approvalId = (await Opportunities.ChangeStageAsync(new ChangeStageRequest { OpportunityId = id, ToStage = "ContractApproval" }, team.Rep))
            .Opportunity.PendingApprovalId;

        var rejected = (await Approvals.RejectRequestAsync(new RejectRequestRequest { ApprovalId = approvalId, Comment = "margin" }, director)).Approval;
        var deal = (await Opportunities.GetOpportunityAsync(new GetOpportunityRequest { OpportunityId = id }, team.Rep)).Opportunity;
        var notAnApproval = await Assert.ThrowsAsync<RpcException>(async () =>
            await Approvals.ApproveRequestAsync(new ApproveRequestRequest { ApprovalId = $"{id}/task/1", Comment = "go" }, director));
        var unknownDeal = await Assert.ThrowsAsync<RpcException>(async () =>
            await Approvals.ApproveRequestAsync(new ApproveRequestRequest { ApprovalId = "opp_nobody/approval/1", Comment = "go" }, director));
        var unknownOfThisDeal = await Assert.ThrowsAsync<RpcException>(async () =>
            await Approvals.ApproveRequestAsync(new ApproveRequestRequest { ApprovalId = $"{id}/approval/99", Comment = "go" }, director));
        var unknownRead = await Assert.ThrowsAsync<RpcException>(async () =>
            await Approvals.GetApprovalAsync(new GetApprovalRequest { ApprovalId = "opp_nobody/approval/1" }, director));

        Assert.Equal(ApprovalStatus.Rejected, rejected.Status);
        Assert.Equal(("PriceNegotiation", ""), (deal.Stage, deal.PendingApprovalId));
        Assert.Equal(StatusCode.NotFound, notAnApproval.StatusCode);
        Assert.Equal(StatusCode.NotFound, unknownDeal.StatusCode);
        Assert.Equal(StatusCode.NotFound, unknownOfThisDeal.StatusCode);
        Assert.Equal(StatusCode.NotFound, unknownRead.StatusCode);
        Assert.Equal(unknownDeal.Status.Detail, unknownRead.Status.Detail); // the same answer whether or not the deal exists
    }

    [Fact]
    public async Task Entering_contract_approval_queues_a_legal_task_that_legal_claims_and_completes()
    {
        var (team, _, id) = await DealReadyForApprovalAsync("1000");
        await Opportunities.ChangeStageAsync(new ChangeStageRequest { OpportunityId = id, ToStage = "ContractApproval" }, team.Rep);

        var task = Assert.Single((await Tasks.ListOpportunityTasksAsync(new ListOpportunityTasksRequest { OpportunityId = id }, team.Rep)).Tasks);
        await JoinLegalAsync(team.ManagerId, team.OtherRepId);
        var queue = (await Tasks.ListDepartmentTasksAsync(new ListDepartmentTasksRequest { Department = "legal", PageSize = 500 }, team.Manager)).Tasks;
        var claimed = (await Tasks.ClaimTaskAsync(new ClaimTaskRequest { TaskId = task.TaskId }, team.OtherRep)).Task;
        var done = (await Tasks.CompleteTaskAsync(new CompleteTaskRequest { TaskId = task.TaskId, Note = "ok" }, team.OtherRep)).Task;
        var badId = await Assert.ThrowsAsync<RpcException>(async () => await Tasks.ClaimTaskAsync(new ClaimTaskRequest { TaskId = "../../x" }, team.Rep));

        Assert.Equal(("legal", "Review the framework agreement"), (task.Department, task.Title));
        Assert.Contains(queue, t => t.TaskId == task.TaskId);
        Assert.Equal(DepartmentTaskStatus.Claimed, claimed.Status);
        Assert.Equal(DepartmentTaskStatus.Done, done.Status);
        Assert.Equal(StatusCode.InvalidArgument, badId.StatusCode);
    }

    [Fact]
    public async Task A_director_names_a_delegate_with_a_bounded_period()
    {
        var (team, directorId, _) = await DealReadyForApprovalAsync("1000");
        var director = host.As(directorId, "director");
        var now = DateTime.UtcNow;

        var inverted = await Assert.ThrowsAsync<RpcException>(async () => await Approvals.SetDelegateAsync(new SetDelegateRequest
        {
            DelegateId = team.ManagerId, From = Timestamp.FromDateTime(now.AddDays(2)), Until = Timestamp.FromDateTime(now),
        }, director));
        var forSomeoneElse = await Assert.ThrowsAsync<RpcException>(async () => await Approvals.SetDelegateAsync(new SetDelegateRequest
        {
            ApproverId = directorId, DelegateId = team.RepId, From = Timestamp.FromDateTime(now), Until = Timestamp.FromDateTime(now.AddDays(1)),
        }, team.Manager));
        await Approvals.SetDelegateAsync(new SetDelegateRequest
        {
            DelegateId = team.ManagerId, From = Timestamp.FromDateTime(now.AddMinutes(-1)), Until = Timestamp.FromDateTime(now.AddDays(7)),
        }, director);

        Assert.Equal(StatusCode.InvalidArgument, inverted.StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, forSomeoneElse.StatusCode);
    }

    [Fact]
    public async Task Forecasts_answer_per_scope_and_refuse_reps_asking_for_their_team()
    {
        var (team, _, id) = await DealReadyForApprovalAsync("1000");

        var rep = (await Opportunities.GetForecastAsync(new GetForecastRequest(), team.Rep)).Currencies;
        var teamForecast = (await Opportunities.GetForecastAsync(new GetForecastRequest { TeamId = team.TeamId }, team.Manager)).Currencies;
        var denied = await Assert.ThrowsAsync<RpcException>(async () => await Opportunities.GetForecastAsync(new GetForecastRequest { TeamId = team.TeamId }, team.Rep));
        var adminWithoutScope = await Assert.ThrowsAsync<RpcException>(async () => await Opportunities.GetForecastAsync(new GetForecastRequest(), host.Admin));

        Assert.Equal(("EUR", "1000", "0", 1), (rep[0].Currency, rep[0].OpenAmount, rep[0].WeightedAmount, rep[0].OpportunityCount));
        Assert.Equal(rep, teamForecast);
        Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);
        Assert.Equal(StatusCode.InvalidArgument, adminWithoutScope.StatusCode);
        Assert.NotNull(id);
    }

    [Fact]
    public async Task Inboxes_and_stalled_lists_answer_their_owners_and_refuse_others()
    {
        var team = await host.CreateTeamAsync();
        var notifications = new NotificationsService.NotificationsServiceClient(host.Channel);

        var inbox = await notifications.ListNotificationsAsync(new ListNotificationsRequest(), team.Rep);
        var badToken = await Assert.ThrowsAsync<RpcException>(async () => await notifications.ListNotificationsAsync(new ListNotificationsRequest { PageToken = "nope" }, team.Rep));
        var tooMany = await Assert.ThrowsAsync<RpcException>(async () => await notifications.MarkNotificationsReadAsync(
            new MarkNotificationsReadRequest { NotificationIds = { Enumerable.Range(0, 2_000).Select(i => $"n{i}") } }, team.Rep));
        var stalled = await Opportunities.ListStalledOpportunitiesAsync(new ListStalledOpportunitiesRequest { TeamId = team.TeamId }, team.Manager);
        var repStalled = await Assert.ThrowsAsync<RpcException>(async () =>
            await Opportunities.ListStalledOpportunitiesAsync(new ListStalledOpportunitiesRequest { TeamId = team.TeamId }, team.Rep));

        Assert.Empty(inbox.Notifications);
        Assert.Equal(StatusCode.InvalidArgument, badToken.StatusCode);
        Assert.Equal(StatusCode.InvalidArgument, tooMany.StatusCode);
        Assert.Empty(stalled.Opportunities);
        Assert.Equal(StatusCode.PermissionDenied, repStalled.StatusCode);
    }

    [Fact]
    public async Task A_watcher_receives_new_notifications_as_they_arrive()
    {
        var team = await host.CreateTeamAsync();
        var notifications = new NotificationsService.NotificationsServiceClient(host.Channel);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cancel.CancelAfter(TimeSpan.FromSeconds(30));
        using var watch = notifications.WatchNotifications(new WatchNotificationsRequest(), team.Rep, cancellationToken: cancel.Token);
        var inbox = host.Services.GetRequiredService<IGrainFactory>().GetGrain<ActorSales.Grains.Abstractions.Notifications.INotificationInboxGrain>(team.RepId);
        var sent = new ActorSales.Domain.Deadlines.Notification($"test:{Guid.NewGuid():N}", "stage_stall",
            ActorSales.Domain.Deadlines.NotificationSeverity.Warning, "opportunity", "opp_1", "hello", DateTimeOffset.UtcNow);

        // The subscription is set up when the call starts; keep sending until the first message arrives.
        var first = watch.ResponseStream.MoveNext(cancel.Token);
        while (true)
        {
            await inbox.Notify(sent);
            try
            {
                await first.WaitAsync(TimeSpan.FromMilliseconds(200), cancel.Token);
                break;
            }
            catch (TimeoutException)
            {
                sent = sent with { Id = $"test:{Guid.NewGuid():N}" }; // not subscribed yet: send a fresh one
            }
        }

        Assert.True(await first);
        Assert.Equal("hello", watch.ResponseStream.Current.Notification.Message);
        Assert.Equal(ActorSales.Contracts.V1.NotificationSeverity.Warning, watch.ResponseStream.Current.Notification.Severity);
    }

    [Fact]
    public async Task The_pool_and_customer_locks_answer_members_and_managers_and_refuse_others()
    {
        var team = await host.CreateTeamAsync();
        var other = await host.CreateTeamAsync();
        var pool = new PoolService.PoolServiceClient(host.Channel);
        var customer = (await host.Customers.CreateCustomerAsync(new CreateCustomerRequest
        {
            Name = "Clinic", Company = $"Clinic {Guid.NewGuid():N}", Tier = CustomerTier.B, SourceChannel = SourceChannel.Referral,
        }, team.Rep)).Customer;

        var listed = await pool.ListPoolAsync(new ListPoolRequest { TeamId = team.TeamId, Tier = CustomerTier.B }, team.Rep);
        var foreign = await Assert.ThrowsAsync<RpcException>(async () => await pool.ListPoolAsync(new ListPoolRequest { TeamId = team.TeamId }, other.Rep));
        var missing = await Assert.ThrowsAsync<RpcException>(async () => await pool.ClaimCustomerAsync(new ClaimCustomerRequest { TeamId = team.TeamId, CustomerId = customer.CustomerId }, team.OtherRep));
        var repAssigns = await Assert.ThrowsAsync<RpcException>(async () => await pool.AssignPoolCustomerAsync(
            new AssignPoolCustomerRequest { TeamId = team.TeamId, CustomerId = customer.CustomerId, OwnerId = team.RepId }, team.Rep));
        var repLocks = await Assert.ThrowsAsync<RpcException>(async () => await host.Customers.SetCustomerLockAsync(new SetCustomerLockRequest { CustomerId = customer.CustomerId, Locked = true }, team.Rep));
        var locked = (await host.Customers.SetCustomerLockAsync(new SetCustomerLockRequest { CustomerId = customer.CustomerId, Locked = true }, team.Manager)).Customer;
        var aboutToRelease = await pool.ListAboutToReleaseAsync(new ListAboutToReleaseRequest { TeamId = team.TeamId }, team.Manager);

        Assert.Empty(listed.Entries);
        Assert.Equal(StatusCode.PermissionDenied, foreign.StatusCode);
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, repAssigns.StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, repLocks.StatusCode);
        Assert.True(locked.Locked);
        Assert.Empty(aboutToRelease.Customers);
    }

    [Fact]
    public async Task A_service_can_neither_claim_nor_complete_a_legal_task_which_stays_as_it_was()
    {
        var (team, _, id, task) = await LegalTaskAsync();
        var (memberId, member) = await LegalMemberAsync();

        var claim = await Assert.ThrowsAsync<RpcException>(async () => await Tasks.ClaimTaskAsync(new ClaimTaskRequest { TaskId = task.TaskId }, Service));
        var completeOpen = await Assert.ThrowsAsync<RpcException>(async () =>
            await Tasks.CompleteTaskAsync(new CompleteTaskRequest { TaskId = task.TaskId, Note = "done" }, Service));
        var open = Assert.Single((await Tasks.ListOpportunityTasksAsync(new ListOpportunityTasksRequest { OpportunityId = id }, team.Rep)).Tasks);
        await Tasks.ClaimTaskAsync(new ClaimTaskRequest { TaskId = task.TaskId }, member);
        var completeClaimed = await Assert.ThrowsAsync<RpcException>(async () =>
            await Tasks.CompleteTaskAsync(new CompleteTaskRequest { TaskId = task.TaskId, Note = "done" }, Service));
        var claimed = Assert.Single((await Tasks.ListOpportunityTasksAsync(new ListOpportunityTasksRequest { OpportunityId = id }, Service)).Tasks);
        var queue = (await Tasks.ListDepartmentTasksAsync(new ListDepartmentTasksRequest { Department = "legal", PageSize = 500 }, Service)).Tasks;

        Assert.Equal([StatusCode.PermissionDenied, StatusCode.PermissionDenied, StatusCode.PermissionDenied],
            new[] { claim, completeOpen, completeClaimed }.Select(e => e.StatusCode));
        Assert.Equal((DepartmentTaskStatus.Open, ""), (open.Status, open.AssigneeId));
        Assert.Equal((DepartmentTaskStatus.Claimed, memberId, ""), (claimed.Status, claimed.AssigneeId, claimed.Note));
        Assert.Contains(queue, t => t.TaskId == task.TaskId); // a service still reads the queue
    }

    [Fact]
    public async Task A_rep_of_another_team_who_is_no_member_can_neither_list_nor_claim_the_legal_queue_and_learns_nothing_of_it()
    {
        var (team, _, id, task) = await LegalTaskAsync();
        var outsider = await host.CreateTeamAsync();
        var (memberId, member) = await LegalMemberAsync();

        var list = await Assert.ThrowsAsync<RpcException>(async () =>
            await Tasks.ListDepartmentTasksAsync(new ListDepartmentTasksRequest { Department = "legal" }, outsider.Rep));
        var ownersManagerLists = await Assert.ThrowsAsync<RpcException>(async () =>
            await Tasks.ListDepartmentTasksAsync(new ListDepartmentTasksRequest { Department = "legal" }, team.Manager));
        var claimOpen = await Assert.ThrowsAsync<RpcException>(async () => await Tasks.ClaimTaskAsync(new ClaimTaskRequest { TaskId = task.TaskId }, outsider.Rep));
        await Tasks.ClaimTaskAsync(new ClaimTaskRequest { TaskId = task.TaskId }, member);
        var claimClaimed = await Assert.ThrowsAsync<RpcException>(async () => await Tasks.ClaimTaskAsync(new ClaimTaskRequest { TaskId = task.TaskId }, outsider.Rep));
        var completeClaimed = await Assert.ThrowsAsync<RpcException>(async () =>
            await Tasks.CompleteTaskAsync(new CompleteTaskRequest { TaskId = task.TaskId }, outsider.Rep));
        var claimMissing = await Assert.ThrowsAsync<RpcException>(async () =>
            await Tasks.ClaimTaskAsync(new ClaimTaskRequest { TaskId = $"{id}/task/9/0" }, outsider.Rep));

        var refusals = new[] { list, ownersManagerLists, claimOpen, claimClaimed, completeClaimed, claimMissing };
        Assert.All(refusals, e => Assert.Equal(StatusCode.PermissionDenied, e.StatusCode));
        Assert.Equal(claimOpen.Status.Detail, claimClaimed.Status.Detail);
        Assert.Equal(claimOpen.Status.Detail, claimMissing.Status.Detail);
        foreach (var detail in refusals.Select(e => e.Status.Detail))
        {
            foreach (var secret in new[] { id, "ContractApproval", memberId, team.RepId, team.TeamId })
            {
                Assert.DoesNotContain(secret, detail, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public async Task A_legal_member_of_another_team_lists_claims_and_completes_the_task_but_may_not_read_the_deals_tasks()
    {
        var (team, directorId, id, task) = await LegalTaskAsync();
        var (memberId, member) = await LegalMemberAsync();

        var queue = (await Tasks.ListDepartmentTasksAsync(new ListDepartmentTasksRequest { Department = "legal", PageSize = 500 }, member)).Tasks;
        var claimed = (await Tasks.ClaimTaskAsync(new ClaimTaskRequest { TaskId = task.TaskId }, member)).Task;
        var done = (await Tasks.CompleteTaskAsync(new CompleteTaskRequest { TaskId = task.TaskId, Note = "two clauses changed" }, member)).Task;
        var readers = new[] { team.Rep, team.Manager, host.As(directorId, "director"), host.Admin, Service };
        var seen = new List<DepartmentTask>();
        foreach (var reader in readers)
        {
            seen.Add(Assert.Single((await Tasks.ListOpportunityTasksAsync(new ListOpportunityTasksRequest { OpportunityId = id }, reader)).Tasks));
        }
        var memberReadsDeal = await Assert.ThrowsAsync<RpcException>(async () =>
            await Tasks.ListOpportunityTasksAsync(new ListOpportunityTasksRequest { OpportunityId = id }, member));
        var teammateReadsDeal = await Assert.ThrowsAsync<RpcException>(async () =>
            await Tasks.ListOpportunityTasksAsync(new ListOpportunityTasksRequest { OpportunityId = id }, team.OtherRep));

        Assert.Contains(queue, t => t.TaskId == task.TaskId);
        Assert.Equal((DepartmentTaskStatus.Claimed, memberId), (claimed.Status, claimed.AssigneeId));
        Assert.Equal((DepartmentTaskStatus.Done, memberId, "two clauses changed"), (done.Status, done.AssigneeId, done.Note));
        Assert.All(seen, t => Assert.Equal((task.TaskId, DepartmentTaskStatus.Done), (t.TaskId, t.Status)));
        Assert.Equal((StatusCode.PermissionDenied, StatusCode.PermissionDenied), (memberReadsDeal.StatusCode, teammateReadsDeal.StatusCode));
    }

    [Fact]
    public async Task Admins_set_department_members_others_are_denied_and_a_stale_version_aborts()
    {
        var department = $"dept-{Guid.NewGuid():N}"[..16];
        var team = await host.CreateTeamAsync();
        var (_, directorId, _) = await DealReadyForApprovalAsync("1000");

        var fresh = (await Departments.GetDepartmentAsync(new GetDepartmentRequest { Department = department }, host.Admin)).Department;
        var first = (await Departments.SetDepartmentMembersAsync(new SetDepartmentMembersRequest
        {
            Department = department, MemberIds = { team.RepId, team.ManagerId, team.RepId },
        }, host.Admin)).Department;
        var second = (await Departments.SetDepartmentMembersAsync(new SetDepartmentMembersRequest
        {
            Department = department, MemberIds = { team.RepId }, ExpectedVersion = first.Version,
        }, host.Admin)).Department;
        var stale = await Assert.ThrowsAsync<RpcException>(async () => await Departments.SetDepartmentMembersAsync(new SetDepartmentMembersRequest
        {
            Department = department, MemberIds = { team.OtherRepId }, ExpectedVersion = first.Version,
        }, host.Admin));
        var denied = new List<StatusCode>();
        foreach (var notAdmin in new[] { host.As(directorId, "director"), team.Manager, team.Rep, Service })
        {
            var refused = await Assert.ThrowsAsync<RpcException>(async () => await Departments.SetDepartmentMembersAsync(
                new SetDepartmentMembersRequest { Department = department, MemberIds = { team.OtherRepId } }, notAdmin));
            denied.Add(refused.StatusCode);
        }
        var badId = await Assert.ThrowsAsync<RpcException>(async () => await Departments.SetDepartmentMembersAsync(
            new SetDepartmentMembersRequest { Department = department, MemberIds = { "../x" } }, host.Admin));
        var tooMany = await Assert.ThrowsAsync<RpcException>(async () => await Departments.SetDepartmentMembersAsync(
            new SetDepartmentMembersRequest { Department = department, MemberIds = { Enumerable.Range(0, 501).Select(i => $"u{i}") } }, host.Admin));
        var readByMember = (await Departments.GetDepartmentAsync(new GetDepartmentRequest { Department = department }, team.Rep)).Department;
        var readByNonMember = await Assert.ThrowsAsync<RpcException>(async () =>
            await Departments.GetDepartmentAsync(new GetDepartmentRequest { Department = department }, team.OtherRep));

        Assert.Equal((department, 0, 0L), (fresh.DepartmentId, fresh.MemberIds.Count, fresh.Version));
        Assert.Equal(new[] { team.ManagerId, team.RepId }.Order(StringComparer.Ordinal), first.MemberIds);
        Assert.Equal(1, first.Version);
        Assert.Equal([team.RepId], second.MemberIds);
        Assert.Equal(2, second.Version);
        Assert.Equal(StatusCode.Aborted, stale.StatusCode);
        Assert.All(denied, status => Assert.Equal(StatusCode.PermissionDenied, status));
        Assert.Equal((StatusCode.InvalidArgument, StatusCode.InvalidArgument), (badId.StatusCode, tooMany.StatusCode));
        Assert.StartsWith("member_ids:", badId.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(second, readByMember);
        Assert.Equal(StatusCode.PermissionDenied, readByNonMember.StatusCode);
    }
}
