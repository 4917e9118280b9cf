using System.Net;
using ActorSales.Grains.Abstractions.Events;
using ActorSales.Grains.Events.Streams;
using ActorSales.Grains.Infrastructure;
using ActorSales.Host.Configuration;
using ActorSales.Infrastructure.Postgres;
using Orleans.Configuration;
using Orleans.Dashboard;
using Orleans.Hosting;
using Orleans.Storage;

namespace ActorSales.Host.Hosting;

/// <summary>The silo for each profile (roles silo+gateway and silo). Everything but the providers is the same.</summary>
public static class SiloConfiguration
{
    public static void Configure(ISiloBuilder silo, HostSettings settings)
    {
        var options = settings.Options;
        silo.Configure<ClusterOptions>(cluster =>
        {
            cluster.ClusterId = options.ClusterId;
            cluster.ServiceId = options.ServiceId;
        });
        // The domain events' streams read the durable log (memory log in Local, PostgreSQL in Postgres).
        silo.AddActorSalesStreams(ReadStreamOptions(silo.Configuration));
        // One trace per request: the gateway's activity flows into grain calls, their storage and the calls they make.
        silo.AddActivityPropagation();
        if (options.Profile == HostingProfile.Postgres && options.MigrateOnStart)
        {
            // Before anything of the silo touches a table (membership is read at RuntimeInitialize).
            silo.AddStartupTask((services, cancellation) => services.GetRequiredService<PostgresMigrator>()
                .MigrateAsync(settings.PostgresPool("orleans"), cancellation), ServiceLifecycleStage.First);
        }
        silo.AddStartupTask<PipelineSeeder>();
        if (options.Dashboard.Enabled)
        {
            silo.AddDashboard();
        }

        switch (options.Profile)
        {
            case HostingProfile.Local:
                silo.UseLocalhostClustering(options.SiloPort, options.GatewayPort, serviceId: options.ServiceId, clusterId: options.ClusterId);
                silo.AddMemoryGrainStorage(StorageNames.Default);
                silo.AddMemoryGrainStorage(StorageNames.PubSub);
                silo.UseInMemoryReminderService();
                break;

            case HostingProfile.Postgres:
                var connectionString = settings.PostgresPool("orleans");
                silo.ConfigureEndpoints(IPAddress.Parse(options.AdvertisedIp), options.SiloPort, options.GatewayPort, listenOnAnyHostAddress: false);
                silo.UseAdoNetClustering(o =>
                {
                    o.Invariant = PostgresMigrator.AdoInvariant;
                    o.ConnectionString = connectionString;
                });
                AddPostgresStorage(silo, StorageNames.Default, connectionString);
                AddPostgresStorage(silo, StorageNames.PubSub, connectionString);
                silo.UseAdoNetReminderService(o =>
                {
                    o.Invariant = PostgresMigrator.AdoInvariant;
                    o.ConnectionString = connectionString;
                });
                if (options.Kubernetes)
                {
                    silo.UseKubernetesHosting();
                }
                break;
        }
    }

    /// <summary>Section ActorSales:Streams, validated (a bad value stops the host, exit 78); the same in every role.</summary>
    public static EventStreamOptions ReadStreamOptions(IConfiguration configuration) =>
        ValidatedSettings.Read<EventStreamOptions>(configuration, EventStreamOptions.Section, o => o.Validate());

    private static void AddPostgresStorage(ISiloBuilder silo, string name, string connectionString) =>
        silo.AddAdoNetGrainStorage(name, optionsBuilder => optionsBuilder.Configure<IServiceProvider>((o, services) =>
        {
            o.Invariant = PostgresMigrator.AdoInvariant;
            o.ConnectionString = connectionString;
            // Orleans' own version-tolerant binary format: [Id]/[Alias] govern stored rows, so renaming a C# type
            // does not orphan data (the JSON default stores full .NET type names).
            o.GrainStorageSerializer = ActivatorUtilities.CreateInstance<OrleansGrainStorageSerializer>(services);
        }));
}
