using ActorSales.Domain.Pipeline;
using Microsoft.Extensions.Configuration;

namespace ActorSales.Host.Configuration;

/// <summary>All settings the host needs before it can build the silo, read and validated in one go.</summary>
public sealed record HostSettings(
    ActorSalesOptions Options, AuthOptions Auth, string? PostgresConnectionString, EndpointSettings Endpoints,
    IReadOnlyList<PipelineDefinition> Pipelines, OpportunityOptions Opportunities, PostgresPoolSettings? Pools = null)
{
    /// <summary>The PostgreSQL pools' sizes (defaults when not configured).</summary>
    public PostgresPoolSettings PostgresPools => Pools ?? new PostgresPoolSettings();

    /// <summary>The connection string for one of this process's pools ("orleans", "eventlog", "readmodel").</summary>
    public string PostgresPool(string pool) => PostgresPools.For(PostgresConnectionString!, pool);

    /// <summary>
    /// The Local profile's published development key. It signs tokens only for a silo on loopback that keeps
    /// nothing; the Postgres profile refuses to start without a key or authority of its own.
    /// </summary>
    public const string LocalDevelopmentSigningKey = "actorsales-local-development-key-not-a-secret-0001";

    public static HostSettings Read(IConfiguration configuration)
    {
        var options = new ActorSalesOptions();
        var auth = new AuthOptions();
        var endpoints = new EndpointSettings();
        var pipelines = new List<PipelineSettings>();
        var opportunities = new OpportunityOptions();
        var pools = new PostgresPoolSettings();
        try
        {
            configuration.GetSection("ActorSales:Pipelines").Bind(pipelines);
            configuration.GetSection("ActorSales:Opportunities").Bind(opportunities);
            configuration.GetSection(ActorSalesOptions.Section).Bind(options);
            configuration.GetSection(AuthOptions.Section).Bind(auth);
            configuration.GetSection(EndpointSettings.Section).Bind(endpoints);
            configuration.GetSection(PostgresPoolSettings.Section).Bind(pools);
        }
        catch (InvalidOperationException exception)
        {
            // The binder's message names the key and the value it could not convert.
            throw new ConfigurationException(exception.Message);
        }
        if (options.Profile == HostingProfile.Local && string.IsNullOrEmpty(auth.SigningKey) && string.IsNullOrEmpty(auth.Authority))
        {
            auth.SigningKey = LocalDevelopmentSigningKey;
        }
        var connectionString = configuration.GetConnectionString("Postgres");
        var problems = options.Validate(connectionString).Concat(auth.Validate()).Concat(endpoints.Validate()).Concat(pools.Validate()).ToList();
        if (options.HostRole == HostRole.Silo && string.IsNullOrEmpty(endpoints.Admin))
        {
            problems.Add("ActorSales:Endpoints:Admin must be set for the silo role (its health and metrics listener)");
        }
        if (problems.Count > 0)
        {
            throw new ConfigurationException(string.Join("; ", problems));
        }
        var definitions = pipelines.Select((p, i) => p.ToDefinition(i)).ToList();
        if (!definitions.Any(d => d.Key == opportunities.DefaultPipeline))
        {
            throw new ConfigurationException($"ActorSales:Opportunities:DefaultPipeline '{opportunities.DefaultPipeline}' is not among ActorSales:Pipelines");
        }
        return new HostSettings(options, auth, connectionString, endpoints, definitions, opportunities, pools);
    }
}

/// <summary>
/// Section "ActorSales:Endpoints": where Kestrel listens when no "Kestrel:Endpoints" section is configured. gRPC on
/// HTTP/2 cleartext (h2c); gRPC-Web for browsers on HTTP/1.1. For TLS, configure "Kestrel:Endpoints" instead.
/// </summary>
public sealed class EndpointSettings
{
    public const string Section = "ActorSales:Endpoints";

    public string Grpc { get; set; } = "http://127.0.0.1:5080";

    /// <summary>Empty disables the HTTP/1.1 listener (gRPC-Web still works over HTTP/2 on <see cref="Grpc"/>).</summary>
    public string? GrpcWeb { get; set; } = "http://127.0.0.1:5081";

    /// <summary>
    /// The admin listener (HTTP/1.1): health (<c>/healthz</c> readiness, <c>/livez</c> liveness), the Prometheus scrape
    /// (<c>/metrics</c>) and, when enabled, the Orleans Dashboard. Never expose it publicly. Empty turns it off (not
    /// allowed for the <c>silo</c> role, whose only listener it is).
    /// </summary>
    public string? Admin { get; set; } = "http://127.0.0.1:5082";

    /// <summary>The admin listener's port, or null when it is off.</summary>
    public int? AdminPort => string.IsNullOrEmpty(Admin) ? null : new Uri(Admin).Port;

    public IEnumerable<string> Validate()
    {
        if (!IsHttpUrl(Grpc))
        {
            yield return $"ActorSales:Endpoints:Grpc '{Grpc}' must be an http:// URL with a port, e.g. http://127.0.0.1:5080";
        }
        if (!string.IsNullOrEmpty(GrpcWeb) && !IsHttpUrl(GrpcWeb))
        {
            yield return $"ActorSales:Endpoints:GrpcWeb '{GrpcWeb}' must be an http:// URL with a port, or empty";
        }
        if (!string.IsNullOrEmpty(Admin) && !IsHttpUrl(Admin))
        {
            yield return $"ActorSales:Endpoints:Admin '{Admin}' must be an http:// URL with a port, or empty";
        }
    }

    private static bool IsHttpUrl(string? value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttp && uri.Port is >= 0 and <= 65535;
}
