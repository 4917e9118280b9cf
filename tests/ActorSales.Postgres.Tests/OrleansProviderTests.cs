using ActorSales.Infrastructure.Postgres;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Messaging;
using Orleans.Runtime;
using Orleans.Storage;

namespace ActorSales.Postgres.Tests;

/// <summary>
/// The Orleans ADO.NET providers (clustering, grain state, reminders) running on our schema and queries, in real
/// in-process clusters against a real PostgreSQL server. Each test gets its own database.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class OrleansProviderTests(PostgresServerFixture postgres)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Grain_state_written_before_a_cluster_restart_reads_back_after_it()
    {
        var (database, clusterId, serviceId) = await NewDeploymentAsync();
        await using (var first = await ProviderCluster.StartAsync(database, clusterId, serviceId))
        {
            var grain = first.Client.GetGrain<IKeptStateProbeGrain>("deal-1");
            await grain.Write("first");
            await grain.Write("second");
            await first.StopAllSilosAsync();
        }

        await using var second = await ProviderCluster.StartAsync(database, clusterId, serviceId);
        var read = await second.Client.GetGrain<IKeptStateProbeGrain>("deal-1").Read();
        var untouched = await second.Client.GetGrain<IKeptStateProbeGrain>("deal-2").Read();

        Assert.Equal(new ProbeSnapshot("second", 2, "2", RecordExists: true), read);
        Assert.Equal(new ProbeSnapshot(null, 0, null, RecordExists: false), untouched);
        Assert.Equal(1L, await Sql.ScalarAsync<long>(database,
            "SELECT count(*) FROM actorsales_grain_state WHERE service_id = @s AND version = 2 AND payload_binary IS NOT NULL", ("s", serviceId)));
    }

    [Fact]
    public async Task Clearing_state_keeps_the_version_so_a_later_write_continues_from_it()
    {
        var (database, clusterId, serviceId) = await NewDeploymentAsync();
        await using var cluster = await ProviderCluster.StartAsync(database, clusterId, serviceId);
        var grain = cluster.Client.GetGrain<IKeptStateProbeGrain>("cleared");

        var written = await grain.Write("to be cleared");
        var cleared = await grain.Clear();
        var reloaded = await grain.Reload();
        var rewritten = await grain.Write("again");

        Assert.Equal("1", written.ETag);
        Assert.Equal(new ProbeSnapshot(null, 0, "2", RecordExists: false), cleared);
        Assert.Equal(cleared, reloaded);
        Assert.Equal(new ProbeSnapshot("again", 1, "3", RecordExists: true), rewritten);
    }

    [Fact]
    public async Task Clearing_state_on_a_delete_on_clear_storage_removes_the_row_and_a_later_write_starts_over()
    {
        var (database, clusterId, serviceId) = await NewDeploymentAsync();
        await using var cluster = await ProviderCluster.StartAsync(database, clusterId, serviceId);
        var grain = cluster.Client.GetGrain<IDeletedStateProbeGrain>("deleted");

        await grain.Write("one");
        await grain.Write("two");
        var cleared = await grain.Clear();
        var rowsAfterClear = await Sql.ScalarAsync<long>(database, "SELECT count(*) FROM actorsales_grain_state WHERE service_id = @s", ("s", serviceId));
        var reloaded = await grain.Reload();
        var rewritten = await grain.Write("fresh");

        Assert.Equal(new ProbeSnapshot(null, 0, null, RecordExists: false), cleared);
        Assert.Equal(0L, rowsAfterClear);
        Assert.Equal(cleared, reloaded);
        Assert.Equal(new ProbeSnapshot("fresh", 1, "1", RecordExists: true), rewritten);
    }

    [Fact]
    public async Task A_write_or_clear_with_a_stale_etag_fails_with_InconsistentStateException()
    {
        var (database, clusterId, serviceId) = await NewDeploymentAsync();
        await using var cluster = await ProviderCluster.StartAsync(database, clusterId, serviceId);
        var storage = cluster.Silos[0].Services().GetRequiredKeyedService<IGrainStorage>(ProviderCluster.KeepingStorage);
        var grainId = GrainId.Create("probe", "contested");
        const string stateName = "actorsales.tests.contested";
        var mine = new GrainState<ProbeState>(new ProbeState());
        var theirs = new GrainState<ProbeState>(new ProbeState());
        await storage.ReadStateAsync(stateName, grainId, mine);
        await storage.ReadStateAsync(stateName, grainId, theirs);

        // Both saw "no row": only the first insert wins.
        mine.State = new ProbeState { Note = "mine" };
        await storage.WriteStateAsync(stateName, grainId, mine);
        theirs.State = new ProbeState { Note = "theirs" };
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(stateName, grainId, theirs));

        // Both hold version 1: two concurrent updates, exactly one wins.
        await storage.ReadStateAsync(stateName, grainId, theirs);
        mine.State = new ProbeState { Note = "mine again" };
        theirs.State = new ProbeState { Note = "theirs again" };
        var outcomes = await Task.WhenAll(TryWrite(storage, stateName, grainId, mine), TryWrite(storage, stateName, grainId, theirs));

        // The loser's version is stale for clearing too.
        var loser = outcomes[0] ? theirs : mine;
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.ClearStateAsync(stateName, grainId, loser));
        var stored = new GrainState<ProbeState>(new ProbeState());
        await storage.ReadStateAsync(stateName, grainId, stored);

        Assert.Single(outcomes, won => won);
        Assert.Equal(("2", true), (stored.ETag, stored.RecordExists));
        Assert.Equal(outcomes[0] ? "mine again" : "theirs again", stored.State?.Note);
    }

    [Fact]
    public async Task A_reminder_registered_by_a_grain_fires_and_reads_back_from_the_table_after_a_restart()
    {
        var (database, clusterId, serviceId) = await NewDeploymentAsync();
        const string grainKey = "follow-ups";
        IReadOnlyList<string> ticks;
        await using (var first = await ProviderCluster.StartAsync(database, clusterId, serviceId))
        {
            var grain = first.Client.GetGrain<IReminderProbeGrain>(grainKey);
            await grain.Register("soon", TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));
            await grain.Register("weekly", TimeSpan.FromHours(1), TimeSpan.FromDays(7));
            ticks = await ClusterPolling.EventuallyAsync(grain.Ticks, t => t.Contains("soon"), Bound);
            await first.StopAllSilosAsync();
        }

        await using var second = await ProviderCluster.StartAsync(database, clusterId, serviceId);
        var again = second.Client.GetGrain<IReminderProbeGrain>(grainKey);
        var names = await again.Names();
        var table = second.Silos[0].Services().GetRequiredService<IReminderTable>();
        var grainId = again.GetGrainId();
        var weekly = await table.ReadRow(grainId, "weekly");
        var hash = grainId.GetUniformHashCode();
        // (hash - 1, hash] holds the grain (ReadRangeRows1Key); its complement (hash, hash - 1] wraps around the ring
        // (ReadRangeRows2Key) and does not.
        var around = (await table.ReadRows(unchecked(hash - 1), hash)).Reminders.Where(r => r.GrainId == grainId).Select(r => r.ReminderName).Order(StringComparer.Ordinal);
        var elsewhere = (await table.ReadRows(hash, unchecked(hash - 1))).Reminders.Where(r => r.GrainId == grainId);
        await again.Unregister("weekly");
        var afterUnregister = await again.Names();

        Assert.Contains("soon", ticks);
        Assert.Equal(["soon", "weekly"], names);
        Assert.Equal(TimeSpan.FromDays(7), weekly?.Period);
        Assert.Equal(["soon", "weekly"], around);
        Assert.Empty(elsewhere);
        Assert.Equal(["soon"], afterUnregister);
        Assert.Equal(1L, await Sql.ScalarAsync<long>(database, "SELECT count(*) FROM actorsales_reminders WHERE service_id = @s", ("s", serviceId)));
    }

    [Fact]
    public async Task A_second_silo_joins_through_the_membership_table_and_both_show_as_active()
    {
        var (database, clusterId, serviceId) = await NewDeploymentAsync();
        await using var cluster = await ProviderCluster.StartAsync(database, clusterId, serviceId);
        var versionBefore = await MembershipVersionAsync(database, clusterId);

        await cluster.StartAdditionalSiloAsync();
        var activeRows = await ClusterPolling.EventuallyAsync(() => ActiveSiloRowsAsync(database, clusterId), n => n == 2, Bound);
        var gateways = cluster.Client.ServiceProvider.GetRequiredService<IGatewayListProvider>();
        var advertised = await ClusterPolling.EventuallyAsync(gateways.GetGateways, g => g.Count == 2, Bound);
        var table = cluster.Silos[1].Services().GetRequiredService<IMembershipTable>();
        var view = await table.ReadAllAsync(TestContext.Current.CancellationToken);
        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => cluster.Client.GetGrain<IKeptStateProbeGrain>($"spread-{i}").Read()));

        Assert.Equal(2, activeRows);
        Assert.Equal(2, advertised.Count);
        Assert.Equal(2, view.Members.Count(m => m.Item1.Status == SiloStatus.Active));
        Assert.Equal(cluster.Silos.Select(s => s.SiloAddress).Order(), view.Members.Select(m => m.Item1.SiloAddress).Order());
        Assert.True(view.Version.Version > versionBefore, $"membership version {view.Version.Version} did not move past {versionBefore}");
        Assert.All(answers, a => Assert.False(a.RecordExists));
    }

    [Fact]
    public async Task Defunct_silo_cleanup_removes_dead_silo_rows_and_keeps_active_ones()
    {
        var (database, clusterId, serviceId) = await NewDeploymentAsync();
        await using var cluster = await ProviderCluster.StartAsync(database, clusterId, serviceId);
        var leaving = await cluster.StartAdditionalSiloAsync();
        await ClusterPolling.EventuallyAsync(() => ActiveSiloRowsAsync(database, clusterId), n => n == 2, Bound);
        await cluster.StopSiloAsync(leaving);
        var dead = await ClusterPolling.EventuallyAsync(() => SiloRowsAsync(database, clusterId, SiloStatus.Dead), n => n == 1, Bound);
        var table = cluster.Silos[0].Services().GetRequiredService<IMembershipTable>();

        await table.CleanupDefunctSiloEntriesAsync(DateTimeOffset.UtcNow.AddMinutes(1));
        var remaining = await table.ReadAllAsync(TestContext.Current.CancellationToken);

        Assert.Equal(1, dead);
        Assert.Equal(0, await SiloRowsAsync(database, clusterId, SiloStatus.Dead));
        var survivor = Assert.Single(remaining.Members);
        Assert.Equal((cluster.Silos[0].SiloAddress, SiloStatus.Active), (survivor.Item1.SiloAddress, survivor.Item1.Status));
    }

    private async Task<(string Database, string ClusterId, string ServiceId)> NewDeploymentAsync()
    {
        var database = await postgres.CreateDatabaseAsync();
        await new PostgresMigrator().MigrateAsync(database, TestContext.Current.CancellationToken);
        return (database, $"cluster-{Guid.NewGuid():N}", $"service-{Guid.NewGuid():N}");
    }

    private static async Task<bool> TryWrite(IGrainStorage storage, string stateName, GrainId grainId, GrainState<ProbeState> state)
    {
        try
        {
            await storage.WriteStateAsync(stateName, grainId, state);
            return true;
        }
        catch (InconsistentStateException)
        {
            return false;
        }
    }

    private static Task<int> ActiveSiloRowsAsync(string database, string clusterId) => SiloRowsAsync(database, clusterId, SiloStatus.Active);

    private static async Task<int> SiloRowsAsync(string database, string clusterId, SiloStatus status) =>
        (int)await Sql.ScalarAsync<long>(database, "SELECT count(*) FROM actorsales_membership WHERE deployment_id = @c AND status = @s",
            ("c", clusterId), ("s", (int)status));

    private static Task<int> MembershipVersionAsync(string database, string clusterId) =>
        Sql.ScalarAsync<int>(database, "SELECT version FROM actorsales_membership_version WHERE deployment_id = @c", ("c", clusterId));
}
