using System.Diagnostics;
using ActorSales.Testing;

namespace ActorSales.Postgres.Tests;

/// <summary>
/// A silo process SIGKILLed under a write load that goes through the gateway tier (two silos of role silo, one
/// gateway of role gateway). Clients retry any failure but a business answer with the same request_id, as README
/// says. Afterwards every acknowledged write is stored exactly once, and every customer the load writes to is served
/// again; the time from the kill until the last of them answered again is measured.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class GatewayTierSiloKillTests(PostgresServerFixture postgres)
{
    private const int WritesBeforeKill = 120;
    private const int WritesAfterKill = 120;

    [Fact]
    public async Task A_silo_killed_under_load_through_the_gateway_loses_and_duplicates_nothing()
    {
        await using var load = await GatewayTierLoad.StartAsync(postgres, "kill", silos: 2, writers: 12);
        load.StartWriting();
        Assert.True(await load.WaitAsync(l => l.Acknowledged.Count >= WritesBeforeKill, TimeSpan.FromSeconds(120)), load.Tails());

        var ackedAtKill = load.Acknowledged.Count;
        var killedAt = load.Mark();
        load.Silos[0].Kill();
        // Enough writes after the kill, and every writer's customer answered again (whatever silo it was on).
        var served = await load.WaitAsync(l => l.Acknowledged.Count >= ackedAtKill + WritesAfterKill && l.FirstAfterMark.Count == l.Writers, TimeSpan.FromMinutes(3));
        await load.StopAsync();

        Assert.Empty(load.Failures);
        Assert.True(served, $"after the kill: {load.Acknowledged.Count - ackedAtKill} writes, {load.FirstAfterMark.Count} of {load.Writers} writers served again\n{load.Tails()}");
        var recovery = Stopwatch.GetElapsedTime(killedAt, load.FirstAfterMark.Values.Max());
        var (lost, duplicated) = await load.StoredTwiceOrLostAsync();
        TestContext.Current.TestOutputHelper?.WriteLine(Figures.Report($"silo SIGKILL behind a gateway: {load.Acknowledged.Count} acknowledged ({load.Acknowledged.Count - ackedAtKill} after the kill), "
            + $"{load.Retried.Values.Sum()} retries, {lost.Count} lost, {duplicated.Count} duplicated; every customer served again {recovery.TotalSeconds:0.0} s after the kill"));
        Assert.Empty(lost);
        Assert.Empty(duplicated);
        // Issue #20's target: every grain of the dead silo serves again within 15 s (a call held on the dead silo's
        // gateway connection waits out ActorSales:GrainCallTimeout, 10 s; the silo is declared dead in about 6 s).
        Assert.True(recovery < TimeSpan.FromSeconds(15), $"recovery took {recovery}");
    }
}
