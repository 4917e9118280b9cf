using ActorSales.Host.Configuration;
using ActorSales.Infrastructure.Postgres;

namespace ActorSales.Host.Hosting;

/// <summary>Applies the PostgreSQL schema before the silo starts (ActorSales:MigrateOnStart=true).</summary>
public sealed class MigrateOnStartService(PostgresMigrator migrator, HostSettings settings) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken) =>
        await migrator.MigrateAsync(settings.PostgresConnectionString!, cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
