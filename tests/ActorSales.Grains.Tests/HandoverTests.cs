using ActorSales.Domain.Customers;
using ActorSales.Domain.Deadlines;
using ActorSales.Domain.Errors;
using ActorSales.Domain.Handovers;
using ActorSales.Domain.Identity;
using ActorSales.Domain.People;
using ActorSales.Domain.Pipeline;
using ActorSales.Grains.Abstractions;
using ActorSales.Grains.Abstractions.Customers;
using ActorSales.Grains.Abstractions.Handovers;
using ActorSales.Grains.Abstractions.Notifications;
using ActorSales.Grains.Abstractions.Opportunities;
using ActorSales.Grains.Abstractions.People;
using ActorSales.Grains.Customers;
using ActorSales.Grains.Deadlines;
using ActorSales.Grains.Handovers;
using ActorSales.Grains.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Notification = ActorSales.Domain.Deadlines.Notification;

namespace ActorSales.Grains.Tests;

/// <summary>Departure handover on fake time: acceptance deadlines, split, rejection and reassignment, idempotent items.</summary>
[Collection(ClusterCollection.Name)]
public sealed class HandoverTests(ClusterFixture fixture)
{
    private async Task<string> RegisterAsync(TestTeam team, string name) =>
        (await fixture.RegisterCustomerAsync(team, team.Rep.UserId, CustomerTier.B, name)).GetPrimaryKeyString();

    private async Task<List<Notification>> Notices(Caller user, string kind) =>
        (await fixture.Grains.GetGrain<INotificationInboxGrain>(user.UserId).List(user, 500, null, false)).Items.Where(n => n.Kind == kind).ToList();

    private IHandoverGrain Handover(TestTeam team) => fixture.Grains.GetGrain<IHandoverGrain>(team.Rep.UserId);

    private static Task<HandoverView> CompletedAsync(IHandoverGrain handover, Caller reader) =>
        ClusterFixture.EventuallyAsync(() => handover.Get(reader), h => h.Completed);

    /// <summary>Event types of one entity in log order (a handover and its leaver share the id, so the type picks one).</summary>
    private async Task<List<string>> EventTypes(Contracts.V1.EntityType type, string id) =>
        (await fixture.EventLog.OfAsync(id)).Where(e => e.Event.EntityType == (int)type).Select(e => e.Event.EventType).ToList();

    private static DepartureRequest Departure(string? defaultReceiver, params CustomerAssignment[] assignments) => new(null, defaultReceiver, assignments);

    [Fact]
    public async Task A_receiver_is_reminded_after_24_hours_and_the_manager_told_after_48()
    {
        var team = await fixture.CreateTeamAsync();
        await RegisterAsync(team, "Clinic");
        var handover = Handover(team);
        await handover.Start(Departure(team.OtherRep.UserId), team.Manager);
        var addressed = await ClusterFixture.EventuallyAsync(() => Notices(team.OtherRep, "handover_package"), n => n.Count > 0);

        fixture.Clock.Advance(TimeSpan.FromHours(24) - TimeSpan.FromSeconds(1));
        await handover.Get(team.Manager);
        var beforeReminder = await Notices(team.OtherRep, "handover_reminder");
        fixture.Clock.Advance(TimeSpan.FromSeconds(1));
        var reminded = await ClusterFixture.EventuallyAsync(() => Notices(team.OtherRep, "handover_reminder"), n => n.Count > 0);
        var escalatedEarly = await Notices(team.Manager, "handover_overdue");
        fixture.Clock.Advance(TimeSpan.FromHours(24));
        var escalated = await ClusterFixture.EventuallyAsync(() => Notices(team.Manager, "handover_overdue"), n => n.Count > 0);
        fixture.Clock.Advance(TimeSpan.FromHours(24));
        var package = Assert.Single((await handover.Get(team.Manager)).Packages);
        var events = await ClusterFixture.EventuallyAsync(
            () => EventTypes(Contracts.V1.EntityType.Handover, team.Rep.UserId), e => e.Contains("handover_acceptance_escalated"));

        Assert.Equal(["handover_started", "handover_acceptance_reminded", "handover_acceptance_escalated"], events);
        Assert.Single(addressed);
        Assert.Empty(beforeReminder);
        Assert.Single(reminded);
        Assert.Empty(escalatedEarly);
        Assert.Single(escalated);
        Assert.Single(await Notices(team.OtherRep, "handover_reminder")); // each fires once
        Assert.True(package.Escalated);
        Assert.Equal(PackageStatus.Pending, package.Status);
    }

