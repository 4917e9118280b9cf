using Microsoft.Extensions.Diagnostics.HealthChecks;
using Orleans.Runtime;

namespace ActorSales.Host.Hosting;

/// <summary>Healthy while this silo is an active member of the cluster (it then accepts grain calls).</summary>
public sealed class SiloHealthCheck(IClusterMembershipService membership, ILocalSiloDetails silo) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var snapshot = membership.CurrentSnapshot;
        var status = snapshot.GetSiloStatus(silo.SiloAddress);
        var active = snapshot.Members.Values.Count(m => m.Status == SiloStatus.Active);
        return Task.FromResult(status == SiloStatus.Active
            ? HealthCheckResult.Healthy($"silo active; {active} active silo(s) in the cluster")
            : HealthCheckResult.Unhealthy($"silo status is {status}"));
    }
}
