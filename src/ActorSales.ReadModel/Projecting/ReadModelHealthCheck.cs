using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace ActorSales.ReadModel.Projecting;

/// <summary>
/// Health "readmodel": unhealthy once retention removed events the read model had not applied; degraded while the
/// oldest unapplied event is older than <see cref="ReadModelOptions.DegradedAfter"/> or the last batch failed; a silo
/// without the lease is healthy (another projects).
/// </summary>
public sealed class ReadModelHealthCheck(ProjectorStatus status, IOptions<ReadModelOptions> options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (status.LostEvents is { } lost)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy(lost));
        }
        if (!status.LeaseHeld)
        {
            return Task.FromResult(HealthCheckResult.Healthy("standby: another silo projects the read model"));
        }
        var behind = status.TimeBehind;
        if (behind > options.Value.DegradedAfter)
        {
            return Task.FromResult(HealthCheckResult.Degraded(
                $"read model is {status.PositionsBehind} positions and {behind.TotalSeconds:0.#} s behind the event log"));
        }
        if (status.LastError is { } error)
        {
            return Task.FromResult(HealthCheckResult.Degraded($"the last read model batch failed: {error}"));
        }
        return Task.FromResult(HealthCheckResult.Healthy($"read model at position {status.Checkpoint}"));
    }
}