    [Fact]
    public async Task A_split_handover_moves_each_customer_once_to_its_receiver_with_the_new_customer_clock_restarted()
    {
        var team = await fixture.CreateTeamAsync();
        var third = await fixture.CreatePersonAsync($"rep3-{team.TeamId[5..]}", Role.Rep, team.TeamId);
        var first = await RegisterAsync(team, "First");
        var second = await RegisterAsync(team, "Second");
        var pooled = await RegisterAsync(team, "Pooled");
        var deal = fixture.Grains.GetGrain<IOpportunityGrain>(GrainKeys.NewOpportunityId());
        await deal.Open(new OpportunityDraft(first, new OpportunityTerms("Monitors", new Money(1000m, "EUR"), ClusterFixture.Start.AddYears(2)), null), team.Rep);
        var handover = Handover(team);

        var started = await handover.Start(Departure(third.UserId, new CustomerAssignment(first, team.OtherRep.UserId), new CustomerAssignment(pooled, "")), team.Manager);
        var frozen = await Assert.ThrowsAsync<AccessDeniedException>(() => fixture.Grains.GetGrain<ICustomerGrain>(first)
            .LogActivity(new ActivityDraft(ActivityKind.Call, fixture.Clock.GetUtcNow(), "still here", null, null, null, DurationSeconds: 120), team.Rep with { Status = SalespersonStatus.Departing, ReadsOwnBook = true }));
        var pooledCustomer = await ClusterFixture.EventuallyAsync(() => fixture.Grains.GetGrain<ICustomerGrain>(pooled).Get(team.Manager), c => c.InPool);
        var acceptedAt = fixture.Clock.GetUtcNow();
        await handover.Accept("call everyone this week", team.OtherRep);
        await handover.Accept("", third);
        var done = await CompletedAsync(handover, team.Manager);

        var customers = fixture.Grains;
        var firstView = await customers.GetGrain<ICustomerGrain>(first).Get(team.Manager);
        var secondView = await customers.GetGrain<ICustomerGrain>(second).Get(team.Manager);
        var dealView = await deal.Get(team.Manager);
        var leaver = await fixture.Grains.GetGrain<ISalespersonGrain>(team.Rep.UserId).GetIdentity();
        var members = (await fixture.Grains.GetGrain<ITeamGrain>(team.TeamId).Find())!.MemberIds;
        var clock = await customers.GetGrain<ICustomerGrain>(second).ArmedDeadlines();

        Assert.Equal([("", PackageStatus.Transferring), (team.OtherRep.UserId, PackageStatus.Pending), (third.UserId, PackageStatus.Pending)],
            started.Packages.Select(p => (p.ReceiverId, p.Status)).Order());
        Assert.Contains("frozen for handover", frozen.Message, StringComparison.Ordinal);
        Assert.True(pooledCustomer.InPool); // the pool needs nobody's acceptance
        Assert.Equal(team.OtherRep.UserId, firstView.OwnerId);
        Assert.Equal(third.UserId, secondView.OwnerId);
        Assert.Equal(team.OtherRep.UserId, dealView.OwnerId); // the deal followed its customer
        Assert.All(done.Packages, p => Assert.Equal(PackageStatus.Transferred, p.Status));
        Assert.Equal("call everyone this week", done.Packages.Single(p => p.ReceiverId == team.OtherRep.UserId).FollowUpPlan);
        Assert.Equal(SalespersonStatus.Departed, leaver!.Status);
        Assert.DoesNotContain(team.Rep.UserId, members);
        Assert.Contains(clock, d => d.Rule == NewCustomerSla.FirstContact && d.DueAt > acceptedAt);
        Assert.Equal([first], (await fixture.Grains.GetGrain<ISalespersonGrain>(team.OtherRep.UserId).ListCustomers(team.OtherRep, 10, null)).Items.Select(c => c.Id));
        Assert.Empty(await fixture.Grains.GetGrain<ISalespersonGrain>(team.Rep.UserId).OwnedCustomerIds());
        Assert.Equal([dealView.Id], await fixture.Grains.GetGrain<ISalespersonGrain>(team.OtherRep.UserId).OpenOpportunityIds());
        Assert.Empty(await fixture.Grains.GetGrain<ISalespersonGrain>(team.Rep.UserId).OpenOpportunityIds());
    }

