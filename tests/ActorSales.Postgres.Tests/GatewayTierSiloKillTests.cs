using System.Collections.Concurrent;
using System.Diagnostics;
using ActorSales.Contracts.V1;
using ActorSales.Testing;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using ActivityKind = ActorSales.Contracts.V1.ActivityKind;

namespace ActorSales.Postgres.Tests;

/// <summary>
/// A silo process SIGKILLed under a write load that goes through the gateway tier (two silos of role silo, one
/// gateway of role gateway). Clients retry any failure but a business answer with the same request_id, as README
/// says. Afterwards every acknowledged write is stored exactly once, and every customer the load writes to is served
/// again; the time from the kill until the last of them answered again is measured.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class GatewayTierSiloKillTests(PostgresServerFixture postgres)
{
    private const int Writers = 12;
    private const int WritesBeforeKill = 120;
    private const int WritesAfterKill = 120;

    [Fact]
    public async Task A_silo_killed_under_load_through_the_gateway_loses_and_duplicates_nothing()
    {
        var database = await postgres.CreateDatabaseAsync();
        var key = new string('k', 48);
        var environment = new Dictionary<string, string>
        {
            ["ActorSales__Profile"] = "Postgres",
            ["ConnectionStrings__Postgres"] = database,
            ["ActorSales__ClusterId"] = $"kill-{Guid.NewGuid():N}",
            ["ActorSales__Auth__SigningKey"] = key,
            ["ActorSales__MigrateOnStart"] = "true",
        };
        var silos = new[] { HostProcess.Start("silo", environment), HostProcess.Start("silo", environment) };
        var gateway = HostProcess.Start("gateway", environment);
        HostProcess[] processes = [.. silos, gateway];
        try
        {
            foreach (var host in processes)
            {
                await host.WaitReadyAsync(TimeSpan.FromSeconds(180));
            }
            var admin = TestHost.Bearer(TestHost.Token(key, "admin", "admin"));
            var customersClient = new CustomersService.CustomersServiceClient(gateway.Channel);
            await ClientRetries.RetriedAsync(() => new TeamsService.TeamsServiceClient(gateway.Channel).CreateTeamAsync(new CreateTeamRequest
            {
                TeamId = "kill", Name = "Kill", Region = "EMEA", TimeZone = "Europe/Berlin", RequestId = "team",
            }, admin).ResponseAsync);
            await ClientRetries.RetriedAsync(() => new SalespeopleService.SalespeopleServiceClient(gateway.Channel).CreateSalespersonAsync(new CreateSalespersonRequest
            {
                SalespersonId = "rep-kill", Name = "Rep", Email = "rep-kill@example.com", Role = Contracts.V1.Role.Rep, TeamId = "kill", RequestId = "rep",
            }, admin).ResponseAsync);
            var rep = TestHost.Bearer(TestHost.Token(key, "rep-kill", "rep"));
            var customers = new List<string>();
            for (var w = 0; w < Writers; w++)
            {
                customers.Add((await ClientRetries.RetriedAsync(() => customersClient.CreateCustomerAsync(new CreateCustomerRequest
                {
                    Name = $"Clinic {w}", Company = $"Clinic {w} kill", Tier = CustomerTier.A, SourceChannel = SourceChannel.Referral, RequestId = $"c-{w}",
                }, rep).ResponseAsync)).Customer.CustomerId);
            }

            var acknowledged = new ConcurrentDictionary<string, long>(); // summary -> when (timestamp)
            var failures = new ConcurrentBag<string>();
            var firstAfterKill = new ConcurrentDictionary<int, long>(); // writer -> its first acknowledgement after the kill
            var retries = 0;
            long killedAt = 0;
            var stopAt = int.MaxValue;
            using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(4));

            async Task Writer(int w)
            {
                using var backoff = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
                for (var seq = 0; !stop.IsCancellationRequested; seq++)
                {
                    var summary = $"w{w}-{seq}";
                    var request = new LogActivityRequest
                    {
                        CustomerId = customers[w], Kind = ActivityKind.Call, DurationSeconds = 300, Summary = summary, RequestId = $"req-{summary}",
                        OccurredAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddMinutes(-1)),
                    };
                    while (!stop.IsCancellationRequested)
                    {
                        var sent = Stopwatch.GetTimestamp();
                        try
                        {
                            await customersClient.LogActivityAsync(request, rep, deadline: DateTime.UtcNow.AddSeconds(40));
                            var now = Stopwatch.GetTimestamp();
                            acknowledged[summary] = now;
                            // Served again: a call sent after the kill answered (one in flight may have been answered by the dying silo).
                            if (Volatile.Read(ref killedAt) is > 0 and var killed && sent > killed)
                            {
                                firstAfterKill.TryAdd(w, now);
                            }
                            // Enough writes after the kill, and every writer's customer answered again (whatever silo it was on).
                            if (acknowledged.Count >= Volatile.Read(ref stopAt) && firstAfterKill.Count == Writers)
                            {
                                await stop.CancelAsync();
                            }
                            break;
                        }
                        catch (RpcException e) when (ClientRetries.BusinessAnswers.Contains(e.StatusCode))
                        {
                            failures.Add($"{summary}: {e.Status}");
                            return;
                        }
                        catch (RpcException)
                        {
                            Interlocked.Increment(ref retries);
                            await backoff.WaitForNextTickAsync();
                        }
                    }
                }
            }

            var writers = Enumerable.Range(0, Writers).Select(w => Task.Run(() => Writer(w))).ToList();
            await Polling.EventuallyAsync(() => Task.FromResult(acknowledged.Count), n => n >= WritesBeforeKill, TimeSpan.FromSeconds(120));
            var ackedAtKill = acknowledged.Count;
            Volatile.Write(ref stopAt, ackedAtKill + WritesAfterKill);
            Volatile.Write(ref killedAt, Stopwatch.GetTimestamp());
            silos[0].Kill();
            await Task.WhenAll(writers);

            Assert.Empty(failures);
            Assert.True(acknowledged.Count >= ackedAtKill + WritesAfterKill, $"only {acknowledged.Count - ackedAtKill} writes acknowledged after the kill");
            // Every writer's customer answered again after the kill; the slowest of them is the recovery time.
            Assert.Equal(Writers, firstAfterKill.Count);
            var recovery = Stopwatch.GetElapsedTime(killedAt, firstAfterKill.Values.Max());

            var stored = new List<string>();
            foreach (var customerId in customers)
            {
                var token = "";
                do
                {
                    var page = await ClientRetries.RetriedAsync(() => customersClient.ListActivitiesAsync(new ListActivitiesRequest { CustomerId = customerId, PageSize = 500, PageToken = token }, rep).ResponseAsync);
                    stored.AddRange(page.Activities.Select(a => a.Summary));
                    token = page.NextPageToken;
                }
                while (token.Length > 0);
            }
            var lost = acknowledged.Keys.Except(stored).ToList();
            var duplicated = stored.GroupBy(s => s).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
            TestContext.Current.TestOutputHelper?.WriteLine(Figures.Report($"silo SIGKILL behind a gateway: {acknowledged.Count} acknowledged ({acknowledged.Count - ackedAtKill} after the kill), "
                + $"{retries} retries, {lost.Count} lost, {duplicated.Count} duplicated; every customer served again {recovery.TotalSeconds:0.0} s after the kill"));
            Assert.Empty(lost);
            Assert.Empty(duplicated);
            // Issue #20's target: every grain of the dead silo serves again within 15 s (a call held on the dead silo's
            // gateway connection waits out ActorSales:GrainCallTimeout, 10 s; the silo is declared dead in about 6 s).
            Assert.True(recovery < TimeSpan.FromSeconds(15), $"recovery took {recovery}");
        }
        finally
        {
            foreach (var host in processes)
            {
                await host.DisposeAsync();
            }
        }
    }
}
