using ActorSales.Domain.Identity;
using ActorSales.Grains.Abstractions.Opportunities;
using ActorSales.Host.Configuration;

namespace ActorSales.Host.Hosting;

/// <summary>
/// Defines the configured pipelines once the silo runs. Idempotent: a definition equal to the stored latest version
/// adds nothing, a changed one becomes a new version (running opportunities keep theirs). Every silo may run it.
/// </summary>
public sealed partial class PipelineSeeder(IGrainFactory grains, HostSettings settings, ILogger<PipelineSeeder> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var definition in settings.Pipelines)
        {
            var stored = await grains.GetGrain<IPipelineGrain>(definition.Key).Define(definition, Caller.System);
            LogSeeded(definition.Key, stored.Version);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Pipeline {PipelineKey} is at version {Version}")]
    private partial void LogSeeded(string pipelineKey, int version);
}
