using ActorSales.Domain.Deadlines;
using ActorSales.Domain.Errors;
using ActorSales.Domain.People;
using ActorSales.Grains.Abstractions.Opportunities;
using ActorSales.Grains.Abstractions.People;
using ActorSales.Grains.Deadlines;
using ActorSales.Grains.Effects;
using ActorSales.Grains.Infrastructure;
using ActorSales.Grains.Customers;
using ActorSales.Grains.Abstractions.Customers;
using ActorSales.Grains.Handovers;
using ActorSales.Grains.Abstractions.Handovers;
using ActorSales.Grains.Opportunities;
using ActorSales.Grains.People;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;

namespace ActorSales.Grains.Tests;

/// <summary>
/// Team and salesperson follow-ups go through the one effects mechanism: stored with the change, run after the write,
/// retried by the deadline engine when another grain cannot be reached; the caller of a stored change gets its answer.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class EffectsTests(ClusterFixture fixture)
{
    [Fact]
    public async Task A_team_whose_region_could_not_be_told_joins_the_regions_forecast_on_the_retry()
    {
        var region = $"region-{Guid.NewGuid():N}";
        var teamId = $"team-{Guid.NewGuid():N}"[..16];
        var regionGrain = fixture.Grains.GetGrain<IRegionGrain>(region);
        fixture.CallFaults.FailNext(regionGrain, nameof(IRegionGrain.AddTeam));
        var failedRuns = 0;
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == ActorSalesMetrics.MeterName && instrument.Name == "actorsales.effects.failed")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag is { Key: "effect", Value: nameof(AddTeamToRegion) })
                {
                    Interlocked.Add(ref failedRuns, (int)value);
                }
            }
        });
        listener.Start();

        var created = await fixture.Grains.GetGrain<ITeamGrain>(teamId).Create(new TeamProfile("Far east", region, "Asia/Shanghai"), ClusterFixture.Admin);
        // The team's next write (a member joining) or the retry deadline, whichever comes first, runs the effect again.
        var rep = await fixture.CreatePersonAsync($"rep-{Guid.NewGuid():N}"[..16], Domain.Identity.Role.Rep, teamId);
        var team = new TestTeam(teamId, ClusterFixture.Admin, rep, rep);
        await fixture.OpenDealAsync(team, rep, 1_000m, "CNY");
        fixture.Clock.Advance(DeadlineScheduler.EffectsRetryAfter);
        var after = await ClusterFixture.EventuallyAsync(() => regionGrain.GetForecast(ClusterFixture.Admin), f => f.Count > 0);

        Assert.Equal(teamId, created.Id);
        Assert.Equal(1, fixture.CallFaults.FailedCount(regionGrain, nameof(IRegionGrain.AddTeam)));
        Assert.Equal(1, failedRuns); // operators see the failed effect by type
        Assert.Equal(("CNY", 1_000m), (Assert.Single(after).Currency, after[0].OpenAmount));
    }

    [Fact]
    public async Task A_team_move_answers_ok_when_a_team_is_unreachable_and_completes_on_the_retry_deals_included()
    {
        var north = await fixture.CreateTeamAsync();
        var south = await fixture.CreateTeamAsync();
        var deal = await fixture.OpenDealAsync(north, north.Rep);
        fixture.Clock.Advance(TimeSpan.FromDays(15)); // red: on north's stalled list
        await ClusterFixture.EventuallyAsync(() => fixture.Grains.GetGrain<ITeamGrain>(north.TeamId).ListStalled(north.Manager), l => l.Count > 0);
        var northTeam = fixture.Grains.GetGrain<ITeamGrain>(north.TeamId);
        fixture.CallFaults.FailNext(northTeam, nameof(ITeamGrain.RemoveMember));

        var moved = await fixture.Grains.GetGrain<ISalespersonGrain>(north.Rep.UserId).Update(new SalespersonChanges(null, null, null, south.TeamId), 0, ClusterFixture.Admin);
        var stillListed = (await northTeam.Get(ClusterFixture.Admin)).MemberIds;
        fixture.Clock.Advance(DeadlineScheduler.EffectsRetryAfter);
        var left = await ClusterFixture.EventuallyAsync(() => northTeam.Get(ClusterFixture.Admin), t => !t.MemberIds.Contains(north.Rep.UserId));
        var southStalled = await ClusterFixture.EventuallyAsync(() => fixture.Grains.GetGrain<ITeamGrain>(south.TeamId).ListStalled(south.Manager), l => l.Count > 0);
        var rep = north.Rep with { TeamId = south.TeamId };

        Assert.Equal(south.TeamId, moved.Profile.TeamId);
        Assert.Contains(north.Rep.UserId, stillListed); // the failed step, pending
        Assert.DoesNotContain(north.Rep.UserId, left.MemberIds);
        Assert.Contains(north.Rep.UserId, (await fixture.Grains.GetGrain<ITeamGrain>(south.TeamId).Get(ClusterFixture.Admin)).MemberIds);
        Assert.Equal(south.TeamId, (await deal.Get(south.Manager)).OwnerTeamId); // the deal followed its owner
        await Assert.ThrowsAsync<AccessDeniedException>(() => deal.Get(north.Manager));
        Assert.Equal(deal.GetPrimaryKeyString(), Assert.Single(southStalled).Id);
        Assert.Empty(await northTeam.ListStalled(north.Manager));
        Assert.Equal([deal.GetPrimaryKeyString()], (await fixture.Grains.GetGrain<ITeamGrain>(south.TeamId).ListOpportunities(south.Manager, null, 50, null)).Items.Select(o => o.Id));
        Assert.Equal(StallLevel.Red, (await deal.Get(rep)).StallLevel);
    }

    [Fact]
    public async Task A_decision_is_answered_when_the_approvers_list_is_unreachable_and_leaves_the_list_on_the_retry()
    {
        var team = await fixture.CreateTeamAsync();
        var director = await fixture.AppointDirectorAsync(team);
        var deal = await fixture.DealReadyForApprovalAsync(team, 600_000m);
        var approvalId = (await deal.ChangeStage("ContractApproval", "", 0, team.Rep)).PendingApprovalId!;
        var approver = fixture.Grains.GetGrain<ISalespersonGrain>(director.UserId);
        var pending = fixture.Grains.GetGrain<IPendingApprovalsGrain>(director.UserId);
        fixture.CallFaults.FailNext(pending, nameof(IPendingApprovalsGrain.Link));

        var decided = await deal.DecideApproval(approvalId, true, "fine", director);
        var unlocked = await deal.Get(team.Rep);
        var stillListed = await approver.PendingApprovalIds();
        fixture.Clock.Advance(DeadlineScheduler.EffectsRetryAfter);
        var dropped = await ClusterFixture.EventuallyAsync(() => approver.PendingApprovalIds(), ids => ids.Count == 0);

        Assert.Equal(Domain.Pipeline.ApprovalStatus.Approved, decided.Status);
        Assert.Null(unlocked.PendingApprovalId); // the deal applied the decision in its own write, whatever the list does
        Assert.Equal([approvalId], stillListed);
        Assert.Empty(dropped);
        Assert.Equal(1, fixture.CallFaults.FailedCount(pending, nameof(IPendingApprovalsGrain.Link)));
    }

    [Fact]
    public async Task A_decision_the_approval_recorded_but_the_deal_never_applied_is_applied_when_the_approver_retries()
    {
        var team = await fixture.CreateTeamAsync();
        var director = await fixture.AppointDirectorAsync(team);
        var deal = await fixture.DealReadyForApprovalAsync(team, 600_000m);
        var approvalId = (await deal.ChangeStage("ContractApproval", "", 0, team.Rep)).PendingApprovalId!;
        // As after a crash between the approval's write and the deal's: the approval alone holds the decision.
        await fixture.Grains.GetGrain<IApprovalGrain>(approvalId).Decide(false, "margin too thin", director);
        var stillLocked = await deal.Get(team.Rep);

        var retried = await Assert.ThrowsAsync<PreconditionFailedException>(() => deal.DecideApproval(approvalId, false, "margin too thin", director));
        var applied = await deal.Get(team.Rep);
        var again = await Assert.ThrowsAsync<PreconditionFailedException>(() => deal.DecideApproval(approvalId, true, "", director));

        Assert.Equal(approvalId, stillLocked.PendingApprovalId);
        Assert.Contains("already rejected", retried.Message, StringComparison.Ordinal);
        Assert.Null(applied.PendingApprovalId);
        Assert.Equal("PriceNegotiation", applied.Stage);
        Assert.Equal($"approval rejected by {director.UserId}: margin too thin", applied.History[^1].Reason);
        Assert.Equal(applied.Version, (await deal.Get(team.Rep)).Version); // applied once
        Assert.Contains("already rejected", again.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_completion_is_answered_when_the_queue_is_unreachable_and_leaves_the_queue_on_the_retry()
    {
        var team = await fixture.CreateTeamAsync();
        await fixture.JoinLegalAsync(team.OtherRep);
        var deal = await fixture.DealReadyForApprovalAsync(team, 100_000m);
        await deal.ChangeStage("ContractApproval", "", 0, team.Rep);
        var task = fixture.Grains.GetGrain<IDepartmentTaskGrain>(Assert.Single(await deal.ListTasks(team.Rep)).Id);
        await task.Claim(team.OtherRep);
        var queue = fixture.Grains.GetGrain<IDepartmentQueueGrain>(ClusterFixture.LegalDepartment);
        fixture.CallFaults.FailNext(queue, nameof(IDepartmentQueueGrain.Remove));

        var done = await task.Complete("reviewed", team.OtherRep);
        var listedMeanwhile = (await queue.List(ClusterFixture.Admin, 500, null)).Items.Select(t => t.Id).ToList();
        fixture.Clock.Advance(DeadlineScheduler.EffectsRetryAfter);
        var listedAfter = await ClusterFixture.EventuallyAsync(
            async () => (await queue.List(ClusterFixture.Admin, 500, null)).Items.Select(t => t.Id).ToList(), l => !l.Contains(done.Id));

        Assert.Equal(Domain.Pipeline.DepartmentTaskStatus.Done, done.Status);
        Assert.Contains(done.Id, listedMeanwhile);
        Assert.DoesNotContain(done.Id, listedAfter);
    }

    [Fact]
    public async Task A_delegation_is_answered_when_the_delegate_is_unreachable_and_reaches_their_list_on_the_retry()
    {
        var team = await fixture.CreateTeamAsync();
        var director = await fixture.AppointDirectorAsync(team);
        var delegateGrain = fixture.Grains.GetGrain<ISalespersonGrain>(team.Manager.UserId);
        var delegators = fixture.Grains.GetGrain<IDelegatorsGrain>(team.Manager.UserId);
        fixture.CallFaults.FailNext(delegators, nameof(IDelegatorsGrain.Link));
        var now = fixture.Clock.GetUtcNow();

        await fixture.Grains.GetGrain<ISalespersonGrain>(director.UserId).SetDelegate(new Domain.Pipeline.Delegation(team.Manager.UserId, now, now.AddDays(5)), director);
        fixture.Clock.Advance(DeadlineScheduler.EffectsRetryAfter);
        var delegated = await ClusterFixture.EventuallyAsync(() => Task.FromResult(fixture.CallFaults.FailedCount(delegators, nameof(IDelegatorsGrain.Link))), n => n == 1);
        var deal = await fixture.DealReadyForApprovalAsync(team, 700_000m);
        var approvalId = (await deal.ChangeStage("ContractApproval", "", 0, team.Rep)).PendingApprovalId!;
        var visibleToDelegate = await ClusterFixture.EventuallyAsync(() => delegateGrain.ListPendingApprovals(team.Manager), l => l.Count > 0);

        Assert.Equal(1, delegated);
        Assert.Equal(approvalId, Assert.Single(visibleToDelegate).Id); // the delegate's list knows the approver after the retry
    }

    [Fact]
    public async Task Rows_of_the_release_before_effects_have_their_pending_follow_ups_applied_on_activation()
    {
        var team = await fixture.CreateTeamAsync();
        var other = await fixture.CreateTeamAsync();
        var deal = await fixture.OpenDealAsync(team, team.Rep);
        var dealId = deal.GetPrimaryKeyString();
        var previousOwner = fixture.Grains.GetGrain<ISalespersonGrain>(team.OtherRep.UserId);
        await fixture.Grains.GetGrain<IBookGrain>(team.OtherRep.UserId).LinkOpportunity(dealId, true); // a previous owner's list that still names the deal
        var mover = fixture.Grains.GetGrain<ISalespersonGrain>(other.OtherRep.UserId);
        var storage = fixture.SiloServices.GetRequiredKeyedService<IGrainStorage>(StorageNames.Default);

        // As the previous release stored them: flags instead of effects.
        await deal.Cast<Orleans.Core.Internal.IGrainManagementExtension>().DeactivateOnIdle(TestContext.Current.CancellationToken);
        await mover.Cast<Orleans.Core.Internal.IGrainManagementExtension>().DeactivateOnIdle(TestContext.Current.CancellationToken);
        var storedDeal = new GrainState<OpportunityState>();
        await storage.ReadStateAsync("opportunity", deal.GetGrainId(), storedDeal);
        (storedDeal.State!.LinksPending, storedDeal.State.PreviousOwnerId) = (true, team.OtherRep.UserId);
        await storage.WriteStateAsync("opportunity", deal.GetGrainId(), storedDeal);
        var storedPerson = new GrainState<SalespersonState>();
        await storage.ReadStateAsync("salesperson", mover.GetGrainId(), storedPerson);
        storedPerson.State!.Profile = storedPerson.State.Profile! with { TeamId = team.TeamId };
        storedPerson.State.PendingTeamMove = new PendingTeamMove(other.TeamId, team.TeamId);
        await storage.WriteStateAsync("salesperson", mover.GetGrainId(), storedPerson);

        var customer = fixture.Grains.GetGrain<ICustomerGrain>((await deal.Get(team.Rep)).CustomerId);
        await fixture.Grains.GetGrain<IBookGrain>(team.OtherRep.UserId).AddCustomer(customer.GetPrimaryKeyString(), false); // a previous owner's book that still lists it
        await customer.Cast<Orleans.Core.Internal.IGrainManagementExtension>().DeactivateOnIdle(TestContext.Current.CancellationToken);
        var storedCustomer = new GrainState<CustomerState>();
        await storage.ReadStateAsync("customer", customer.GetGrainId(), storedCustomer);
        storedCustomer.State!.PendingOwnerLink = new PendingOwnerLink(team.OtherRep.UserId, team.Rep.UserId);
        await storage.WriteStateAsync("customer", customer.GetGrainId(), storedCustomer);

        await deal.Get(team.Rep); // activation
        await mover.Get(ClusterFixture.Admin);
        await customer.Get(team.Rep);
        var previousBook = await ClusterFixture.EventuallyAsync(previousOwner.OpenOpportunityIds, ids => !ids.Contains(dealId));
        var joined = await ClusterFixture.EventuallyAsync(
            () => fixture.Grains.GetGrain<ITeamGrain>(team.TeamId).Get(ClusterFixture.Admin), t => t.MemberIds.Contains(other.OtherRep.UserId));

        var previousCustomers = await ClusterFixture.EventuallyAsync(previousOwner.OwnedCustomerIds, ids => ids.Count == 0);
        Assert.DoesNotContain(dealId, previousBook);
        Assert.Empty(previousCustomers);
        Assert.Contains(dealId, await fixture.Grains.GetGrain<ISalespersonGrain>(team.Rep.UserId).OpenOpportunityIds());
        Assert.Contains(other.OtherRep.UserId, joined.MemberIds);
        Assert.DoesNotContain(other.OtherRep.UserId, (await fixture.Grains.GetGrain<ITeamGrain>(other.TeamId).Get(ClusterFixture.Admin)).MemberIds);
    }

    [Fact]
    public async Task A_handover_row_of_the_release_before_effects_delivers_its_pending_notices_on_activation()
    {
        var team = await fixture.CreateTeamAsync();
        await fixture.RegisterCustomerAsync(team, team.Rep.UserId);
        var handover = fixture.Grains.GetGrain<IHandoverGrain>(team.Rep.UserId);
        await handover.Start(new DepartureRequest(null, team.OtherRep.UserId, []), team.Manager);
        await handover.Cast<Orleans.Core.Internal.IGrainManagementExtension>().DeactivateOnIdle(TestContext.Current.CancellationToken);
        var storage = fixture.SiloServices.GetRequiredKeyedService<IGrainStorage>(StorageNames.Default);
        var stored = new GrainState<HandoverState>();
        await storage.ReadStateAsync("handover", handover.GetGrainId(), stored);
        var legacy = new Domain.Deadlines.Notification($"legacy-{Guid.NewGuid():N}", "handover_package", Domain.Deadlines.NotificationSeverity.Info,
            "handover", team.Rep.UserId, "stored by the previous release", fixture.Clock.GetUtcNow());
        stored.State!.PendingNotices.Add(new PendingNotice(team.Manager.UserId, legacy));
        await storage.WriteStateAsync("handover", handover.GetGrainId(), stored);

        await handover.Get(team.Manager); // activation
        var inbox = await ClusterFixture.EventuallyAsync(
            async () => (await fixture.Grains.GetGrain<Abstractions.Notifications.INotificationInboxGrain>(team.Manager.UserId).List(team.Manager, 500, null, false)).Items,
            items => items.Any(n => n.Id == legacy.Id));

        Assert.Contains(inbox, n => n.Id == legacy.Id);
    }

    [Fact]
    public async Task Two_directors_naming_each_other_delegate_at_once_do_not_wait_on_each_other()
    {
        var team = await fixture.CreateTeamAsync();
        var first = await fixture.AppointDirectorAsync(team);
        var second = await fixture.CreatePersonAsync($"dir-{Guid.NewGuid():N}"[..16], Domain.Identity.Role.Director, team.TeamId);
        var now = fixture.Clock.GetUtcNow();

        // Each change's follow-up reaches the other's delegate index, never the other salesperson grain, so the two
        // calls cannot hold each other until the response timeout.
        await Task.WhenAll(
            fixture.Grains.GetGrain<ISalespersonGrain>(first.UserId).SetDelegate(new Domain.Pipeline.Delegation(second.UserId, now, now.AddDays(3)), first),
            fixture.Grains.GetGrain<ISalespersonGrain>(second.UserId).SetDelegate(new Domain.Pipeline.Delegation(first.UserId, now, now.AddDays(3)), second))
            .WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        Assert.Equal([first.UserId], await fixture.Grains.GetGrain<IDelegatorsGrain>(second.UserId).Approvers());
        Assert.Equal([second.UserId], await fixture.Grains.GetGrain<IDelegatorsGrain>(first.UserId).Approvers());
    }
}
