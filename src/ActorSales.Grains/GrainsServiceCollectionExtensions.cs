using ActorSales.Domain.Pipeline;
using ActorSales.Grains.Events;
using ActorSales.Grains.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ActorSales.Grains;

public static class GrainsServiceCollectionExtensions
{
    /// <summary>Services the grains need. The clock is <see cref="TimeProvider.System"/> unless one is registered first (tests).</summary>
    public static IServiceCollection AddActorSalesGrains(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.TryAddSingleton<ActorSalesMetrics>();
        services.TryAddSingleton<DomainEventPublisher>();
        services.AddOptions<OpportunityOptions>();
        services.AddOptions<Domain.Deadlines.DeadlineOptions>();
        services.AddOptions<Domain.Deadlines.PoolOptions>();
        return services;
    }
}
