using ActorSales.Domain.Customers;
using ActorSales.Domain.Deadlines;
using ActorSales.Domain.Errors;
using ActorSales.Domain.People;
using ActorSales.Domain.Pipeline;
using Record = ActorSales.Domain.UnitTests.TestCustomerRecord;

namespace ActorSales.Domain.UnitTests;

/// <summary>The grading rule and the aggregate's regrades, without a silo.</summary>
public sealed class CustomerGradingTests
{
    private const string Id = "cus-1";
    private static readonly DateTimeOffset Now = new(2026, 11, 2, 10, 0, 0, TimeSpan.Zero);
    private static readonly GradingOptions Options = new();
    private static readonly CustomerOwner Rep = new("rep-1", "north", SalespersonStatus.Active, "Europe/Berlin");

    private static DealFacts Deal(OpportunityStatus status, decimal amount, string currency = "EUR", ForecastSignal signal = ForecastSignal.None,
        DateTimeOffset? closedAt = null, long version = 1, params string[] people) =>
        new(status, new Money(amount, currency), signal, people, closedAt, version);

    private static Record WithDeals(params DealFacts[] deals)
    {
        var record = new Record { Registered = true, CreatedAt = Now.AddDays(-400) };
        for (var i = 0; i < deals.Length; i++)
        {
            record.Deals[$"opp-{i}"] = deals[i];
        }
        return record;
    }

    [Fact]
    public void Purchase_potential_adds_open_deals_and_recent_wins_as_shares_of_the_full_amount_per_currency()
    {
        var options = new GradingOptions { FullPotentialAmountByCurrency = new() { ["CNY"] = 4_000_000m } };
        var record = WithDeals(
            Deal(OpportunityStatus.Open, 100_000m),
            Deal(OpportunityStatus.Won, 150_000m, closedAt: Now.AddDays(-100)),
            Deal(OpportunityStatus.Won, 1_000_000m, closedAt: Now.AddDays(-366)), // won before the period
            Deal(OpportunityStatus.Lost, 900_000m, closedAt: Now.AddDays(-1)),
            Deal(OpportunityStatus.Open, 400_000m, "CNY"));

        var (raw, detail, score) = CustomerGrading.PurchasePotential(record, options, Now);

        Assert.Equal((60m, 60), (raw, score)); // 250,000 / 500,000 = 50 % plus 400,000 / 4,000,000 = 10 %
        Assert.Equal("400000 CNY of 4000000, 250000 EUR of 500000 (open deals and recent wins)", detail);
    }

    [Fact]
    public void Purchase_potential_reports_the_uncapped_share_and_scores_at_most_100()
    {
        var (raw, _, score) = CustomerGrading.PurchasePotential(WithDeals(Deal(OpportunityStatus.Open, 1_250_000m)), Options, Now);

        Assert.Equal((250m, 100), (raw, score));
        Assert.Equal(0, CustomerGrading.PurchasePotential(WithDeals(), Options, Now).Score);
    }

    [Fact]
    public void Cooperation_stage_is_the_furthest_point_reached()
    {
        Assert.Equal(0, CustomerGrading.CooperationStage(WithDeals(), Options, Now).Score);
        Assert.Equal(0, CustomerGrading.CooperationStage(WithDeals(Deal(OpportunityStatus.Lost, 1m, closedAt: Now)), Options, Now).Score);
        Assert.Equal(25, CustomerGrading.CooperationStage(WithDeals(Deal(OpportunityStatus.Open, 1m)), Options, Now).Score);
        Assert.Equal(65, CustomerGrading.CooperationStage(
            WithDeals(Deal(OpportunityStatus.Open, 1m, signal: ForecastSignal.L1), Deal(OpportunityStatus.Open, 1m, signal: ForecastSignal.L3)), Options, Now).Score);
        Assert.Equal(80, CustomerGrading.CooperationStage(WithDeals(Deal(OpportunityStatus.Open, 1m, signal: ForecastSignal.L4)), Options, Now).Score);
        Assert.Equal(100, CustomerGrading.CooperationStage(WithDeals(Deal(OpportunityStatus.Won, 1m, closedAt: Now.AddDays(-365))), Options, Now).Score);
        Assert.Equal(60, CustomerGrading.CooperationStage(WithDeals(Deal(OpportunityStatus.Won, 1m, closedAt: Now.AddDays(-366))), Options, Now).Score);
    }

