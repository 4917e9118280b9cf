using ActorSales.Domain.Common;
using ActorSales.Domain.Deadlines;
using ActorSales.Domain.Errors;
using ActorSales.Domain.Handovers;
using ActorSales.Domain.People;
using Event = ActorSales.Domain.Handovers.HandoverEvent;
using FollowUp = ActorSales.Domain.Handovers.HandoverFollowUp;

namespace ActorSales.Domain.UnitTests;

public sealed class HandoverAggregateTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 10, 0, 0, TimeSpan.Zero);
    private static readonly HandoverOptions Options = new() { TransferBatchSize = 2 };

    private static HandoverAggregate Over(TestHandoverState state) => new("rita", state, Options);

    /// <summary>Rita leaves: two customers to Ron (one with a deal), one to the pool; the manager Mia is the fallback.</summary>
    private static List<PackageState> Packages() => HandoverPackaging.Plan("rita",
        new Dictionary<string, string> { ["cus_a"] = "ron", ["cus_b"] = "ron", ["cus_c"] = HandoverRules.Pool },
        [new BookCustomer("cus_a", "A", "rita", false), new BookCustomer("cus_b", "B", "rita", false), new BookCustomer("cus_c", "C", "rita", false),
         new BookCustomer("cus_x", "X", "other", false)],
        [new BookDeal("opp_1", "Deal", "cus_a", "rita", true), new BookDeal("opp_2", "Lost", "cus_a", "rita", false)],
        "ron", "mia", Now);

    private static TestHandoverState Started()
    {
        var state = new TestHandoverState();
        Over(state).Start("north", null, "mia", "mia", Packages(), [], Now);
        return state;
    }

    [Fact]
    public void Packaging_sends_customers_where_routed_deals_with_their_customer_and_leaves_out_what_the_leaver_no_longer_owns()
    {
        var packages = Packages();

        Assert.Equal(["", "ron"], packages.Select(p => p.ReceiverId));
        Assert.Equal(PackageStatus.Transferring, packages[0].Status);
        Assert.Equal(["cus_c"], packages[0].Items.Select(i => i.Id));
        Assert.Null(packages[0].Items[0].TargetOwnerId);
        Assert.Equal(PackageStatus.Pending, packages[1].Status);
        Assert.Equal(["cus_a", "cus_b", "opp_1"], packages[1].Items.Select(i => i.Id));
        Assert.All(packages[1].Items, i => Assert.Equal("ron", i.TargetOwnerId));
    }

    [Fact]
    public void A_deal_whose_customer_goes_to_the_pool_without_anyone_to_take_it_is_refused()
    {
        var error = Assert.Throws<PreconditionFailedException>(() => HandoverPackaging.Plan("rita",
            new Dictionary<string, string> { ["cus_a"] = HandoverRules.Pool }, [new BookCustomer("cus_a", "A", "rita", false)],
            [new BookDeal("opp_1", "Deal", "cus_a", "rita", true)], null, null, Now));

        Assert.Contains("opp_1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Starting_addresses_each_receiver_starts_the_pool_moving_and_tells_rerouted_approvers()
    {
        var state = new TestHandoverState();
        var aggregate = Over(state);

        aggregate.Start("north", new DateOnly(2026, 11, 30), "mia", "mia", Packages(), [("ap1", "dan")], Now);

        Assert.Equal([new Raised<Event>(1, new Event.Started())], aggregate.Events);
        Assert.Collection(aggregate.FollowUps,
            f => Assert.Equal(new FollowUp.LinkPackage("ron", true), f),
            f => Assert.Equal(("ron", "handover_package"), Notice(f)),
            f => Assert.Equal(("dan", "approval_rerouted"), Notice(f)));
        Assert.True(state.Started);
        Assert.Equal(("north", "mia", Now, "mia"), (state.TeamId, state.StartedBy, state.StartedAt, state.FallbackOwnerId));
        Assert.Equal(Now, state.TransferDueAt);
        Assert.False(state.Completed);
    }

    [Fact]
    public void Starting_with_an_empty_book_completes_at_once_and_lets_the_leaver_depart()
    {
        var state = new TestHandoverState();
        var aggregate = Over(state);

        aggregate.Start("north", null, "mia", null, [], [], Now);

        Assert.Equal([new Raised<Event>(1, new Event.Started()), new Raised<Event>(2, new Event.Completed(0, 0, 0))], aggregate.Events);
        Assert.Equal<FollowUp>([new FollowUp.CompleteDeparture("system")], aggregate.FollowUps);
        Assert.True(state.Completed);
        Assert.Equal(Now, state.CompletedAt);
    }

    [Fact]
    public void A_second_start_is_refused_unchanged()
    {
        var state = Started();
        var before = Snapshot.Of(state);

        Assert.Throws<AlreadyExistsException>(() => Over(state).Start("north", null, "mia", null, [], [], Now));
        Assert.Throws<AlreadyExistsException>(() => Over(state).EnsureCanStart(SalespersonStatus.Active));
        Assert.Throws<PreconditionFailedException>(() => Over(new TestHandoverState()).EnsureCanStart(SalespersonStatus.Departed));
        Assert.Equal(before, Snapshot.Of(state));
    }

    [Fact]
    public void Accepting_starts_the_move_and_a_second_decision_is_refused_unchanged()
    {
        var state = Started();
        state.TransferDueAt = null;
        var accept = Over(state);

        var package = accept.Accept("ron", "call everyone", Now.AddHours(1));
        var before = Snapshot.Of(state);
        var again = Over(state);

        Assert.Equal([new Raised<Event>(2, new Event.PackageAccepted("ron"))], accept.Events);
        Assert.Empty(accept.FollowUps);
        Assert.Equal((PackageStatus.Transferring, "call everyone"), (package.Status, package.FollowUpPlan));
        Assert.Equal(Now.AddHours(1), state.TransferDueAt);
        Assert.Throws<PreconditionFailedException>(() => again.Reject("ron", "no", "mia", Now));
        Assert.Throws<NotFoundException>(() => again.Accept("sam", "", Now));
        Assert.Equal(before, Snapshot.Of(state));
        Assert.False(again.Changed);
    }

    [Fact]
    public void Rejecting_needs_a_reason_and_tells_the_manager()
    {
        var state = Started();
        var before = Snapshot.Of(state);
        Assert.Throws<ValidationException>(() => Over(state).Reject("ron", " ", "mia", Now));
        Assert.Equal(before, Snapshot.Of(state));
        var aggregate = Over(state);

        aggregate.Reject("ron", "too many", "mia", Now);

        Assert.Equal([new Raised<Event>(2, new Event.PackageRejected("ron"))], aggregate.Events);
        Assert.Equal(("mia", "handover_rejected"), Notice(Assert.Single(aggregate.FollowUps)));
        Assert.Equal((PackageStatus.Rejected, "too many"), (state.Packages[1].Status, state.Packages[1].RejectionReason));
    }

    [Fact]
    public void Reassigning_a_rejected_package_readdresses_it_to_the_new_receiver_and_drops_the_old_one()
    {
        var state = Started();
        Over(state).Reject("ron", "too many", null, Now);
        var later = Now.AddHours(3);
        var aggregate = Over(state);

        aggregate.Reassign(HandoverPackaging.ParseReassignment("rita", "ron", "sam", []), later);

        var raised = Assert.Single(aggregate.Events);
        var reassigned = Assert.IsType<Event.ItemsReassigned>(raised.Event);
        Assert.Equal((3L, "ron", "sam"), (raised.Sequence, reassigned.FromReceiverId, reassigned.ToReceiverId));
        Assert.Equal(["cus_a", "cus_b"], reassigned.CustomerIds);
        Assert.Collection(aggregate.FollowUps,
            f => Assert.Equal(new FollowUp.LinkPackage("sam", true), f),
            f => Assert.Equal(("sam", "handover_package"), Notice(f)),
            f => Assert.Equal(new FollowUp.LinkPackage("ron", false), f));
        var sam = Assert.Single(state.Packages, p => p.ReceiverId == "sam");
        Assert.Equal((PackageStatus.Pending, later), (sam.Status, sam.AddressedAt));
        Assert.All(sam.Items, i => Assert.Equal("sam", i.TargetOwnerId));
        Assert.DoesNotContain(state.Packages, p => p.ReceiverId == "ron");
    }

    [Fact]
    public void Reassigning_what_is_not_in_the_package_or_deals_to_a_pool_without_fallback_is_refused_unchanged()
    {
        var state = Started();
        state.FallbackOwnerId = null;
        var before = Snapshot.Of(state);

        Assert.Throws<PreconditionFailedException>(() => Over(state).Reassign(HandoverPackaging.ParseReassignment("rita", "ron", "sam", ["cus_c"]), Now));
        Assert.Throws<PreconditionFailedException>(() => Over(state).Reassign(HandoverPackaging.ParseReassignment("rita", "ron", "", ["cus_a"]), Now));
        Assert.Throws<ValidationException>(() => HandoverPackaging.ParseReassignment("rita", "ron", "rita", []));
        Assert.Equal(before, Snapshot.Of(state));
    }

    [Fact]
    public void A_pending_package_is_reminded_then_escalated_each_once()
    {
        var state = Started();
        var reminder = new Deadline(HandoverRules.Reminder, Now + Options.RemindAfter);
        var escalation = new Deadline(HandoverRules.Escalation, Now + Options.AcceptWithin);
        var remind = Over(state);
        remind.FireAcceptanceDeadline(reminder, "mia", reminder.DueAt);
        var replay = Over(state);
        replay.FireAcceptanceDeadline(reminder, "mia", reminder.DueAt);
        var escalate = Over(state);
        escalate.FireAcceptanceDeadline(escalation, "mia", escalation.DueAt);

        Assert.Equal([new Raised<Event>(2, new Event.AcceptanceReminded("ron", Now + Options.AcceptWithin))], remind.Events);
        Assert.Equal(("ron", "handover_reminder"), Notice(Assert.Single(remind.FollowUps)));
        Assert.False(replay.Changed);
        Assert.Equal([new Raised<Event>(3, new Event.AcceptanceEscalated("ron", "mia"))], escalate.Events);
        Assert.Equal(("mia", "handover_overdue"), Notice(Assert.Single(escalate.FollowUps)));
        Assert.True(state.Packages[1].Escalated);
        Assert.DoesNotContain(Over(state).Deadlines(effectsPending: false), d => d.Rule is HandoverRules.Reminder or HandoverRules.Escalation);
    }

    [Fact]
    public void A_transfer_batch_moves_settles_and_completes_and_a_failure_schedules_a_retry()
    {
        var state = Started();
        Over(state).Accept("ron", "", Now);
        var first = Over(state);
        var batch = first.NextBatch(new HashSet<string>());
        Assert.Equal(["cus_c", "cus_a"], batch.Select(i => i.Id)); // pool first (by receiver), batch size 2
        Assert.Equal([""], first.ReadyToSettle(new HashSet<string>(), new HashSet<string>(["cus_c", "cus_a"])).Select(p => p.ReceiverId));

        first.RecordTransfer(new TransferOutcome(new HashSet<string>(), new HashSet<string>(["cus_c", "cus_a"]), new HashSet<string>([""]), Failed: true), null, Now);

        Assert.Equal([new Raised<Event>(3, new Event.PackageTransferred(""))], first.Events);
        Assert.Equal(Now + HandoverAggregate.TransferRetryAfter, state.TransferDueAt);
        Assert.Equal(PackageStatus.Transferred, state.Packages[0].Status);

        var second = Over(state);
        Assert.Equal(["cus_b", "opp_1"], second.NextBatch(new HashSet<string>()).Select(i => i.Id));
        second.RecordTransfer(new TransferOutcome(new HashSet<string>(), new HashSet<string>(["cus_b", "opp_1"]), new HashSet<string>(["ron"]), Failed: false), null, Now.AddSeconds(5));

        Assert.Equal([new Raised<Event>(4, new Event.PackageTransferred("ron")), new Raised<Event>(5, new Event.Completed(2, 1, 1))], second.Events);
        Assert.Equal(("ron", "handover_transferred"), Notice(second.FollowUps[0]));
        Assert.Equal(new FollowUp.CompleteDeparture("system"), second.FollowUps[^1]);
        Assert.Null(state.TransferDueAt);
        Assert.True(state.Completed);
        Assert.Equal(new Deadline(HandoverRules.Prune, Now.AddSeconds(5) + Options.CompletedRetention), Assert.Single(Over(state).Deadlines(false)));
    }

    [Fact]
    public void A_package_whose_books_are_not_settled_stays_moving_and_an_inactive_receivers_rest_goes_back()
    {
        var state = Started();
        Over(state).Accept("ron", "", Now);
        var unsettled = Over(state);
        unsettled.RecordTransfer(new TransferOutcome(new HashSet<string>(), new HashSet<string>(["cus_c"]), new HashSet<string>(), Failed: false), null, Now);
        Assert.Empty(unsettled.Events);
        Assert.Equal(PackageStatus.Transferring, state.Packages[0].Status);
        Assert.Equal(Now + HandoverAggregate.TransferRetryAfter, state.TransferDueAt);

        var inactive = new HashSet<string>(["ron"]);
        var sendBack = Over(state);
        Assert.Equal(["ron"], sendBack.ReceiversToCheck());
        Assert.DoesNotContain(sendBack.NextBatch(inactive), i => i.TargetOwnerId == "ron");
        sendBack.RecordTransfer(new TransferOutcome(inactive, new HashSet<string>(), new HashSet<string>([""]), Failed: false), "mia", Now);

        Assert.Equal([new Raised<Event>(3, new Event.PackageRejected("ron")), new Raised<Event>(4, new Event.PackageTransferred(""))], sendBack.Events);
        Assert.Equal(("mia", "handover_receiver_inactive"), Notice(sendBack.FollowUps[0]));
        Assert.Equal(PackageStatus.Rejected, state.Packages[1].Status);
        Assert.False(state.Completed);
    }

    [Fact]
    public void Pruning_unlinks_the_receivers_keeps_the_counts_and_acts_once()
    {
        var state = Started();
        var prune = Over(state);
        prune.Prune();
        var again = Over(state);
        again.Prune();

        Assert.Equal<FollowUp>([new FollowUp.LinkPackage("ron", false)], prune.FollowUps);
        Assert.Empty(prune.Events);
        Assert.True(state.Pruned);
        Assert.All(state.Packages, p => Assert.Empty(p.Items));
        Assert.Equal(new PackageCounts(2, 1, 0), state.Packages[1].Counts);
        Assert.False(again.Changed);
    }

    private static (string Recipient, string Kind) Notice(FollowUp followUp) =>
        Assert.IsType<FollowUp.Notify>(followUp) is var notify ? (notify.RecipientId, notify.Notification.Kind) : default;
}
