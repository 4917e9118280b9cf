using ActorSales.Infrastructure.Postgres.ReadModel;

namespace ActorSales.Postgres.Tests.ReadModel;

/// <summary>The projector's lease: one holder per database, and a dead holder's lease is free again at once.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresProjectionLeaseTests(PostgresServerFixture postgres)
{
    [Fact]
    public async Task Only_one_of_two_silos_holds_the_lease_and_the_other_takes_over_when_the_holders_session_dies()
    {
        var database = await postgres.CreateDatabaseAsync();
        await using var siloA = new PostgresProjectionLease(database);
        await using var siloB = new PostgresProjectionLease(database);
        var ct = TestContext.Current.CancellationToken;

        Assert.True(await siloA.TryAcquireAsync(ct));
        Assert.False(await siloB.TryAcquireAsync(ct));
        Assert.True(await siloA.TryAcquireAsync(ct)); // the holder re-checks and keeps it
        Assert.True(siloA.Held);
        Assert.False(siloB.Held);

        // Silo A crashes: its session ends without a release (the server ends the backend, as when the socket drops).
        // pg_terminate_backend waits (up to 5 s) until the backend has exited, and with it its locks.
        var terminated = await Sql.ScalarAsync<bool>(database, """
            SELECT bool_and(pg_terminate_backend(l.pid, 5000)) FROM pg_locks l
            WHERE l.locktype = 'advisory' AND l.granted AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
            """);
        Assert.True(terminated);

        Assert.True(await siloB.TryAcquireAsync(ct));
        Assert.True(siloB.Held);
        Assert.False(await siloA.TryAcquireAsync(ct)); // A's re-check finds its session gone and B holding the lock
        Assert.False(siloA.Held);
    }

    [Fact]
    public async Task A_released_lease_is_taken_by_the_next_silo_and_leases_of_other_databases_do_not_interfere()
    {
        var database = await postgres.CreateDatabaseAsync();
        var other = await postgres.CreateDatabaseAsync();
        await using var siloA = new PostgresProjectionLease(database);
        await using var siloB = new PostgresProjectionLease(database);
        await using var elsewhere = new PostgresProjectionLease(other);
        var ct = TestContext.Current.CancellationToken;

        Assert.True(await siloA.TryAcquireAsync(ct));
        Assert.True(await elsewhere.TryAcquireAsync(ct));
        Assert.False(await siloB.TryAcquireAsync(ct));

        await siloA.ReleaseAsync();
        Assert.False(siloA.Held);
        Assert.True(await siloB.TryAcquireAsync(ct));
        Assert.False(await siloA.TryAcquireAsync(ct));
    }
}
