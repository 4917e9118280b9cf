using ActorSales.Contracts.V1;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Grpc.Net.Client.Web;
using Grpc.Reflection.V1Alpha;

using ActorSales.Testing;

namespace ActorSales.FunctionalTests;

[Collection(HostCollection.Name)]
public sealed class PlatformApiTests(HostFixture fixture)
{
    private TestHost host => fixture.Host;

    [Fact]
    public async Task Health_is_served_without_a_token()
    {
        var health = new Health.HealthClient(host.Channel);

        var response = await health.CheckAsync(new HealthCheckRequest(), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, response.Status);
    }

    [Fact]
    public async Task Server_reflection_lists_the_actorsales_services()
    {
        var reflection = new ServerReflection.ServerReflectionClient(host.Channel);
        using var call = reflection.ServerReflectionInfo(cancellationToken: TestContext.Current.CancellationToken);

        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" }, TestContext.Current.CancellationToken);
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext(TestContext.Current.CancellationToken));
        var services = call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToList();

        Assert.Contains("actorsales.v1.CustomersService", services);
        Assert.Contains("actorsales.v1.SalespeopleService", services);
        Assert.Contains("actorsales.v1.TeamsService", services);
    }

    [Fact]
    public async Task Browsers_can_call_over_grpc_web_on_http_1_1()
    {
        var team = await host.CreateTeamAsync();
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{host.GrpcWebPort}", new GrpcChannelOptions
        {
            HttpHandler = new GrpcWebHandler(GrpcWebMode.GrpcWebText, new HttpClientHandler()),
            HttpVersion = System.Net.HttpVersion.Version11,
            HttpVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        });
        var teams = new TeamsService.TeamsServiceClient(channel);

        var response = await teams.GetTeamAsync(new GetTeamRequest { TeamId = team.TeamId }, team.Rep);

        Assert.Equal(team.ManagerId, response.Team.ManagerId);
        Assert.Equal([team.ManagerId, team.RepId, team.OtherRepId], response.Team.MemberIds.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Organisation_changes_are_for_directors_and_admins_with_clear_statuses()
    {
        var team = await host.CreateTeamAsync();

        var byRep = await Assert.ThrowsAsync<RpcException>(async () => await host.Teams.CreateTeamAsync(
            new CreateTeamRequest { TeamId = "t-" + Guid.NewGuid().ToString("N")[..6], Name = "x", Region = "x", TimeZone = "Europe/Berlin" }, team.Rep));
        var again = await Assert.ThrowsAsync<RpcException>(async () => await host.Teams.CreateTeamAsync(
            new CreateTeamRequest { TeamId = team.TeamId, Name = "x", Region = "x", TimeZone = "Europe/Berlin" }, host.Admin));
        var badZone = await Assert.ThrowsAsync<RpcException>(async () => await host.Teams.CreateTeamAsync(
            new CreateTeamRequest { TeamId = "t-" + Guid.NewGuid().ToString("N")[..6], Name = "x", Region = "x", TimeZone = "Mars/Olympus" }, host.Admin));
        var noTeam = await Assert.ThrowsAsync<RpcException>(async () => await host.Salespeople.CreateSalespersonAsync(
            new CreateSalespersonRequest { SalespersonId = "p-" + Guid.NewGuid().ToString("N")[..6], Name = "x", Email = "x@example.com", Role = Role.Rep, TeamId = "no-such-team" }, host.Admin));
        var adminRole = await Assert.ThrowsAsync<RpcException>(async () => await host.Salespeople.CreateSalespersonAsync(
            new CreateSalespersonRequest { SalespersonId = "p-" + Guid.NewGuid().ToString("N")[..6], Name = "x", Email = "x@example.com", Role = Role.Admin, TeamId = team.TeamId }, host.Admin));
        var repAsManager = await Assert.ThrowsAsync<RpcException>(async () => await host.Teams.UpdateTeamAsync(
            new UpdateTeamRequest { TeamId = team.TeamId, ManagerId = team.RepId }, host.Admin));

        Assert.Equal(StatusCode.PermissionDenied, byRep.StatusCode);
        Assert.Equal(StatusCode.AlreadyExists, again.StatusCode);
        Assert.Equal(StatusCode.InvalidArgument, badZone.StatusCode);
        Assert.StartsWith("time_zone:", badZone.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.FailedPrecondition, noTeam.StatusCode);
        Assert.Equal(StatusCode.InvalidArgument, adminRole.StatusCode);
        Assert.Equal(StatusCode.FailedPrecondition, repAsManager.StatusCode);
    }

    [Fact]
    public async Task A_salesperson_sees_their_manager_and_their_own_profile_only()
    {
        var team = await host.CreateTeamAsync();

        var self = (await host.Salespeople.GetSalespersonAsync(new GetSalespersonRequest { SalespersonId = team.RepId }, team.Rep)).Salesperson;
        var peer = await Assert.ThrowsAsync<RpcException>(async () => await host.Salespeople.GetSalespersonAsync(new GetSalespersonRequest { SalespersonId = team.OtherRepId }, team.Rep));

        Assert.Equal(team.ManagerId, self.ManagerId);
        Assert.Equal(SalespersonStatus.Active, self.Status);
        Assert.Equal(StatusCode.PermissionDenied, peer.StatusCode);
    }
}
