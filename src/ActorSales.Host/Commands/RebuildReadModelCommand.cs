using ActorSales.Host.Configuration;
using ActorSales.ReadModel;

namespace ActorSales.Host.Commands;

/// <summary>
/// `actorsales rebuild-read-model`: empties the query rows and re-applies the permanent history (the store's own, not
/// the event log's 72 hours), giving the rows the live projection would. The checkpoint and history stay, so the
/// projector carries on where it was. Run it after a projection change. A store rebuilds atomically with respect to
/// the projector's batches (in memory under its lock; PostgreSQL in one transaction), so silos may keep running.
/// </summary>
public static class RebuildReadModelCommand
{
    public static async Task<int> RunAsync(IServiceProvider services, TextWriter output, CancellationToken cancellationToken)
    {
        var settings = services.GetRequiredService<HostSettings>();
        if (settings.Options.Profile == HostingProfile.Local)
        {
            output.WriteLine("Local profile: the read model lives in the running host and is projected from its log at start; rebuilding this process's copy");
        }
        var store = services.GetRequiredService<IReadModelStore>();
        await store.RebuildAsync(cancellationToken);
        output.WriteLine($"read model rebuilt from its history; checkpoint {await store.CheckpointAsync(cancellationToken)}");
        return 0;
    }
}
