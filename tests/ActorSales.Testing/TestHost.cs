using System.Net;
using System.Net.Sockets;
using ActorSales.Contracts.V1;
using ActorSales.Host.Commands;
using ActorSales.Host.Configuration;
using ActorSales.Grains.Infrastructure;
using ActorSales.Host.Hosting;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace ActorSales.Testing;

/// <summary>The real host, started in-process on free loopback ports and called through a real Grpc.Net.Client.</summary>
public sealed class TestHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly GrpcChannel _channel;

    private TestHost(WebApplication app, int grpcPort, int grpcWebPort, string signingKey)
    {
        _app = app;
        GrpcPort = grpcPort;
        GrpcWebPort = grpcWebPort;
        SigningKey = signingKey;
        _channel = GrpcChannel.ForAddress($"http://127.0.0.1:{grpcPort}");
        Channel = _channel.Intercept(new FieldNameCheck());
    }

    public int GrpcPort { get; }

    public int GrpcWebPort { get; }

    /// <summary>The admin listener (health, /metrics, dashboard); unless the test's settings override it.</summary>
    public int AdminPort { get; private init; }

    public string SigningKey { get; }

    /// <summary>
    /// The gRPC channel tests call through. Every error it answers must name a field of the request as the client spells
    /// it (<see cref="FieldNameCheck"/>), in every test, without the test asking.
    /// </summary>
    public CallInvoker Channel { get; }

    public IServiceProvider Services => _app.Services;

    public CustomersService.CustomersServiceClient Customers => new(Channel);

    public SalespeopleService.SalespeopleServiceClient Salespeople => new(Channel);

    public TeamsService.TeamsServiceClient Teams => new(Channel);

    /// <summary>Starts a host; <paramref name="settings"/> are extra "--Key=value" arguments (profile, connection string, ...).</summary>
    public static Task<TestHost> StartAsync(params string[] settings) => StartAsync(null, settings);

    /// <summary>Starts a host, letting the test adjust its services first (e.g. a fake clock).</summary>
    public static async Task<TestHost> StartAsync(Action<WebApplicationBuilder>? customize, params string[] settings)
    {
        var ports = FreePorts(5);
        var (grpcPort, grpcWebPort) = (ports[0], ports[1]);
        var key = settings.FirstOrDefault(s => s.StartsWith("--ActorSales:Auth:SigningKey=", StringComparison.Ordinal))?.Split('=', 2)[1]
            ?? HostSettings.LocalDevelopmentSigningKey;
        string[] args =
        [
            $"--ActorSales:SiloPort={ports[2]}",
            $"--ActorSales:GatewayPort={ports[3]}",
            $"--ActorSales:Endpoints:Grpc=http://127.0.0.1:{grpcPort}",
            $"--ActorSales:Endpoints:GrpcWeb=http://127.0.0.1:{grpcWebPort}",
            $"--ActorSales:Endpoints:Admin=http://127.0.0.1:{ports[4]}",
            "--Logging:LogLevel:Default=Warning",
            .. settings,
        ];
        var app = ActorSalesHost.Build(args, builder =>
        {
            builder.Services.AddCallDirectionCheck(); // every test host refuses a grain call against the declared direction
            customize?.Invoke(builder);
        });
        await app.StartAsync();
        return new TestHost(app, grpcPort, grpcWebPort, key) { AdminPort = ports[4] };
    }

    public Metadata As(string user, string role) => Bearer(Token(SigningKey, user, role));

    public Metadata Admin => As("admin", "admin");

    /// <summary>A token as `actorsales token` mints it.</summary>
    public static string Token(string signingKey, string user, string role)
    {
        var auth = new AuthOptions { SigningKey = signingKey };
        return TokenCommand.Mint(auth, auth.SymmetricKey!, user, role, TimeSpan.FromHours(1), TimeProvider.System);
    }

    public static Metadata Bearer(string token) => new() { { "Authorization", $"Bearer {token}" } };

    /// <summary>A fresh team with a manager and two reps, created through the API as an admin.</summary>
    public async Task<ApiTeam> CreateTeamAsync()
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var teamId = $"team-{suffix}";
        await Teams.CreateTeamAsync(new CreateTeamRequest { TeamId = teamId, Name = $"Team {suffix}", Region = "EMEA", TimeZone = "Europe/Berlin" }, Admin);
        foreach (var (id, role) in new[] { ($"mgr-{suffix}", Role.Manager), ($"rep-{suffix}", Role.Rep), ($"rep2-{suffix}", Role.Rep) })
        {
            await Salespeople.CreateSalespersonAsync(new CreateSalespersonRequest { SalespersonId = id, Name = id, Email = $"{id}@example.com", Role = role, TeamId = teamId }, Admin);
        }
        await Teams.UpdateTeamAsync(new UpdateTeamRequest { TeamId = teamId, ManagerId = $"mgr-{suffix}" }, Admin);
        return new ApiTeam(teamId, $"mgr-{suffix}", $"rep-{suffix}", $"rep2-{suffix}", SigningKey);
    }

    /// <summary>
    /// Takes the host away as a crash would: the silo stops ungracefully (a cancelled stop token), so its activations are
    /// dropped without deactivating and it leaves the cluster without saying goodbye; the others must find it dead.
    /// </summary>
    public async Task KillAsync()
    {
        _channel.Dispose();
        using var now = new CancellationTokenSource();
        await now.CancelAsync();
        try
        {
            await _app.StopAsync(now.Token);
        }
        catch (OperationCanceledException)
        {
            // Expected: nothing was allowed to finish.
        }
        await _app.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        _channel.Dispose();
        var violations = _app.Services.GetRequiredService<CallDirectionViolations>().Seen.Distinct().ToList();
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (violations.Count > 0)
        {
            throw new InvalidOperationException($"grain calls against the declared direction: {string.Join(", ", violations)}");
        }
    }

    public static int FreePort() => FreePorts(1)[0];

    /// <summary>Distinct free loopback ports: every listener stays open until all are picked, so none repeats.</summary>
    public static int[] FreePorts(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        try
        {
            listeners.ForEach(l => l.Start());
            return listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        }
        finally
        {
            listeners.ForEach(l => l.Stop());
        }
    }
}

/// <summary>A team made through the API, with tokens for its people.</summary>
public sealed record ApiTeam(string TeamId, string ManagerId, string RepId, string OtherRepId, string SigningKey)
{
    public Metadata Manager => TestHost.Bearer(TestHost.Token(SigningKey, ManagerId, "manager"));

    public Metadata Rep => TestHost.Bearer(TestHost.Token(SigningKey, RepId, "rep"));

    public Metadata OtherRep => TestHost.Bearer(TestHost.Token(SigningKey, OtherRepId, "rep"));
}
