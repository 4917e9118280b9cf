using System.Diagnostics;
using System.Net.Http.Json;
using ActorSales.Contracts.V1;
using ActorSales.Testing;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;

namespace ActorSales.Postgres.Tests;

/// <summary>The real host on the Postgres profile: data survives a restart; hosts sharing a database form one cluster.</summary>
[Collection(PostgresCollection.Name)]
public sealed class HostOnPostgresTests(PostgresServerFixture postgres)
{
    private static readonly string SigningKey = Convert.ToHexString(Guid.NewGuid().ToByteArray()) + Convert.ToHexString(Guid.NewGuid().ToByteArray());

    private static string[] PostgresSettings(string connectionString, string clusterId) =>
    [
        "--ActorSales:Profile=Postgres",
        $"--ConnectionStrings:Postgres={connectionString}",
        $"--ActorSales:ClusterId={clusterId}",
        "--ActorSales:MigrateOnStart=true",
        $"--ActorSales:Auth:SigningKey={SigningKey}",
    ];

    private static CreateCustomerRequest NewCustomer() => new()
    {
        Name = "Central Hospital",
        Company = $"Hospital {Guid.NewGuid():N}",
        Tier = CustomerTier.A,
        SourceChannel = SourceChannel.Referral,
        Contacts = { new Contact { Name = "Anna Berg", Phone = "+49 30 5550001", Email = "anna@central.example" } },
    };

    [Fact]
    public async Task The_board_is_served_but_the_development_sign_in_does_not_exist()
    {
        var database = await postgres.CreateDatabaseAsync();
        await using var host = await TestHost.StartAsync(PostgresSettings(database, $"board-{Guid.NewGuid():N}"));
        using var web = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{host.GrpcWebPort}") };

        using var page = await web.GetAsync("/board/", TestContext.Current.CancellationToken);
        using var probe = await web.GetAsync("/board/dev-sign-in", TestContext.Current.CancellationToken);
        using var mint = await web.PostAsJsonAsync("/board/dev-sign-in", new { user = "admin", role = "admin" }, TestContext.Current.CancellationToken);

        Assert.Equal(System.Net.HttpStatusCode.OK, page.StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, probe.StatusCode); // the page then offers only "paste a token"
        Assert.Equal(System.Net.HttpStatusCode.NotFound, mint.StatusCode);
        Assert.DoesNotContain("token", await mint.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Acknowledged_writes_survive_a_host_restart()
    {
        var database = await postgres.CreateDatabaseAsync();
        var clusterId = $"restart-{Guid.NewGuid():N}";
        ApiTeam team;
        Customer customer;
        await using (var first = await TestHost.StartAsync(PostgresSettings(database, clusterId)))
        {
            team = await first.CreateTeamAsync();
            customer = (await first.Customers.CreateCustomerAsync(NewCustomer(), team.Rep)).Customer;
            for (var i = 1; i <= 3; i++)
            {
                await first.Customers.LogActivityAsync(new LogActivityRequest
                {
                    CustomerId = customer.CustomerId, Kind = ActorSales.Contracts.V1.ActivityKind.Visit, Summary = $"visit {i}",
                    OccurredAt = Timestamp.FromDateTime(DateTime.UtcNow.AddHours(-i)),
                }, team.Rep);
            }
        }

        await using var second = await TestHost.StartAsync(PostgresSettings(database, clusterId));
        var read = (await second.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = customer.CustomerId }, team.Rep)).Customer;
        var activities = await second.Customers.ListActivitiesAsync(new ListActivitiesRequest { CustomerId = customer.CustomerId }, team.Rep);
        var book = await second.Customers.ListMyCustomersAsync(new ListMyCustomersRequest(), team.Rep);
        var teamView = (await second.Teams.GetTeamAsync(new GetTeamRequest { TeamId = team.TeamId }, team.Manager)).Team;
        var duplicate = await Assert.ThrowsAsync<RpcException>(async () => await second.Customers.CreateCustomerAsync(NewCustomer(), team.OtherRep));

        Assert.Equal(customer.Name, read.Name);
        Assert.Equal(4, read.Version);
        Assert.Equal(["visit 3", "visit 2", "visit 1"], activities.Activities.Select(a => a.Summary).OrderByDescending(s => s));
        Assert.Equal([customer.CustomerId], book.Customers.Select(c => c.CustomerId));
        Assert.Equal(team.ManagerId, teamView.ManagerId);
        Assert.Equal(StatusCode.AlreadyExists, duplicate.StatusCode); // the de-duplication index survived too
    }

