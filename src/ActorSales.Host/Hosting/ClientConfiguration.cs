using ActorSales.Grains.Events.Streams;
using ActorSales.Host.Configuration;
using ActorSales.Infrastructure.Postgres;
using Orleans.Configuration;

namespace ActorSales.Host.Hosting;

/// <summary>
/// The gateway role's Orleans client: it finds the silos' gateways in the PostgreSQL membership table, calls grains
/// over the network and holds no grain, state or reminder. It keeps trying to reach the silos for as long as it runs.
/// </summary>
public static class ClientConfiguration
{
    public static void Configure(IClientBuilder client, HostSettings settings)
    {
        var options = settings.Options;
        client.Configure<ClusterOptions>(cluster =>
        {
            cluster.ClusterId = options.ClusterId;
            cluster.ServiceId = options.ServiceId;
        });
        client.UseAdoNetClustering(o =>
        {
            o.Invariant = PostgresMigrator.AdoInvariant;
            o.ConnectionString = settings.PostgresPool("orleans");
        });
        // The same stream providers as the silos, to subscribe: domain events (read from the log by the silos'
        // pulling agents) and the inbox's live notifications.
        client.AddActorSalesStreams(SiloConfiguration.ReadStreamOptions(client.Configuration));
        client.AddActivityPropagation();
        client.Services.AddSingleton<ClusterConnectionStatus>();
        client.Services.AddSingleton<IClusterConnectionStatusObserver>(services => services.GetRequiredService<ClusterConnectionStatus>());
        client.Services.AddSingleton<IClientConnectionRetryFilter, RetryForeverConnectionFilter>();
        // The gateway list is refreshed from the membership table; a dead silo leaves it within this period.
        client.Configure<GatewayOptions>(gateways => gateways.GatewayListRefreshPeriod = TimeSpan.FromSeconds(10));
        // Calls in flight to a silo that dies are not failed when its gateway connection breaks: bound their wait.
        client.Configure<ClientMessagingOptions>(messaging => messaging.ResponseTimeout = options.GrainCallTimeout);
    }
}
