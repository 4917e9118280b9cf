using ActorSales.ReadModel;
using ActorSales.ReadModel.Tests;

namespace ActorSales.Postgres.Tests.ReadModel;

/// <summary>The read model's store contract (the same suite the in-memory store passes) against the PostgreSQL store.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresReadModelContractTests(PostgresServerFixture postgres) : ReadModelStoreContractTests
{
    protected override async Task<IReadModelStore> CreateStoreAsync() => (await PostgresReadModelStores.CreateAsync(postgres)).Store;
}
