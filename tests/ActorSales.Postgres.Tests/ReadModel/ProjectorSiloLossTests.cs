using ActorSales.Contracts.V1;
using ActorSales.ReadModel;
using ActorSales.ReadModel.Projecting;
using ActorSales.Testing;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.DependencyInjection;
using ReadScope = ActorSales.Domain.Identity.ReadScope;

namespace ActorSales.Postgres.Tests.ReadModel;

/// <summary>
/// Two silos on PostgreSQL; the one whose projector holds the lease is killed while customers are being written. The
/// survivor's projector takes the lease over and carries on from the stored checkpoint: afterwards the read model holds
/// every customer at its last version and every event of each exactly once.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ProjectorSiloLossTests(PostgresServerFixture postgres)
{
    [Fact]
    public async Task The_survivor_takes_over_projecting_and_every_event_is_applied_exactly_once()
    {
        var database = await postgres.CreateDatabaseAsync();
        string[] settings =
        [
            "--ActorSales:Profile=Postgres", $"--ConnectionStrings:Postgres={database}", $"--ActorSales:ClusterId=projector-{Guid.NewGuid():N}",
            "--ActorSales:MigrateOnStart=true", $"--ActorSales:Auth:SigningKey={new string('p', 48)}",
        ];
        var hosts = new List<TestHost> { await TestHost.StartAsync(settings), await TestHost.StartAsync(settings) };
        try
        {
            var team = await hosts[0].CreateTeamAsync();
            var projecting = await ClusterPolling.EventuallyAsync(
                () => Task.FromResult(hosts.Where(h => h.Services.GetRequiredService<IProjectionLease>().Held).ToList()),
                held => held.Count == 1, TimeSpan.FromSeconds(30));
            Assert.Single(projecting);
            var victim = projecting[0];
            var survivor = hosts.Single(h => h != victim);
            var customers = new CustomersService.CustomersServiceClient(survivor.Channel);

            var ids = new List<string>();
            for (var i = 0; i < 40; i++)
            {
                if (i == 20)
                {
                    hosts.Remove(victim);
                    await victim.KillAsync(); // the projector's silo goes away mid-stream
                }
                var created = await customers.CreateCustomerAsync(new CreateCustomerRequest
                {
                    Name = "Clinic", Company = $"Clinic {Guid.NewGuid():N}", Tier = CustomerTier.B, SourceChannel = SourceChannel.Referral,
                }, team.Rep);
                await customers.LogActivityAsync(new LogActivityRequest
                {
                    CustomerId = created.Customer.CustomerId, Kind = ActivityKind.Call, DurationSeconds = 120, Summary = "first call",
                    OccurredAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddMinutes(-1)),
                }, team.Rep);
                ids.Add(created.Customer.CustomerId);
            }

            var queries = survivor.Services.GetRequiredService<IReadModelQueries>();
            var lease = survivor.Services.GetRequiredService<IProjectionLease>();
            var rows = await ClusterPolling.EventuallyAsync(
                async () => (await queries.ListCustomersAsync(new CustomerQuery(ReadScope.Everything, 500, OwnerId: team.RepId))).Items,
                items => items.Count == ids.Count && items.All(c => c.ActivityCount == 1), TimeSpan.FromSeconds(60));

            Assert.True(lease.Held);
            Assert.Equal(ids.Order(), rows.Select(c => c.CustomerId).Order());
            Assert.All(rows, c => Assert.Equal(1, c.ActivityCount));
            foreach (var id in ids)
            {
                var timeline = await queries.TimelineAsync(new TimelineQuery(EntityType.Customer, id, 500));
                var sequences = timeline.Items.Where(e => e.EntityId == id).Select(e => e.Sequence).Order().ToList();
                var version = await queries.ProjectedVersionAsync(EntityType.Customer, id);
                Assert.Equal(Enumerable.Range(1, (int)version).Select(s => (long)s), sequences); // each event once, none missing
            }
        }
        finally
        {
            foreach (var host in hosts)
            {
                await host.DisposeAsync();
            }
        }
    }
}