    [Fact]
    public async Task An_opportunity_its_history_and_its_pending_approval_survive_a_restart()
    {
        var database = await postgres.CreateDatabaseAsync();
        var clusterId = $"deal-{Guid.NewGuid():N}";
        var directorId = $"dir-{Guid.NewGuid():N}"[..16];
        ApiTeam team;
        string opportunityId;
        await using (var first = await TestHost.StartAsync(PostgresSettings(database, clusterId)))
        {
            team = await first.CreateTeamAsync();
            await first.Salespeople.CreateSalespersonAsync(new CreateSalespersonRequest
            {
                SalespersonId = directorId, Name = "Dora", Email = $"{directorId}@example.com", Role = Role.Director, TeamId = team.TeamId,
            }, first.Admin);
            await first.Teams.UpdateTeamAsync(new UpdateTeamRequest { TeamId = team.TeamId, DirectorId = directorId }, first.Admin);
            var customer = (await first.Customers.CreateCustomerAsync(NewCustomer(), team.Rep)).Customer;
            var opportunities = new OpportunitiesService.OpportunitiesServiceClient(first.Channel);
            opportunityId = (await opportunities.CreateOpportunityAsync(new CreateOpportunityRequest
            {
                CustomerId = customer.CustomerId, Title = "Fleet", Value = new Money { Amount = "800000", Currency = "EUR" },
                ExpectedCloseAt = Timestamp.FromDateTime(DateTime.UtcNow.AddDays(20)),
            }, team.Rep)).Opportunity.OpportunityId;
            foreach (var (kind, next) in new[] { ("meeting_minutes", "ProposalSubmitted"), ("proposal_document", "PriceNegotiation"), ("quote", "ContractApproval") })
            {
                await opportunities.AddEvidenceAsync(new AddEvidenceRequest { OpportunityId = opportunityId, Kind = kind, Reference = "DOC-1" }, team.Rep);
                await opportunities.ChangeStageAsync(new ChangeStageRequest { OpportunityId = opportunityId, ToStage = next }, team.Rep);
            }
        }

        await using var second = await TestHost.StartAsync(PostgresSettings(database, clusterId));
        var afterRestart = new OpportunitiesService.OpportunitiesServiceClient(second.Channel);
        var approvals = new ApprovalsService.ApprovalsServiceClient(second.Channel);
        var read = (await afterRestart.GetOpportunityAsync(new GetOpportunityRequest { OpportunityId = opportunityId }, team.Rep)).Opportunity;
        var pending = Assert.Single((await approvals.ListMyApprovalsAsync(new ListMyApprovalsRequest(), second.As(directorId, "director"))).Approvals);
        var locked = await Assert.ThrowsAsync<RpcException>(async () => await afterRestart.UpdateTermsAsync(
            new UpdateTermsRequest { OpportunityId = opportunityId, Title = "Smaller fleet" }, team.Rep));
        await approvals.ApproveRequestAsync(new ApproveRequestRequest { ApprovalId = pending.ApprovalId, Comment = "ok" }, second.As(directorId, "director"));
        var unlocked = (await afterRestart.UpdateTermsAsync(new UpdateTermsRequest { OpportunityId = opportunityId, Title = "Smaller fleet" }, team.Rep)).Opportunity;

        Assert.Equal("ContractApproval", read.Stage);
        Assert.Equal(["NeedsConfirmed", "ProposalSubmitted", "PriceNegotiation", "ContractApproval"], read.History.Select(h => h.ToStage));
        Assert.Equal(3, read.Evidence.Count);
        Assert.Equal((opportunityId, "800000"), (pending.OpportunityId, pending.Value.Amount));
        Assert.Equal(StatusCode.FailedPrecondition, locked.StatusCode);
        Assert.Equal("Smaller fleet", unlocked.Title);
    }

