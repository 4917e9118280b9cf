using ActorSales.Contracts.V1;
using ActorSales.Testing;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.TestingHost;

namespace ActorSales.FunctionalTests;

/// <summary>
/// Goals through gRPC on fake time: a manager sets week goals for a Berlin team on Monday 2 March 2026, the rep registers
/// customers and wins a deal, and on Wednesday at midnight Berlin time (3 of 7 days elapsed) progress, pace and deviation
/// are exact; per role; hostile input; request_id replay.
/// </summary>
public sealed class GoalsApiTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));
    private TestHost _host = null!;

    public async ValueTask InitializeAsync() => _host = await TestHost.StartAsync(
        builder =>
        {
            builder.Services.AddSingleton<TimeProvider>(_clock);
            builder.Services.UseTimeProviderForBackgroundAreas(TimeProvider.System);
        },
        "--ActorSales:Profile=Local", $"--ActorSales:ClusterId=goals-{Guid.NewGuid():N}");

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    private AnalyticsService.AnalyticsServiceClient Analytics => new(_host.Channel);

    private OpportunitiesService.OpportunitiesServiceClient Opportunities => new(_host.Channel);

    private static AnalyticsPeriod March => new()
    {
        From = Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero)),
        To = Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 4, 1, 0, 0, 0, TimeSpan.Zero)),
    };

    private static SetGoalRequest Week(ApiTeam team, string owner, GoalMetric metric, string target, string currency = "") => new()
    {
        TeamId = team.TeamId, OwnerId = owner, Metric = metric, PeriodKind = GoalPeriodKind.Week, PeriodStart = "2026-03-02", Target = target, Currency = currency,
    };

    private async Task<string> CustomerAsync(ApiTeam team) =>
        (await _host.Customers.CreateCustomerAsync(new CreateCustomerRequest
        {
            Name = "Clinic", Company = $"Clinic {Guid.NewGuid():N}", Tier = CustomerTier.B, SourceChannel = SourceChannel.Referral,
        }, team.Rep)).Customer.CustomerId;

    [Fact]
    public async Task Progress_against_a_linear_pace_is_exact_and_scoped_per_role()
    {
        var a = await _host.CreateTeamAsync();
        var b = await _host.CreateTeamAsync();
        var set = await Analytics.SetGoalAsync(Week(a, a.RepId, GoalMetric.NewCustomers, "7"), a.Manager);
        await Analytics.SetGoalAsync(Week(a, a.RepId, GoalMetric.WonAmount, "14000", "EUR"), a.Manager);
        var teamGoal = await Analytics.SetGoalAsync(Week(a, "", GoalMetric.OpportunitiesCreated, "7"), _host.Admin);
        Assert.Equal(new DateTimeOffset(2026, 3, 1, 23, 0, 0, TimeSpan.Zero), set.Goal.Period.From.ToDateTimeOffset());
        Assert.Equal(new DateTimeOffset(2026, 3, 8, 23, 0, 0, TimeSpan.Zero), set.Goal.Period.To.ToDateTimeOffset());
        Assert.Equal(a.ManagerId, set.Goal.SetBy);

        var first = await CustomerAsync(a);
        await CustomerAsync(a);
        await CustomerAsync(b); // another team's rep: counts for nobody here
        var deal = (await Opportunities.CreateOpportunityAsync(new CreateOpportunityRequest
        {
            CustomerId = first, Title = "Cath lab", Value = new Money { Amount = "12000", Currency = "EUR" },
            ExpectedCloseAt = Timestamp.FromDateTimeOffset(_clock.GetUtcNow().AddMonths(1)),
        }, a.Rep)).Opportunity.OpportunityId;
        foreach (var (kind, next) in new[] { ("meeting_minutes", "ProposalSubmitted"), ("proposal_document", "PriceNegotiation"), ("quote", "ContractApproval") })
        {
            await Opportunities.AddEvidenceAsync(new AddEvidenceRequest { OpportunityId = deal, Kind = kind, Reference = "DOC-" + kind }, a.Rep);
            await Opportunities.ChangeStageAsync(new ChangeStageRequest { OpportunityId = deal, ToStage = next }, a.Rep);
        }
        await Opportunities.AddEvidenceAsync(new AddEvidenceRequest { OpportunityId = deal, Kind = "signed_contract", Reference = "DOC-s" }, a.Rep);
        await Opportunities.WinOpportunityAsync(new WinOpportunityRequest { OpportunityId = deal, WinFactor = "product_fit" }, a.Rep);
        _clock.SetUtcNow(new DateTimeOffset(2026, 3, 4, 23, 0, 0, TimeSpan.Zero)); // 72 of 168 hours: share 3/7

        var request = new GetGoalProgressRequest { Scope = new AnalyticsScope { TeamId = a.TeamId }, Period = March, ConsistencyToken = teamGoal.ConsistencyToken };
        var progress = await Polling.EventuallyAsync(async () => await Analytics.GetGoalProgressAsync(request, a.Manager),
            r => r.Progress.Count == 3 && r.Progress.All(p => p.Actual != "0" && p.Actual != "0.00"), TimeSpan.FromSeconds(10));

        // Order: team goal first, then the rep's by metric.
        var rows = progress.Progress.Select(p => (p.Goal.OwnerId, p.Goal.Metric, p.Actual, p.ElapsedShare, p.LinearPace, p.Deviation, p.DeviationPercent, p.AttainmentPercent)).ToList();
        Assert.Equal(
        [
            ("", GoalMetric.OpportunitiesCreated, "1", "0.4286", "3.00", "-2.00", "-66.67", "14.29"),
            (a.RepId, GoalMetric.NewCustomers, "2", "0.4286", "3.00", "-1.00", "-33.33", "28.57"),
            (a.RepId, GoalMetric.WonAmount, "12000.00", "0.4286", "6000.00", "6000.00", "100.00", "85.71"),
        ], rows);
        Assert.Equal(
        [
            (a.RepId, GoalMetric.NewCustomers, "-33.33"),
            (a.RepId, GoalMetric.WonAmount, "100.00"),
        ], progress.Heatmap.Select(c => (c.OwnerId, c.Metric, c.DeviationPercent)).ToList());

        // The rep sees their own goals only; an admin everything; team B's manager nothing of team A.
        var mine = await Analytics.ListGoalsAsync(new ListGoalsRequest { Period = March }, a.Rep);
        Assert.Equal([GoalMetric.NewCustomers, GoalMetric.WonAmount], mine.Goals.Select(g => g.Metric).ToList());
        var all = await Analytics.ListGoalsAsync(new ListGoalsRequest { Period = March, Scope = new AnalyticsScope { TeamId = a.TeamId } }, _host.Admin);
        Assert.Equal(3, all.Goals.Count);
        Assert.Empty((await Analytics.ListGoalsAsync(new ListGoalsRequest { Period = March }, b.Manager)).Goals);
        var denied = await Assert.ThrowsAsync<RpcException>(async () =>
            await Analytics.GetGoalProgressAsync(new GetGoalProgressRequest { Scope = new AnalyticsScope { TeamId = a.TeamId }, Period = March }, b.Manager));
        Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);
    }

    [Fact]
    public async Task Only_the_team_manager_and_org_wide_roles_set_goals()
    {
        var a = await _host.CreateTeamAsync();
        var b = await _host.CreateTeamAsync();
        foreach (var caller in new[] { a.Rep, b.Manager, _host.As("svc-goals", "service") })
        {
            var refused = await Assert.ThrowsAsync<RpcException>(async () => await Analytics.SetGoalAsync(Week(a, a.RepId, GoalMetric.NewCustomers, "3"), caller));
            Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
        }
        var outside = await Assert.ThrowsAsync<RpcException>(async () => await Analytics.SetGoalAsync(Week(a, b.RepId, GoalMetric.NewCustomers, "3"), a.Manager));
        Assert.Equal(StatusCode.FailedPrecondition, outside.StatusCode);
        Assert.Contains("owner_id", outside.Status.Detail);
        Assert.Equal("3", (await Analytics.SetGoalAsync(Week(a, a.RepId, GoalMetric.NewCustomers, "3"), _host.Admin)).Goal.Target);
    }

    [Fact]
    public async Task Hostile_goals_are_refused_naming_the_field()
    {
        var a = await _host.CreateTeamAsync();
        var cases = new (Func<SetGoalRequest, SetGoalRequest> Change, StatusCode Code, string Field)[]
        {
            (r => { r.Metric = (GoalMetric)99; return r; }, StatusCode.InvalidArgument, "metric"),
            (r => { r.PeriodKind = (GoalPeriodKind)42; return r; }, StatusCode.InvalidArgument, "period_kind"),
            (r => { r.Target = new string('9', 100_000); return r; }, StatusCode.InvalidArgument, "target"),
            (r => { r.Target = "1000000000001"; return r; }, StatusCode.InvalidArgument, "target"),
            (r => { r.PeriodStart = "2101-03-01"; return r; }, StatusCode.InvalidArgument, "period_start"),
            (r => { r.PeriodStart = new string('2', 100_000); return r; }, StatusCode.InvalidArgument, "period_start"),
            (r => { r.OwnerId = new string('o', 100_000); return r; }, StatusCode.InvalidArgument, "owner_id"),
            (r => { r.Currency = "EUR"; return r; }, StatusCode.InvalidArgument, "currency"),
            (r => { r.Metric = GoalMetric.CollectedAmount; return r; }, StatusCode.InvalidArgument, "currency"),
        };
        foreach (var (change, code, field) in cases)
        {
            var refused = await Assert.ThrowsAsync<RpcException>(async () => await Analytics.SetGoalAsync(change(Week(a, a.RepId, GoalMetric.NewCustomers, "3")), a.Manager));
            Assert.Equal(code, refused.StatusCode);
            Assert.StartsWith(field, refused.Status.Detail);
        }
    }

    [Fact]
    public async Task A_repeated_request_id_answers_the_first_goal_and_another_body_is_refused()
    {
        var a = await _host.CreateTeamAsync();
        var request = Week(a, a.RepId, GoalMetric.EffectiveVisits, "10");
        request.RequestId = "goal-1";
        var first = await Analytics.SetGoalAsync(request, a.Manager);
        _clock.Advance(TimeSpan.FromMinutes(5));

        var again = await Analytics.SetGoalAsync(request, a.Manager);

        Assert.Equal(first.Goal, again.Goal); // set_at unchanged: nothing was set again
        request.Target = "11";
        var other = await Assert.ThrowsAsync<RpcException>(async () => await Analytics.SetGoalAsync(request, a.Manager));
        Assert.Equal(StatusCode.FailedPrecondition, other.StatusCode);
    }
}
