using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using ActorSales.Grains.Infrastructure;
using ActorSales.Host.Configuration;
using Grpc.AspNetCore.Server;
using Microsoft.AspNetCore.Http.Features;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Orleans.Dashboard;

namespace ActorSales.Host.Hosting;

/// <summary>
/// What an operator sees: OpenTelemetry metrics (a Prometheus scrape on the admin listener, OTLP when
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set), traces (gRPC call -> grain calls -> PostgreSQL, one trace per request,
/// exported over OTLP when configured) whose trace id every log line carries, and the Orleans Dashboard when enabled.
/// </summary>
public static class Telemetry
{
    /// <summary>The admin-only authorisation policy (an ActorSales token with role admin).</summary>
    public const string AdminPolicy = "actorsales-admin";

    /// <summary>Where the Orleans Dashboard is served on the admin listener (when enabled).</summary>
    public const string DashboardPath = "/dashboard";

    /// <summary>The cookie a browser may carry the admin token in for the dashboard (set by <c>/dashboard/sign-in</c>).</summary>
    public const string DashboardCookie = "actorsales-admin-token";

    public static void Add(WebApplicationBuilder builder, HostSettings settings)
    {
        var otlp = !string.IsNullOrEmpty(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        // Every log line written inside a request (or a grain call it made) carries its trace and span ids.
        builder.Logging.Configure(logging => logging.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);
        // JSON lines (Logging:Console:FormatterName=json) carry a UTC timestamp and the scopes, where the trace id is.
        builder.Services.PostConfigure<Microsoft.Extensions.Logging.Console.JsonConsoleFormatterOptions>(json =>
        {
            json.TimestampFormat ??= "yyyy-MM-ddTHH:mm:ss.fffZ";
            json.UseUtcTimestamp = true;
            json.IncludeScopes = true;
        });
        builder.Services.AddSingleton<RpcMetrics>();
        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(ActorSalesMetrics.MeterName, "Microsoft.Orleans", "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "Grpc.AspNetCore.Server");
                metrics.AddPrometheusExporter();
                if (otlp)
                {
                    metrics.AddOtlpExporter();
                }
            })
            .WithTracing(tracing =>
            {
                tracing.AddAspNetCoreInstrumentation(aspnet => aspnet.Filter = context => context.GetEndpoint()?.Metadata.GetMetadata<GrpcMethodMetadata>() is not null);
                // Orleans' grain-call spans (AddActivityPropagation on silo and client) and its storage spans; Npgsql's own.
                tracing.AddSource("Microsoft.Orleans.Application", "Microsoft.Orleans.Storage", "Npgsql");
                if (otlp)
                {
                    tracing.AddOtlpExporter();
                }
            });
    }

    /// <summary>Records every gRPC call's latency by method and status (first in the pipeline: shed and refused calls count too).</summary>
    public static void UseRpcMetrics(WebApplication app) => app.UseMiddleware<RpcMetricsMiddleware>();

    /// <summary>The admin listener's routes: the Prometheus scrape and, when enabled, the dashboard (admin token).</summary>
    public static void MapAdmin(WebApplication app, HostSettings settings)
    {
        if (settings.Endpoints.AdminPort is not { } port)
        {
            return;
        }
        var adminHost = $"*:{port}";
        app.MapPrometheusScrapingEndpoint("/metrics").RequireHost(adminHost);
        if (settings.Options.RunsSilo && settings.Options.Dashboard.Enabled)
        {
            app.MapOrleansDashboard(DashboardPath).RequireHost(adminHost).RequireAuthorization(AdminPolicy);
            // A browser cannot add a bearer header to the dashboard's own requests: this puts the token in a cookie
            // scoped to the dashboard (POST, so the token never sits in a URL or a log line).
            app.MapPost(DashboardPath + "-sign-in", (HttpContext context) =>
            {
                var token = context.Request.HasFormContentType ? context.Request.Form["token"].ToString() : string.Empty;
                context.Response.Cookies.Append(DashboardCookie, token, new CookieOptions
                {
                    HttpOnly = true, SameSite = SameSiteMode.Strict, Path = DashboardPath, MaxAge = TimeSpan.FromHours(8),
                });
                return Results.Redirect(DashboardPath + "/");
            }).RequireHost(adminHost).DisableAntiforgery();
        }
    }
}

/// <summary>Instruments of the gateway's calls.</summary>
public sealed class RpcMetrics
{
    public RpcMetrics(IMeterFactory meters)
    {
        Duration = meters.Create(ActorSalesMetrics.MeterName).CreateHistogram<double>("actorsales.rpc.duration", unit: "s",
            description: "gRPC calls served by the gateway, by method and gRPC status (streams: until they end)",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });
    }

    public Histogram<double> Duration { get; }
}

/// <summary>Times each gRPC call and reads the status it ended with (trailers, or the headers of a trailers-only answer).</summary>
public sealed class RpcMetricsMiddleware(RequestDelegate next, RpcMetrics metrics)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<GrpcMethodMetadata>()?.Method is not { } method)
        {
            await next(context);
            return;
        }
        var started = Stopwatch.GetTimestamp();
        try
        {
            await next(context);
        }
        finally
        {
            var status = context.Features.Get<IHttpResponseTrailersFeature>()?.Trailers["grpc-status"] is { Count: > 0 } trailer
                ? trailer.ToString()
                : context.Response.Headers["grpc-status"] is { Count: > 0 } header
                    ? header.ToString()
                    : context.RequestAborted.IsCancellationRequested ? "1" : "2"; // CANCELLED when the caller left, else UNKNOWN
            metrics.Duration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds,
                new KeyValuePair<string, object?>("rpc.service", method.ServiceName),
                new KeyValuePair<string, object?>("rpc.method", method.Name),
                new KeyValuePair<string, object?>("rpc.grpc.status_code", int.TryParse(status, NumberStyles.Integer, CultureInfo.InvariantCulture, out var code) ? code : 2));
        }
    }
}
