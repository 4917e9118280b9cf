using ActorSales.Domain.Common;
using ActorSales.Domain.Customers;
using ActorSales.Domain.Deadlines;
using ActorSales.Domain.Errors;
using ActorSales.Domain.Identity;
using ActorSales.Domain.People;
using ActorSales.Domain.Pipeline;
using E = ActorSales.Domain.Pipeline.OpportunityEvent;
using F = ActorSales.Domain.Pipeline.OpportunityFollowUp;

namespace ActorSales.Domain.UnitTests;

public sealed class OpportunityAggregateTests
{
    private const string Id = "opp_1";
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);
    private static readonly Caller Rep = new("rita", Role.Rep, "north", SalespersonStatus.Active);
    private static readonly Caller OtherRep = new("otto", Role.Rep, "north", SalespersonStatus.Active);
    private static readonly OpportunityCustomer Customer = new("cus_1", "rita", "north");

    private static readonly PipelineDefinition B2B = new("b2b", 1, "Default B2B",
    [
        Stage("NeedsConfirmed", "meeting_minutes"),
        Stage("ProposalSubmitted", "proposal_document"),
        Stage("PriceNegotiation", "quote"),
        Stage("ContractApproval", "signed_contract"),
    ], AllowSkipping: false);

    private static readonly OpportunityOptions Options = new()
    {
        TaskRules = [new StageTaskRule { Pipeline = "b2b", Stage = "ContractApproval", Department = "legal", Title = "Review", DueIn = TimeSpan.FromDays(2) }],
    };

    private static StageDefinition Stage(string key, params string[] toLeave) =>
        new(key, key, toLeave, [], TimeSpan.FromDays(7), TimeSpan.FromDays(15));

    private static OpportunityTerms Terms(decimal amount) => new("Fleet", new Money(amount, "EUR"), T0.AddDays(30));

    private sealed class Data : IOpportunityData
    {
        public bool Created { get; set; }
        public string CustomerId { get; set; } = string.Empty;
        public string OwnerId { get; set; } = string.Empty;
        public string OwnerTeamId { get; set; } = string.Empty;
        public OpportunityTerms? Terms { get; set; }
        public PipelineDefinition? Pipeline { get; set; }
        public string Stage { get; set; } = string.Empty;
        public DateTimeOffset StageEnteredAt { get; set; }
        public List<StageChangeRecord> History { get; set; } = [];
        public List<Evidence> Evidence { get; set; } = [];
        public ForecastSignal Signal { get; set; }
        public DateTimeOffset? SignalChangedAt { get; set; }
        public List<DecisionMaker> DecisionMakers { get; set; } = [];
        public DateTimeOffset? ContractReviewAt { get; set; }
        public OpportunityStatus Status { get; set; }
        public string? LostReason { get; set; }
        public string? LostNote { get; set; }
        public string? WinFactor { get; set; }
        public string? WinNote { get; set; }
        public long Version { get; set; }
        public DateTimeOffset CreatedAt { get; set; }
        public ApprovalRequest? PendingApproval { get; set; }
        public string? PendingApprovalId { get; set; }
        public DateTimeOffset? PendingApprovalSince { get; set; }
        public bool NextActionDone { get; set; }
        public DateTimeOffset? NextActionConfirmedAt { get; set; }
        public DateTimeOffset? NextActionPlannedAt { get; set; }
        public Money? ApprovedValue { get; set; }
        public List<string> TaskIds { get; set; } = [];
        public string? NextAction { get; set; }
        public DateTimeOffset? NextActionDueAt { get; set; }
        public DateTimeOffset StallClockStart { get; set; }
        public StallLevel StallLevel { get; set; }
        public List<string> FiredDeadlines { get; set; } = [];
        public bool NeedsIntervention { get; set; }
        public List<string> AppliedHandovers { get; set; } = [];
        public bool LinksPending { get; set; }
        public string? PreviousOwnerId { get; set; }
        public string? PreviousTeamId { get; set; }
        public bool ApprovalRequestPending { get; set; }
        public List<TaskPlan> TasksToCreate { get; set; } = [];
        public bool StallEffectsPending { get; set; }
        public Deadline? StallFiring { get; set; }
        public bool InterventionEffectsPending { get; set; }
        public Deadline? InterventionFiring { get; set; }

        /// <summary>What a failed command must leave as it was.</summary>
        public string Snapshot() =>
            $"{Version}|{Stage}|{StageEnteredAt:O}|{History.Count}|{Evidence.Count}|{Terms}|{Status}|{PendingApprovalId}|{ApprovedValue}|{StallLevel}|{NeedsIntervention}|{Signal}|{OwnerId}|{OwnerTeamId}|{TaskIds.Count}|{FiredDeadlines.Count}|{AppliedHandovers.Count}";
    }

    private static OpportunityAggregate On(Data data) => new(Id, data, Options);

    /// <summary>An opened deal, its opening already recorded.</summary>
    private static Data Opened(decimal amount = 100_000m)
    {
        var data = new Data();
        On(data).Open(Rep, Customer, Terms(amount), B2B, T0);
        return data;
    }

    /// <summary>An opened deal in PriceNegotiation with the quote in hand, at version 7.</summary>
    private static Data InPriceNegotiation(decimal amount)
    {
        var data = Opened(amount);
        foreach (var (kind, next) in new[] { ("meeting_minutes", "ProposalSubmitted"), ("proposal_document", "PriceNegotiation") })
        {
            On(data).AddEvidence(kind, "DOC-1", "", Rep, T0);
            On(data).ChangeStage(next, "", 0, Rep, null, T0);
        }
        On(data).AddEvidence("quote", "DOC-q", "", Rep, T0);
        return data;
    }

    private static void Unchanged(Data data, OpportunityAggregate aggregate, string before)
    {
        Assert.Equal(before, data.Snapshot());
        Assert.Empty(aggregate.Events);
        Assert.Empty(aggregate.FollowUps);
    }

    [Fact]
    public void Opening_raises_opened_as_version_1_and_links_the_customer_and_owner_lists()
    {
        var data = new Data();
        var aggregate = On(data);

        aggregate.Open(Rep, Customer, Terms(100_000m), B2B, T0);

        Assert.Equal([new Raised<OpportunityEvent>(1, new E.Opened())], aggregate.Events);
        Assert.Equal<OpportunityFollowUp>(
            [
                new F.ReportToCustomer("cus_1", Id, new DealFacts(OpportunityStatus.Open, new Money(100_000m, "EUR"), ForecastSignal.None, [], null, 0)),
                new F.LinkToCustomer("cus_1", Id, true), new F.LinkToOwner("rita", Id, true),
            ],
            aggregate.FollowUps);
        Assert.Equal(("NeedsConfirmed", "rita", "north", OpportunityStatus.Open, 1L), (data.Stage, data.OwnerId, data.OwnerTeamId, data.Status, data.Version));
        Assert.Equal(new StageChangeRecord(null, "NeedsConfirmed", T0, "rita", "opened"), Assert.Single(data.History));
    }

    [Fact]
    public void Opening_twice_or_on_someone_elses_customer_is_refused_and_changes_nothing()
    {
        var data = Opened();
        var before = data.Snapshot();
        var again = On(data);
        Assert.Throws<AlreadyExistsException>(() => again.Open(Rep, Customer, Terms(1m), B2B, T0));
        Unchanged(data, again, before);

        var fresh = new Data();
        var denied = On(fresh);
        Assert.Throws<AccessDeniedException>(() => denied.Open(OtherRep, Customer, Terms(1m), B2B, T0));
        Assert.False(fresh.Created);
        Assert.Empty(denied.Events);
    }

    [Fact]
    public void Evidence_is_recorded_with_the_next_sequence_and_restarts_the_stall_clock()
    {
        var data = Opened();
        data.StallLevel = StallLevel.Yellow;
        var aggregate = On(data);

        aggregate.AddEvidence("meeting_minutes", "DOC-1", "kick-off", Rep, T0.AddDays(3));

        var evidence = new Evidence("meeting_minutes", "DOC-1", "kick-off", "rita", T0.AddDays(3));
        Assert.Equal(
            [new Raised<OpportunityEvent>(2, new E.EvidenceAdded(evidence)), new Raised<OpportunityEvent>(3, new E.StallChanged(StallLevel.Yellow, StallLevel.None, null))],
            aggregate.Events);
        Assert.Equal<OpportunityFollowUp>([new F.SetTeamStall("north", Id, StallLevel.None)], aggregate.FollowUps);
        Assert.Equal((T0.AddDays(3), 3L), (data.StallClockStart, data.Version));
    }

    [Fact]
    public void Leaving_a_stage_without_its_evidence_lists_the_missing_kinds_and_changes_nothing()
    {
        var data = Opened();
        var before = data.Snapshot();
        var aggregate = On(data);

        var error = Assert.Throws<MissingEvidenceException>(() => aggregate.ChangeStage("ProposalSubmitted", "", 0, Rep, null, T0));

        Assert.Equal(["meeting_minutes"], error.Missing);
        Unchanged(data, aggregate, before);
    }

    [Fact]
    public void Skipping_a_stage_a_stale_version_and_going_back_without_a_reason_are_refused_and_change_nothing()
    {
        var data = InPriceNegotiation(100_000m);
        var before = data.Snapshot();
        var aggregate = On(data);

        Assert.Throws<PreconditionFailedException>(() => On(Opened()).ChangeStage("PriceNegotiation", "", 0, Rep, null, T0));
        Assert.Throws<ConcurrencyConflictException>(() => aggregate.ChangeStage("ContractApproval", "", data.Version - 1, Rep, null, T0));
        Assert.Equal("reason", Assert.Throws<ValidationException>(() => aggregate.ChangeStage("NeedsConfirmed", "", 0, Rep, null, T0)).Field);
        Assert.Throws<AccessDeniedException>(() => aggregate.ChangeStage("ContractApproval", "", 0, OtherRep, null, T0));
        Unchanged(data, aggregate, before);
    }

    [Fact]
    public void Going_back_with_a_reason_records_the_move_and_who_made_it()
    {
        var data = InPriceNegotiation(100_000m);
        var version = data.Version;
        var aggregate = On(data);

        aggregate.ChangeStage("ProposalSubmitted", "customer reopened scope", 0, Rep, null, T0.AddDays(1));

        var change = new StageChangeRecord("PriceNegotiation", "ProposalSubmitted", T0.AddDays(1), "rita", "customer reopened scope");
        Assert.Equal([new Raised<OpportunityEvent>(version + 1, new E.StageChanged(change))], aggregate.Events);
        Assert.Equal(("ProposalSubmitted", T0.AddDays(1)), (data.Stage, data.StageEnteredAt));
    }

    [Fact]
    public void Entering_approval_above_the_threshold_files_an_approval_plans_the_stage_tasks_and_locks_the_deal()
    {
        var data = InPriceNegotiation(600_000m);
        var version = data.Version;
        var aggregate = On(data);

        Assert.True(aggregate.CheckChangeStage("ContractApproval", "", 0, Rep));
        Assert.Throws<InvalidOperationException>(() => aggregate.ChangeStage("ContractApproval", "", 0, Rep, null, T0));
        aggregate.ChangeStage("ContractApproval", "", 0, Rep, "dora", T0.AddDays(1));

        var approvalId = $"{Id}/approval/4";
        var request = new ApprovalRequest(Id, "rita", "north", "dora", new Money(600_000m, "EUR"));
        var change = new StageChangeRecord("PriceNegotiation", "ContractApproval", T0.AddDays(1), "rita", "");
        Assert.Equal(
            [
                new Raised<OpportunityEvent>(version + 1, new E.StageChanged(change)),
                new Raised<OpportunityEvent>(version + 2, new E.ApprovalRequested(approvalId, request, T0.AddDays(1))),
            ],
            aggregate.Events);
        var task = new TaskPlan($"{Id}/task/4/0", "legal", "Review", "ContractApproval", T0.AddDays(3));
        Assert.Equal<OpportunityFollowUp>([new F.CreateTask(task, Id, "north"), new F.FileApproval(approvalId, request)], aggregate.FollowUps);
        Assert.Equal((approvalId, request), (data.PendingApprovalId, data.PendingApproval));
        Assert.Equal(Id, ApprovalIds.OpportunityOf(approvalId));

        var before = data.Snapshot();
        var locked = On(data);
        Assert.Contains("locked", Assert.Throws<PreconditionFailedException>(() => locked.UpdateTerms(null, new Money(1m, "EUR"), null, 0, Rep, null, T0)).Message, StringComparison.Ordinal);
        Assert.Contains("waits for approval", Assert.Throws<PreconditionFailedException>(() => locked.ChangeStage("PriceNegotiation", "why", 0, Rep, null, T0)).Message, StringComparison.Ordinal);
        Unchanged(data, locked, before);
    }

    [Fact]
    public void A_rejection_unlocks_the_deal_and_returns_it_to_price_negotiation_once()
    {
        var data = InPriceNegotiation(600_000m);
        On(data).ChangeStage("ContractApproval", "", 0, Rep, "dora", T0);
        var approvalId = data.PendingApprovalId!;
        var request = data.PendingApproval!;
        var version = data.Version;
        var aggregate = On(data);

        aggregate.ApplyApprovalDecision(approvalId, false, "dora", T0.AddDays(1), "margin", T0, T0.AddDays(1));

        var back = new StageChangeRecord("ContractApproval", "PriceNegotiation", T0.AddDays(1), "dora", "approval rejected by dora: margin");
        Assert.Equal(
            [
                new Raised<OpportunityEvent>(version + 1, new E.ApprovalDecided(approvalId, request, false, T0, "dora", T0.AddDays(1), "margin")),
                new Raised<OpportunityEvent>(version + 2, new E.StageChanged(back)),
            ],
            aggregate.Events);
        Assert.Equal(("PriceNegotiation", null, null), (data.Stage, data.PendingApprovalId, data.ApprovedValue));

        var replay = On(data);
        replay.ApplyApprovalDecision(approvalId, false, "dora", T0.AddDays(1), "margin", T0, T0.AddDays(2));
        Assert.False(replay.Changed);
    }

    [Fact]
    public void Raising_an_approved_amount_asks_again_with_an_approval_id_of_its_own_and_lowering_it_does_not()
    {
        var data = InPriceNegotiation(600_000m);
        On(data).ChangeStage("ContractApproval", "", 0, Rep, "dora", T0);
        On(data).ApplyApprovalDecision(data.PendingApprovalId!, true, "dora", T0, "fine", T0, T0);

        var lower = On(data);
        Assert.False(lower.CheckUpdateTerms(null, new Money(550_000m, "EUR"), null, 0, Rep, T0));
        lower.UpdateTerms(null, new Money(550_000m, "EUR"), null, 0, Rep, null, T0);
        var raise = On(data);
        Assert.True(raise.CheckUpdateTerms(null, new Money(900_000m, "EUR"), null, 0, Rep, T0));
        raise.UpdateTerms(null, new Money(900_000m, "EUR"), null, 0, Rep, "dora", T0);

        Assert.Equal(data.Version - 1, raise.Events[0].Sequence);
        Assert.Equal(["value"], Assert.IsType<E.TermsChanged>(raise.Events[0].Event).ChangedFields);
        var requested = Assert.IsType<E.ApprovalRequested>(raise.Events[1].Event);
        Assert.Equal($"{Id}/approval/4-v{data.Version - 1}", requested.ApprovalId);
        Assert.Equal(Id, ApprovalIds.OpportunityOf(requested.ApprovalId));
        Assert.Equal(requested.ApprovalId, data.PendingApprovalId);
        Assert.Null(data.ApprovedValue);
        // Lowering asks nobody; the customer only learns the new value (a grading input).
        Assert.Equal(new Money(550_000m, "EUR"), Assert.IsType<F.ReportToCustomer>(Assert.Single(lower.FollowUps)).Facts.Value);
    }

    [Fact]
    public void Unchanged_terms_raise_nothing()
    {
        var data = Opened();
        var aggregate = On(data);

        aggregate.UpdateTerms("Fleet", null, null, 0, Rep, null, T0);

        Assert.False(aggregate.Changed);
        Assert.Equal(1, data.Version);
    }

    [Fact]
    public void Winning_a_red_deal_clears_its_stall_closes_the_lists_and_records_the_win_on_the_customer()
    {
        var data = InPriceNegotiation(100_000m);
        On(data).ChangeStage("ContractApproval", "", 0, Rep, null, T0);
        On(data).AddEvidence("signed_contract", "DOC-c", "", Rep, T0);
        data.StallLevel = StallLevel.Red;
        var version = data.Version;
        var aggregate = On(data);

        aggregate.Win("product_fit", "", 0, Rep, T0.AddDays(1));

        Assert.Equal(
            [
                new Raised<OpportunityEvent>(version + 1, new E.StallChanged(StallLevel.Red, StallLevel.None, null)),
                new Raised<OpportunityEvent>(version + 2, new E.Won()),
            ],
            aggregate.Events);
        Assert.Equal<OpportunityFollowUp>(
            [
                new F.ReportToCustomer("cus_1", Id, new DealFacts(OpportunityStatus.Won, new Money(100_000m, "EUR"), ForecastSignal.None, [], T0.AddDays(1), version)),
                new F.LinkToCustomer("cus_1", Id, false), new F.LinkToOwner("rita", Id, false), new F.RecordCustomerWin("cus_1", T0.AddDays(1)),
                new F.SetTeamStall("north", Id, StallLevel.None),
            ],
            aggregate.FollowUps);
        Assert.Equal(OpportunityStatus.Won, data.Status);
        Assert.Equal(new StageChangeRecord("ContractApproval", "won", T0.AddDays(1), "rita", "won"), data.History[^1]);
    }

    [Fact]
    public void Winning_outside_the_last_stage_or_losing_with_an_unknown_reason_changes_nothing()
    {
        var data = InPriceNegotiation(100_000m);
        var before = data.Snapshot();
        var aggregate = On(data);

        Assert.Throws<PreconditionFailedException>(() => aggregate.Win("product_fit", "", 0, Rep, T0));
        Assert.Equal("reason", Assert.Throws<ValidationException>(() => aggregate.Lose("bored", "", 0, Rep, T0)).Field);

        Unchanged(data, aggregate, before);
    }

    [Fact]
    public void A_lost_deal_cannot_change_any_more()
    {
        var data = Opened();
        On(data).Lose("price", "too dear", 0, Rep, T0);
        var before = data.Snapshot();
        var aggregate = On(data);

        Assert.Throws<PreconditionFailedException>(() => aggregate.AddEvidence("quote", "DOC", "", Rep, T0));

        Unchanged(data, aggregate, before);
        Assert.Equal(("price", "too dear", OpportunityStatus.Lost), (data.LostReason, data.LostNote, data.Status));
    }

    [Fact]
    public void A_due_yellow_stall_fires_once_and_tells_the_owner()
    {
        var data = Opened();
        var yellow = Assert.Single(On(data).Deadlines(), d => d.Rule == StallRules.Yellow);
        var early = On(data);
        early.DeadlineDue(yellow, yellow.DueAt.AddMinutes(-1));
        Assert.False(early.Changed);
        var aggregate = On(data);

        aggregate.DeadlineDue(yellow, yellow.DueAt);

        Assert.Equal([new Raised<OpportunityEvent>(2, new E.StallChanged(StallLevel.None, StallLevel.Yellow, yellow.DueAt))], aggregate.Events);
        var notify = Assert.IsType<F.Notify>(aggregate.FollowUps[1]);
        Assert.Equal(new F.SetTeamStall("north", Id, StallLevel.Yellow), aggregate.FollowUps[0]);
        Assert.Equal(("rita", $"{yellow.FiringKey(Id)}:rita", "stage_stall"), (notify.RecipientId, notify.Notification.Id, notify.Notification.Kind));
        Assert.Equal(2, aggregate.FollowUps.Count);
        Assert.DoesNotContain(yellow, On(data).Deadlines());
        var again = On(data);
        again.DeadlineDue(yellow, yellow.DueAt.AddDays(1));
        Assert.False(again.Changed);
    }

    [Fact]
    public void A_decayed_signal_asks_the_manager_to_intervene_and_advancing_the_signal_clears_it()
    {
        var data = Opened();
        On(data).AddEvidence("price_request", "DOC-p", "", Rep, T0);
        On(data).AddEvidence("demo_acceptance", "DOC-d", "", Rep, T0);
        On(data).SetSignal(ForecastSignal.L1, [], null, new HashSet<string>(), 0, Rep, T0);
        var decay = Assert.Single(On(data).Deadlines(), d => d.Rule == SignalDecayRules.Rule);
        var fire = On(data);
        fire.DeadlineDue(decay, decay.DueAt);

        Assert.Equal([new E.InterventionChanged(true)], fire.Events.Select(e => e.Event));
        Assert.Equal(new F.SetTeamIntervention("north", Id, true), fire.FollowUps[0]);
        Assert.Equal(("north", null, decay.FiringKey(Id)), Assert.IsType<F.NotifyTeamManager>(fire.FollowUps[1]) is var m ? (m.TeamId, m.ExceptUserId, m.KeyPrefix) : default);

        var advance = On(data);
        advance.SetSignal(ForecastSignal.L2, [], null, new HashSet<string>(), 0, Rep, decay.DueAt.AddDays(1));
        Assert.Equal<OpportunityEvent>(
            [new E.InterventionChanged(false), new E.SignalChanged(ForecastSignal.L1, ForecastSignal.L2)], advance.Events.Select(e => e.Event));
        Assert.Equal((false, decay.DueAt.AddDays(1)), (data.NeedsIntervention, data.SignalChangedAt));
    }

    [Fact]
    public void A_signal_without_its_evidence_is_refused_and_changes_nothing()
    {
        var data = Opened();
        var before = data.Snapshot();
        var aggregate = On(data);

        Assert.Throws<PreconditionFailedException>(() => aggregate.SetSignal(ForecastSignal.L2, [], null, new HashSet<string>(), 0, Rep, T0));

        Unchanged(data, aggregate, before);
    }

    [Fact]
    public void A_handover_moves_the_deal_once_with_its_team_lists_and_a_replay_does_nothing()
    {
        var data = Opened();
        data.StallLevel = StallLevel.Red;
        var aggregate = On(data);
        Assert.Equal(HandoverMove.Moves, aggregate.CheckHandOver("h1", "rita"));
        Assert.Throws<InvalidOperationException>(() => aggregate.HandOver("h1", "rita", null));

        aggregate.HandOver("h1", "rita", new OpportunityOwner("sam", "south"));

        Assert.Equal([new Raised<OpportunityEvent>(2, new E.OwnerChanged("rita", "sam", "south", "handover h1"))], aggregate.Events);
        Assert.Equal<OpportunityFollowUp>(
            [
                new F.LinkToCustomer("cus_1", Id, true), new F.LinkToOwner("sam", Id, true), new F.LinkToOwner("rita", Id, false),
                new F.SetTeamStall("north", Id, StallLevel.None), new F.SetTeamIntervention("north", Id, false),
                new F.SetTeamStall("south", Id, StallLevel.Red),
            ],
            aggregate.FollowUps);
        Assert.Equal(("sam", "south"), (data.OwnerId, data.OwnerTeamId));
        Assert.Equal(["h1"], data.AppliedHandovers);
        var replay = On(data);
        Assert.Equal(HandoverMove.AlreadyApplied, replay.HandOver("h1", "rita", null));
        Assert.False(replay.Changed);
    }

    [Fact]
    public void A_team_move_of_the_owner_moves_the_deals_team_lists_and_is_idempotent()
    {
        var data = Opened();
        data.NeedsIntervention = true;
        var aggregate = On(data);

        aggregate.OwnerTeamChanged("rita", "south");
        var again = On(data);
        again.OwnerTeamChanged("rita", "south");

        Assert.Equal([new Raised<OpportunityEvent>(2, new E.OwnerChanged("rita", "rita", "south", "the owner moved to another team"))], aggregate.Events);
        Assert.Equal<OpportunityFollowUp>(
            [new F.SetTeamStall("north", Id, StallLevel.None), new F.SetTeamIntervention("north", Id, false), new F.SetTeamIntervention("south", Id, true)],
            aggregate.FollowUps);
        Assert.False(again.Changed);
    }

    [Fact]
    public void A_pending_approval_is_rerouted_once_to_the_new_approver()
    {
        var data = InPriceNegotiation(600_000m);
        On(data).ChangeStage("ContractApproval", "", 0, Rep, "dora", T0);
        var approvalId = data.PendingApprovalId!;
        var aggregate = On(data);

        aggregate.RerouteApproval(approvalId, "dora", "dave", T0);
        var again = On(data);
        again.RerouteApproval(approvalId, "dora", "dave", T0);

        var request = new ApprovalRequest(Id, "rita", "north", "dave", new Money(600_000m, "EUR"));
        Assert.Equal([new E.ApprovalRerouted(approvalId, request, "dora", T0)], aggregate.Events.Select(e => e.Event));
        Assert.Equal<OpportunityFollowUp>([new F.FileApproval(approvalId, request)], aggregate.FollowUps);
        Assert.False(again.Changed);
    }

    [Fact]
    public void A_next_action_needs_a_due_date_and_one_restarts_the_stall_clock()
    {
        var data = Opened();
        var before = data.Snapshot();
        var refused = On(data);
        Assert.Equal("due_at", Assert.Throws<ValidationException>(() => refused.SetNextAction("call", null, Rep, T0)).Field);
        Unchanged(data, refused, before);
        var aggregate = On(data);

        aggregate.SetNextAction("call", T0.AddDays(10), Rep, T0.AddDays(2));

        Assert.Equal([new Raised<OpportunityEvent>(2, new E.NextActionPlanned("call", T0.AddDays(10)))], aggregate.Events);
        Assert.Equal(("call", T0.AddDays(10), T0.AddDays(2)), (data.NextAction, data.NextActionDueAt, data.StallClockStart));
    }

    [Fact]
    public void Approval_ids_name_their_opportunity_and_anything_else_names_none()
    {
        Assert.Equal("opp_1", ApprovalIds.OpportunityOf("opp_1/approval/3"));
        Assert.Equal("opp_1", ApprovalIds.OpportunityOf("opp_1/approval/3-v12"));
        Assert.Null(ApprovalIds.OpportunityOf("opp_1/task/3"));
        Assert.Null(ApprovalIds.OpportunityOf("opp_1/approval/x"));
        Assert.Null(ApprovalIds.OpportunityOf("opp_1/approval/3-v"));
        Assert.Null(ApprovalIds.OpportunityOf("/approval/3"));
        Assert.Null(ApprovalIds.OpportunityOf("opp_1/approval/3/4"));
        Assert.Null(ApprovalIds.OpportunityOf(null));
    }
}
