using ActorSales.Gateway.Errors;
using ActorSales.Gateway.Grpc;
using ActorSales.Gateway.Identity;
using ActorSales.Gateway.ReadSide;
using ActorSales.Gateway.Retries;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ActorSales.Gateway;

public static class GatewayExtensions
{
    /// <summary>gRPC with the error-mapping interceptor, size limits and the caller resolver.</summary>
    public static IServiceCollection AddActorSalesGateway(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<PersonIdentityCache>();
        services.AddSingleton<CallerResolver>();
        services.AddSingleton<ReadModelReader>();
        services.AddSingleton<ReadModelChanges>();
        services.AddSingleton<BoardStreams>();
        services.AddGrpc(options =>
        {
            options.Interceptors.Add<ErrorMappingInterceptor>();
            options.Interceptors.Add<RequestIdInterceptor>();
            options.EnableDetailedErrors = false;
            // 2,000-element lists and 100 kB strings fit; anything bigger is refused before it is parsed.
            options.MaxReceiveMessageSize = 1024 * 1024;
        });
        return services;
    }

    /// <summary>Maps the ActorSales services (gRPC and gRPC-Web).</summary>
    public static IEndpointRouteBuilder MapActorSalesGateway(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGrpcService<SalespeopleGrpcService>().EnableGrpcWeb();
        endpoints.MapGrpcService<TeamsGrpcService>().EnableGrpcWeb();
        endpoints.MapGrpcService<CustomersGrpcService>().EnableGrpcWeb();
        endpoints.MapGrpcService<OrdersGrpcService>().EnableGrpcWeb();
        endpoints.MapGrpcService<LeadsGrpcService>().EnableGrpcWeb();
        endpoints.MapGrpcService<CommissionGrpcService>().EnableGrpcWeb();
        endpoints.MapGrpcService<OpportunitiesGrpcService>().EnableGrpcWeb();
        endpoints.MapGrpcService<PipelinesGrpcService>().EnableGrpcWeb();
        endpoints.MapGrpcService<ApprovalsGrpcService>().EnableGrpcWeb();
        endpoints.MapGrpcService<TasksGrpcService>().EnableGrpcWeb();
        endpoints.MapGrpcService<DepartmentsGrpcService>().EnableGrpcWeb();
        endpoints.MapGrpcService<NotificationsGrpcService>().EnableGrpcWeb();
        endpoints.MapGrpcService<PoolGrpcService>().EnableGrpcWeb();
        endpoints.MapGrpcService<EventsGrpcService>().EnableGrpcWeb();
        endpoints.MapGrpcService<HandoverGrpcService>().EnableGrpcWeb();
        endpoints.MapGrpcService<TimelineGrpcService>().EnableGrpcWeb();
        endpoints.MapGrpcService<AnalyticsGrpcService>().EnableGrpcWeb();
        return endpoints;
    }
}
