using ActorSales.Gateway;
using ActorSales.Gateway.Overload;
using ActorSales.Grains;
using ActorSales.Grains.Abstractions.Events;
using ActorSales.Grains.Events;
using ActorSales.Grains.Infrastructure;
using ActorSales.Host.Commands;
using ActorSales.Host.Configuration;
using ActorSales.Infrastructure.Postgres;
using ActorSales.ReadModel;
using ActorSales.ReadModel.Projecting;
using ActorSales.Web;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.IdentityModel.Tokens;

namespace ActorSales.Host.Hosting;

/// <summary>
/// Builds the host in its role (<see cref="HostRole"/>): a silo with the co-hosted gRPC gateway, a silo alone, or the
/// gateway alone as an Orleans client. Program.cs runs it; end-to-end tests start it on loopback.
/// </summary>
public static class ActorSalesHost
{
    /// <summary>
    /// The longest a graceful stop takes (listeners drain, the silo hands its grains over and leaves): Kubernetes'
    /// terminationGracePeriodSeconds must be longer (deploy/k8s, checked by a test).
    /// </summary>
    public static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(25);

    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? customize = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        var settings = HostSettings.Read(builder.Configuration);
        var options = settings.Options;
        builder.Services.AddSingleton(settings);
        customize?.Invoke(builder);

        // The listeners start together with the silo (or the Orleans client), not after it: during a start-up of many
        // seconds health answers "starting" and calls get UNAVAILABLE (HostReadiness) instead of refused connections.
        // What must come before the silo (the schema) is a silo start-up task at its first stage.
        builder.Services.Configure<HostOptions>(host => host.ServicesStartConcurrently = true);
        builder.Services.AddSingleton<HostReadiness>();
        ConfigureKestrel(builder, settings);
        builder.Services.Configure<EventLogOptions>(builder.Configuration.GetSection("ActorSales:Events"));
        if (options.Profile == HostingProfile.Postgres)
        {
            // The gateway role reads the log too (EventsService.Subscribe) and the read model (queries).
            builder.Services.TryAddSingleton<IEventLog>(services => new PostgresEventLog(
                settings.PostgresPool("eventlog"), options.ServiceId,
                services.GetRequiredService<TimeProvider>(), services.GetRequiredService<ILogger<PostgresEventLog>>()));
            // The read model in PostgreSQL, ahead of the read side's in-memory default (TryAdd). The store applies the
            // shared projection the read side registers (with the configured forecast weights).
            builder.Services.AddSingleton(services => new ActorSales.Infrastructure.Postgres.ReadModel.PostgresReadModelStore(
                settings.PostgresPool("readmodel"), services.GetRequiredService<ActorSales.ReadModel.Projection>()));
            builder.Services.AddSingleton<ActorSales.ReadModel.IReadModelStore>(services => services.GetRequiredService<ActorSales.Infrastructure.Postgres.ReadModel.PostgresReadModelStore>());
            builder.Services.AddSingleton<ActorSales.ReadModel.IReadModelQueries>(services => services.GetRequiredService<ActorSales.Infrastructure.Postgres.ReadModel.PostgresReadModelStore>());
            if (options.RunsSilo)
            {
                builder.Services.AddSingleton<ActorSales.ReadModel.Projecting.IProjectionLease>(_ => new ActorSales.Infrastructure.Postgres.ReadModel.PostgresProjectionLease(settings.PostgresConnectionString!));
            }
        }
        // Business-rule sections, validated at start (exit 78 with the setting named) in every role, so one
        // configuration is accepted or refused the same way by silos and gateways.
        var config = builder.Configuration;
        builder.Services.AddSingleton(Microsoft.Extensions.Options.Options.Create(
            ValidatedSettings.Read<Domain.Customers.GradingOptions>(config, "ActorSales:Grading", o => o.Validate())));
        builder.Services.AddSingleton(Microsoft.Extensions.Options.Options.Create(
            ValidatedSettings.Read<Domain.Customers.FieldWorkOptions>(config, Domain.Customers.FieldWorkOptions.Section, o => o.Validate())));
        builder.Services.AddSingleton(Microsoft.Extensions.Options.Options.Create(
            ValidatedSettings.Read<Domain.Insights.InsightsOptions>(config, Domain.Insights.InsightsOptions.Section, o => o.Validate())));
        builder.Services.AddSingleton(Microsoft.Extensions.Options.Options.Create(
            ValidatedSettings.Read<Domain.Orders.OrderOptions>(config, Domain.Orders.OrderOptions.Section, o => o.Validate())));
        builder.Services.AddSingleton(Microsoft.Extensions.Options.Options.Create(
            ValidatedSettings.Read<Domain.Leads.LeadOptions>(config, Domain.Leads.LeadOptions.Section, o => o.Validate())));
        builder.Services.AddSingleton<Microsoft.Extensions.Options.IOptions<ActorSales.Domain.Pipeline.OpportunityOptions>>(Microsoft.Extensions.Options.Options.Create(settings.Opportunities));
        builder.Services.Configure<ReadModelOptions>(builder.Configuration.GetSection(ReadModelOptions.Section));
        builder.Services.AddOptions<ActorSales.ReadModel.Analytics.AnalyticsOptions>()
            .Bind(builder.Configuration.GetSection(ActorSales.ReadModel.Analytics.AnalyticsOptions.Section))
            .ValidateOnStart();
        builder.Services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<ActorSales.ReadModel.Analytics.AnalyticsOptions>, ActorSales.ReadModel.Analytics.AnalyticsOptionsValidator>();

