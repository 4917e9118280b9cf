using ActorSales.Domain.Pipeline;
using ActorSales.Grains.Abstractions.Events;
using ActorSales.Grains.Events;
using ActorSales.Grains.Infrastructure;
using ActorSales.Grains.Requests;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ActorSales.Grains;

public static class GrainsServiceCollectionExtensions
{
    /// <summary>
    /// Services the grains need. The clock is <see cref="TimeProvider.System"/> and the event log is in memory unless
    /// one is registered first (tests, the Postgres profile).
    /// </summary>
    public static IServiceCollection AddActorSalesGrains(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.TryAddSingleton<ActorSalesMetrics>();
        services.TryAddSingleton<IEventLog, InMemoryEventLog>();
        services.TryAddSingleton<DomainEventPublisher>();
        services.AddSingleton<IIncomingGrainCallFilter, RequestLedgerFilter>();
        services.AddOptions<EventLogOptions>();
        services.AddOptions<OpportunityOptions>();
        services.AddOptions<Domain.Deadlines.DeadlineOptions>();
        services.AddOptions<Domain.Customers.GradingOptions>();
        services.AddOptions<Domain.Customers.FieldWorkOptions>();
        services.AddOptions<Domain.Deadlines.PoolOptions>();
        services.AddOptions<Domain.Handovers.HandoverOptions>();
        services.AddOptions<Domain.Orders.OrderOptions>();
        services.AddOptions<Domain.Leads.LeadOptions>();
        services.AddOptions<Domain.Insights.InsightsOptions>();
        return services;
    }
}
