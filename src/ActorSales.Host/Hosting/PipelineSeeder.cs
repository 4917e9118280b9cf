using ActorSales.Domain.Identity;
using ActorSales.Grains.Abstractions.Opportunities;
using ActorSales.Host.Configuration;

namespace ActorSales.Host.Hosting;

/// <summary>
/// Defines the configured pipelines once the silo is active (a silo start-up task: the silo's start, and so the host's,
/// completes after it). Idempotent: a definition equal to the stored latest version adds nothing, a changed one becomes
/// a new version (running opportunities keep theirs). Every silo runs it.
/// </summary>
public sealed partial class PipelineSeeder(IGrainFactory grains, HostSettings settings, ILogger<PipelineSeeder> logger) : IStartupTask
{
    public async Task Execute(CancellationToken cancellationToken)
    {
        foreach (var definition in settings.Pipelines)
        {
            var stored = await grains.GetGrain<IPipelineGrain>(definition.Key).Define(definition, Caller.System);
            LogSeeded(definition.Key, stored.Version);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Pipeline {PipelineKey} is at version {Version}")]
    private partial void LogSeeded(string pipelineKey, int version);
}