    [Fact]
    public async Task Books_whose_updates_were_lost_are_settled_from_the_records_before_the_handover_completes()
    {
        var team = await fixture.CreateTeamAsync();
        var plain = new[] { await RegisterAsync(team, "First"), await RegisterAsync(team, "Second") };
        var deal = await fixture.OpenDealAsync(team, team.Rep);
        var dealView = await deal.Get(team.Rep);
        var leaver = fixture.Grains.GetGrain<ISalespersonGrain>(team.Rep.UserId);
        var receiver = fixture.Grains.GetGrain<ISalespersonGrain>(team.OtherRep.UserId);
        // Every book update of the transfer is acknowledged but never reaches the live books, as when another
        // activation on a silo being declared dead took them.
        var (receiverBook, leaverBook) = (fixture.Grains.GetGrain<IBookGrain>(team.OtherRep.UserId), fixture.Grains.GetGrain<IBookGrain>(team.Rep.UserId));
        fixture.CallFaults.Lose(receiverBook, nameof(IBookGrain.AddCustomer));
        fixture.CallFaults.Lose(receiverBook, nameof(IBookGrain.LinkOpportunity));
        fixture.CallFaults.Lose(leaverBook, nameof(IBookGrain.RemoveCustomer));
        fixture.CallFaults.Lose(leaverBook, nameof(IBookGrain.LinkOpportunity));
        var handover = Handover(team);

        await handover.Start(Departure(team.OtherRep.UserId), team.Manager);
        await handover.Accept("", team.OtherRep);
        var done = await CompletedAsync(handover, team.Manager);

        Assert.True(done.Completed, string.Join("; ", done.Packages.Select(p => $"{p.ReceiverId} {p.Status} {p.TransferredCount}/{p.Items.Count}")));
        Assert.Equal(3, fixture.CallFaults.LostCount(receiverBook, nameof(IBookGrain.AddCustomer)));
        Assert.Equal(3, fixture.CallFaults.LostCount(leaverBook, nameof(IBookGrain.RemoveCustomer)));
        Assert.Equal(plain.Append(dealView.CustomerId).Order(StringComparer.Ordinal), await receiver.OwnedCustomerIds());
        Assert.Equal([dealView.Id], await receiver.OpenOpportunityIds());
        Assert.Empty(await leaver.OwnedCustomerIds());
        Assert.Empty(await leaver.OpenOpportunityIds());
    }

