using ActorSales.Domain.Customers;
using ActorSales.Domain.Deadlines;
using ActorSales.Domain.Handovers;
using ActorSales.Grains.Abstractions;
using ActorSales.Grains.Abstractions.Customers;
using ActorSales.Grains.Abstractions.Handovers;
using ActorSales.Grains.Abstractions.People;
using ActorSales.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.Runtime;
using Caller = ActorSales.Domain.Identity.Caller;
using DomainRole = ActorSales.Domain.Identity.Role;
using SalespersonStatus = ActorSales.Domain.People.SalespersonStatus;

namespace ActorSales.Postgres.Tests;

/// <summary>
/// A 2,000-customer handover on a two-silo PostgreSQL cluster; the silo running the transfer crashes half-way and
/// the survivor finishes it, woken by the handover's durable reminder, without repeating or skipping an item.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class HandoverSiloLossTests(PostgresServerFixture postgres)
{
    private const int Customers = 2_000;

    [Fact]
    public async Task A_transfer_interrupted_by_a_silo_loss_finishes_with_every_customer_owned_once_by_its_receiver()
    {
        var database = await postgres.CreateDatabaseAsync();
        string[] settings =
        [
            "--ActorSales:Profile=Postgres", $"--ConnectionStrings:Postgres={database}", $"--ActorSales:ClusterId=handover-{Guid.NewGuid():N}",
            "--ActorSales:MigrateOnStart=true", $"--ActorSales:Auth:SigningKey={new string('h', 48)}",
            "--ActorSales:Handovers:TransferBatchSize=10", // small turns, so the silo goes away with most items still to move
        ];
        // Both silos share one fake clock for grains and reminders; membership stays on real time.
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        void FakeTime(Microsoft.AspNetCore.Builder.WebApplicationBuilder builder) => ClusterPolling.UseFakeClock(builder, clock);
        var hosts = new List<TestHost> { await TestHost.StartAsync(FakeTime, settings), await TestHost.StartAsync(FakeTime, settings) };
        try
        {
            var team = await hosts[0].CreateTeamAsync();
            var third = $"rep3-{team.TeamId[5..]}";
            await hosts[0].Salespeople.CreateSalespersonAsync(new Contracts.V1.CreateSalespersonRequest
            {
                SalespersonId = third, Name = third, Email = $"{third}@example.com", Role = Contracts.V1.Role.Rep, TeamId = team.TeamId,
            }, hosts[0].Admin);
            var manager = new Caller(team.ManagerId, DomainRole.Manager, team.TeamId, SalespersonStatus.Active);
            var grains = hosts[0].Services.GetRequiredService<IGrainFactory>();
            var ids = Enumerable.Range(0, Customers).Select(_ => GrainKeys.NewCustomerId()).ToList();
            foreach (var chunk in ids.Chunk(20))
            {
                await Task.WhenAll(chunk.Select(id => grains.GetGrain<ICustomerGrain>(id).Register(
                    new CustomerDetails("Clinic", $"Clinic {id}", "Health", CustomerTier.B, [], null, SourceChannel.Outbound), team.RepId, manager)));
            }
            // Every other customer to the second rep, the rest to the third: two receivers, one split.
            var expected = ids.Select((id, i) => (id, owner: i % 2 == 0 ? team.OtherRepId : third)).ToDictionary(x => x.id, x => x.owner);
            var assignments = expected.Where(e => e.Value == team.OtherRepId).Select(e => new CustomerAssignment(e.Key, e.Value)).ToList();
            var handover = grains.GetGrain<IHandoverGrain>(team.RepId);
            await handover.Start(new DepartureRequest(null, third, assignments), manager);
            var startedAt = clock.GetUtcNow();
            await handover.Accept("", new Caller(team.OtherRepId, DomainRole.Rep, team.TeamId, SalespersonStatus.Active));
            await handover.Accept("", new Caller(third, DomainRole.Rep, team.TeamId, SalespersonStatus.Active));

            // Early on: take away the silo that runs the transfer.
            await ClusterPolling.EventuallyAsync(() => handover.Get(manager), h => h.Packages.Sum(p => p.TransferredCount) >= 100, TimeSpan.FromMinutes(3));
            var lost = await HostOf(hosts, GrainId.Create("handover", team.RepId));
            hosts.Remove(lost);
            await lost.KillAsync(); // a crash: no deactivation, no goodbye; the survivor must find it dead

            // Only the survivor is left. Watch the receivers' books (not the handover grain, which would wake it by
            // itself) while the shared clock moves on: the handover's reminder resumes the transfer.
            var survivor = hosts[0].Services.GetRequiredService<IGrainFactory>();
            var receivers = new[] { team.OtherRepId, third }.Select(r => survivor.GetGrain<ISalespersonGrain>(r)).ToList();
            var ownedAfterLoss = (await Task.WhenAll(receivers.Select(r => r.OwnedCustomerIds()))).Sum(b => b.Count);
            Assert.True(ownedAfterLoss < Customers - 200, $"the transfer was nearly done ({ownedAfterLoss} customers) when the silo went away; the test would prove little");
            var owned = 0;
            var bound = TimeProvider.System.GetTimestamp() + (300 * TimeProvider.System.TimestampFrequency);
            while (owned < Customers && TimeProvider.System.GetTimestamp() < bound)
            {
                clock.Advance(TimeSpan.FromSeconds(10));
                owned = await ClusterPolling.EventuallyAsync(
                    async () => (await Task.WhenAll(receivers.Select(r => r.OwnedCustomerIds()))).Sum(b => b.Count),
                    n => n >= Customers, TimeSpan.FromMilliseconds(500));
            }
            var done = await ClusterPolling.EventuallyAsync(() => survivor.GetGrain<IHandoverGrain>(team.RepId).Get(manager), h => h.Completed, TimeSpan.FromSeconds(60));
            var books = await Task.WhenAll(receivers.Select(r => r.OwnedCustomerIds()));
            var views = new List<CustomerView?>();
            var clocks = new List<IReadOnlyList<Deadline>>();
            foreach (var chunk in ids.Chunk(100))
            {
                views.AddRange(await Task.WhenAll(chunk.Select(id => survivor.GetGrain<ICustomerGrain>(id).Find())));
                clocks.AddRange(await Task.WhenAll(chunk.Select(id => survivor.GetGrain<ICustomerGrain>(id).ArmedDeadlines())));
            }

            Assert.True(done.Completed);
            Assert.All(done.Packages, p => Assert.Equal(PackageStatus.Transferred, p.Status));
            Assert.Equal(expected.Where(e => e.Value == team.OtherRepId).Select(e => e.Key).Order(), books[0].Order());
            Assert.Equal(expected.Where(e => e.Value == third).Select(e => e.Key).Order(), books[1].Order());
            Assert.Empty(books[0].Intersect(books[1]));
            Assert.Empty(await survivor.GetGrain<ISalespersonGrain>(team.RepId).OwnedCustomerIds());
            Assert.Equal(SalespersonStatus.Departed, (await survivor.GetGrain<ISalespersonGrain>(team.RepId).GetIdentity())!.Status);
            Assert.All(views.Zip(ids), pair => Assert.Equal((expected[pair.Second], false), (pair.First!.OwnerId, pair.First.InPool)));
            // The receivers' 3-2-1 clocks: first contact and qualification counted from the handover, not the registration.
            Assert.All(clocks, armed => Assert.Contains(armed, d => d.Rule == NewCustomerSla.FirstContact && d.DueAt > startedAt));
            Assert.All(clocks, armed => Assert.Contains(armed, d => d.Rule == NewCustomerSla.Qualification && d.DueAt > startedAt));
        }
        finally
        {
            foreach (var host in hosts)
            {
                await host.DisposeAsync();
            }
        }
    }

    /// <summary>The host whose silo holds the activation of <paramref name="grainId"/>.</summary>
    private static async Task<TestHost> HostOf(List<TestHost> hosts, GrainId grainId)
    {
        var statistics = await hosts[0].Services.GetRequiredService<IGrainFactory>().GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics();
        var silo = statistics.Single(s => s.GrainId.Equals(grainId)).SiloAddress;
        return hosts.Single(h => h.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress.Equals(silo));
    }
}
