using ActorSales.Domain.Pipeline;
using ActorSales.ReadModel.InMemory;
using ActorSales.ReadModel.Projecting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ActorSales.ReadModel;

public static class ReadModelServiceCollectionExtensions
{
    /// <summary>
    /// The read side: the projection (with the configured forecast weights), the store (in memory unless one was
    /// registered first, as the Postgres profile does), the lease (single silo unless registered first), the projector,
    /// its metrics and the "readmodel" health check. Needs an <c>IEventLog</c>; bind <see cref="ReadModelOptions"/>
    /// from <see cref="ReadModelOptions.Section"/>.
    /// </summary>
    public static IServiceCollection AddActorSalesReadModel(this IServiceCollection services)
    {
        services.AddActorSalesReadModelQueries();
        services.TryAddSingleton<IReadModelStore>(sp => new InMemoryReadModelStore(sp.GetRequiredService<Projection>()));
        services.TryAddSingleton<IReadModelQueries>(sp => sp.GetRequiredService<IReadModelStore>());
        // The figures teams' time rules judge by (anomalies, forecast snapshots); a silo without it arms none.
        services.TryAddSingleton<Grains.Abstractions.Analytics.ITeamFigures, Analytics.ReadModelTeamFigures>();
        // What commission statements are computed from; a silo without it answers them FAILED_PRECONDITION.
        services.TryAddSingleton<Grains.Abstractions.Commission.ICommissionFacts, Analytics.ReadModelCommissionFacts>();
        services.TryAddSingleton<IProjectionLease, SingleSiloLease>();
        services.TryAddSingleton<ProjectorStatus>();
        services.TryAddSingleton<ReadModelMetrics>();
        services.AddHostedService<Projector>();
        services.AddHealthChecks().AddCheck<ReadModelHealthCheck>("readmodel", tags: ["readmodel"]);
        return services;
    }

    /// <summary>
    /// Only what queries need (the projection a store applies, options, metrics), for a process that reads a shared store
    /// but projects nothing: the gateway role. Register the store (and <see cref="IReadModelQueries"/>) yourself.
    /// </summary>
    public static IServiceCollection AddActorSalesReadModelQueries(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.AddOptions<ReadModelOptions>();
        services.TryAddSingleton(sp => new Projection(sp.GetService<IOptions<OpportunityOptions>>()?.Value.Weights ?? new ForecastWeights()));
        return services;
    }
}