        var health = builder.Services.AddGrpcHealthChecks().AddCheck<ReadinessHealthCheck>(ReadinessHealthCheck.Name);
        if (options.RunsSilo)
        {
            AddSilo(builder, settings);
            health.AddCheck<SiloHealthCheck>("silo");
        }
        else
        {
            builder.UseOrleansClient(client => ClientConfiguration.Configure(client, settings));
            builder.Services.AddActorSalesReadModelQueries();
            health.AddCheck<ClusterClientHealthCheck>("cluster");
        }

        builder.Services.AddActorSalesGateway();
        builder.Services.AddGatewayLoadShedding(builder.Configuration.GetSection(LoadSheddingOptions.Section));
        builder.Services.AddGrpcReflection();
        AddAuthentication(builder.Services, settings.Auth);
        Telemetry.Add(builder, settings);

        var app = builder.Build();
        Telemetry.UseRpcMetrics(app);
        if (options.ServesApi)
        {
            UseBoard(app, settings);
            app.UseGrpcWeb(new GrpcWebOptions { DefaultEnabled = false });
            app.UseMiddleware<ReadinessGateMiddleware>();
            app.UseGatewayLoadShedding();
        }
        app.UseAuthentication();
        app.UseAuthorization();
        if (options.ServesApi)
        {
            app.MapActorSalesGateway();
            app.MapGrpcHealthChecksService().EnableGrpcWeb();
            app.MapGrpcReflectionService();
        }
        // Readiness (every listener, as before) and liveness: /livez runs no check, it only says the process serves.
        app.MapHealthChecks("/healthz", new Microsoft.AspNetCore.Diagnostics.HealthChecks.HealthCheckOptions { ResponseWriter = HostReadiness.WriteAsync });
        app.MapHealthChecks("/livez", new Microsoft.AspNetCore.Diagnostics.HealthChecks.HealthCheckOptions { Predicate = _ => false });
        Telemetry.MapAdmin(app, settings);
        return app;
    }

    /// <summary>The silo roles: grains, their providers, the projector, retention.</summary>
    private static void AddSilo(WebApplicationBuilder builder, HostSettings settings)
    {
        var options = settings.Options;
        builder.Services.AddActorSalesGrains();
        builder.Services.Configure<ActorSales.Domain.Deadlines.DeadlineOptions>(builder.Configuration.GetSection("ActorSales:Deadlines"));
        builder.Services.Configure<ActorSales.Domain.Deadlines.PoolOptions>(builder.Configuration.GetSection("ActorSales:Pool"));
        builder.Services.Configure<ActorSales.Domain.Handovers.HandoverOptions>(builder.Configuration.GetSection("ActorSales:Handovers"));
        if (options.Profile == HostingProfile.Postgres && options.MigrateOnStart)
        {
            builder.Services.AddSingleton<PostgresMigrator>();
        }
        builder.UseOrleans(silo => SiloConfiguration.Configure(silo, settings));
        builder.Services.AddHostedService<EventLogRetention>();
        // The read side (the projector reads the log, not grains). A profile's own store and lease (PostgreSQL's) are
        // registered before this line; the in-memory store and the single-silo lease fill the gaps.
        builder.Services.AddActorSalesReadModel();
    }

    /// <summary>
    /// The manager's board at /board/ on the gRPC-Web listener (browsers cannot speak the h2c one), with the development
    /// sign-in in the Local profile only: there the signing key is the published development key, so minting a token for
    /// anyone gives nothing away that `actorsales token` does not.
    /// </summary>
    private static void UseBoard(WebApplication app, HostSettings settings)
    {
        var operatorEndpoints = app.Configuration.GetSection("Kestrel:Endpoints").Exists();
        if (!operatorEndpoints && string.IsNullOrEmpty(settings.Endpoints.GrpcWeb))
        {
            return; // no HTTP/1.1 listener: no board
        }
        var auth = settings.Auth;
        app.UseActorSalesBoard(new BoardOptions
        {
            Port = operatorEndpoints ? null : new Uri(settings.Endpoints.GrpcWeb!).Port,
            DevelopmentSignIn = settings.Options.Profile == HostingProfile.Local && auth.SymmetricKey is { } key
                // Real time, as tokens are validated on real time.
                ? (user, role) => TokenCommand.Mint(auth, key, user, role, TimeSpan.FromHours(8), TimeProvider.System)
                : null,
            Files = app.Configuration["ActorSales:Board:Files"],
        });
    }

    private static void ConfigureKestrel(WebApplicationBuilder builder, HostSettings settings)
    {
        var endpoints = settings.Endpoints;
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = ShutdownTimeout);
        if (builder.Configuration.GetSection("Kestrel:Endpoints").Exists())
        {
            return; // The operator configured endpoints (and TLS certificates) the standard Kestrel way.
        }
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            if (settings.Options.ServesApi)
            {
                Listen(kestrel, endpoints.Grpc, HttpProtocols.Http2);
                if (!string.IsNullOrEmpty(endpoints.GrpcWeb))
                {
                    Listen(kestrel, endpoints.GrpcWeb, HttpProtocols.Http1);
                }
            }
            if (!string.IsNullOrEmpty(endpoints.Admin))
            {
                Listen(kestrel, endpoints.Admin, HttpProtocols.Http1);
            }
        });
        // Kestrel would otherwise also try the default URLs.
        builder.WebHost.UseUrls();
    }

    private static void Listen(KestrelServerOptions kestrel, string url, HttpProtocols protocols)
    {
        var uri = new Uri(url);
        // 0.0.0.0 (every interface) is what a container wants.
        var address = uri.Host is "localhost" ? System.Net.IPAddress.Loopback : System.Net.IPAddress.Parse(uri.Host);
        kestrel.Listen(address, uri.Port, listen => listen.Protocols = protocols);
    }

    private static void AddAuthentication(IServiceCollection services, AuthOptions auth)
    {
        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(jwt =>
        {
            jwt.MapInboundClaims = false;
            // Each distinct token is validated once, then served from a bounded cache until it expires (5 min at most).
            // Real time, like the validation itself.
            jwt.TokenHandlers.Clear();
            jwt.TokenHandlers.Add(new CachingJsonWebTokenHandler(TimeProvider.System) { MapInboundClaims = false });
            jwt.Audience = auth.Audience;
            if (!string.IsNullOrEmpty(auth.Authority))
            {
                jwt.Authority = auth.Authority;
            }
            // The dashboard's browser requests carry the admin token in a cookie scoped to it (see Telemetry.MapAdmin).
            jwt.Events = new JwtBearerEvents
            {
                OnMessageReceived = context =>
                {
                    if (context.Request.Path.StartsWithSegments(Telemetry.DashboardPath)
                        && context.Request.Cookies.TryGetValue(Telemetry.DashboardCookie, out var cookie) && !string.IsNullOrEmpty(cookie))
                    {
                        context.Token = cookie;
                    }
                    return Task.CompletedTask;
                },
            };
            jwt.TokenValidationParameters = new TokenValidationParameters
            {
                ValidIssuer = string.IsNullOrEmpty(auth.Authority) ? auth.Issuer : auth.Authority,
                ValidAudience = auth.Audience,
                IssuerSigningKey = string.IsNullOrEmpty(auth.Authority) ? auth.SymmetricKey : null,
                NameClaimType = "sub",
                RoleClaimType = "role",
                ClockSkew = TimeSpan.FromSeconds(30),
            };
        });
        services.AddAuthorization(policies => policies.AddPolicy(Telemetry.AdminPolicy, policy => policy.RequireRole("admin")));
    }
}
