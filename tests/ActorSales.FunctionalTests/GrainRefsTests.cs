using ActorSales.Gateway;
using ActorSales.Grains.Abstractions.Customers;
using ActorSales.Grains.Abstractions.People;
using Microsoft.Extensions.DependencyInjection;
using Orleans;
using Orleans.Runtime;

namespace ActorSales.FunctionalTests;

/// <summary>The gateway's references with once-resolved types are the very references the grain factory makes.</summary>
[Collection(HostCollection.Name)]
public sealed class GrainRefsTests(HostFixture fixture)
{
    [Fact]
    public void A_reference_from_resolved_types_equals_the_factorys_for_every_interface_and_key()
    {
        var grains = fixture.Host.Services.GetRequiredService<IGrainFactory>();

        var customer = (GrainReference)(object)grains.Ref<ICustomerGrain>("cus_1");
        var again = (GrainReference)(object)grains.Ref<ICustomerGrain>("cus_2");
        var person = (GrainReference)(object)grains.Ref<ISalespersonGrain>("rep-1");

        Assert.Equal(((GrainReference)(object)grains.GetGrain<ICustomerGrain>("cus_1")).GrainId, customer.GrainId);
        Assert.Equal(((GrainReference)(object)grains.GetGrain<ICustomerGrain>("cus_2")).GrainId, again.GrainId);
        Assert.Equal(((GrainReference)(object)grains.GetGrain<ISalespersonGrain>("rep-1")).GrainId, person.GrainId);
        Assert.Equal(((GrainReference)(object)grains.GetGrain<ISalespersonGrain>("rep-1")).InterfaceType, person.InterfaceType);
        Assert.NotEqual(customer.InterfaceType, person.InterfaceType);
        Assert.ThrowsAny<ArgumentException>(() => grains.Ref<ICustomerGrain>(" "));
    }
}
