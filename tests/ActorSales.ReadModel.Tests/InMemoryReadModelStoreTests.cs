using ActorSales.ReadModel.InMemory;

namespace ActorSales.ReadModel.Tests;

/// <summary>The store contract against the Local profile's in-memory store.</summary>
public sealed class InMemoryReadModelStoreTests : ReadModelStoreContractTests
{
    protected override Task<IReadModelStore> CreateStoreAsync() => Task.FromResult<IReadModelStore>(new InMemoryReadModelStore());
}
