using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ActorSales.Host.Hosting;

/// <summary>The gateway role's view of its connections to the silos' Orleans gateways.</summary>
public sealed class ClusterConnectionStatus : IClusterConnectionStatusObserver
{
    private int _gateways;

    /// <summary>Silo gateways this client holds a connection to.</summary>
    public int ConnectedGateways => Volatile.Read(ref _gateways);

    public void NotifyGatewayCountChanged(int currentNumberOfGateways, int previousNumberOfGateways, bool connectionRecovered) =>
        Volatile.Write(ref _gateways, currentNumberOfGateways);

    public void NotifyClusterConnectionLost() => Volatile.Write(ref _gateways, 0);
}

/// <summary>Health "cluster" of the gateway role: healthy while the Orleans client is connected to at least one silo.</summary>
public sealed class ClusterClientHealthCheck(ClusterConnectionStatus status) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var gateways = status.ConnectedGateways;
        return Task.FromResult(gateways > 0
            ? HealthCheckResult.Healthy($"connected to {gateways} silo gateway(s)")
            : HealthCheckResult.Unhealthy("not connected to any silo"));
    }
}

/// <summary>
/// Keeps a gateway trying to reach the silos for as long as it runs (Orleans' default gives up after 15 attempts and
/// stops the process): a gateway started before its silos waits for them, saying "starting" on its health endpoints.
/// </summary>
public sealed class RetryForeverConnectionFilter(TimeProvider clock) : IClientConnectionRetryFilter
{
    public async Task<bool> ShouldRetryConnectionAttempt(Exception exception, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return false;
        }
        await Task.Delay(TimeSpan.FromSeconds(1), clock, cancellationToken);
        return true;
    }
}