    [Fact]
    public async Task An_item_whose_receiver_could_not_be_reached_moves_on_the_retry_instead_of_counting_as_done()
    {
        var team = await fixture.CreateTeamAsync();
        var deal = await fixture.OpenDealAsync(team, team.Rep);
        var customer = fixture.Grains.GetGrain<ICustomerGrain>((await deal.Get(team.Rep)).CustomerId);
        var receiver = fixture.Grains.GetGrain<ISalespersonGrain>(team.OtherRep.UserId);
        var handoverId = $"handover-{Guid.NewGuid():N}";

        fixture.CallFaults.FailNext(receiver, nameof(ISalespersonGrain.GetIdentity));
        var customerFailed = await Assert.ThrowsAnyAsync<Exception>(() => customer.HandOver(handoverId, team.Rep.UserId, team.OtherRep.UserId, "system"));
        var customerRetried = await customer.HandOver(handoverId, team.Rep.UserId, team.OtherRep.UserId, "system");
        fixture.CallFaults.FailNext(receiver, nameof(ISalespersonGrain.GetIdentity));
        var dealFailed = await Assert.ThrowsAnyAsync<Exception>(() => deal.HandOver(handoverId, team.Rep.UserId, team.OtherRep.UserId, "system"));
        var dealRetried = await deal.HandOver(handoverId, team.Rep.UserId, team.OtherRep.UserId, "system");
        var replayed = await customer.HandOver(handoverId, team.Rep.UserId, team.OtherRep.UserId, "system");

        Assert.Contains("injected", customerFailed.Message, StringComparison.Ordinal);
        Assert.Contains("injected", dealFailed.Message, StringComparison.Ordinal);
        Assert.Equal((HandoverOutcome.Moved, HandoverOutcome.Moved, HandoverOutcome.AlreadyApplied), (customerRetried, dealRetried, replayed));
        Assert.Equal(team.OtherRep.UserId, (await customer.Find())!.OwnerId);
        Assert.Equal(team.OtherRep.UserId, (await deal.Find())!.OwnerId);
    }

    [Fact]
    public async Task A_handover_recorded_on_a_customer_that_never_moved_is_carried_out_instead_of_counted_as_done()
    {
        var team = await fixture.CreateTeamAsync();
        var id = await RegisterAsync(team, "Clinic");
        var customer = fixture.Grains.GetGrain<ICustomerGrain>(id);
        var handoverId = $"handover-{Guid.NewGuid():N}";
        // The damage an earlier bug could do: the handover id stored while the leaver still owns the customer.
        var storage = fixture.SiloServices.GetRequiredKeyedService<IGrainStorage>(StorageNames.Default);
        var stored = new GrainState<CustomerState>();
        await storage.ReadStateAsync("customer", customer.GetGrainId(), stored);
        stored.State!.AppliedHandovers.Add(handoverId);
        await storage.WriteStateAsync("customer", customer.GetGrainId(), stored);
        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => customer.SetLock(true, team.Manager)); // the activation re-reads storage

        var outcome = await customer.HandOver(handoverId, team.Rep.UserId, team.OtherRep.UserId, "system");
        var replay = await customer.HandOver(handoverId, team.Rep.UserId, team.OtherRep.UserId, "system");

