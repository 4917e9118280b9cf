using System.Collections.Concurrent;
using System.Diagnostics;
using ActivityKind = ActorSales.Contracts.V1.ActivityKind;
using ActorSales.Contracts.V1;
using ActorSales.Testing;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Npgsql;

namespace ActorSales.Postgres.Tests;

/// <summary>
/// Six silos (processes, each with its co-hosted gateway) on one PostgreSQL server started with max_connections 100,
/// under a write and query load: each process's pools are sized (ActorSales:Postgres:Pools, README "Sizing"), so
/// the cluster never holds more than 6 x 15 connections and no call meets "remaining connection slots are reserved".
/// In the PostgreSQL collection only to run apart from the other multi-silo tests; it has a server of its own.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ConnectionBudgetTests
{
    private const int Silos = 6;
    private const int MaxConnections = 100;
    private const int Writers = 12;
    private const int WritesPerWriter = 10;

    [Fact]
    public async Task Six_silos_under_load_stay_within_a_server_of_100_connections()
    {
        var dir = Path.Combine(Path.GetTempPath(), $"actorsales-test-pg100-{Guid.NewGuid():N}");
        var server = (await PostgresScript.RunAsync("start", dir, MaxConnections)).Trim();
        var processes = new List<HostProcess>();
        using var sampling = new CancellationTokenSource();
        Task<(int Peak, string AtPeak)>? sampler = null;
        try
        {
            var key = new string('b', 48);
            var environment = new Dictionary<string, string>
            {
                ["ActorSales__Profile"] = "Postgres",
                ["ConnectionStrings__Postgres"] = server,
                ["ActorSales__ClusterId"] = $"budget-{Guid.NewGuid():N}",
                ["ActorSales__Auth__SigningKey"] = key,
                ["ActorSales__MigrateOnStart"] = "true",
            };
            sampler = SamplePeakAsync(server, sampling.Token);
            var started = Stopwatch.GetTimestamp();
            for (var i = 0; i < Silos; i++)
            {
                processes.Add(HostProcess.Start("silo+gateway", environment));
            }
            foreach (var host in processes)
            {
                await host.WaitReadyAsync(TimeSpan.FromSeconds(240));
            }
            Assert.Equal((long)Silos, await Sql.ScalarAsync<long>(server, "SELECT count(*) FROM actorsales_membership WHERE deployment_id = @c AND status = 3",
                ("c", environment["ActorSales__ClusterId"])));

            // Load through every gateway: customers, activities, and read-model queries.
            var startedIn = Stopwatch.GetElapsedTime(started);
            var admin = TestHost.Bearer(TestHost.Token(key, "admin", "admin"));
            var failures = new ConcurrentBag<string>();
            await Counted(() => ClientRetries.RetriedAsync(() => new TeamsService.TeamsServiceClient(processes[0].Channel).CreateTeamAsync(new CreateTeamRequest
            {
                TeamId = "budget", Name = "Budget", Region = "EMEA", TimeZone = "Europe/Berlin", RequestId = "team",
            }, admin).ResponseAsync), failures);
            await Counted(() => ClientRetries.RetriedAsync(() => new SalespeopleService.SalespeopleServiceClient(processes[0].Channel).CreateSalespersonAsync(new CreateSalespersonRequest
            {
                SalespersonId = "rep-budget", Name = "Rep", Email = "rep-budget@example.com", Role = Contracts.V1.Role.Rep, TeamId = "budget", RequestId = "rep",
            }, admin).ResponseAsync), failures);
            var rep = TestHost.Bearer(TestHost.Token(key, "rep-budget", "rep"));
            var loadStarted = Stopwatch.GetTimestamp();
            var acknowledged = 0;
            await Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
            {
                var customers = new CustomersService.CustomersServiceClient(processes[w % Silos].Channel);
                var customerId = (await Counted(() => ClientRetries.RetriedAsync(() => customers.CreateCustomerAsync(new CreateCustomerRequest
                {
                    Name = $"Clinic {w}", Company = $"Clinic {w} {Guid.NewGuid():N}", Tier = CustomerTier.B, SourceChannel = SourceChannel.Referral, RequestId = $"c-{w}",
                }, rep).ResponseAsync), failures)).Customer.CustomerId;
                for (var i = 0; i < WritesPerWriter; i++)
                {
                    await Counted(() => ClientRetries.RetriedAsync(() => customers.LogActivityAsync(new LogActivityRequest
                    {
                        CustomerId = customerId, Kind = ActivityKind.Call, DurationSeconds = 300, Summary = $"call {i}", RequestId = $"a-{w}-{i}",
                        OccurredAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddMinutes(-1)),
                    }, rep).ResponseAsync), failures);
                    Interlocked.Increment(ref acknowledged);
                    if (i % 4 == 0)
                    {
                        await Counted(() => ClientRetries.RetriedAsync(() => customers.ListCustomersAsync(new ListCustomersRequest { PageSize = 20 }, rep).ResponseAsync), failures);
                    }
                }
            })));
            var loadTook = Stopwatch.GetElapsedTime(loadStarted);
            await sampling.CancelAsync();
            var (peak, atPeak) = await sampler;

            Assert.Equal(Writers * WritesPerWriter, acknowledged);
            var refused = processes.SelectMany(p => p.Output).Where(l => l.Contains("remaining connection slots", StringComparison.Ordinal)
                || l.Contains("too many clients", StringComparison.Ordinal) || l.Contains("53300", StringComparison.Ordinal)).Take(3).ToList();
            Assert.True(refused.Count == 0, "PostgreSQL refused connections:\n" + string.Join('\n', refused));
            Assert.True(failures.IsEmpty, "calls failed for good:\n" + string.Join('\n', failures.Take(5)));
            Assert.True(peak <= 6 * 15 + 1, $"the cluster held {peak} connections at its peak ({atPeak})");
            TestContext.Current.TestOutputHelper?.WriteLine(Figures.Report($"{Silos} silos, max_connections {MaxConnections}: all ready {startedIn.TotalSeconds:0} s after start; {acknowledged} writes with queries in {loadTook.TotalSeconds:0.0} s; peak {peak} connections ({atPeak})"));
        }
        finally
        {
            await sampling.CancelAsync();
            foreach (var host in processes)
            {
                await host.DisposeAsync();
            }
            NpgsqlConnection.ClearAllPools();
            await PostgresScript.RunAsync("stop", dir);
        }
    }

    /// <summary>A call that failed for good (after README's retries) is recorded, then thrown.</summary>
    private static async Task<T> Counted<T>(Func<Task<T>> call, ConcurrentBag<string> failures)
    {
        try
        {
            return await call();
        }
        catch (RpcException e)
        {
            failures.Add(e.Status.ToString());
            throw;
        }
    }

    /// <summary>Every 50 ms, the server's client connections (all but this sampler's own); the highest seen and its make-up.</summary>
    private static async Task<(int Peak, string AtPeak)> SamplePeakAsync(string server, CancellationToken stop)
    {
        var builder = new NpgsqlConnectionStringBuilder(server) { Pooling = false, ApplicationName = "budget-sampler" };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync(CancellationToken.None);
        var peak = 0;
        var atPeak = string.Empty;
        using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
        try
        {
            while (await tick.WaitForNextTickAsync(stop))
            {
                await using var command = new NpgsqlCommand(
                    "SELECT coalesce(application_name, ''), count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid() GROUP BY 1", connection);
                var rows = new List<(string Name, long Count)>();
                await using (var reader = await command.ExecuteReaderAsync(CancellationToken.None))
                {
                    while (await reader.ReadAsync(CancellationToken.None))
                    {
                        rows.Add((reader.GetString(0), reader.GetInt64(1)));
                    }
                }
                var total = (int)rows.Sum(r => r.Count);
                if (total > peak)
                {
                    peak = total;
                    atPeak = string.Join(", ", rows.OrderBy(r => r.Name, StringComparer.Ordinal).Select(r => $"{r.Name}: {r.Count}"));
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Sampling ends with the load.
        }
        return (peak, atPeak);
    }
}
