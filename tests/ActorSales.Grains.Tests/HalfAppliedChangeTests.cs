using ActorSales.Domain.Customers;
using ActorSales.Domain.Deadlines;
using ActorSales.Domain.Handovers;
using ActorSales.Grains.Abstractions;
using ActorSales.Grains.Abstractions.Customers;
using ActorSales.Grains.Abstractions.Handovers;
using ActorSales.Grains.Abstractions.Notifications;
using ActorSales.Grains.Abstractions.Opportunities;
using ActorSales.Grains.Abstractions.People;

namespace ActorSales.Grains.Tests;

/// <summary>
/// A change whose lookup of another grain fails (as during a silo loss) leaves the grain as it was: the retry, or the
/// next firing of a deadline, does the whole change, instead of finding half of it applied in memory.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class HalfAppliedChangeTests(ClusterFixture fixture)
{
    /// <summary>
    /// A month's advance of the shared clock fires the deadlines of every customer the collection's earlier tests made:
    /// on a loaded CI machine that takes longer than the usual bound.
    /// </summary>
    private static readonly TimeSpan Busy = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_release_whose_deal_lookup_failed_stays_due_and_happens_on_the_next_firing()
    {
        var team = await fixture.CreateTeamAsync();
        var deal = await fixture.OpenDealAsync(team, team.Rep); // its customer is tier A: released after 45 days
        var customer = fixture.Grains.GetGrain<ICustomerGrain>((await deal.Get(team.Rep)).CustomerId);
        // The customer's earlier deadlines (follow-ups, the release warning at 30 days) fire and re-arm first, so the
        // release is the only one due when the lookup fails, and nothing else re-arms it by chance.
        fixture.Clock.Advance(TimeSpan.FromDays(31));
        var warned = await ClusterFixture.EventuallyAsync(() => fixture.Grains.GetGrain<ITeamGrain>(team.TeamId).AboutToRelease(team.Manager), l => l.Count > 0, Busy);
        Assert.NotEmpty(warned); // the 30-day warning fired: only the release is left to fire
        fixture.CallFaults.FailNext(deal, nameof(IOpportunityGrain.Find));

        fixture.Clock.Advance(TimeSpan.FromDays(15));
        var failures = await ClusterFixture.EventuallyAsync(() => Task.FromResult(fixture.CallFaults.FailedCount(deal, nameof(IOpportunityGrain.Find))), n => n == 1, Busy);
        Assert.Equal(1, failures);
        var afterFailure = await customer.Get(team.Rep);
        var stillDue = await customer.ArmedDeadlines();
        // Any later change re-arms the grain's timers; the reminder would do the same in production.
        await customer.LogActivity(new ActivityDraft(ActivityKind.Note, fixture.Clock.GetUtcNow(), "internal note", null, null, null), team.Rep);
        var released = await ClusterFixture.EventuallyAsync(() => customer.Get(team.Manager), v => v.InPool, Busy);

        Assert.Equal((team.Rep.UserId, false), (afterFailure.OwnerId, afterFailure.InPool));
        Assert.Contains(stillDue, d => d.Rule == ReleaseRules.Release);
        Assert.True(released.InPool);
    }

    [Fact]
    public async Task A_rejection_whose_manager_lookup_failed_can_be_retried()
    {
        var team = await fixture.CreateTeamAsync();
        await fixture.RegisterCustomerAsync(team, team.Rep.UserId);
        var handover = fixture.Grains.GetGrain<IHandoverGrain>(team.Rep.UserId);
        await handover.Start(new DepartureRequest(null, team.OtherRep.UserId, []), team.Manager);
        var teamGrain = fixture.Grains.GetGrain<ITeamGrain>(team.TeamId);

        fixture.CallFaults.FailNext(teamGrain, nameof(ITeamGrain.Find));
        var failed = await Assert.ThrowsAnyAsync<Exception>(() => handover.Reject("too many accounts", team.OtherRep));
        var between = await handover.Get(team.Manager);
        var rejected = await handover.Reject("too many accounts", team.OtherRep);
        var told = await ClusterFixture.EventuallyAsync(
            async () => (await fixture.Grains.GetGrain<INotificationInboxGrain>(team.Manager.UserId).List(team.Manager, 50, null, false)).Items
                .Where(n => n.Kind == "handover_rejected").ToList(), n => n.Count > 0);

        Assert.Contains("injected", failed.Message, StringComparison.Ordinal);
        Assert.Equal(PackageStatus.Pending, Assert.Single(between.Packages).Status);
        Assert.Equal(PackageStatus.Rejected, rejected.Status);
        Assert.Single(told);
    }

    [Fact]
    public async Task A_profile_update_whose_team_lookup_failed_can_be_retried_with_the_same_version()
    {
        var team = await fixture.CreateTeamAsync();
        var person = fixture.Grains.GetGrain<ISalespersonGrain>(team.OtherRep.UserId);
        var version = (await person.Get(ClusterFixture.Admin)).Version;

        fixture.CallFaults.FailNext(fixture.Grains.GetGrain<ITeamGrain>(team.TeamId), nameof(ITeamGrain.Find));
        await Assert.ThrowsAnyAsync<Exception>(() => person.Update(new SalespersonChanges("Renamed", null, null, null), version, ClusterFixture.Admin));
        var between = await person.Get(ClusterFixture.Admin);
        var updated = await person.Update(new SalespersonChanges("Renamed", null, null, null), version, ClusterFixture.Admin);

        Assert.Equal((team.OtherRep.UserId, version), (between.Profile.Name, between.Version));
        Assert.Equal(("Renamed", version + 1), (updated.Profile.Name, updated.Version));
    }

    [Fact]
    public async Task A_task_completed_while_its_queue_was_unreachable_leaves_the_queue_on_the_retry()
    {
        var team = await fixture.CreateTeamAsync();
        var deal = await fixture.OpenDealAsync(team, team.Rep);
        await ClusterFixture.WalkToAsync(deal, team.Rep, "ContractApproval");
        var taskId = Assert.Single(await deal.ListTasks(team.Rep)).Id;
        var task = fixture.Grains.GetGrain<IDepartmentTaskGrain>(taskId);
        var queue = fixture.Grains.GetGrain<IDepartmentQueueGrain>(ClusterFixture.LegalDepartment);
        await fixture.JoinLegalAsync(team.Manager);
        await task.Claim(team.Manager);

        fixture.CallFaults.FailNext(queue, nameof(IDepartmentQueueGrain.Remove));
        var done = await task.Complete("reviewed", team.Manager); // stored, so answered: the queue update is retried
        var lingering = (await queue.List(team.Manager, 500, null)).Items.Where(t => t.Id == taskId).ToList();
        var retry = await Assert.ThrowsAsync<Domain.Errors.PreconditionFailedException>(() => task.Complete("reviewed", team.Manager));
        fixture.Clock.Advance(Deadlines.DeadlineScheduler.EffectsRetryAfter);
        var after = await ClusterFixture.EventuallyAsync(() => queue.List(team.Manager, 500, null), p => p.Items.All(t => t.Id != taskId));

        Assert.Equal(Domain.Pipeline.DepartmentTaskStatus.Done, done.Status);
        Assert.Equal(Domain.Pipeline.DepartmentTaskStatus.Done, Assert.Single(lingering).Status);
        Assert.Contains("already done", retry.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(after.Items, t => t.Id == taskId);
    }

    [Fact]
    public async Task A_pipeline_defined_while_the_catalog_was_unreachable_is_catalogued_on_the_retry()
    {
        var key = $"p{Guid.NewGuid():N}"[..12];
        var pipeline = fixture.Grains.GetGrain<IPipelineGrain>(key);
        var catalog = fixture.Grains.GetGrain<IPipelineCatalogGrain>(GrainKeys.PipelineCatalog);

        fixture.CallFaults.FailNext(catalog, nameof(IPipelineCatalogGrain.Add));
        var defined = await pipeline.Define(ClusterFixture.B2B with { Key = key }, ClusterFixture.Admin); // stored, so answered
        var before = await catalog.Keys();
        var retried = await pipeline.Define(ClusterFixture.B2B with { Key = key }, ClusterFixture.Admin);

        Assert.Equal(1, defined.Version);
        Assert.DoesNotContain(key, before);
        Assert.Equal(1, retried.Version); // the same definition: no second version
        Assert.Contains(key, await catalog.Keys());
    }

    [Fact]
    public async Task A_handover_shows_completed_only_once_the_leaver_has_departed_and_retries_a_failed_departure()
    {
        var team = await fixture.CreateTeamAsync();
        await fixture.RegisterCustomerAsync(team, team.Rep.UserId);
        var handover = fixture.Grains.GetGrain<IHandoverGrain>(team.Rep.UserId);
        var leaver = fixture.Grains.GetGrain<ISalespersonGrain>(team.Rep.UserId);
        await handover.Start(new DepartureRequest(null, team.OtherRep.UserId, []), team.Manager);

        fixture.CallFaults.FailNext(leaver, nameof(ISalespersonGrain.CompleteDeparture));
        await handover.Accept("", team.OtherRep);
        var failures = await ClusterFixture.EventuallyAsync(
            () => Task.FromResult(fixture.CallFaults.FailedCount(leaver, nameof(ISalespersonGrain.CompleteDeparture))), n => n == 1);
        var moved = await handover.Get(team.Manager);
        var stillDeparting = (await leaver.GetIdentity())!.Status;
        fixture.Clock.Advance(TimeSpan.FromSeconds(5));
        var done = await ClusterFixture.EventuallyAsync(() => handover.Get(team.Manager), h => h.Completed);

        Assert.Equal(1, failures);
        Assert.Equal((PackageStatus.Transferred, false), (moved.Packages[0].Status, moved.Completed));
        Assert.Equal(Domain.People.SalespersonStatus.Departing, stillDeparting);
        Assert.True(done.Completed);
        Assert.Equal(Domain.People.SalespersonStatus.Departed, (await leaver.GetIdentity())!.Status);
    }

    [Fact]
    public async Task A_transfer_whose_book_update_failed_reaches_the_new_owners_book_seconds_later()
    {
        var team = await fixture.CreateTeamAsync();
        var customer = await fixture.RegisterCustomerAsync(team, team.Rep.UserId);
        var newOwner = fixture.Grains.GetGrain<ISalespersonGrain>(team.OtherRep.UserId);

        var newOwnersBook = fixture.Grains.GetGrain<IBookGrain>(team.OtherRep.UserId);
        fixture.CallFaults.FailNext(newOwnersBook, nameof(IBookGrain.AddCustomer));
        var moved = await customer.Transfer(team.OtherRep.UserId, "territory change", 0, team.Manager);
        var before = await newOwner.OwnedCustomerIds();
        fixture.Clock.Advance(TimeSpan.FromSeconds(5));
        var after = await ClusterFixture.EventuallyAsync(() => newOwner.OwnedCustomerIds(), b => b.Count > 0);

        Assert.Equal(1, fixture.CallFaults.FailedCount(newOwnersBook, nameof(IBookGrain.AddCustomer)));
        Assert.Equal(team.OtherRep.UserId, moved.OwnerId);
        Assert.Empty(before);
        Assert.Equal([customer.GetPrimaryKeyString()], after);
        Assert.Empty(await fixture.Grains.GetGrain<ISalespersonGrain>(team.Rep.UserId).OwnedCustomerIds());
        Assert.DoesNotContain(await customer.ArmedDeadlines(), d => d.Rule == ActorSales.Grains.Deadlines.DeadlineScheduler.EffectsRetryRule);
    }

    [Fact]
    public async Task An_approval_request_that_could_not_be_filed_reaches_the_approvers_list_seconds_later()
    {
        var team = await fixture.CreateTeamAsync();
        var director = await fixture.AppointDirectorAsync(team);
        var deal = await fixture.DealReadyForApprovalAsync(team, 600_000m);
        var approver = fixture.Grains.GetGrain<ISalespersonGrain>(director.UserId);

        var approversIndex = fixture.Grains.GetGrain<IPendingApprovalsGrain>(director.UserId);
        fixture.CallFaults.FailNext(approversIndex, nameof(IPendingApprovalsGrain.Link));
        var waiting = await deal.ChangeStage("ContractApproval", "", 0, team.Rep);
        var before = await approver.ListPendingApprovals(director);
        fixture.Clock.Advance(TimeSpan.FromSeconds(5));
        var after = await ClusterFixture.EventuallyAsync(() => approver.ListPendingApprovals(director), l => l.Count > 0);

        Assert.Equal(1, fixture.CallFaults.FailedCount(approversIndex, nameof(IPendingApprovalsGrain.Link)));
        Assert.Empty(before);
        Assert.Equal([waiting.PendingApprovalId], after.Select(a => a.Id));
    }
}