    [Fact]
    public void Cooperation_stage_reads_rows_from_before_deal_facts_by_their_open_ids_and_latest_win()
    {
        var legacy = WithDeals();
        legacy.OpenOpportunityIds.Add("opp-old");
        Assert.Equal((25m, "an open deal"), CustomerGrading.CooperationStage(legacy, Options, Now) is var c ? (c.Raw, c.Detail) : default);

        legacy.LastWonAt = Now.AddDays(-10);
        Assert.Equal(100, CustomerGrading.CooperationStage(legacy, Options, Now).Score);
    }

    [Fact]
    public void Decision_chain_counts_distinct_L3_decision_makers_and_reachable_key_contacts_with_a_title()
    {
        var record = WithDeals(
            Deal(OpportunityStatus.Open, 1m, people: ["anna@acme.com", "name:bo"]),
            Deal(OpportunityStatus.Lost, 1m, closedAt: Now, people: ["lost@acme.com"]));
        record.Details = new CustomerDetails("Acme", "Acme", "", CustomerTier.B,
        [
            new Contact("Anna", "CFO", "", "ANNA@acme.com", Key: true), // the same person as a decision maker
            new Contact("Carl", "Head of IT", "+49 30 1", "", Key: true),
            new Contact("Dora", "", "+49 30 2", "", Key: true),          // no title
            new Contact("Emil", "Buyer", "+49 30 3", "", Key: false),    // not a key contact
            new Contact("Fay", "COO", "", "", Key: true),                // no way to reach them
        ], null, SourceChannel.Referral);

        var (raw, detail, score) = CustomerGrading.DecisionChain(record, Options);

        Assert.Equal((3m, 100, "3 of 3 decision makers named"), (raw, score, detail));
        Assert.Equal(67, CustomerGrading.DecisionChain(WithDeals(Deal(OpportunityStatus.Open, 1m, people: ["a@x.com", "b@x.com"])), Options).Score);
    }

    [Fact]
    public void Interaction_frequency_counts_real_follow_ups_within_the_window()
    {
        var record = WithDeals();
        record.RecentFollowUps = [Now.AddDays(-31), Now.AddDays(-30), Now.AddDays(-29), Now.AddDays(-1), Now];

        var (raw, _, score) = CustomerGrading.InteractionFrequency(record, Options, Now);

        Assert.Equal((3m, 75), (raw, score)); // -30 d is outside (the window is (now - 30 d, now])
        record.RecentFollowUps = [.. Enumerable.Range(0, 9).Select(i => Now.AddHours(-i))];
        Assert.Equal(100, CustomerGrading.InteractionFrequency(record, Options, Now).Score);
    }

    [Fact]
    public void Interaction_frequency_of_a_row_from_before_grading_counts_its_latest_follow_up()
    {
        var record = WithDeals();
        record.LastFollowUpAt = Now.AddDays(-3);
        Assert.Equal(25, CustomerGrading.InteractionFrequency(record, Options, Now).Score);
        record.LastFollowUpAt = Now.AddDays(-40);
        Assert.Equal(0, CustomerGrading.InteractionFrequency(record, Options, Now).Score);
    }

    [Fact]
    public void Noting_follow_ups_keeps_only_the_window_and_a_bounded_number()
    {
        var recent = new List<DateTimeOffset> { Now.AddDays(-40) };
        for (var i = 0; i < 30; i++)
        {
            CustomerGrading.NoteFollowUp(recent, Now.AddMinutes(-i), Options, Now);
        }

        Assert.Equal(16, recent.Count);
        Assert.Equal(Now, recent[^1]);
        Assert.DoesNotContain(Now.AddDays(-40), recent);
    }

