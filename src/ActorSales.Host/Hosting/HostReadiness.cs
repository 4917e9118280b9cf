using Grpc.AspNetCore.Server;
using Grpc.Core;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ActorSales.Host.Hosting;

/// <summary>
/// Whether this process has finished starting and is not stopping. The host starts its listeners together with the
/// silo (or the Orleans client), so during the silo's start-up the listeners already answer: health says "starting"
/// and ActorSales calls get UNAVAILABLE (retry elsewhere) instead of a refused connection. From SIGTERM on it says
/// "stopping", so a load balancer takes the process out before the silo leaves.
/// </summary>
public sealed class HostReadiness
{
    private volatile bool _started;
    private volatile bool _stopping;

    public HostReadiness(IHostApplicationLifetime lifetime)
    {
        // Registering on a token that already fired runs the callback at once, so constructing this late is fine.
        lifetime.ApplicationStarted.Register(() => _started = true);
        lifetime.ApplicationStopping.Register(() => _stopping = true);
    }

    /// <summary>Started and not stopping.</summary>
    public bool Ready => _started && !_stopping;

    /// <summary>Why it is not ready ("starting", "stopping"), or null.</summary>
    public string? NotReadyReason => _stopping ? "stopping" : _started ? null : "starting";

    /// <summary>
    /// The health answer as text: the overall status, then one line per check that is not healthy ("ready: host is
    /// starting"), so whoever looks at a failing probe reads why without a log.
    /// </summary>
    public static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "text/plain; charset=utf-8";
        var text = new System.Text.StringBuilder(report.Status.ToString());
        foreach (var (name, entry) in report.Entries.Where(e => e.Value.Status != HealthStatus.Healthy).OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            text.Append('\n').Append(name).Append(": ").Append(entry.Description ?? entry.Exception?.Message ?? entry.Status.ToString());
        }
        return context.Response.WriteAsync(text.Append('\n').ToString());
    }
}

/// <summary>Health "ready": unhealthy while the host starts or stops.</summary>
public sealed class ReadinessHealthCheck(HostReadiness readiness) : IHealthCheck
{
    public const string Name = "ready";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(readiness.NotReadyReason is { } reason
            ? HealthCheckResult.Unhealthy($"host is {reason}")
            : HealthCheckResult.Healthy("host started"));
}

/// <summary>
/// Answers ActorSales calls that arrive before the host is ready (or once it stops) with UNAVAILABLE, which README's
/// clients retry, with the same request id, on another gateway. Health and reflection pass.
/// </summary>
public sealed class ReadinessGateMiddleware(RequestDelegate next, HostReadiness readiness)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (readiness.NotReadyReason is { } reason
            && context.GetEndpoint()?.Metadata.GetMetadata<GrpcMethodMetadata>()?.Method is { } method
            && method.ServiceName.StartsWith("actorsales.", StringComparison.Ordinal))
        {
            // A trailers-only gRPC response: the status travels in the one HEADERS frame.
            context.Response.StatusCode = StatusCodes.Status200OK;
            context.Response.ContentType = "application/grpc";
            context.Response.Headers["grpc-status"] = ((int)StatusCode.Unavailable).ToString(System.Globalization.CultureInfo.InvariantCulture);
            context.Response.Headers["grpc-message"] = $"the server is {reason}; retry";
            return Task.CompletedTask;
        }
        return next(context);
    }
}
