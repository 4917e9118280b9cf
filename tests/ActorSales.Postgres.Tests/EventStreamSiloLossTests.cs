using System.Collections.Concurrent;
using ActorSales.Contracts.V1;
using ActorSales.Domain.Customers;
using ActorSales.Grains.Abstractions;
using ActorSales.Grains.Abstractions.Customers;
using ActorSales.Grains.Abstractions.Events;
using ActorSales.Testing;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Providers;
using Orleans.Providers.Streams.Common;
using Orleans.Runtime;
using Orleans.Runtime.Placement;
using Orleans.Streams;
using Caller = ActorSales.Domain.Identity.Caller;
using CustomerTier = ActorSales.Domain.Customers.CustomerTier;
using DomainRole = ActorSales.Domain.Identity.Role;
using SalespersonStatus = ActorSales.Domain.People.SalespersonStatus;
using SourceChannel = ActorSales.Domain.Customers.SourceChannel;
using ActivityKind = ActorSales.Domain.Customers.ActivityKind;

namespace ActorSales.Postgres.Tests;

/// <summary>
/// Issue #20: three silos on PostgreSQL (the real host: PostgreSQL event log, grain state, pub-sub state, reminders and
/// the <c>events</c> provider from <c>AddActorSalesStreams</c>). A consumer grain on one silo follows the customers a
/// write load changes; the silo running the most stream queues is killed (not the consumer's) while the load goes on,
/// so its queues' pulling agents move to the survivors and resume at their checkpoints. Delivery is at least once
/// (README), so the consumer ignores positions at or below the last it handled and counts those repeats separately.
/// Every event the log holds for those customers reaches the consumer, in log order per customer, none handled twice.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class EventStreamSiloLossTests(PostgresServerFixture postgres)
{
    private const int Customers = 12;
    private const int WritesBeforeKill = 120;
    private const int WritesAfterKill = 120;

    [Fact]
    public async Task A_consumer_on_a_surviving_silo_handles_every_logged_event_once_in_order_across_a_silo_kill()
    {
        var database = await postgres.CreateDatabaseAsync();
        string[] settings =
        [
            "--ActorSales:Profile=Postgres", $"--ConnectionStrings:Postgres={database}", $"--ActorSales:ClusterId=streams-{Guid.NewGuid():N}",
            "--ActorSales:MigrateOnStart=true", $"--ActorSales:Auth:SigningKey={new string('s', 48)}",
        ];
        var hosts = new List<TestHost>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                hosts.Add(await TestHost.StartAsync(settings));
            }
            var management = hosts[0].Services.GetRequiredService<IGrainFactory>().GetGrain<IManagementGrain>(0);
            await ClusterPolling.EventuallyAsync(() => management.GetHosts(onlyActive: true), h => h.Count == 3, TimeSpan.FromSeconds(60));
            var queues = hosts[0].Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<EventStreamOptions>>().Value.Queues;
            // Orleans' queue balancer places the queues on a hash ring: a silo may run none of them (2/2/0 happens).
            var agentsBefore = await ClusterPolling.EventuallyAsync(() => RunningAgentsAsync(hosts), a => a.Sum() == queues, TimeSpan.FromSeconds(60));
            Assert.True(agentsBefore.Sum() == queues, $"pulling agents per silo: {string.Join("/", agentsBefore)}; all {queues} queues must run before the kill");

            // The victim runs the most queues; the consumer lives on another silo (placement hint, then checked).
            var victim = hosts[agentsBefore.IndexOf(agentsBefore.Max())];
            var home = hosts.First(h => h != victim);
            var victimSilo = victim.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress;
            var homeSilo = home.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress;
            var grains = home.Services.GetRequiredService<IGrainFactory>();
            var team = await home.CreateTeamAsync();
            var manager = new Caller(team.ManagerId, DomainRole.Manager, team.TeamId, SalespersonStatus.Active);
            var rep = new Caller(team.RepId, DomainRole.Rep, team.TeamId, SalespersonStatus.Active);
            var ids = Enumerable.Range(0, Customers).Select(_ => GrainKeys.NewCustomerId()).ToList();
            var consumer = grains.GetGrain<IStreamConsumerGrain>($"consumer-{Guid.NewGuid():N}");
            RequestContext.Set(IPlacementDirector.PlacementHintKey, homeSilo);
            var consumerSilo = await consumer.Follow(EventStreams.Customers, ids); // before the first event: from now is from the start
            RequestContext.Remove(IPlacementDirector.PlacementHintKey);
            Assert.Equal(homeSilo.ToString(), consumerSilo);

            // The write load: registrations, then activities from every writer, through the home silo's grain factory
            // (customers live on all three silos). A call that fails during the kill is retried; a retried activity
            // may be logged twice, which is fine: the log, read back at the end, is what must be delivered.
            foreach (var id in ids)
            {
                await grains.GetGrain<ICustomerGrain>(id).Register(
                    new CustomerDetails("Clinic", $"Clinic {id}", "Health", CustomerTier.B, [], null, SourceChannel.Outbound), team.RepId, manager);
            }
            var acknowledged = 0;
            var retries = 0;
            var stopAt = int.MaxValue;
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            async Task Writer(string id)
            {
                using var backoff = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
                for (var n = 0; !stop.IsCancellationRequested; n++)
                {
                    try
                    {
                        await grains.GetGrain<ICustomerGrain>(id).LogActivity(
                            new ActivityDraft(ActivityKind.Call, DateTimeOffset.UtcNow.AddMinutes(-1), $"call {n}", null, null, null, DurationSeconds: 60), rep);
                        if (Interlocked.Increment(ref acknowledged) >= Volatile.Read(ref stopAt))
                        {
                            await stop.CancelAsync();
                        }
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        Interlocked.Increment(ref retries);
                        await backoff.WaitForNextTickAsync();
                    }
                }
            }
            var writers = ids.Select(id => Task.Run(() => Writer(id))).ToList();
            await ClusterPolling.EventuallyAsync(() => Task.FromResult(Volatile.Read(ref acknowledged)), n => n >= WritesBeforeKill, TimeSpan.FromSeconds(30));
            var ackedAtKill = Volatile.Read(ref acknowledged);
            Volatile.Write(ref stopAt, ackedAtKill + WritesAfterKill);
            var killedAt = DateTimeOffset.UtcNow;
            hosts.Remove(victim);
            await victim.KillAsync();
            await Task.WhenAll(writers);
            var agentsAfter = await ClusterPolling.EventuallyAsync(() => RunningAgentsAsync(hosts), a => a.Sum() == queues, TimeSpan.FromSeconds(30));

            // Each customer's activation flushes its outbox first, so an event acknowledged by the dead silo but not yet
            // appended is in the log before it is read back.
            await Task.WhenAll(ids.Select(id => grains.GetGrain<ICustomerGrain>(id).Find()));
            var logged = await CustomerEventsAsync(home.Services.GetRequiredService<IEventLog>(), ids.ToHashSet());
            Assert.True(logged.Count >= Customers + acknowledged,
                $"the log holds {logged.Count} events of the {Customers} customers; {acknowledged} activities were acknowledged ({retries} retried calls)");
            var report = await ClusterPolling.EventuallyAsync(consumer.Report, r => r.Handled.Count >= logged.Count, TimeSpan.FromSeconds(30));

            // A consumer that subscribes now, rewinding to the first event: the queues that moved started their caches at
            // the dead silo's checkpoints, so the early events come from the PostgreSQL log, the rest from the caches.
            var rewinding = grains.GetGrain<IStreamConsumerGrain>($"rewinding-{Guid.NewGuid():N}");
            await rewinding.Follow(EventStreams.Customers, ids, logged.Min(e => e.Position));
            var rewound = await ClusterPolling.EventuallyAsync(rewinding.Report, r => r.Handled.Count >= logged.Count, TimeSpan.FromSeconds(30));
            await rewinding.Unfollow();
            await consumer.Unfollow();

            var expected = logged.GroupBy(e => e.Event.EntityId).ToDictionary(g => g.Key, g => g.Select(e => (e.Event.Sequence, e.Position)).ToList());
            var handled = report.Handled.GroupBy(e => e.EntityId).ToDictionary(g => g.Key, g => g.Select(e => (e.Sequence, e.Position)).ToList());
            var latencies = report.Handled.Select(e => (e.HandledAt - e.OccurredAt).TotalMilliseconds).Order().ToList();
            var afterKill = report.Handled.Where(e => e.OccurredAt >= killedAt).Select(e => (e.HandledAt - e.OccurredAt).TotalMilliseconds).DefaultIfEmpty(0).Max();
            double Percentile(double p) => latencies.Count == 0 ? double.NaN : latencies[(int)Math.Min(latencies.Count - 1, Math.Ceiling(p * latencies.Count) - 1)];
            TestContext.Current.TestOutputHelper?.WriteLine(Figures.Report(
                $"streams across a silo kill (3 silos, PostgreSQL, {queues} queues, agents {string.Join("/", agentsBefore)} -> {string.Join("/", agentsAfter)}): "
                + $"{logged.Count} events logged for {Customers} customers ({ackedAtKill} writes acknowledged before the kill, {acknowledged - ackedAtKill} after, {retries} retried calls), "
                + $"consumer on {report.Silo} (home {homeSilo}, victim {victimSilo}), "
                + $"{report.Deliveries} deliveries, {report.Handled.Count} handled, {report.Repeated} repeated positions ignored, {report.Stale} stale; "
                + $"a consumer rewinding to the first event afterwards handled {rewound.Handled.Count}; "
                + $"change -> handled p50 {Percentile(0.50):F0} ms, p99 {Percentile(0.99):F0} ms, max {(latencies.Count > 0 ? latencies[^1] : double.NaN):F0} ms, max for changes after the kill {afterKill:F0} ms"));

            Assert.Equal(queues, agentsAfter.Sum());
            Assert.True(acknowledged - ackedAtKill >= WritesAfterKill, $"only {acknowledged - ackedAtKill} writes were acknowledged after the kill");
            Assert.True(logged.Count(e => e.Event.EventType == "activity_logged") >= acknowledged, "an acknowledged activity is missing from the log");
            Assert.Equal(0, report.Stale);
            Assert.Equal(expected.Keys.Order(), handled.Keys.Order());
            Assert.All(expected, e => Assert.Equal(e.Value, handled[e.Key])); // every event, in log order, each position once
            Assert.Equal(report.Deliveries, report.Handled.Count + report.Repeated);
            Assert.Equal(0, rewound.Stale);
            Assert.All(expected, e => Assert.Equal(e.Value, rewound.Handled.Where(h => h.EntityId == e.Key).Select(h => (h.Sequence, h.Position)).ToList()));
        }
        finally
        {
            foreach (var host in hosts)
            {
                await host.DisposeAsync();
            }
        }
    }

    /// <summary>The pulling agents running on this silo (Orleans' own count, asked of the silo's provider).</summary>
    private static async Task<int> RunningAgentsAsync(TestHost host) =>
        Convert.ToInt32(await ((IControllable)host.Services.GetRequiredKeyedService<IStreamProvider>(EventStreams.ProviderName))
            .ExecuteCommand((int)PersistentStreamProviderCommand.GetNumberRunningAgents, null!), System.Globalization.CultureInfo.InvariantCulture);

    private static async Task<List<int>> RunningAgentsAsync(IEnumerable<TestHost> hosts) => [.. await Task.WhenAll(hosts.Select(RunningAgentsAsync))];

    /// <summary>Every event of these customers in the log, in log order.</summary>
    private static async Task<List<StoredEvent>> CustomerEventsAsync(IEventLog log, HashSet<string> ids)
    {
        var filter = new EventFilter(EntityTypes: new HashSet<int> { (int)EntityType.Customer });
        var head = (await log.GetBoundsAsync()).Head;
        var events = new List<StoredEvent>();
        for (var after = 0L; after < head;)
        {
            var page = await log.ReadAsync(after, filter, 1000);
            events.AddRange(page.Events.Where(e => ids.Contains(e.Event.EntityId)));
            after = page.ScannedThrough;
            if (page.Events.Count == 0 && page.ScannedThrough >= head)
            {
                break;
            }
        }
        return events;
    }
}
