using System.Collections.Concurrent;
using ActorSales.Contracts.V1;
using ActorSales.Testing;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;

namespace ActorSales.Postgres.Tests;

/// <summary>
/// Three silos on PostgreSQL under a write load through their gateways; one is killed mid-run. Clients do what README
/// tells them: a call that fails for any reason but a business answer is retried, on another gateway, with the same
/// <c>request_id</c>. Afterwards every acknowledged write is stored exactly once: none lost, none stored twice, even
/// those the dead silo saved before its answer was lost.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class RetriedWritesSiloLossTests(PostgresServerFixture postgres)
{
    private const int Writers = 24;
    private const int WritesBeforeKill = 240;
    private const int WritesAfterKill = 240;

    [Fact]
    public async Task Writes_retried_by_request_id_across_a_silo_kill_are_stored_exactly_once()
    {
        var database = await postgres.CreateDatabaseAsync();
        string[] settings =
        [
            "--ActorSales:Profile=Postgres", $"--ConnectionStrings:Postgres={database}", $"--ActorSales:ClusterId=retries-{Guid.NewGuid():N}",
            "--ActorSales:MigrateOnStart=true", $"--ActorSales:Auth:SigningKey={new string('r', 48)}",
        ];
        var hosts = new List<TestHost>();
        for (var i = 0; i < 3; i++)
        {
            hosts.Add(await TestHost.StartAsync(settings));
        }
        var live = hosts.ToArray();
        try
        {
            var management = hosts[0].Services.GetRequiredService<IGrainFactory>().GetGrain<IManagementGrain>(0);
            await ClusterPolling.EventuallyAsync(() => management.GetHosts(onlyActive: true), h => h.Count == 3, TimeSpan.FromSeconds(60));
            var team = await hosts[0].CreateTeamAsync();
            var customers = new List<string>();
            for (var w = 0; w < Writers; w++)
            {
                var created = await new CustomersService.CustomersServiceClient(hosts[w % 3].Channel).CreateCustomerAsync(new CreateCustomerRequest
                {
                    Name = "Clinic", Company = $"Clinic {Guid.NewGuid():N}", Tier = CustomerTier.A, SourceChannel = SourceChannel.Referral,
                }, team.Rep);
                customers.Add(created.Customer.CustomerId);
            }

            var acknowledged = new ConcurrentDictionary<string, string>(); // summary -> customer
            var unacknowledged = new ConcurrentBag<string>();
            var failures = new ConcurrentBag<string>();
            var retries = 0;
            using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(4));
            var stopAt = int.MaxValue; // set at the kill: enough writes acknowledged after it

            async Task Writer(int w)
            {
                using var backoff = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
                for (var seq = 0; !stop.IsCancellationRequested; seq++)
                {
                    var summary = $"w{w}-{seq}";
                    var request = new LogActivityRequest
                    {
                        CustomerId = customers[w], Kind = ActivityKind.Call, DurationSeconds = 120, Summary = summary, RequestId = $"req-{summary}",
                        OccurredAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddMinutes(-1)),
                    };
                    var done = false;
                    for (var attempt = 0; !done && attempt < 600 && !stop.IsCancellationRequested; attempt++)
                    {
                        var hostsNow = Volatile.Read(ref live);
                        var host = hostsNow[(w + attempt) % hostsNow.Length];
                        try
                        {
                            await new CustomersService.CustomersServiceClient(host.Channel).LogActivityAsync(request, team.Rep,
                                deadline: DateTime.UtcNow.AddSeconds(40));
                            done = true;
                        }
                        catch (RpcException e) when (ClientRetries.BusinessAnswers.Contains(e.StatusCode))
                        {
                            failures.Add($"{summary}: {e.Status}");
                            return;
                        }
                        catch (Exception e) when (e is RpcException or ObjectDisposedException or InvalidOperationException or HttpRequestException)
                        {
                            Interlocked.Increment(ref retries);
                            await backoff.WaitForNextTickAsync();
                        }
                    }
                    if (done)
                    {
                        acknowledged[summary] = customers[w];
                        if (acknowledged.Count >= Volatile.Read(ref stopAt))
                        {
                            await stop.CancelAsync();
                        }
                    }
                    else
                    {
                        unacknowledged.Add(summary);
                    }
                }
            }

            var writers = Enumerable.Range(0, Writers).Select(w => Task.Run(() => Writer(w))).ToList();
            await ClusterPolling.EventuallyAsync(() => Task.FromResult(acknowledged.Count), n => n >= WritesBeforeKill, TimeSpan.FromSeconds(120));

            // Kill the silo holding the most customers, under load.
            var statistics = (await management.GetDetailedGrainStatistics()).Where(s => customers.Contains(s.GrainId.Key.ToString()));
            var busiest = statistics.GroupBy(s => s.SiloAddress).OrderByDescending(g => g.Count()).First().Key;
            var victim = hosts.Single(h => h.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress.Equals(busiest));
            var survivors = hosts.Where(h => h != victim).ToArray();
            Volatile.Write(ref live, survivors);
            var ackedAtKill = acknowledged.Count;
            Volatile.Write(ref stopAt, ackedAtKill + WritesAfterKill);
            await victim.KillAsync();
            hosts.Remove(victim);
            await Task.WhenAll(writers);

            Assert.Empty(failures);
            Assert.True(acknowledged.Count >= ackedAtKill + WritesAfterKill, $"only {acknowledged.Count - ackedAtKill} writes were acknowledged after the kill");
            var client = new CustomersService.CustomersServiceClient(survivors[0].Channel);
            var stored = new List<string>();
            foreach (var customerId in customers)
            {
                var token = "";
                do
                {
                    var page = await client.ListActivitiesAsync(new ListActivitiesRequest { CustomerId = customerId, PageSize = 500, PageToken = token }, team.Rep);
                    stored.AddRange(page.Activities.Select(a => a.Summary));
                    token = page.NextPageToken;
                }
                while (token.Length > 0);
            }
            var lost = acknowledged.Keys.Except(stored).ToList();
            var duplicated = stored.GroupBy(s => s).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
            TestContext.Current.TestOutputHelper?.WriteLine($"retried writes across a silo kill: {acknowledged.Count} acknowledged ({acknowledged.Count - ackedAtKill} after the kill), "
                + $"{retries} retries, {unacknowledged.Count} never acknowledged, {lost.Count} lost, {duplicated.Count} duplicated");
            Assert.Empty(lost);
            Assert.Empty(duplicated);
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
