using ActorSales.Testing;

namespace ActorSales.FunctionalTests;

/// <summary>One real host (Local profile) for the collection.</summary>
public sealed class HostFixture : IAsyncLifetime
{
    public TestHost Host { get; private set; } = null!;

    public async ValueTask InitializeAsync() =>
        Host = await TestHost.StartAsync("--ActorSales:Profile=Local", $"--ActorSales:ClusterId=functional-{Guid.NewGuid():N}");

    public async ValueTask DisposeAsync() => await Host.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class HostCollection : ICollectionFixture<HostFixture>
{
    public const string Name = "host";
}