    [Fact]
    public void The_total_is_the_weighted_mean_and_each_contribution_is_score_times_weight_over_the_sum()
    {
        var record = WithDeals(Deal(OpportunityStatus.Open, 250_000m, signal: ForecastSignal.L2, people: ["a@x.com"]));
        record.RecentFollowUps = [Now.AddDays(-1), Now.AddDays(-2)];

        var result = CustomerGrading.Compute(record, Options, Now, GradeTriggers.Scheduled);

        // potential 50 x 30, stage 50 x 30, chain 33 x 20, interaction 50 x 20: (1500 + 1500 + 660 + 1000) / 100
        Assert.Equal(
            [
                (GradeFactors.PurchasePotential, 50, 30, 15m),
                (GradeFactors.CooperationStage, 50, 30, 15m),
                (GradeFactors.DecisionChain, 33, 20, 6.6m),
                (GradeFactors.InteractionFrequency, 50, 20, 10m),
                (GradeFactors.PaymentRecord, 0, 0, 0m), // no instalment due: not counted
            ],
            result.Factors.Select(f => (f.Factor, f.Score, f.Weight, f.Contribution)));
        Assert.Equal((46.6m, CustomerGrade.C, Now, GradeTriggers.Scheduled), (result.Score, result.Grade, result.ComputedAt, result.Trigger));
    }

    private static OrderPaymentFacts OrderFacts(long version, (double DueDays, decimal Amount)[] plan, (double ReceivedDays, decimal Amount)[] paid, bool cancelled = false) =>
        new(cancelled, [.. plan.Select(i => new InstalmentDue(Now.AddDays(i.DueDays), i.Amount))],
            [.. paid.Select(p => new PaymentReceived(Now.AddDays(p.ReceivedDays), p.Amount))], version);

    [Fact]
    public void Payment_record_is_the_share_of_due_instalments_paid_on_time_and_weighs_in_once_one_is_due()
    {
        var record = WithDeals(Deal(OpportunityStatus.Open, 250_000m, signal: ForecastSignal.L2, people: ["a@x.com"]));
        record.RecentFollowUps = [Now.AddDays(-1), Now.AddDays(-2)];
        // Order 1: 100 due day -30 paid day -31 (on time), 100 due day -10 paid day -5 (late: only 100 of 200 by then),
        // 100 due day +10 (not yet due). Order 2: 50 due day -1, unpaid. Order 3, cancelled: counts for nothing.
        record.Orders["o1"] = OrderFacts(3, [(-30, 100m), (-10, 100m), (10, 100m)], [(-31, 100m), (-5, 100m)]);
        record.Orders["o2"] = OrderFacts(1, [(-1, 50m)], []);
        record.Orders["o3"] = OrderFacts(2, [(-20, 70m)], [], cancelled: true);

        var result = CustomerGrading.Compute(record, Options, Now, GradeTriggers.Payment);

        // 1 of 3 due on time: 33.33 % -> 33; total (1500 + 1500 + 660 + 1000 + 33 x 20) / 120 = 44.33 -> 44.3.
        var factor = result.Factors.Single(f => f.Factor == GradeFactors.PaymentRecord);
        Assert.Equal((33.33m, "1 of 3 instalments due paid on time", 33, 20, 5.5m), (factor.RawValue, factor.Detail, factor.Score, factor.Weight, factor.Contribution));
        Assert.Equal(44.3m, result.Score);
    }

    [Fact]
    public void An_instalment_is_on_time_only_when_payments_by_its_due_time_cover_it_and_every_earlier_one()
    {
        var facts = OrderFacts(1, [(-20, 100m), (-10, 100m)], [(-25, 150m), (-10, 50m)]);
        Assert.Equal((2, 2), facts.Punctuality(Now));
        Assert.Equal((1, 1), facts.Punctuality(Now.AddDays(-15)));
        Assert.Equal((2, 1), OrderFacts(1, [(-20, 100m), (-10, 100m)], [(-25, 150m), (-9, 50m)]).Punctuality(Now));
        Assert.Equal((0, 0), OrderFacts(1, [(-20, 100m)], [], cancelled: true).Punctuality(Now));
    }

    [Fact]
    public void Weights_are_relative_and_a_zero_weight_factor_adds_nothing()
    {
        var options = new GradingOptions { PurchasePotentialWeight = 1, CooperationStageWeight = 0, DecisionChainWeight = 0, InteractionFrequencyWeight = 1 };
        var record = WithDeals(Deal(OpportunityStatus.Won, 500_000m, closedAt: Now.AddDays(-1)));

        var result = CustomerGrading.Compute(record, options, Now, GradeTriggers.Deal);

        Assert.Equal(50m, result.Score); // potential 100 and interaction 0, equally weighted; the win's stage 100 weighs nothing
        Assert.Equal(0m, result.Factors.Single(f => f.Factor == GradeFactors.CooperationStage).Contribution);
    }

