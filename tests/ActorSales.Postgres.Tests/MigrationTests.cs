using ActorSales.Infrastructure.Postgres;
using Npgsql;

namespace ActorSales.Postgres.Tests;

[Collection(PostgresCollection.Name)]
public sealed class MigrationTests(PostgresServerFixture postgres)
{
    [Fact]
    public async Task Migrating_twice_applies_nothing_the_second_time()
    {
        var database = await postgres.CreateDatabaseAsync();
        var migrator = new PostgresMigrator();

        var first = await migrator.MigrateAsync(database, TestContext.Current.CancellationToken);
        var second = await migrator.MigrateAsync(database, TestContext.Current.CancellationToken);

        var all = PostgresMigrator.Scripts.Select(s => s.Version).ToList();
        Assert.Equal(all, first.Applied);
        Assert.Empty(first.AlreadyApplied);
        Assert.Empty(second.Applied);
        Assert.Equal(all, second.AlreadyApplied);
        Assert.Equal(all.Count, await Scalar<long>(database, "SELECT count(*) FROM schema_migrations"));
        foreach (var table in new[] { "orleansquery", "actorsales_membership_version", "actorsales_membership", "actorsales_grain_state", "actorsales_reminders" })
        {
            Assert.True(await Scalar<bool>(database, $"SELECT to_regclass('public.{table}') IS NOT NULL"), $"table {table} is missing");
        }
    }

    [Fact]
    public async Task A_database_at_an_older_version_gets_only_the_newer_scripts()
    {
        var database = await postgres.CreateDatabaseAsync();
        var older = PostgresMigrator.Scripts.SkipLast(1).ToList();
        await using (var connection = new NpgsqlConnection(database))
        {
            // What an earlier build's migrator left behind: every script but the newest, each with its row.
            await connection.OpenAsync(TestContext.Current.CancellationToken);
            await using var setup = new NpgsqlCommand("CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())", connection);
            await setup.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
            foreach (var (version, name, sql) in older)
            {
                await using var apply = new NpgsqlCommand(sql, connection);
                await apply.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
                await using var record = new NpgsqlCommand($"INSERT INTO schema_migrations (version, name) VALUES ({version}, '{name}')", connection);
                await record.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
            }
        }

        var report = await new PostgresMigrator().MigrateAsync(database, TestContext.Current.CancellationToken);

        Assert.Equal([PostgresMigrator.Scripts[^1].Version], report.Applied);
        Assert.Equal(older.Select(s => s.Version), report.AlreadyApplied);
    }

    [Fact]
    public async Task Concurrent_migrations_from_several_hosts_apply_each_version_once()
    {
        var database = await postgres.CreateDatabaseAsync();

        var reports = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => new PostgresMigrator().MigrateAsync(database, TestContext.Current.CancellationToken)));

        Assert.Equal(PostgresMigrator.Scripts.Select(s => s.Version), reports.SelectMany(r => r.Applied).Order());
        // Every run saw the whole schema in place when it returned: what it did not apply, it found applied.
        Assert.All(reports, r => Assert.Equal(PostgresMigrator.Scripts.Select(s => s.Version), r.Applied.Concat(r.AlreadyApplied).Order()));
        Assert.Equal(PostgresMigrator.Scripts.Count, await Scalar<long>(database, "SELECT count(*) FROM schema_migrations"));
    }

    [Fact]
    public async Task The_schema_provides_every_query_the_orleans_providers_look_up()
    {
        var database = await postgres.CreateDatabaseAsync();
        await new PostgresMigrator().MigrateAsync(database, TestContext.Current.CancellationToken);

        var keys = new List<string>();
        await using (var connection = new NpgsqlConnection(database))
        {
            await connection.OpenAsync(TestContext.Current.CancellationToken);
            await using var command = new NpgsqlCommand("SELECT QueryKey FROM OrleansQuery ORDER BY 1", connection);
            await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
            while (await reader.ReadAsync(TestContext.Current.CancellationToken))
            {
                keys.Add(reader.GetString(0));
            }
        }

        string[] required =
        [
            "CleanupDefunctSiloEntriesKey", "CleanupDefunctSiloEntryKey", "ClearStorageKey", "DeleteMembershipTableEntriesKey",
            "DeleteReminderRowKey", "DeleteReminderRowsKey", "DeleteStorageKey", "GatewaysQueryKey", "InsertMembershipKey",
            "InsertMembershipVersionKey", "MembershipReadAllKey", "MembershipReadRowKey", "ReadFromStorageKey", "ReadRangeRows1Key",
            "ReadRangeRows2Key", "ReadReminderRowKey", "ReadReminderRowsKey", "UpdateIAmAlivetimeKey", "UpdateMembershipKey",
            "UpsertReminderRowKey", "WriteToStorageKey",
        ];
        Assert.Equal(required.Order(StringComparer.Ordinal), keys.Order(StringComparer.Ordinal));
    }

    private static async Task<T> Scalar<T>(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }
}
