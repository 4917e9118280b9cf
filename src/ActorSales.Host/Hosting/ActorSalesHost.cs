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
using OpenTelemetry.Metrics;

namespace ActorSales.Host.Hosting;

/// <summary>Builds the co-hosted silo + gRPC gateway. Program.cs runs it; end-to-end tests start it on loopback.</summary>
public static class ActorSalesHost
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? customize = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        var settings = HostSettings.Read(builder.Configuration);
        builder.Services.AddSingleton(settings);
        customize?.Invoke(builder);

        ConfigureKestrel(builder, settings.Endpoints);
        builder.Services.Configure<EventLogOptions>(builder.Configuration.GetSection("ActorSales:Events"));
        if (settings.Options.Profile == HostingProfile.Postgres)
        {
            builder.Services.TryAddSingleton<IEventLog>(services => new PostgresEventLog(
                settings.PostgresConnectionString!, settings.Options.ServiceId,
                services.GetRequiredService<TimeProvider>(), services.GetRequiredService<ILogger<PostgresEventLog>>()));
            // The read model and the projector's lease in PostgreSQL, ahead of the read side's in-memory defaults (TryAdd).
            // The store applies the shared projection AddActorSalesReadModel registers (with the configured forecast weights).
            builder.Services.AddSingleton(services => new ActorSales.Infrastructure.Postgres.ReadModel.PostgresReadModelStore(
                settings.PostgresConnectionString!, services.GetRequiredService<ActorSales.ReadModel.Projection>()));
            builder.Services.AddSingleton<ActorSales.ReadModel.IReadModelStore>(services => services.GetRequiredService<ActorSales.Infrastructure.Postgres.ReadModel.PostgresReadModelStore>());
            builder.Services.AddSingleton<ActorSales.ReadModel.IReadModelQueries>(services => services.GetRequiredService<ActorSales.Infrastructure.Postgres.ReadModel.PostgresReadModelStore>());
            builder.Services.AddSingleton<ActorSales.ReadModel.Projecting.IProjectionLease>(_ => new ActorSales.Infrastructure.Postgres.ReadModel.PostgresProjectionLease(settings.PostgresConnectionString!));
        }
        builder.Services.AddActorSalesGrains();
        builder.Services.Configure<ActorSales.Domain.Deadlines.DeadlineOptions>(builder.Configuration.GetSection("ActorSales:Deadlines"));
        builder.Services.Configure<ActorSales.Domain.Deadlines.PoolOptions>(builder.Configuration.GetSection("ActorSales:Pool"));
        // Business-rule sections, validated at start (exit 78 with the setting named).
        var config = builder.Configuration;
        builder.Services.AddSingleton(Microsoft.Extensions.Options.Options.Create(
            ValidatedSettings.Read<Domain.Customers.GradingOptions>(config, "ActorSales:Grading", o => o.Validate())));
        builder.Services.AddSingleton(Microsoft.Extensions.Options.Options.Create(
            ValidatedSettings.Read<Domain.Customers.FieldWorkOptions>(config, Domain.Customers.FieldWorkOptions.Section, o => o.Validate())));
        builder.Services.AddSingleton(Microsoft.Extensions.Options.Options.Create(
            ValidatedSettings.Read<Domain.Insights.InsightsOptions>(config, Domain.Insights.InsightsOptions.Section, o => o.Validate())));
        builder.Services.AddSingleton(Microsoft.Extensions.Options.Options.Create(
            ValidatedSettings.Read<Domain.Orders.OrderOptions>(config, Domain.Orders.OrderOptions.Section, o => o.Validate())));
        builder.Services.Configure<ActorSales.Domain.Handovers.HandoverOptions>(builder.Configuration.GetSection("ActorSales:Handovers"));
        if (settings.Options.Profile == HostingProfile.Postgres && settings.Options.MigrateOnStart)
        {
            // Registered before the silo: hosted services start in order, and the silo needs the tables.
            builder.Services.AddSingleton<PostgresMigrator>();
            builder.Services.AddHostedService<MigrateOnStartService>();
        }
        builder.UseOrleans(silo => SiloConfiguration.Configure(silo, settings));
        // After the silo's own hosted service, so grains are callable.
        builder.Services.AddHostedService<PipelineSeeder>();
        builder.Services.AddHostedService<EventLogRetention>();
        builder.Services.AddSingleton<Microsoft.Extensions.Options.IOptions<ActorSales.Domain.Pipeline.OpportunityOptions>>(Microsoft.Extensions.Options.Options.Create(settings.Opportunities));
        // The read side, after the silo (the projector reads the log, not grains). A profile's own store and lease
        // (PostgreSQL's) are registered before this line; the in-memory store and the single-silo lease fill the gaps.
        builder.Services.Configure<ReadModelOptions>(builder.Configuration.GetSection(ReadModelOptions.Section));
        builder.Services.AddActorSalesReadModel();
        builder.Services.AddOptions<ActorSales.ReadModel.Analytics.AnalyticsOptions>()
            .Bind(builder.Configuration.GetSection(ActorSales.ReadModel.Analytics.AnalyticsOptions.Section))
            .ValidateOnStart();
        builder.Services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<ActorSales.ReadModel.Analytics.AnalyticsOptions>, ActorSales.ReadModel.Analytics.AnalyticsOptionsValidator>();

        builder.Services.AddActorSalesGateway();
        builder.Services.AddGatewayLoadShedding(builder.Configuration.GetSection(LoadSheddingOptions.Section));
        builder.Services.AddGrpcReflection();
        builder.Services.AddGrpcHealthChecks().AddCheck<SiloHealthCheck>("silo");
        AddAuthentication(builder.Services, settings.Auth);

        builder.Services.AddOpenTelemetry().WithMetrics(metrics =>
        {
            metrics.AddMeter(ActorSalesMetrics.MeterName, "Microsoft.Orleans", "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "Grpc.AspNetCore.Server");
            if (!string.IsNullOrEmpty(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
            {
                metrics.AddOtlpExporter();
            }
        });

        var app = builder.Build();
        UseBoard(app, settings);
        app.UseGrpcWeb(new GrpcWebOptions { DefaultEnabled = false });
        app.UseGatewayLoadShedding();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapActorSalesGateway();
        app.MapGrpcHealthChecksService().EnableGrpcWeb();
        app.MapGrpcReflectionService();
        app.MapHealthChecks("/healthz");
        return app;
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

    private static void ConfigureKestrel(WebApplicationBuilder builder, EndpointSettings endpoints)
    {
        if (builder.Configuration.GetSection("Kestrel:Endpoints").Exists())
        {
            return; // The operator configured endpoints (and TLS certificates) the standard Kestrel way.
        }
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            Listen(kestrel, endpoints.Grpc, HttpProtocols.Http2);
            if (!string.IsNullOrEmpty(endpoints.GrpcWeb))
            {
                Listen(kestrel, endpoints.GrpcWeb, HttpProtocols.Http1);
            }
        });
        // Kestrel would otherwise also try the default URLs.
        builder.WebHost.UseUrls();
    }

    private static void Listen(KestrelServerOptions kestrel, string url, HttpProtocols protocols)
    {
        var uri = new Uri(url);
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
        services.AddAuthorization();
    }
}