    [Theory]
    [InlineData("100", CustomerGrade.APlus)]
    [InlineData("85", CustomerGrade.APlus)]
    [InlineData("84.9", CustomerGrade.A)]
    [InlineData("70", CustomerGrade.A)]
    [InlineData("69.9", CustomerGrade.B)]
    [InlineData("50", CustomerGrade.B)]
    [InlineData("49.9", CustomerGrade.C)]
    [InlineData("0", CustomerGrade.C)]
    public void A_score_at_a_threshold_reaches_its_grade(string score, CustomerGrade grade) =>
        Assert.Equal(grade, CustomerGrading.GradeFor(decimal.Parse(score, System.Globalization.CultureInfo.InvariantCulture), Options));

    [Fact]
    public void Thresholds_are_configuration()
    {
        var strict = new GradingOptions { APlusFrom = 95, AFrom = 90, BFrom = 80 };
        Assert.Equal((CustomerGrade.A, CustomerGrade.C), (CustomerGrading.GradeFor(90m, strict), CustomerGrading.GradeFor(79.9m, strict)));
    }

    [Fact]
    public void Invalid_options_are_named()
    {
        Assert.Empty(new GradingOptions().Validate());
        var problems = new GradingOptions
        {
            PurchasePotentialWeight = 0, CooperationStageWeight = 0, DecisionChainWeight = 0, InteractionFrequencyWeight = 0,
            AFrom = 90, RecomputeEvery = TimeSpan.Zero, FullPotentialAmount = 0,
        }.Validate().ToList();

        Assert.Equal(4, problems.Count);
        Assert.All(problems, p => Assert.StartsWith("ActorSales:Grading:", p, StringComparison.Ordinal));
    }

    private static (Record Record, CustomerAggregate Aggregate) Registered()
    {
        var record = new Record();
        var details = CustomerRules.Validate(new CustomerDetails("Acme Hospital", "Acme", "Healthcare", CustomerTier.A,
            [new Contact("Anna", "Head of Cardiology", "+49 30 1234", "anna@acme.com")], null, SourceChannel.Referral));
        var aggregate = new CustomerAggregate(Id, record, new CustomerDeadlines(new DeadlineOptions()), Options);
        aggregate.Register(details, Rep, DedupKeys.For(details), Now);
        return (record, aggregate);
    }

    private static CustomerAggregate On(Record record) => new(Id, record, new CustomerDeadlines(new DeadlineOptions()), Options);

    [Fact]
    public void Registration_grades_the_customer_within_its_own_event_and_schedules_the_first_regrade()
    {
        var (record, aggregate) = Registered();

        Assert.IsType<CustomerEvent.Registered>(Assert.Single(aggregate.Events).Event);
        Assert.Equal((CustomerGrade.C, 0m, GradeTriggers.Registered), (record.Grade!.Grade, record.Grade.Score, record.Grade.Trigger));
        Assert.Equal(new GradeChange(CustomerGrade.Unspecified, CustomerGrade.C, 0m, Now, GradeTriggers.Registered), Assert.Single(record.GradeHistory));
        Assert.Equal(Now.AddHours(72), record.GradeDueAt);
        Assert.Contains(new Deadline(CustomerGrading.RecomputeRule, Now.AddHours(72)), aggregate.WantedDeadlines());
    }

    [Fact]
    public void A_deal_report_regrades_at_once_and_a_changed_grade_is_one_event_after_the_change()
    {
        var (record, _) = Registered();
        var aggregate = On(record);

        aggregate.RecordDeal("opp-1", Deal(OpportunityStatus.Won, 500_000m, closedAt: Now, version: 5, people: ["b@acme.com", "c@acme.com"]), Now.AddHours(1));

        // (potential 100 x 30 + stage 100 x 30 + chain 67 x 20 (b and c; anna is no key contact) + interaction 0) / 100
        var changed = Assert.IsType<CustomerEvent.GradeChanged>(Assert.Single(aggregate.Events).Event);
        Assert.Equal((CustomerGrade.C, CustomerGrade.A), (changed.Previous, changed.Computed.Grade));
        Assert.Equal(73.4m, record.Grade!.Score);
        Assert.Equal(2L, Assert.Single(aggregate.Events).Sequence);
        Assert.Equal(CustomerGrade.A, record.GradeHistory[^1].To);
        Assert.Equal(Now.AddHours(72), record.GradeDueAt); // a change does not move the scheduled regrade
    }

