using System.Diagnostics;
using ActorSales.Testing;
using Grpc.Core;

namespace ActorSales.Postgres.Tests;

/// <summary>
/// A rolling restart, as Kubernetes does one: under a write load through the gateway tier, every silo in turn is sent
/// SIGTERM, exits, and a new silo process takes its place and becomes ready before the next one goes. Nothing
/// acknowledged is lost, nothing is stored twice, and callers see only UNAVAILABLE (which they retry with the same
/// request_id), never another error. SIGTERM-to-exit and start-to-ready are measured.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class GatewayTierRollingRestartTests(PostgresServerFixture postgres)
{
    private const int WritesBetweenRestarts = 40;

    [Fact]
    public async Task Restarting_every_silo_in_turn_under_load_loses_nothing_and_callers_see_only_unavailable()
    {
        await using var load = await GatewayTierLoad.StartAsync(postgres, "roll", silos: 2, writers: 8);
        load.StartWriting();
        Assert.True(await load.WaitAsync(l => l.Acknowledged.Count >= WritesBetweenRestarts, TimeSpan.FromSeconds(120)), load.Tails());

        var exits = new List<TimeSpan>();
        var starts = new List<TimeSpan>();
        var recoveries = new List<TimeSpan>();
        for (var i = 0; i < load.Silos.Count; i++)
        {
            var marked = load.Mark();
            exits.Add(await load.Silos[i].TerminateAsync(TimeSpan.FromSeconds(60)));
            var started = Stopwatch.GetTimestamp();
            var replacement = load.Replace(i);
            await replacement.WaitReadyAsync(GatewayTierLoad.StartBound);
            starts.Add(Stopwatch.GetElapsedTime(started));
            // The load goes on with the new silo in the cluster before the next one is stopped.
            var before = load.Acknowledged.Count;
            Assert.True(await load.WaitAsync(l => l.Acknowledged.Count >= before + WritesBetweenRestarts && l.FirstAfterMark.Count == l.Writers, TimeSpan.FromMinutes(2)),
                $"after restarting silo {i}: {load.Acknowledged.Count - before} writes, {load.FirstAfterMark.Count} of {load.Writers} writers served\n{load.Tails()}");
            recoveries.Add(Stopwatch.GetElapsedTime(marked, load.FirstAfterMark.Values.Max()));
        }
        await load.StopAsync();

        var (lost, duplicated) = await load.StoredTwiceOrLostAsync();
        TestContext.Current.TestOutputHelper?.WriteLine(Figures.Report($"rolling restart of {load.Silos.Count} silos behind a gateway: {load.Acknowledged.Count} acknowledged, "
            + $"retried {string.Join(", ", load.Retried.Select(r => $"{r.Key} x{r.Value}"))}, {lost.Count} lost, {duplicated.Count} duplicated; "
            + $"SIGTERM to exit {string.Join(" / ", exits.Select(t => $"{t.TotalSeconds:0.0} s"))}, start to ready {string.Join(" / ", starts.Select(t => $"{t.TotalSeconds:0.0} s"))}, "
            + $"every writer served again {string.Join(" / ", recoveries.Select(t => $"{t.TotalSeconds:0.0} s"))} after the SIGTERM"));
        Assert.Empty(load.Failures);
        Assert.Empty(lost);
        Assert.Empty(duplicated);
        Assert.All(load.Retried.Keys, code => Assert.Equal(StatusCode.Unavailable, code));
        Assert.All(exits, exit => Assert.True(exit < TimeSpan.FromSeconds(30), $"a silo took {exit} from SIGTERM to exit"));
    }
}