        Assert.Equal((HandoverOutcome.Moved, HandoverOutcome.AlreadyApplied), (outcome, replay));
        Assert.Equal(team.OtherRep.UserId, (await customer.Find())!.OwnerId);
    }

    [Fact]
    public async Task A_receiver_who_stops_being_active_half_way_gets_the_rest_sent_back_to_the_manager_to_reassign()
    {
        var team = await fixture.CreateTeamAsync();
        var third = await fixture.CreatePersonAsync($"rep3-{team.TeamId[5..]}", Role.Rep, team.TeamId);
        var moved = await RegisterAsync(team, "Moved");
        var stuck = await RegisterAsync(team, "Stuck");
        var receiver = fixture.Grains.GetGrain<ISalespersonGrain>(team.OtherRep.UserId);
        var handover = Handover(team);
        await handover.Start(Departure(team.OtherRep.UserId), team.Manager);
        fixture.CallFaults.FailNext(fixture.Grains.GetGrain<ICustomerGrain>(stuck), nameof(ICustomerGrain.HandOver), int.MaxValue);
        await handover.Accept("", team.OtherRep);
        await ClusterFixture.EventuallyAsync(() => handover.Get(team.Manager), h => h.Packages[0].TransferredCount == 1);

        // The receiver's own departure starts while the stuck item still waits; then the item could move again.
        await receiver.BeginDeparture($"handover-{Guid.NewGuid():N}", fixture.Clock.GetUtcNow().AddDays(1), ClusterFixture.Admin.UserId);
        fixture.CallFaults.FailNext(fixture.Grains.GetGrain<ICustomerGrain>(stuck), nameof(ICustomerGrain.HandOver), 0);
        fixture.Clock.Advance(TimeSpan.FromSeconds(5));
        var sentBack = await ClusterFixture.EventuallyAsync(() => handover.Get(team.Manager), h => h.Packages[0].Status == PackageStatus.Rejected);
        var told = await ClusterFixture.EventuallyAsync(() => Notices(team.Manager, "handover_receiver_inactive"), n => n.Count > 0);
        var reassigned = await handover.Reassign(team.OtherRep.UserId, third.UserId, [], team.Manager);
        await handover.Accept("", third);
        var done = await CompletedAsync(handover, team.Manager);

        var package = Assert.Single(sentBack.Packages);
        Assert.Contains("no longer active", package.RejectionReason, StringComparison.Ordinal);
        Assert.Equal(1, package.TransferredCount);
        Assert.Single(told);
        Assert.Equal([(team.OtherRep.UserId, 1), (third.UserId, 1)], reassigned.Packages.Select(p => (p.ReceiverId, p.CustomerCount)).Order());
        Assert.True(done.Completed);
        Assert.All(done.Packages, p => Assert.Equal(PackageStatus.Transferred, p.Status));
        Assert.Equal(team.OtherRep.UserId, (await fixture.Grains.GetGrain<ICustomerGrain>(moved).Find())!.OwnerId);
        Assert.Equal(third.UserId, (await fixture.Grains.GetGrain<ICustomerGrain>(stuck).Find())!.OwnerId);
        Assert.Equal([moved], await receiver.OwnedCustomerIds());
        Assert.Equal([stuck], await fixture.Grains.GetGrain<ISalespersonGrain>(third.UserId).OwnedCustomerIds());
    }

    /// <summary>A team with a director and a deal above the approval threshold waiting for that director.</summary>
    private async Task<(TestTeam Team, Caller Director, IOpportunityGrain Deal, string ApprovalId)> DealAwaitingDirectorAsync()
    {
        var team = await fixture.CreateTeamAsync();
        var director = await fixture.AppointDirectorAsync(team);
        var deal = await fixture.DealReadyForApprovalAsync(team, 600_000m);
        var waiting = await deal.ChangeStage("ContractApproval", "", 0, team.Rep);
        return (team, director, deal, waiting.PendingApprovalId!);
    }

    [Fact]
    public async Task A_leaving_directors_pending_approvals_go_to_their_successor_who_alone_may_decide_them()
    {
        var (team, director, deal, approvalId) = await DealAwaitingDirectorAsync();
        var successor = await fixture.AppointDirectorAsync(team);
        var approval = fixture.Grains.GetGrain<IApprovalGrain>(approvalId);

        await fixture.Grains.GetGrain<IHandoverGrain>(director.UserId).Start(Departure(null), ClusterFixture.Admin);
        var rerouted = await approval.Get(successor);
        var successorList = await fixture.Grains.GetGrain<ISalespersonGrain>(successor.UserId).ListPendingApprovals(successor);
        var leaverList = await fixture.Grains.GetGrain<ISalespersonGrain>(director.UserId).ListPendingApprovals(ClusterFixture.Admin);
        var byLeaver = await Assert.ThrowsAsync<AccessDeniedException>(() => deal.DecideApproval(approvalId, true, "", director));
        var told = await ClusterFixture.EventuallyAsync(() => Notices(successor, "approval_rerouted"), n => n.Count > 0);
        var decided = await deal.DecideApproval(approvalId, true, "fine", successor);
        var dealId = deal.GetPrimaryKeyString();
        var events = await ClusterFixture.EventuallyAsync(
            () => EventTypes(Contracts.V1.EntityType.Opportunity, dealId), e => e.Contains("approval_decided"));

        Assert.Equal(successor.UserId, rerouted.ApproverId);
        Assert.Equal([approvalId], successorList.Select(a => a.Id));
        Assert.Empty(leaverList);
        Assert.Contains("only the approver the request is addressed to", byLeaver.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(successor.UserId, byLeaver.Message, StringComparison.Ordinal); // a denial names nobody
        Assert.Single(told);
        Assert.Equal(ApprovalStatus.Approved, decided.Status);
        Assert.Equal(["approval_requested", "approval_rerouted", "approval_decided"], events.Where(e => e.StartsWith("approval_", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_departure_is_refused_while_a_pending_approval_would_have_nobody_to_decide_it()
    {
        var (_, director, _, approvalId) = await DealAwaitingDirectorAsync();

        var refused = await Assert.ThrowsAsync<PreconditionFailedException>(
            () => fixture.Grains.GetGrain<IHandoverGrain>(director.UserId).Start(Departure(null), ClusterFixture.Admin));

        Assert.Contains("appoint one first", refused.Message, StringComparison.Ordinal);
        Assert.Equal(SalespersonStatus.Active, (await fixture.Grains.GetGrain<ISalespersonGrain>(director.UserId).GetIdentity())!.Status);
        Assert.Equal(director.UserId, (await fixture.Grains.GetGrain<IApprovalGrain>(approvalId).Get(director)).ApproverId);
    }

    [Fact]
    public async Task A_rejected_package_is_reassigned_by_the_manager_and_accepted_by_the_new_receiver()
    {
        var team = await fixture.CreateTeamAsync();
        var third = await fixture.CreatePersonAsync($"rep3-{team.TeamId[5..]}", Role.Rep, team.TeamId);
        var kept = await RegisterAsync(team, "Kept");
        var toPool = await RegisterAsync(team, "ToPool");
        var handover = Handover(team);
        await handover.Start(Departure(team.OtherRep.UserId), team.Manager);

        var notReceiver = await Assert.ThrowsAsync<AccessDeniedException>(() => handover.Accept("", third));
        var notManager = await Assert.ThrowsAsync<AccessDeniedException>(() => handover.Reassign(team.OtherRep.UserId, third.UserId, [], team.OtherRep));
        var rejected = await handover.Reject("I cover another region", team.OtherRep);
        var told = await ClusterFixture.EventuallyAsync(() => Notices(team.Manager, "handover_rejected"), n => n.Count > 0);
        var again = await Assert.ThrowsAsync<PreconditionFailedException>(() => handover.Accept("", team.OtherRep));
        await handover.Reassign(team.OtherRep.UserId, "", [toPool], team.Manager);
        var reassigned = await handover.Reassign(team.OtherRep.UserId, third.UserId, [], team.Manager);
        await handover.Accept("visit both next week", third);
        var done = await CompletedAsync(handover, team.Manager);
        var handoverEvents = await ClusterFixture.EventuallyAsync(
            () => EventTypes(Contracts.V1.EntityType.Handover, team.Rep.UserId), e => e.Contains("handover_completed"));
        var leaverEvents = await ClusterFixture.EventuallyAsync(
            () => EventTypes(Contracts.V1.EntityType.Salesperson, team.Rep.UserId), e => e.Contains("salesperson_departed"));

        // Every step published one event; the pool's transfer may run before or after the second reassignment.
        Assert.Equal(
            new[] { "handover_started", "handover_package_rejected", "handover_items_reassigned", "handover_items_reassigned",
                "handover_package_transferred", "handover_package_accepted", "handover_package_transferred", "handover_completed" }.Order(),
            handoverEvents.Order());
        Assert.Equal(("handover_started", "handover_completed"), (handoverEvents[0], handoverEvents[^1]));
        Assert.Equal(["salesperson_created", "salesperson_departure_started", "salesperson_departed"], leaverEvents);
        Assert.Equal(PackageStatus.Rejected, rejected.Status);
        Assert.Contains("another region", Assert.Single(told).Message, StringComparison.Ordinal);
        Assert.Contains("not pending", again.Message, StringComparison.Ordinal);
        Assert.Contains("addressed to", notReceiver.Message, StringComparison.Ordinal);
        Assert.Contains("manager", notManager.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(reassigned.Packages, p => p.ReceiverId == team.OtherRep.UserId); // emptied, so gone
        Assert.Equal(third.UserId, (await fixture.Grains.GetGrain<ICustomerGrain>(kept).Get(team.Manager)).OwnerId);
        Assert.True((await fixture.Grains.GetGrain<ICustomerGrain>(toPool).Get(team.Manager)).InPool);
        Assert.True(done.Completed);
        Assert.Empty(await fixture.Grains.GetGrain<ISalespersonGrain>(team.OtherRep.UserId).HandoverPackageIds());
    }

    [Fact]
    public async Task A_replayed_item_transfer_changes_nothing()
    {
        var team = await fixture.CreateTeamAsync();
        var id = await RegisterAsync(team, "Replay");
        var customer = fixture.Grains.GetGrain<ICustomerGrain>(id);

        var first = await customer.HandOver("replay-test", team.Rep.UserId, team.OtherRep.UserId, "system");
        var version = (await customer.Get(team.Manager)).Version;
        var replay = await customer.HandOver("replay-test", team.Rep.UserId, team.OtherRep.UserId, "system");

        Assert.Equal(HandoverOutcome.Moved, first);
        Assert.Equal(HandoverOutcome.AlreadyApplied, replay);
        Assert.Equal(version, (await customer.Get(team.Manager)).Version);
        Assert.Equal(team.OtherRep.UserId, (await customer.Get(team.Manager)).OwnerId);
    }

    [Fact]
    public async Task Only_the_leavers_manager_chain_or_an_admin_may_start_and_only_once()
    {
        var team = await fixture.CreateTeamAsync();
        var otherTeam = await fixture.CreateTeamAsync();
        var handover = Handover(team);

        var byPeer = await Assert.ThrowsAsync<AccessDeniedException>(() => handover.Start(Departure(null), team.OtherRep));
        var byOtherManager = await Assert.ThrowsAsync<AccessDeniedException>(() => handover.Start(Departure(null), otherTeam.Manager));
        var toOtherTeam = await Assert.ThrowsAsync<AccessDeniedException>(() => handover.Start(Departure(otherTeam.Rep.UserId), team.Manager));
        await handover.Start(Departure(null), ClusterFixture.Admin);
        var twice = await Assert.ThrowsAsync<AlreadyExistsException>(() => handover.Start(Departure(null), ClusterFixture.Admin));
        var done = await CompletedAsync(handover, ClusterFixture.Admin); // an empty book completes at once

        Assert.Contains("manager", byPeer.Message, StringComparison.Ordinal);
        Assert.Contains("manager", byOtherManager.Message, StringComparison.Ordinal);
        Assert.Contains("own team", toOtherTeam.Message, StringComparison.Ordinal);
        Assert.Contains("already started", twice.Message, StringComparison.Ordinal);
        Assert.Empty(done.Packages);
        Assert.Equal(SalespersonStatus.Departed, (await fixture.Grains.GetGrain<ISalespersonGrain>(team.Rep.UserId).GetIdentity())!.Status);
    }

    /// <summary>A handover of one customer to the team's other rep, accepted and completed; returns the handover.</summary>
    private async Task<IHandoverGrain> CompletedHandoverAsync(TestTeam team)
    {
        await RegisterAsync(team, "Clinic");
        var handover = Handover(team);
        await handover.Start(Departure(team.OtherRep.UserId), team.Manager);
        await handover.Accept("", team.OtherRep);
        await CompletedAsync(handover, team.Manager);
        return handover;
    }

    /// <summary>The handover's row as stored, with its ETag (which changes with every write).</summary>
    private async Task<(HandoverState State, string? ETag)> StoredAsync(IHandoverGrain handover)
    {
        var stored = new GrainState<HandoverState>();
        await fixture.SiloServices.GetRequiredKeyedService<IGrainStorage>(StorageNames.Default).ReadStateAsync("handover", handover.GetGrainId(), stored);
        return (stored.State!, stored.ETag);
    }

    private Task<ReminderEntry?> DeadlineReminderAsync(IHandoverGrain handover) =>
        fixture.SiloServices.GetRequiredService<IReminderTable>().ReadRow(handover.GetGrainId(), DeadlineScheduler.ReminderName)!;

    [Fact]
    public async Task A_completed_handovers_package_stays_listed_for_30_days_then_leaves_its_receivers_list_once()
    {
        var team = await fixture.CreateTeamAsync();
        var receiver = fixture.Grains.GetGrain<ISalespersonGrain>(team.OtherRep.UserId);
        var handover = await CompletedHandoverAsync(team);
        var completedAt = fixture.Clock.GetUtcNow();

        var atCompletion = await receiver.HandoverPackageIds();
        fixture.Clock.Advance(TimeSpan.FromDays(30) - TimeSpan.FromSeconds(1));
        await handover.Get(team.Manager);
        var justBefore = await receiver.HandoverPackageIds();
        fixture.Clock.Advance(TimeSpan.FromSeconds(1));
        var after = await ClusterFixture.EventuallyAsync(() => receiver.HandoverPackageIds(), ids => ids.Count == 0);
        var pruned = await ClusterFixture.EventuallyAsync(() => StoredAsync(handover), s => s.State.Pruned && s.State.PendingPackageLinks.Count == 0);
        var view = await handover.Get(team.Manager);
        // Once: replayed reminder ticks and more time change nothing, and no wake-up is left.
        var remindable = handover.AsReference<IRemindable>();
        await remindable.ReceiveReminder(DeadlineScheduler.ReminderName, default, TestContext.Current.CancellationToken);
        await remindable.ReceiveReminder(DeadlineScheduler.ReminderName, default, TestContext.Current.CancellationToken);
        fixture.Clock.Advance(TimeSpan.FromDays(30));
        await handover.Get(team.Manager);

        Assert.Equal([team.Rep.UserId], atCompletion);
        Assert.Equal([team.Rep.UserId], justBefore);
        Assert.Empty(after);
        Assert.Equal(completedAt, pruned.State.CompletedAt);
        var package = Assert.Single(view.Packages);
        Assert.Equal((PackageStatus.Transferred, 1, 0, 1), (package.Status, package.CustomerCount, package.OpportunityCount, package.TransferredCount));
        Assert.Empty(package.Items);                                  // the item list is dropped, the counts kept
        Assert.Empty(Assert.Single(pruned.State.Packages).Items);
        Assert.True(view.Completed);
        Assert.Equal(pruned.ETag, (await StoredAsync(handover)).ETag); // nothing written again
        Assert.Empty(await receiver.HandoverPackageIds());
        Assert.Null(await DeadlineReminderAsync(handover));
    }

    [Fact]
    public async Task A_handover_that_is_not_active_when_its_retention_ends_is_woken_by_its_reminder_and_prunes()
    {
        var team = await fixture.CreateTeamAsync();
        var receiver = fixture.Grains.GetGrain<ISalespersonGrain>(team.OtherRep.UserId);
        var handover = await CompletedHandoverAsync(team);
        var armed = await DeadlineReminderAsync(handover);
        // Every activation goes away, as with a restart: no timer is left, only the durable reminder.
        await fixture.Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero, TestContext.Current.CancellationToken);

        fixture.Clock.Advance(TimeSpan.FromDays(31));
        var whileAsleep = await receiver.HandoverPackageIds();
        await handover.AsReference<IRemindable>().ReceiveReminder(DeadlineScheduler.ReminderName, default, TestContext.Current.CancellationToken);
        var after = await ClusterFixture.EventuallyAsync(() => receiver.HandoverPackageIds(), ids => ids.Count == 0);
        var stored = await ClusterFixture.EventuallyAsync(() => StoredAsync(handover), s => s.State.Pruned && s.State.PendingPackageLinks.Count == 0);
        var left = await ClusterFixture.EventuallyAsync(() => DeadlineReminderAsync(handover), r => r is null);

        Assert.NotNull(armed);
        Assert.Equal([team.Rep.UserId], whileAsleep);
        Assert.Empty(after);
        Assert.True(stored.State.Pruned);
        Assert.Null(left);
    }
}