    [Fact]
    public async Task Two_hosts_sharing_one_database_form_one_cluster_and_serve_the_same_grains()
    {
        var database = await postgres.CreateDatabaseAsync();
        var clusterId = $"pair-{Guid.NewGuid():N}";
        await using var one = await TestHost.StartAsync(PostgresSettings(database, clusterId));
        await using var two = await TestHost.StartAsync(PostgresSettings(database, clusterId));
        await WaitForActiveSilos(one, 2);
        await WaitForActiveSilos(two, 2);

        var team = await one.CreateTeamAsync();
        var customer = (await one.Customers.CreateCustomerAsync(NewCustomer(), team.Rep)).Customer;
        var updated = (await two.Customers.UpdateCustomerAsync(new UpdateCustomerRequest
        {
            CustomerId = customer.CustomerId, Industry = "Cardiology", UpdatePaths = { "industry" }, ExpectedVersion = 1,
        }, team.Rep)).Customer;
        var readOnOne = (await one.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = customer.CustomerId }, team.Rep)).Customer;
        var stale = await Assert.ThrowsAsync<RpcException>(async () => await one.Customers.UpdateCustomerAsync(new UpdateCustomerRequest
        {
            CustomerId = customer.CustomerId, Industry = "Oncology", UpdatePaths = { "industry" }, ExpectedVersion = 1,
        }, team.Rep));

        Assert.Equal(2, updated.Version);
        Assert.Equal(updated, readOnOne); // one activation serves both gateways
        Assert.Equal(StatusCode.Aborted, stale.StatusCode);
    }

    [Fact]
    public async Task The_local_cluster_script_runs_two_silos_that_both_answer()
    {
        var database = await postgres.CreateDatabaseAsync();
        var dir = Path.Combine(Path.GetTempPath(), $"actorsales-cluster-{Guid.NewGuid():N}");
        var script = Path.Combine(RepositoryPaths.Root, "deploy", "local-cluster.sh");
        var env = new Dictionary<string, string>
        {
            ["ACTORSALES_POSTGRES"] = database,
            ["ACTORSALES_HOST_DLL"] = Path.Combine(AppContext.BaseDirectory, "actorsales.dll"),
            // Below Linux's ephemeral range (32768+), where outgoing connections (the Npgsql pools) keep taking ports
            // between the script's free-port check and the silo's bind.
            ["ACTORSALES_BASE_PORT"] = Random.Shared.Next(20_000, 32_000).ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        try
        {
            var (exit, output) = await Run(script, env, "start", "--silos", "2", "--dir", dir);
            Assert.True(exit == 0, output);
            var endpoints = (await File.ReadAllLinesAsync(Path.Combine(dir, "endpoints"), TestContext.Current.CancellationToken))
                .Select(line => line.Split(' ')[1]).ToList();
            var key = await File.ReadAllTextAsync(Path.Combine(dir, "signing-key"), TestContext.Current.CancellationToken);
            Assert.Equal(2, endpoints.Count);
            using var channelOne = GrpcChannel.ForAddress(endpoints[0]);
            using var channelTwo = GrpcChannel.ForAddress(endpoints[1]);
            var admin = TestHost.Bearer(TestHost.Token(key, "admin", "admin"));
            var teamId = $"team-{Guid.NewGuid():N}"[..20];

            await new TeamsService.TeamsServiceClient(channelOne).CreateTeamAsync(
                new CreateTeamRequest { TeamId = teamId, Name = "Script", Region = "EMEA", TimeZone = "Europe/Berlin" }, admin);
            var read = await new TeamsService.TeamsServiceClient(channelTwo).GetTeamAsync(new GetTeamRequest { TeamId = teamId }, admin);

            Assert.Equal("Script", read.Team.Name);
        }
        finally
        {
            var (stopExit, stopOutput) = await Run(script, env, "stop", "--dir", dir);
            Assert.True(stopExit == 0, stopOutput);
            Assert.False(File.Exists(Path.Combine(dir, "endpoints")));
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task WaitForActiveSilos(TestHost host, int count)
    {
        var membership = host.Services.GetRequiredService<IClusterMembershipService>();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        await foreach (var snapshot in membership.MembershipUpdates.WithCancellation(timeout.Token))
        {
            if (snapshot.Members.Values.Count(m => m.Status == SiloStatus.Active) >= count)
            {
                return;
            }
        }
    }

    private static async Task<(int ExitCode, string Output)> Run(string script, Dictionary<string, string> env, params string[] args)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(script);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        foreach (var (name, value) in env)
        {
            start.Environment[name] = value;
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(3));
        return (process.ExitCode, await stdout + await stderr);
    }
}
