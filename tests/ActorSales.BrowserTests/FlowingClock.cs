using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;

namespace ActorSales.BrowserTests;

/// <summary>
/// The host's clock for the browser tests: a fake clock that runs at real pace (so the board's one-second coalescing
/// and the page's waits behave as in production) and that the dataset jumps forward by days (so deals stall, signals
/// decay and customers near their release, as weeks of real use would make them). Orleans' own loops stay on real time.
/// </summary>
public sealed class FlowingClock : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _flow;

    public FlowingClock(DateTimeOffset start)
    {
        Provider = new FakeTimeProvider(start);
        _flow = Task.Run(FlowAsync);
    }

    public FakeTimeProvider Provider { get; }

    public DateTimeOffset Now => Provider.GetUtcNow();

    /// <summary>Jumps forward; every timer due meanwhile fires, in order, as it would have.</summary>
    public void Jump(TimeSpan by) => Provider.Advance(by);

    private async Task FlowAsync()
    {
        using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        var last = Stopwatch.GetTimestamp();
        try
        {
            while (await tick.WaitForNextTickAsync(_stop.Token))
            {
                var now = Stopwatch.GetTimestamp();
                Provider.Advance(Stopwatch.GetElapsedTime(last, now));
                last = now;
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped with the host.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _flow;
        _stop.Dispose();
    }
}
