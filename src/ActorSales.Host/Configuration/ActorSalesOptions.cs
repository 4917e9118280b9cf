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

/// <summary>Section "ActorSales" (env prefix ActorSales__).</summary>
public sealed class ActorSalesOptions
{
    public const string Section = "ActorSales";

    public HostingProfile Profile { get; set; } = HostingProfile.Local;

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
        if (Profile == HostingProfile.Postgres && string.IsNullOrWhiteSpace(postgresConnectionString))
        {
            yield return "ConnectionStrings:Postgres (env ConnectionStrings__Postgres) is required for the Postgres profile";
        }
    }
}
