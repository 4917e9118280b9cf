using ActorSales.Contracts.V1;
using ActorSales.Testing;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.TestingHost;

namespace ActorSales.FunctionalTests;

/// <summary>
/// Every pipeline the host ships, walked through gRPC on fake time: in every stage, the longest ones included (the
/// hospital pipeline's 60- and 90-day stages are beyond Orleans' 49.7-day timer limit), the stall warning and the
/// limit fire at their due time, and the deal then moves on with its evidence and is won. The pipelines are read from
/// the API, so a stage added to the shipped configuration is walked too. Tokens are checked on real time, so the
/// fixture's tokens stay valid however far the grains' clock moves.
/// </summary>
public sealed class ShippedPipelinesTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private TestHost _host = null!;

    public async ValueTask InitializeAsync() => _host = await TestHost.StartAsync(
        builder =>
        {
            // Grains on the fake clock; membership and Orleans' other loops stay on real time.
            builder.Services.AddSingleton<TimeProvider>(_clock);
            builder.Services.UseTimeProviderForBackgroundAreas(TimeProvider.System);
        },
        "--ActorSales:Profile=Local", $"--ActorSales:ClusterId=pipelines-{Guid.NewGuid():N}");

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    [Theory]
    [InlineData("b2b")]
    [InlineData("hospital-device")]
    public async Task Every_stage_of_a_shipped_pipeline_stalls_at_its_ages_and_the_deal_walks_to_won(string pipelineKey)
    {
        var pipelines = new PipelinesService.PipelinesServiceClient(_host.Channel);
        var opportunities = new OpportunitiesService.OpportunitiesServiceClient(_host.Channel);
        var pipeline = (await pipelines.GetPipelineAsync(new GetPipelineRequest { Key = pipelineKey }, _host.Admin)).Pipeline;
        var team = await _host.CreateTeamAsync();
        var customer = (await _host.Customers.CreateCustomerAsync(new CreateCustomerRequest
        {
            Name = "Central Hospital", Company = $"Central Hospital {Guid.NewGuid():N}", Tier = CustomerTier.A, SourceChannel = SourceChannel.Referral,
        }, team.Rep)).Customer;
        // Locked, so the months this test spends in each stage do not release the customer to the pool meanwhile.
        await _host.Customers.SetCustomerLockAsync(new SetCustomerLockRequest { CustomerId = customer.CustomerId, Locked = true }, team.Manager);
        var id = (await opportunities.CreateOpportunityAsync(new CreateOpportunityRequest
        {
            CustomerId = customer.CustomerId, Title = "Cath lab", PipelineKey = pipelineKey,
            Value = new Money { Amount = "250000", Currency = "EUR" },
            ExpectedCloseAt = Timestamp.FromDateTimeOffset(_clock.GetUtcNow().AddYears(3)),
        }, team.Rep)).Opportunity.OpportunityId;

        var longest = TimeSpan.Zero;
        for (var i = 0; i < pipeline.Stages.Count; i++)
        {
            var stage = pipeline.Stages[i];
            var warning = stage.WarningAge.ToTimeSpan();
            var limit = stage.LimitAge.ToTimeSpan();
            longest = limit > longest ? limit : longest;

            _clock.Advance(warning - TimeSpan.FromSeconds(1));
            var beforeWarning = await Get(opportunities, id, team.Rep);
            _clock.Advance(TimeSpan.FromSeconds(1));
            var warned = await StallIs(opportunities, id, team.Rep, StallLevel.Yellow);
            _clock.Advance(limit - warning - TimeSpan.FromSeconds(1));
            var beforeLimit = await Get(opportunities, id, team.Rep);
            _clock.Advance(TimeSpan.FromSeconds(1));
            var red = await StallIs(opportunities, id, team.Rep, StallLevel.Red);

            Assert.Equal((stage.Key, StallLevel.Unspecified), (beforeWarning.Stage, beforeWarning.StallLevel));
            Assert.Equal((stage.Key, StallLevel.Yellow), (warned.Stage, warned.StallLevel));
            Assert.Equal(StallLevel.Yellow, beforeLimit.StallLevel);
            Assert.Equal((stage.Key, StallLevel.Red), (red.Stage, red.StallLevel));

            var next = i + 1 < pipeline.Stages.Count ? pipeline.Stages[i + 1] : null;
            foreach (var kind in stage.RequiredEvidenceToLeave.Concat(next?.RequiredEvidenceToEnter ?? []))
            {
                await opportunities.AddEvidenceAsync(new AddEvidenceRequest { OpportunityId = id, Kind = kind, Reference = $"DOC-{kind}" }, team.Rep);
            }
            if (next is not null)
            {
                var moved = (await opportunities.ChangeStageAsync(new ChangeStageRequest { OpportunityId = id, ToStage = next.Key }, team.Rep)).Opportunity;
                Assert.Equal((next.Key, StallLevel.Unspecified), (moved.Stage, moved.StallLevel));
            }
        }
        var won = (await opportunities.WinOpportunityAsync(new WinOpportunityRequest { OpportunityId = id, WinFactor = "product_fit" }, team.Rep)).Opportunity;

        Assert.Equal(OpportunityStatus.Won, won.Status);
        Assert.Equal(pipeline.Stages.Count + 1, won.History.Count);
        if (pipelineKey == "hospital-device")
        {
            Assert.True(longest > TimeSpan.FromMilliseconds(uint.MaxValue - 1), "the hospital pipeline has a stage past the timer limit");
        }
        var notices = await new NotificationsService.NotificationsServiceClient(_host.Channel)
            .ListNotificationsAsync(new ListNotificationsRequest { PageSize = 500 }, team.Rep);
        Assert.Equal(2 * pipeline.Stages.Count, notices.Notifications.Count(n => n.Kind == "stage_stall")); // once per level and stage
    }

    private static async Task<Opportunity> Get(OpportunitiesService.OpportunitiesServiceClient client, string id, Metadata rep) =>
        (await client.GetOpportunityAsync(new GetOpportunityRequest { OpportunityId = id }, rep)).Opportunity;

    /// <summary>Reads until the deal shows <paramref name="level"/>: the timer fires in the grain's own turn, not inside Advance.</summary>
    private static Task<Opportunity> StallIs(OpportunitiesService.OpportunitiesServiceClient client, string id, Metadata rep, StallLevel level) =>
        Polling.EventuallyAsync(() => Get(client, id, rep), view => view.StallLevel == level, TimeSpan.FromSeconds(10));
}
