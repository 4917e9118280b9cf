using System.Diagnostics.Metrics;
using System.Threading.RateLimiting;
using Grpc.AspNetCore.Server;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ActorSales.Gateway.Overload;

/// <summary>
/// Section "ActorSales:Gateway:LoadShedding": how many ActorSales calls the gateway works on at once. Past the limit
/// (and a short queue) a call is refused at once with RESOURCE_EXHAUSTED, before authentication or any grain work,
/// so an overload costs a header frame per refused call instead of growing queues, memory and latency without bound.
/// </summary>
public sealed class LoadSheddingOptions
{
    public const string Section = "ActorSales:Gateway:LoadShedding";

    /// <summary>Unary and client-streaming ActorSales calls admitted at once; 0 turns shedding off.</summary>
    public int MaxConcurrentCalls { get; set; } = 1000;

    /// <summary>Calls that may wait, oldest first, for an admitted one to finish before further calls are refused.</summary>
    public int QueueLimit { get; set; }
}

/// <summary>The process-wide admission gate (one <see cref="ConcurrencyLimiter"/>), shared by every connection.</summary>
public sealed class CallAdmission : IDisposable
{
    public CallAdmission(IOptions<LoadSheddingOptions> options, IMeterFactory meters)
    {
        var settings = options.Value;
        if (settings.MaxConcurrentCalls > 0)
        {
            Limiter = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
            {
                PermitLimit = settings.MaxConcurrentCalls,
                QueueLimit = Math.Max(0, settings.QueueLimit),
                QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            });
        }
        Shed = meters.Create("ActorSales").CreateCounter<long>("actorsales.gateway.calls_shed", description: "Calls refused with RESOURCE_EXHAUSTED at the concurrent call limit");
    }

    /// <summary>Null when shedding is off.</summary>
    public RateLimiter? Limiter { get; }

    internal Counter<long> Shed { get; }

    public void Dispose() => Limiter?.Dispose();
}

/// <summary>Admits ActorSales calls through <see cref="CallAdmission"/>; long-lived streams, health and reflection pass.</summary>
public sealed class LoadSheddingMiddleware(RequestDelegate next, CallAdmission admission)
{
    private const string Refusal = "the server is at its concurrent call limit; retry with backoff";

    public async Task InvokeAsync(HttpContext context)
    {
        if (admission.Limiter is not { } limiter || !IsSheddable(context))
        {
            await next(context);
            return;
        }
        RateLimitLease lease;
        try
        {
            lease = await limiter.AcquireAsync(1, context.RequestAborted);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            return; // the caller went away while queued
        }
        using (lease)
        {
            if (!lease.IsAcquired)
            {
                admission.Shed.Add(1);
                // A trailers-only gRPC response: the status travels in the one HEADERS frame.
                context.Response.StatusCode = StatusCodes.Status200OK;
                context.Response.ContentType = "application/grpc";
                context.Response.Headers["grpc-status"] = ((int)StatusCode.ResourceExhausted).ToString(System.Globalization.CultureInfo.InvariantCulture);
                context.Response.Headers["grpc-message"] = Refusal;
                return;
            }
            await next(context);
        }
    }

    private static bool IsSheddable(HttpContext context) =>
        context.GetEndpoint()?.Metadata.GetMetadata<GrpcMethodMetadata>()?.Method is { } method
        && method.ServiceName.StartsWith("actorsales.", StringComparison.Ordinal)
        && method.Type is MethodType.Unary or MethodType.ClientStreaming;
}

public static class LoadSheddingExtensions
{
    /// <summary>Registers the admission gate, configured from <paramref name="section"/>.</summary>
    public static IServiceCollection AddGatewayLoadShedding(this IServiceCollection services, IConfiguration section)
    {
        services.Configure<LoadSheddingOptions>(section);
        services.AddSingleton<CallAdmission>();
        return services;
    }

    /// <summary>Place before authentication, so a refused call costs no token validation.</summary>
    public static IApplicationBuilder UseGatewayLoadShedding(this IApplicationBuilder app) => app.UseMiddleware<LoadSheddingMiddleware>();
}
