using ActorSales.Infrastructure.Postgres;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Orleans.TestingHost;

namespace ActorSales.Postgres.Tests;

/// <summary>
/// An in-process Orleans test cluster whose membership, grain state and reminders all live in one PostgreSQL
/// database, through the Orleans ADO.NET providers and our queries (the test cluster's own membership is off).
/// </summary>
public static class ProviderCluster
{
    /// <summary>Grain storage that keeps the row (and its version) when state is cleared.</summary>
    public const string KeepingStorage = "pg";

    /// <summary>Grain storage configured with DeleteStateOnClear.</summary>
    public const string DeletingStorage = "pg-delete";

    private const string ConnectionStringKey = "ActorSalesTests:Postgres";

    public static async Task<TestCluster> StartAsync(string connectionString, string clusterId, string serviceId, short silos = 1)
    {
        var builder = new TestClusterBuilder(silos);
        builder.Options.ClusterId = clusterId;
        builder.Options.ServiceId = serviceId;
        builder.Options.UseTestClusterMembership = false;
        builder.Options.ConfigureFileLogging = false;
        builder.Properties[ConnectionStringKey] = connectionString;
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        builder.AddClientBuilderConfigurator<ClientConfigurator>();
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    /// <summary>A silo's services (the silos run in this process).</summary>
    public static IServiceProvider Services(this SiloHandle silo) => ((InProcessSiloHandle)silo).ServiceProvider;

    private static string ConnectionString(IConfiguration configuration) =>
        configuration[ConnectionStringKey] ?? throw new InvalidOperationException($"{ConnectionStringKey} is not set");

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder silo)
        {
            var connectionString = ConnectionString(silo.Configuration);
            silo.UseAdoNetClustering(o =>
            {
                o.Invariant = PostgresMigrator.AdoInvariant;
                o.ConnectionString = connectionString;
            });
            AddStorage(silo, KeepingStorage, connectionString, deleteStateOnClear: false);
            AddStorage(silo, DeletingStorage, connectionString, deleteStateOnClear: true);
            silo.UseAdoNetReminderService(o =>
            {
                o.Invariant = PostgresMigrator.AdoInvariant;
                o.ConnectionString = connectionString;
            });
        }

        private static void AddStorage(ISiloBuilder silo, string name, string connectionString, bool deleteStateOnClear) =>
            silo.AddAdoNetGrainStorage(name, options => options.Configure<IServiceProvider>((o, services) =>
            {
                o.Invariant = PostgresMigrator.AdoInvariant;
                o.ConnectionString = connectionString;
                o.DeleteStateOnClear = deleteStateOnClear;
                // Orleans' binary serializer: [Alias]/[Id] define the stored bytes (the provider's default is JSON).
                o.GrainStorageSerializer = ActivatorUtilities.CreateInstance<OrleansGrainStorageSerializer>(services);
            }));
    }

    private sealed class ClientConfigurator : IClientBuilderConfigurator
    {
        public void Configure(IConfiguration configuration, IClientBuilder client) =>
            client.UseAdoNetClustering(o =>
            {
                o.Invariant = PostgresMigrator.AdoInvariant;
                o.ConnectionString = ConnectionString(configuration);
            });
    }
}
