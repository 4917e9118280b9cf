using ActorSales.Infrastructure.Postgres;
using ActorSales.Infrastructure.Postgres.ReadModel;
using ActorSales.ReadModel;

namespace ActorSales.Postgres.Tests.ReadModel;

/// <summary>
/// A fresh PostgreSQL read model for one test: a brand-new database, migrated, and a store on it. The shared store
/// contract suite subclasses for PostgreSQL through this.
/// </summary>
public static class PostgresReadModelStores
{
    public static async Task<(PostgresReadModelStore Store, string ConnectionString)> CreateAsync(PostgresServerFixture postgres)
    {
        var connectionString = await postgres.CreateDatabaseAsync();
        await new PostgresMigrator().MigrateAsync(connectionString, CancellationToken.None);
        return (new PostgresReadModelStore(connectionString, Projection.Default), connectionString);
    }
}
