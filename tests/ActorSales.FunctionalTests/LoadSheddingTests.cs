using System.Threading.RateLimiting;
using ActorSales.Contracts.V1;
using ActorSales.Gateway.Overload;
using ActorSales.Testing;
using Grpc.Core;
using Grpc.Health.V1;
using Microsoft.Extensions.DependencyInjection;

namespace ActorSales.FunctionalTests;

/// <summary>A host of its own with a tiny call limit, so holding its slots cannot disturb the shared host's tests.</summary>
public sealed class SheddingHostFixture : IAsyncLifetime
{
    public const int Limit = 2;

    public TestHost Host { get; private set; } = null!;

    public async ValueTask InitializeAsync() =>
        Host = await TestHost.StartAsync(
            "--ActorSales:Profile=Local",
            $"--ActorSales:ClusterId=shedding-{Guid.NewGuid():N}",
            $"--ActorSales:Gateway:LoadShedding:MaxConcurrentCalls={Limit}");

    public async ValueTask DisposeAsync() => await Host.DisposeAsync();
}

public sealed class LoadSheddingTests(SheddingHostFixture fixture) : IClassFixture<SheddingHostFixture>
{
    private TestHost host => fixture.Host;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    /// <summary>Takes every slot of the gate, as that many calls in progress would.</summary>
    private List<RateLimitLease> HoldEverySlot()
    {
        var limiter = host.Services.GetRequiredService<CallAdmission>().Limiter!;
        var leases = Enumerable.Range(0, SheddingHostFixture.Limit).Select(_ => limiter.AttemptAcquire()).ToList();
        Assert.All(leases, lease => Assert.True(lease.IsAcquired));
        return leases;
    }

    [Fact]
    public async Task A_call_past_the_concurrent_call_limit_is_refused_with_resource_exhausted_and_admitted_once_a_slot_frees()
    {
        var leases = HoldEverySlot();
        try
        {
            var refused = await Assert.ThrowsAsync<RpcException>(() =>
                host.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = "nobody" }, host.Admin, cancellationToken: Cancel).ResponseAsync);

            Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
            Assert.Contains("concurrent call limit", refused.Status.Detail, StringComparison.Ordinal);
        }
        finally
        {
            leases.ForEach(l => l.Dispose());
        }

        // Admitted again: the call reaches the grain, which knows no such customer.
        var admitted = await Assert.ThrowsAsync<RpcException>(() =>
            host.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = "nobody" }, host.Admin, cancellationToken: Cancel).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, admitted.StatusCode);
    }

    [Fact]
    public async Task A_call_is_shed_before_its_token_is_checked()
    {
        var leases = HoldEverySlot();
        try
        {
            var refused = await Assert.ThrowsAsync<RpcException>(() =>
                host.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = "nobody" }, cancellationToken: Cancel).ResponseAsync);

            Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
        }
        finally
        {
            leases.ForEach(l => l.Dispose());
        }
    }

    [Fact]
    public async Task Health_checks_are_answered_while_the_gateway_sheds()
    {
        var leases = HoldEverySlot();
        try
        {
            var response = await new Health.HealthClient(host.Channel).CheckAsync(new HealthCheckRequest(), cancellationToken: Cancel);

            Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, response.Status);
        }
        finally
        {
            leases.ForEach(l => l.Dispose());
        }
    }
}