    [Fact]
    public void A_repeated_or_older_deal_report_changes_nothing()
    {
        var (record, _) = Registered();
        On(record).RecordDeal("opp-1", Deal(OpportunityStatus.Open, 100m, version: 5), Now);

        var replay = On(record);
        replay.RecordDeal("opp-1", Deal(OpportunityStatus.Open, 100m, version: 5), Now);
        var older = On(record);
        older.RecordDeal("opp-1", Deal(OpportunityStatus.Won, 100m, closedAt: Now, version: 4), Now);

        Assert.False(replay.Changed);
        Assert.False(older.Changed);
        Assert.Equal(OpportunityStatus.Open, record.Deals["opp-1"].Status);
    }

    [Fact]
    public void A_same_grade_recompute_raises_nothing_but_keeps_the_new_score()
    {
        var (record, _) = Registered();
        var aggregate = On(record);

        aggregate.LogActivity(new Activity(1, ActivityKind.Visit, Now, "Met the head of cardiology", null, null, null, Rep.Id, Now), Now);

        Assert.IsType<CustomerEvent.ActivityLogged>(Assert.Single(aggregate.Events).Event);
        Assert.Equal((CustomerGrade.C, 5m, GradeTriggers.Activity), (record.Grade!.Grade, record.Grade.Score, record.Grade.Trigger));
        Assert.Equal([Now], record.RecentFollowUps);
    }

    [Fact]
    public void The_scheduled_regrade_acts_once_per_due_time_and_schedules_the_next_one_a_period_later()
    {
        var (record, _) = Registered();
        var firing = new Deadline(CustomerGrading.RecomputeRule, Now.AddHours(72));
        Assert.Throws<PreconditionFailedException>(() => On(record).ScheduledRegrade(firing, Now.AddHours(71)));

        var aggregate = On(record);
        aggregate.ScheduledRegrade(firing, Now.AddHours(72).AddSeconds(3));

        Assert.True(aggregate.Changed);
        Assert.Empty(aggregate.Events); // still C
        Assert.Equal((Now.AddHours(144), GradeTriggers.Scheduled), (record.GradeDueAt, record.Grade!.Trigger));
        Assert.Throws<PreconditionFailedException>(() => On(record).ScheduledRegrade(firing, Now.AddHours(73)));
    }

    [Fact]
    public void A_regrade_after_missed_periods_schedules_the_next_one_a_period_from_now()
    {
        var (record, _) = Registered();
        On(record).ScheduledRegrade(new Deadline(CustomerGrading.RecomputeRule, Now.AddHours(72)), Now.AddDays(30));

        Assert.Equal(Now.AddDays(30).AddHours(72), record.GradeDueAt);
    }

    [Fact]
    public void A_row_from_before_grading_is_due_for_its_first_grade_at_once_and_that_grade_is_an_event()
    {
        var (record, _) = Registered();
        (record.Grade, record.GradeDueAt, record.GradeHistory) = (null, null, []);
        var due = Assert.Single(On(record).WantedDeadlines(), d => d.Rule == CustomerGrading.RecomputeRule);
        Assert.Equal(record.CreatedAt, due.DueAt);

        var aggregate = On(record);
        aggregate.ScheduledRegrade(due, Now.AddDays(1));

        var changed = Assert.IsType<CustomerEvent.GradeChanged>(Assert.Single(aggregate.Events).Event);
        Assert.Equal((CustomerGrade.Unspecified, CustomerGrade.C), (changed.Previous, changed.Computed.Grade));
        Assert.Equal(due.DueAt.AddHours(72), record.GradeDueAt); // a period after the due time, still ahead
    }

    [Fact]
    public void The_history_keeps_the_latest_changes_only()
    {
        var (record, _) = Registered();
        var options = new GradingOptions { HistoryKept = 3 };
        for (var i = 0; i < 6; i++)
        {
            var won = i % 2 == 0;
            new CustomerAggregate(Id, record, new CustomerDeadlines(new DeadlineOptions()), options).RecordDeal("opp-1",
                Deal(won ? OpportunityStatus.Won : OpportunityStatus.Lost, 500_000m, closedAt: Now, version: i + 1), Now);
        }

        Assert.Equal(3, record.GradeHistory.Count);
        Assert.Equal(CustomerGrade.C, record.GradeHistory[^1].To); // the last report lost the deal
    }
}
