using ActorSales.Domain.Customers;
using ActorSales.Domain.Deadlines;
using ActorSales.Grains.Abstractions.Customers;
using ActorSales.Grains.Abstractions.Opportunities;

namespace ActorSales.Grains.Tests;

/// <summary>
/// Customer grading on fake time: a deal's report and an activity regrade at once, the 72 h regrade is the customer's
/// own deadline (once per due time, re-armed after), and the schedule survives deactivation.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class CustomerGradeTests(ClusterFixture fixture)
{
    private static readonly TimeSpan Period = TimeSpan.FromHours(72);

    /// <summary>A customer with one open 500,000 EUR deal: potential 100 x 30 + stage 25 x 30 = 37.5 (C) until followed up.</summary>
    private async Task<(TestTeam Team, ICustomerGrain Customer, string Id, DateTimeOffset RegisteredAt)> CustomerWithDealAsync()
    {
        var team = await fixture.CreateTeamAsync();
        var registeredAt = fixture.Clock.GetUtcNow();
        var deal = await fixture.OpenDealAsync(team, team.Rep, 500_000m);
        var id = (await deal.Get(team.Rep)).CustomerId;
        var customer = fixture.Grains.GetGrain<ICustomerGrain>(id);
        await ClusterFixture.EventuallyAsync(() => customer.GetGrade(team.Rep), g => g.Grade!.Trigger == GradeTriggers.Deal);
        return (team, customer, id, registeredAt);
    }

    private async Task<CustomerView> VisitAsync(TestTeam team, ICustomerGrain customer) =>
        (await customer.LogActivity(new ActivityDraft(ActivityKind.Visit, fixture.Clock.GetUtcNow(), "met the buyer", null, null, null), team.Rep)).Customer;

    private async Task<List<(long Sequence, string Type)>> GradeEventsAsync(string customerId) =>
        (await fixture.EventLog.OfAsync(customerId)).Where(e => e.Event.EventType == "customer_grade_changed")
            .Select(e => (e.Event.Sequence, e.Event.EventType)).ToList();

    private static ValueTask Deactivate(IAddressable grain) =>
        grain.Cast<Orleans.Core.Internal.IGrainManagementExtension>().DeactivateOnIdle(TestContext.Current.CancellationToken);

    [Fact]
    public async Task A_deal_report_regrades_the_customer_at_once_with_the_factor_breakdown()
    {
        var (team, customer, _, _) = await CustomerWithDealAsync();

        var grade = await customer.GetGrade(team.Rep);

        Assert.Equal((CustomerGrade.C, 37.5m), (grade.Grade!.Grade, grade.Grade.Score));
        Assert.Equal(
            [(GradeFactors.PurchasePotential, 100m, 100, 30m), (GradeFactors.CooperationStage, 25m, 25, 7.5m),
             (GradeFactors.DecisionChain, 0m, 0, 0m), (GradeFactors.InteractionFrequency, 0m, 0, 0m), (GradeFactors.PaymentRecord, 0m, 0, 0m)],
            grade.Grade.Factors.Select(f => (f.Factor, f.RawValue, f.Score, f.Contribution)));
        Assert.Equal(CustomerTier.A, grade.Tier); // the hand-set tier, beside the computed grade
    }

    [Fact]
    public async Task An_activity_that_changes_the_grade_raises_one_grade_event_in_the_same_write()
    {
        var (team, customer, id, _) = await CustomerWithDealAsync();
        await VisitAsync(team, customer);
        var second = await VisitAsync(team, customer);   // 47.5: still C
        var third = await VisitAsync(team, customer);    // 52.5: B
        var fourth = await VisitAsync(team, customer);   // 57.5: still B

        var events = await ClusterFixture.EventuallyAsync(() => GradeEventsAsync(id), e => e.Count > 0);
        var grade = await customer.GetGrade(team.Rep);

        Assert.Equal((CustomerGrade.C, CustomerGrade.B, CustomerGrade.B), (second.Grade, third.Grade, fourth.Grade));
        Assert.Equal([(third.Version, "customer_grade_changed")], events); // the activity is third.Version - 1
        Assert.Equal((CustomerGrade.C, CustomerGrade.B, GradeTriggers.Activity), (grade.History[0].From, grade.History[0].To, grade.History[0].Trigger));
        Assert.Equal(57.5m, grade.Grade!.Score);
    }

    [Fact]
    public async Task The_72_hour_regrade_fires_once_per_due_time_and_re_arms_for_the_next_period()
    {
        var (team, customer, id, registeredAt) = await CustomerWithDealAsync();
        for (var i = 0; i < 3; i++)
        {
            await VisitAsync(team, customer); // B while the visits are within the 30-day window
        }
        var firstDue = (await customer.GetGrade(team.Rep)).NextRecomputeAt!.Value;
        Assert.Equal(registeredAt + Period, firstDue);
        Assert.Contains(await customer.ArmedDeadlines(), d => d == new Deadline(CustomerGrading.RecomputeRule, firstDue));

        fixture.Clock.Advance(firstDue - fixture.Clock.GetUtcNow() - TimeSpan.FromSeconds(1));
        var before = await customer.GetGrade(team.Rep);
        fixture.Clock.Advance(TimeSpan.FromSeconds(1));
        var first = await ClusterFixture.EventuallyAsync(() => customer.GetGrade(team.Rep), g => g.Grade!.Trigger == GradeTriggers.Scheduled);
        var again = await customer.GetGrade(team.Rep);
        fixture.Clock.Advance(Period);
        var second = await ClusterFixture.EventuallyAsync(() => customer.GetGrade(team.Rep), g => g.NextRecomputeAt == firstDue + (2 * Period));

        Assert.Equal(GradeTriggers.Activity, before.Grade!.Trigger);
        Assert.Equal((firstDue, firstDue + Period, CustomerGrade.B), (first.Grade!.ComputedAt, first.NextRecomputeAt, first.Grade.Grade));
        Assert.Equal(first.Grade.ComputedAt, again.Grade!.ComputedAt); // fired once for its due time
        Assert.Equal(firstDue + Period, second.Grade!.ComputedAt);
        Assert.Single(await GradeEventsAsync(id)); // C -> B by the visits; the regrades kept B and raised nothing
    }

    [Fact]
    public async Task A_scheduled_regrade_after_the_follow_ups_age_out_drops_the_grade_with_one_event()
    {
        var (team, customer, id, _) = await CustomerWithDealAsync();
        for (var i = 0; i < 3; i++)
        {
            await VisitAsync(team, customer);
        }
        var gradeEventsWhileB = (await ClusterFixture.EventuallyAsync(() => GradeEventsAsync(id), e => e.Count == 1)).Count;

        fixture.Clock.Advance(TimeSpan.FromDays(31)); // one jump: every missed period is one regrade, not ten
        var dropped = await ClusterFixture.EventuallyAsync(() => customer.GetGrade(team.Rep), g => g.Grade!.Grade == CustomerGrade.C);
        var events = await ClusterFixture.EventuallyAsync(() => GradeEventsAsync(id), e => e.Count == 2);
        await customer.Get(team.Rep);

        Assert.Equal(1, gradeEventsWhileB);
        Assert.Equal((GradeTriggers.Scheduled, 37.5m), (dropped.Grade!.Trigger, dropped.Grade.Score));
        Assert.Equal(fixture.Clock.GetUtcNow() + Period, dropped.NextRecomputeAt);
        Assert.Equal(2, (await GradeEventsAsync(id)).Count);
        Assert.Equal(2, events.Count);
        Assert.Equal(CustomerGrade.C, (await customer.Get(team.Manager)).Grade);
    }

    [Fact]
    public async Task The_schedule_survives_deactivation_and_an_overdue_regrade_runs_once_on_activation()
    {
        var (team, customer, _, registeredAt) = await CustomerWithDealAsync();
        await Deactivate(customer);
        fixture.Clock.Advance(registeredAt + Period - fixture.Clock.GetUtcNow() + TimeSpan.FromHours(1));

        var woken = await ClusterFixture.EventuallyAsync(() => customer.GetGrade(team.Rep), g => g.Grade!.Trigger == GradeTriggers.Scheduled);
        await Deactivate(customer);
        var reactivated = await customer.GetGrade(team.Rep);

        Assert.Equal(registeredAt + (2 * Period), woken.NextRecomputeAt); // a period after the due time, not after the wake-up
        Assert.Equal(woken.Grade!.ComputedAt, reactivated.Grade!.ComputedAt); // the firing was stored: not run again
        Assert.Equal(woken.NextRecomputeAt, reactivated.NextRecomputeAt);
    }

    [Fact]
    public async Task Reading_the_grade_follows_the_customer_access_rules()
    {
        var (team, customer, _, _) = await CustomerWithDealAsync();
        var stranger = await fixture.CreateTeamAsync();

        await customer.GetGrade(team.Manager);
        await Assert.ThrowsAsync<Domain.Errors.AccessDeniedException>(() => customer.GetGrade(team.OtherRep));
        await Assert.ThrowsAsync<Domain.Errors.AccessDeniedException>(() => customer.GetGrade(stranger.Manager));
        await Assert.ThrowsAsync<Domain.Errors.NotFoundException>(() => fixture.Grains.GetGrain<ICustomerGrain>("missing-grade").GetGrade(ClusterFixture.Admin));
    }
}
