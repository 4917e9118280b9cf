using System.Net;

namespace ActorSales.Host.Configuration;

/// <summary>Which storage and clustering the host runs on.</summary>
public enum HostingProfile
{
    /// <summary>No set-up: localhost clustering, in-memory state, reminders and streams. Keeps nothing across restarts.</summary>
    Local,

    /// <summary>Orleans ADO.NET clustering, grain state and reminders on PostgreSQL.</summary>
    Postgres,
}

/// <summary>What one process of the host runs (setting <c>ActorSales:Role</c>).</summary>
public enum HostRole
{
    /// <summary><c>silo+gateway</c>: an Orleans silo and the public gRPC gateway in one process (grain calls may stay in-process).</summary>
    SiloAndGateway,

    /// <summary><c>silo</c>: grains, state, reminders, the projector; no public listener (only the admin one).</summary>
    Silo,

    /// <summary><c>gateway</c>: the public gRPC gateway as a stateless Orleans client of the silos; no grains, no state.</summary>
    Gateway,
}

/// <summary>Section "ActorSales:Dashboard".</summary>
public sealed class DashboardSettings
{
    /// <summary>Serve the Orleans Dashboard at /dashboard on the admin listener (it profiles every grain call while on).</summary>
    public bool Enabled { get; set; }
}

/// <summary>Section "ActorSales" (env prefix ActorSales__).</summary>
public sealed class ActorSalesOptions
{
    public const string Section = "ActorSales";

    public HostingProfile Profile { get; set; } = HostingProfile.Local;

    /// <summary><c>silo+gateway</c> (default), <c>silo</c> or <c>gateway</c>; see <see cref="HostRole"/>.</summary>
    public string Role { get; set; } = "silo+gateway";

    /// <summary>The parsed <see cref="Role"/> (valid once <see cref="Validate"/> found no problem).</summary>
    public HostRole HostRole => TryParseRole(Role, out var role) ? role : HostRole.SiloAndGateway;

    /// <summary>Whether this process runs a silo (grains, state, the projector).</summary>
    public bool RunsSilo => HostRole != HostRole.Gateway;

    /// <summary>Whether this process serves the public gRPC API.</summary>
    public bool ServesApi => HostRole != HostRole.Silo;

    /// <summary>
    /// Run Orleans' Kubernetes hosting (pod name, namespace and IP from the downward API, pod labels, and deleting
    /// silos whose pods are gone from membership at once instead of after the failure-detection window).
    /// </summary>
    public bool Kubernetes { get; set; }

    /// <summary>The Orleans Dashboard on the admin listener (silo roles, admin token); off unless enabled.</summary>
    public DashboardSettings Dashboard { get; set; } = new();

    /// <summary>Silos with the same cluster id form one cluster.</summary>
    public string ClusterId { get; set; } = "actorsales-local";

    /// <summary>Stable across deployments: grain state and reminders are keyed by it.</summary>
    public string ServiceId { get; set; } = "actorsales";

    /// <summary>Silo-to-silo port.</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>Port for external Orleans clients (never exposed publicly).</summary>
    public int GatewayPort { get; set; } = 30000;

    /// <summary>Address other silos reach this one on.</summary>
    public string AdvertisedIp { get; set; } = "127.0.0.1";

    /// <summary>Apply the PostgreSQL schema at start-up (Postgres profile).</summary>
    public bool MigrateOnStart { get; set; }

    /// <summary>
    /// How long the gateway role waits for the answer to a grain call. Orleans' client does not fail the calls in flight
    /// on a silo gateway connection that breaks (dotnet/orleans#10165): when a silo dies they wait this long, then the
    /// caller gets UNAVAILABLE and retries with its request_id. Orleans' 30 s default held callers of a dead silo for
    /// 30 s; 10 s is far above any call's normal time (README "Deploying", failure detection).
    /// </summary>
    public TimeSpan GrainCallTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Validates; returns one message per problem.</summary>
    public IEnumerable<string> Validate(string? postgresConnectionString)
    {
        if (!Enum.IsDefined(Profile))
        {
            yield return "ActorSales:Profile must be Local or Postgres";
        }
        if (string.IsNullOrWhiteSpace(ClusterId))
        {
            yield return "ActorSales:ClusterId must not be empty";
        }
        if (string.IsNullOrWhiteSpace(ServiceId))
        {
            yield return "ActorSales:ServiceId must not be empty";
        }
        if (SiloPort is < 1 or > 65535)
        {
            yield return $"ActorSales:SiloPort must be 1..65535, not {SiloPort}";
        }
        if (GatewayPort is < 1 or > 65535)
        {
            yield return $"ActorSales:GatewayPort must be 1..65535, not {GatewayPort}";
        }
        if (SiloPort == GatewayPort)
        {
            yield return "ActorSales:SiloPort and ActorSales:GatewayPort must differ";
        }
        if (!IPAddress.TryParse(AdvertisedIp, out _))
        {
            yield return $"ActorSales:AdvertisedIp '{AdvertisedIp}' is not an IP address";
        }
        if (!TryParseRole(Role, out var role))
        {
            yield return $"ActorSales:Role must be silo+gateway, silo or gateway, not '{Role}'";
        }
        else if (role != HostRole.SiloAndGateway && Profile != HostingProfile.Postgres)
        {
            yield return $"ActorSales:Role '{Role}' needs the Postgres profile (the Local profile keeps state, log and read model inside one process)";
        }
        if (GrainCallTimeout < TimeSpan.FromSeconds(1) || GrainCallTimeout > TimeSpan.FromMinutes(5))
        {
            yield return $"ActorSales:GrainCallTimeout must be between 00:00:01 and 00:05:00, not {GrainCallTimeout}";
        }
        if (Kubernetes && Profile != HostingProfile.Postgres)
        {
            yield return "ActorSales:Kubernetes needs the Postgres profile";
        }
        if (Profile == HostingProfile.Postgres && string.IsNullOrWhiteSpace(postgresConnectionString))
        {
            yield return "ConnectionStrings:Postgres (env ConnectionStrings__Postgres) is required for the Postgres profile";
        }
    }

    private static bool TryParseRole(string? value, out HostRole role)
    {
        switch (value?.Trim().ToLowerInvariant())
        {
            case "silo+gateway" or "silo-and-gateway" or "" or null:
                role = HostRole.SiloAndGateway;
                return true;
            case "silo":
                role = HostRole.Silo;
                return true;
            case "gateway":
                role = HostRole.Gateway;
                return true;
            default:
                role = default;
                return false;
        }
    }
}
