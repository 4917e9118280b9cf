using ActorSales.Contracts.V1;
using ActorSales.Testing;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.TestingHost;

namespace ActorSales.FunctionalTests;

/// <summary>
/// AnalyticsService through gRPC on a host whose grains run on fake time: a team's deals, activities and a refused
/// duplicate made through the API days apart, then the figures to the unit, per role. The projector works on its own
/// task, so reads poll (with a real-time bound) until the last change shows.
/// </summary>
public sealed class AnalyticsApiTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));
    private TestHost _host = null!;

    public async ValueTask InitializeAsync() => _host = await TestHost.StartAsync(
        builder =>
        {
            builder.Services.AddSingleton<TimeProvider>(_clock);
            builder.Services.UseTimeProviderForBackgroundAreas(TimeProvider.System);
        },
        "--ActorSales:Profile=Local", $"--ActorSales:ClusterId=analytics-{Guid.NewGuid():N}");

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    private AnalyticsService.AnalyticsServiceClient Analytics => new(_host.Channel);

    private OpportunitiesService.OpportunitiesServiceClient Opportunities => new(_host.Channel);

    private void Days(double days) => _clock.Advance(TimeSpan.FromDays(days));

    private async Task<string> OpenAsync(ApiTeam team, string customerId) =>
        (await Opportunities.CreateOpportunityAsync(new CreateOpportunityRequest
        {
            CustomerId = customerId, Title = "Cath lab", Value = new Money { Amount = "12000", Currency = "EUR" },
            ExpectedCloseAt = Timestamp.FromDateTimeOffset(_clock.GetUtcNow().AddMonths(6)),
        }, team.Rep)).Opportunity.OpportunityId;

    private async Task MoveAsync(ApiTeam team, string id, string evidence, string toStage)
    {
        await Opportunities.AddEvidenceAsync(new AddEvidenceRequest { OpportunityId = id, Kind = evidence, Reference = "DOC-" + evidence }, team.Rep);
        await Opportunities.ChangeStageAsync(new ChangeStageRequest { OpportunityId = id, ToStage = toStage }, team.Rep);
    }

    [Fact]
    public async Task Figures_of_a_team_built_through_the_api_are_exact_and_scoped_per_role()
    {
        var a = await _host.CreateTeamAsync();
        var b = await _host.CreateTeamAsync();
        var start = _clock.GetUtcNow();
        var customer = (await _host.Customers.CreateCustomerAsync(new CreateCustomerRequest
        {
            Name = "Central Hospital", Company = $"Central Hospital {Guid.NewGuid():N}", Industry = "Health", Tier = CustomerTier.A,
            SourceChannel = SourceChannel.Referral, Address = new Address { Street = "Main 1", City = "Berlin" },
            Contacts = { new Contact { Name = "Anna Berg", Phone = $"+49 30 {Random.Shared.Next(1_000_000, 9_999_999)}" } },
            Location = new GeoPoint { Latitude = 52.516275, Longitude = 13.377704 },
        }, a.Rep)).Customer;
        await _host.Customers.SetCustomerLockAsync(new SetCustomerLockRequest { CustomerId = customer.CustomerId, Locked = true }, a.Manager);
        var won = await OpenAsync(a, customer.CustomerId);
        var lost = await OpenAsync(a, customer.CustomerId);
        var idle = await OpenAsync(a, customer.CustomerId);
        Days(1);
        foreach (var (latitude, longitude) in new[] { (52.518620, 13.376198), (52.5206, 13.3862) }) // 280 m away, then 750 m away: off-site
        {
            await _host.Customers.LogActivityAsync(new LogActivityRequest
            {
                CustomerId = customer.CustomerId, Kind = ActivityKind.Visit, Summary = "site tour with the head of cardiology",
                OccurredAt = Timestamp.FromDateTimeOffset(_clock.GetUtcNow()),
                CheckIn = new VisitCheckIn
                {
                    Location = new GeoPoint { Latitude = latitude, Longitude = longitude }, CheckedInAt = Timestamp.FromDateTimeOffset(_clock.GetUtcNow()),
                    PhotoReference = "photo-1",
                },
            }, a.Rep);
        }
        Days(1);
        await MoveAsync(a, won, "meeting_minutes", "ProposalSubmitted"); // 2 days in NeedsConfirmed
        Days(2);
        await Opportunities.LoseOpportunityAsync(new LoseOpportunityRequest { OpportunityId = lost, Reason = "price" }, a.Rep); // lost after 4 days
        await MoveAsync(a, won, "proposal_document", "PriceNegotiation");
        Days(1);
        await MoveAsync(a, won, "quote", "ContractApproval");
        Days(1);
        await Opportunities.AddEvidenceAsync(new AddEvidenceRequest { OpportunityId = won, Kind = "signed_contract", Reference = "DOC-s" }, a.Rep);
        await Opportunities.WinOpportunityAsync(new WinOpportunityRequest { OpportunityId = won, WinFactor = "product_fit" }, a.Rep); // day 6: 5 days after the first visit
        var duplicate = await Assert.ThrowsAsync<RpcException>(async () => await _host.Customers.CreateCustomerAsync(new CreateCustomerRequest
        {
            Name = "Central again", Tier = CustomerTier.B, SourceChannel = SourceChannel.Referral, Contacts = { customer.Contacts[0].Clone() },
        }, a.Rep));
        var period = new AnalyticsPeriod { From = Timestamp.FromDateTimeOffset(start), To = Timestamp.FromDateTimeOffset(start.AddDays(30)) };
        var team = new AnalyticsScope { TeamId = a.TeamId };

        var data = await Polling.EventuallyAsync(
            async () => await Analytics.GetDataHealthAsync(new GetDataHealthRequest { Scope = team, Period = period }, a.Manager),
            d => d.DuplicatesRejected == 1, TimeSpan.FromSeconds(10));
        var funnel = await Polling.EventuallyAsync(
            async () => await Analytics.GetFunnelAsync(new GetFunnelRequest { Scope = team, Period = period }, a.Manager),
            f => f.Stages.Count > 0 && f.Stages[3].Won == 1, TimeSpan.FromSeconds(10));
        var cycles = await Analytics.GetCycleTimesAsync(new GetCycleTimesRequest { Scope = team, Period = period }, a.Manager);
        var health = await Analytics.GetProcessHealthAsync(new GetProcessHealthRequest { Scope = team, Period = period }, a.Rep);
        var drill = await Analytics.ListFunnelOpportunitiesAsync(new ListFunnelOpportunitiesRequest
        {
            Scope = team, Period = period, Stage = "NeedsConfirmed", Cell = FunnelCell.Lost, LossReason = "price", PageSize = 10,
        }, a.Manager);

        Assert.Equal(StatusCode.AlreadyExists, duplicate.StatusCode); // the caller's answer is unchanged
        Assert.Equal("b2b", funnel.PipelineKey);
        var needs = funnel.Stages[0];
        Assert.Equal(("NeedsConfirmed", 3L, 1L, 1L, 1L), (needs.Stage, needs.Entered, needs.MovedOn, needs.Lost, needs.StillOpen));
        Assert.Equal(33.33, needs.ConversionToNext.Percent);
        Assert.Equal(TimeSpan.FromDays(3), needs.MedianTimeInStage.ToTimeSpan()); // 2 and 4 days
        Assert.Equal(TimeSpan.FromDays(4), needs.P90TimeInStage.ToTimeSpan());
        Assert.Equal("price", Assert.Single(needs.Losses).Reason);
        Assert.Equal([lost], drill.Opportunities.Select(o => o.OpportunityId));
        var month = Assert.Single(cycles.Months);
        Assert.Equal(("2026-03", 1L, 5.0, 0.0), (month.Month, month.Won, month.MedianDays, month.StddevDays));
        // Key actions of b2b: meeting_minutes, proposal_document, quote, signed_contract. won 4/4, lost 0/4, idle 0/4.
        Assert.Equal(3, health.Penetration.Opportunities);
        Assert.Equal(33.33, health.Penetration.AveragePercent);
        Assert.Equal((1L, 1L, 100.0), (health.FollowUpResponse.NewCustomers, health.FollowUpResponse.Met, health.FollowUpResponse.ResponseRate.Percent));
        var visits = Assert.Single(health.EffectiveVisits);
        Assert.Equal((a.RepId, 1L, 2L), (visits.SalespersonId, visits.EffectiveVisits, visits.Visits)); // the off-site one is not effective
        Assert.Equal((1L, 1L, 100.0), (data.CompleteCustomers.Numerator, data.CompleteCustomers.Denominator, data.CompleteCustomers.Percent));
        Assert.Equal((1L, 1L), (data.LateUpdatedOpportunities.Numerator, data.LateUpdatedOpportunities.Denominator)); // idle, untouched for 6 days

        // Scope per role: the rep's own figures are the team's here; team B sees none of them; a director names any team.
        Assert.Equal(3, (await Analytics.GetFunnelAsync(new GetFunnelRequest { Period = period }, a.Rep)).Stages[0].Entered);
        Assert.Equal(0, (await Analytics.GetFunnelAsync(new GetFunnelRequest { Period = period }, b.Manager)).Stages[0].Entered);
        Assert.Equal(3, (await Analytics.GetFunnelAsync(new GetFunnelRequest { Scope = team, Period = period }, _host.Admin)).Stages[0].Entered);
        Assert.Equal(0, (await Analytics.GetFunnelAsync(new GetFunnelRequest { Scope = new AnalyticsScope { OwnerId = a.OtherRepId }, Period = period }, a.Manager)).Stages[0].Entered);
        var heatmap = await Analytics.GetStallHeatmapAsync(new GetStallHeatmapRequest { Scope = team }, a.Manager);
        Assert.Equal(1, heatmap.OpenTotal);
        Assert.Equal(AgeBucket.Days07, Assert.Single(heatmap.AgeCells).AgeBucket);
        var cell = await Analytics.ListStallHeatmapOpportunitiesAsync(new ListStallHeatmapOpportunitiesRequest
        {
            Scope = team, PipelineKey = "b2b", Stage = "NeedsConfirmed", AgeBucket = AgeBucket.Days07, PageSize = 10,
        }, a.Manager);
        Assert.Equal([idle], cell.Opportunities.Select(o => o.OpportunityId));
    }

    [Fact]
    public async Task Naming_figures_beyond_the_callers_reach_is_permission_denied_before_anything_is_read()
    {
        var a = await _host.CreateTeamAsync();
        var b = await _host.CreateTeamAsync();
        var period = new AnalyticsPeriod { From = Timestamp.FromDateTimeOffset(_clock.GetUtcNow()), To = Timestamp.FromDateTimeOffset(_clock.GetUtcNow().AddDays(7)) };
        var refusals = new (AnalyticsScope Scope, Metadata Caller)[]
        {
            (new AnalyticsScope { TeamId = a.TeamId }, b.Manager),
            (new AnalyticsScope { TeamId = a.TeamId }, b.Rep),
            (new AnalyticsScope { OwnerId = a.OtherRepId }, a.Rep),
            (new AnalyticsScope { OwnerId = a.RepId }, b.Manager),
            (new AnalyticsScope { Region = "EMEA" }, a.Manager),
        };

        foreach (var (scope, caller) in refusals)
        {
            var refused = await Assert.ThrowsAsync<RpcException>(async () => await Analytics.GetDataHealthAsync(new GetDataHealthRequest { Scope = scope, Period = period }, caller));
            Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
        }
        Assert.NotNull(await Analytics.GetDataHealthAsync(new GetDataHealthRequest { Scope = new AnalyticsScope { Region = "EMEA" }, Period = period }, _host.As("svc-analytics", "service")));
        Assert.NotNull(await Analytics.GetDataHealthAsync(new GetDataHealthRequest { Scope = new AnalyticsScope { TeamId = a.TeamId }, Period = period }, a.Manager));
        Assert.NotNull(await Analytics.GetDataHealthAsync(new GetDataHealthRequest { Scope = new AnalyticsScope { OwnerId = a.RepId }, Period = period }, a.Rep));
    }

    [Fact]
    public async Task Hostile_analytics_requests_are_invalid_argument_naming_the_field()
    {
        var now = _clock.GetUtcNow();
        Timestamp At(double days) => Timestamp.FromDateTimeOffset(now.AddDays(days));
        var cases = new (Func<Task> Call, string Field)[]
        {
            (async () => await Analytics.GetFunnelAsync(new GetFunnelRequest(), _host.Admin), "period"),
            (async () => await Analytics.GetFunnelAsync(new GetFunnelRequest { Period = new AnalyticsPeriod { From = At(1), To = At(0) } }, _host.Admin), "period.to"),
            (async () => await Analytics.GetProcessHealthAsync(new GetProcessHealthRequest { Period = new AnalyticsPeriod { From = At(0), To = At(400) } }, _host.Admin), "period.to"),
            (async () => await Analytics.GetCycleTimesAsync(new GetCycleTimesRequest { Period = new AnalyticsPeriod { To = At(1) } }, _host.Admin), "period.from"),
            (async () => await Analytics.GetDataHealthAsync(new GetDataHealthRequest { Scope = new AnalyticsScope { Region = new string('x', 100_000) }, Period = new AnalyticsPeriod { From = At(0), To = At(1) } }, _host.Admin), "scope.region"),
            (async () => await Analytics.ListFunnelOpportunitiesAsync(new ListFunnelOpportunitiesRequest { Period = new AnalyticsPeriod { From = At(0), To = At(1) }, Stage = "NeedsConfirmed", Cell = (FunnelCell)99, PageSize = 10 }, _host.Admin), "cell"),
            (async () => await Analytics.ListStallHeatmapOpportunitiesAsync(new ListStallHeatmapOpportunitiesRequest { PipelineKey = "b2b", Stage = "NeedsConfirmed", AgeBucket = (AgeBucket)42, PageSize = 10 }, _host.Admin), "age_bucket"),
            (async () => await Analytics.ListStallHeatmapOpportunitiesAsync(new ListStallHeatmapOpportunitiesRequest { PipelineKey = "b2b", Stage = "NeedsConfirmed", PageSize = 10 }, _host.Admin), "cell"),
            (async () => await Analytics.GetStallHeatmapAsync(new GetStallHeatmapRequest { ConsistencyToken = "not-a-token" }, _host.Admin), "consistency_token"),
        };

        foreach (var (call, field) in cases)
        {
            var refused = await Assert.ThrowsAsync<RpcException>(call);
            Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
            Assert.StartsWith(field + ":", refused.Status.Detail, StringComparison.Ordinal);
        }
    }
}
