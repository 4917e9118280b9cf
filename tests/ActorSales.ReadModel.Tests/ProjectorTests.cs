using ActorSales.ReadModel.Projecting;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace ActorSales.ReadModel.Tests;

/// <summary>The projector against a test log and the in-memory store, on a fake clock (back-off and lag are fake time).</summary>
public sealed class ProjectorTests : IAsyncDisposable
{
    private readonly FakeTimeProvider _clock = new(ReadModelSeed.T0);
    private readonly ListEventLog _log = new();
    private readonly HookedStore _store = new();
    private readonly ReadModelOptions _options = new() { BatchSize = 7 };
    private readonly ProjectorStatus _status;
    private readonly ReadModelHealthCheck _health;
    private Projector? _projector;

    public ProjectorTests()
    {
        _status = new ProjectorStatus(_clock);
        _health = new ReadModelHealthCheck(_status, Options.Create(_options));
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task StartAsync(IProjectionLease? lease = null)
    {
        var metrics = new ReadModelMetrics(new TestMeterFactory(), _status);
        _projector = new Projector(_log, _store, lease ?? new SingleSiloLease(), _status, metrics, _clock, Options.Create(_options), NullLogger<Projector>.Instance);
        await _projector.StartAsync(Ct);
    }

    private Task<long> CaughtUpAsync(long position) => Eventually.Until(() => _store.CheckpointAsync(Ct), c => c >= position);

    private async Task<HealthStatus> HealthAsync() => (await _health.CheckHealthAsync(new HealthCheckContext(), Ct)).Status;

    public async ValueTask DisposeAsync()
    {
        if (_projector is not null)
        {
            await _projector.StopAsync(CancellationToken.None);
            _projector.Dispose();
        }
    }

    [Fact]
    public async Task Projects_the_log_in_batches_then_follows_new_appends()
    {
        var events = ReadModelSeed.Build();
        _log.Add(events.All);
        await StartAsync();

        Assert.Equal(events.All[^1].Position, await CaughtUpAsync(events.All[^1].Position));
        var live = await ReadModelStoreContractTests.SnapshotAsync(_store);
        var expected = new InMemory.InMemoryReadModelStore();
        await expected.ApplyAsync(events.All, events.All[^1].Position, Ct);
        Assert.Equal(await ReadModelStoreContractTests.SnapshotAsync(expected), live);

        var next = events.Lock(ReadModelSeed.Beta);
        _log.Add([next]);
        await CaughtUpAsync(next.Position);
        Assert.Equal(HealthStatus.Healthy, await HealthAsync());
        Assert.Equal(0, _status.PositionsBehind);
    }

    [Fact]
    public async Task A_refused_or_failed_batch_is_retried_from_the_checkpoint_after_a_back_off()
    {
        var events = ReadModelSeed.Build();
        _log.Add(events.All);
        var failures = 2;
        _store.BeforeApply = _ => Interlocked.Decrement(ref failures) >= 0
            ? throw (failures == 1 ? new ProjectionConflictException("another projector moved it") : new InvalidOperationException("database gone"))
            : Task.CompletedTask;
        await StartAsync();

        Assert.True(await Eventually.Until(() => _status.LastError is not null));
        Assert.Equal(HealthStatus.Degraded, await HealthAsync());
        var last = events.All[^1].Position;
        for (var i = 0; i < 100 && await _store.CheckpointAsync(Ct) < last; i++)
        {
            // Each failure waits its back-off on the fake clock: move the clock until the retries went through.
            _clock.Advance(_options.MaxRetryDelay);
            await Eventually.Until(() => _store.CheckpointAsync(Ct), c => c >= last, TimeSpan.FromMilliseconds(100));
        }

        await CaughtUpAsync(events.All[^1].Position);
        Assert.Equal(HealthStatus.Healthy, await HealthAsync());
    }

    [Fact]
    public async Task Lag_behind_the_log_degrades_health_and_shows_in_the_status()
    {
        var events = ReadModelSeed.Build();
        _log.Add(events.All);
        var hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _store.BeforeApply = _ => hold.Task;
        await StartAsync();

        Assert.True(await Eventually.Until(() => _status.PositionsBehind > 0));
        Assert.Equal(HealthStatus.Healthy, await HealthAsync());
        _clock.Advance(_options.DegradedAfter + TimeSpan.FromSeconds(1));

        Assert.Equal(HealthStatus.Degraded, await HealthAsync());
        Assert.Equal(events.All[^1].Position, _status.PositionsBehind);
        Assert.True(_status.TimeBehind > _options.DegradedAfter);

        _store.BeforeApply = null;
        hold.SetResult();
        await CaughtUpAsync(events.All[^1].Position);
        Assert.True(await Eventually.Until(() => _status.TimeBehind == TimeSpan.Zero));
        Assert.Equal(HealthStatus.Healthy, await HealthAsync());
    }

    [Fact]
    public async Task Events_trimmed_before_they_were_applied_make_health_unhealthy_and_the_rest_is_still_projected()
    {
        var events = ReadModelSeed.Build();
        _log.Add(events.All);
        _log.TrimmedThrough = 1;
        await StartAsync();

        await CaughtUpAsync(events.All[^1].Position);
        var health = await _health.CheckHealthAsync(new HealthCheckContext(), Ct);
        Assert.Equal(HealthStatus.Unhealthy, health.Status);
        Assert.Contains("trimmed through position 1", health.Description, StringComparison.Ordinal);
        // Position 1 (team-a created) is gone; what the log still has is projected.
        Assert.Equal(["team-b"], (await _store.ListTeamsAsync(new TeamQuery(Domain.Identity.ReadScope.Everything, 10), Ct)).Items.Select(t => t.TeamId));
    }

    [Fact]
    public async Task Without_the_lease_nothing_is_applied_until_it_is_granted()
    {
        var events = ReadModelSeed.Build();
        _log.Add(events.All);
        var lease = new SwitchLease();
        await StartAsync(lease);

        Assert.True(await Eventually.Until(() => lease.Attempts >= 1));
        Assert.Equal(0, await _store.CheckpointAsync(Ct));
        Assert.Equal(HealthStatus.Healthy, await HealthAsync()); // standby

        lease.Grant = true;
        _clock.Advance(_options.LeaseRetry);

        await CaughtUpAsync(events.All[^1].Position);
        await _projector!.StopAsync(Ct);
        Assert.False(lease.Held); // given up on stop, so another silo takes over at once
    }

    private sealed class TestMeterFactory : System.Diagnostics.Metrics.IMeterFactory
    {
        private readonly List<System.Diagnostics.Metrics.Meter> _meters = [];

        public System.Diagnostics.Metrics.Meter Create(System.Diagnostics.Metrics.MeterOptions options)
        {
            var meter = new System.Diagnostics.Metrics.Meter(options);
            _meters.Add(meter);
            return meter;
        }

        public void Dispose() => _meters.ForEach(m => m.Dispose());
    }
}
