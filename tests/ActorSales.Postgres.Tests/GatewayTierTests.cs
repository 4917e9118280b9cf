using ActorSales.Contracts.V1;
using ActorSales.Testing;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace ActorSales.Postgres.Tests;

/// <summary>
/// The scale-out topology as processes: two silos (role <c>silo</c>, no public listener) and one gateway (role
/// <c>gateway</c>, a stateless Orleans client) on one PostgreSQL. The gateway is started first, so its start-up
/// without silos is seen: it listens, says "starting" and answers UNAVAILABLE, never refuses a connection.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class GatewayTierTests(PostgresServerFixture postgres)
{
    private static readonly TimeSpan StartBound = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task Two_silos_and_a_gateway_serve_the_api_through_the_gateway()
    {
        var database = await postgres.CreateDatabaseAsync();
        var key = new string('g', 48);
        var environment = new Dictionary<string, string>
        {
            ["ActorSales__Profile"] = "Postgres",
            ["ConnectionStrings__Postgres"] = database,
            ["ActorSales__ClusterId"] = $"tier-{Guid.NewGuid():N}",
            ["ActorSales__Auth__SigningKey"] = key,
            ["ActorSales__MigrateOnStart"] = "true",
            ["Logging__Console__FormatterName"] = "json",
        };
        var processes = new List<HostProcess>();
        try
        {
            var gateway = HostProcess.Start("gateway", environment);
            processes.Add(gateway);
            // No silo yet: the listener answers, readiness says so, and a call is UNAVAILABLE (retryable), not refused.
            var starting = await Polling.EventuallyAsync(() => gateway.GetAsync("/healthz"), answer => answer is not null || gateway.HasExited, StartBound);
            Assert.True(starting is { Status: 503 }, $"gateway readiness while no silo runs: {starting}\n{gateway.Tail()}");
            Assert.Contains("starting", starting.Value.Body, StringComparison.Ordinal);
            Assert.Equal(200, (await gateway.GetAsync("/livez"))?.Status);
            var admin = TestHost.Bearer(TestHost.Token(key, "admin", "admin"));
            var early = await Assert.ThrowsAsync<RpcException>(async () => await new TeamsService.TeamsServiceClient(gateway.Channel)
                .GetTeamAsync(new GetTeamRequest { TeamId = "nobody" }, admin));
            Assert.Equal(StatusCode.Unavailable, early.StatusCode);

            var silos = new[] { HostProcess.Start("silo", environment), HostProcess.Start("silo", environment) };
            processes.AddRange(silos);
            foreach (var host in processes)
            {
                await host.WaitReadyAsync(StartBound);
            }

            // The API through the gateway: writes reach grains on the silos, reads the shared read model and event log.
            var teams = new TeamsService.TeamsServiceClient(gateway.Channel);
            var people = new SalespeopleService.SalespeopleServiceClient(gateway.Channel);
            var customers = new CustomersService.CustomersServiceClient(gateway.Channel);
            await teams.CreateTeamAsync(new CreateTeamRequest { TeamId = "tier", Name = "Tier", Region = "EMEA", TimeZone = "Europe/Berlin" }, admin);
            await people.CreateSalespersonAsync(new CreateSalespersonRequest { SalespersonId = "rep-tier", Name = "Rep", Email = "rep@example.com", Role = Contracts.V1.Role.Rep, TeamId = "tier" }, admin);
            var rep = TestHost.Bearer(TestHost.Token(key, "rep-tier", "rep"));
            var created = new List<CreateCustomerResponse>();
            for (var i = 0; i < 12; i++)
            {
                created.Add(await customers.CreateCustomerAsync(new CreateCustomerRequest
                {
                    Name = $"Clinic {i}", Company = $"Clinic {i} {Guid.NewGuid():N}", Tier = CustomerTier.B, SourceChannel = SourceChannel.Referral,
                    RequestId = $"create-{i}",
                }, rep));
            }
            var logged = await customers.LogActivityAsync(new LogActivityRequest
            {
                CustomerId = created[0].Customer.CustomerId, Kind = ActivityKind.Call, DurationSeconds = 300, Summary = "first call", RequestId = "call-1",
                OccurredAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddMinutes(-1)),
            }, rep);
            var fetched = await customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = created[0].Customer.CustomerId }, rep);
            Assert.Equal(created[0].Customer.Name, fetched.Customer.Name);
            // The read model (projected on a silo) answers the gateway's query once it shows the change.
            var listed = await Polling.EventuallyAsync(
                async () => (await customers.ListCustomersAsync(new ListCustomersRequest { PageSize = 50, ConsistencyToken = logged.ConsistencyToken }, rep)).Customers.Count,
                count => count == 12, TimeSpan.FromSeconds(30));
            Assert.Equal(12, listed);

            // The grains live on the silos: the membership holds two active silos, and the gateway is none of them.
            Assert.Equal(2L, await Sql.ScalarAsync<long>(database, "SELECT count(*) FROM actorsales_membership WHERE deployment_id = @c AND status = 3",
                ("c", environment["ActorSales__ClusterId"])));

            // A clean, quick shutdown in the order an upgrade takes: gateway, then the silos.
            var stops = new List<string>();
            foreach (var host in processes.ToList())
            {
                var took = await host.TerminateAsync(TimeSpan.FromSeconds(30));
                Assert.True(host.ExitCode == 0, $"{host.Role} exited with {host.ExitCode}:\n{host.Tail()}");
                stops.Add($"{host.Role} {took.TotalSeconds:0.0} s");
            }
            TestContext.Current.TestOutputHelper?.WriteLine(Figures.Report($"SIGTERM to exit: {string.Join(", ", stops)}"));
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
