using ActorSales.Domain.Deadlines;
using ActorSales.Grains.Deadlines;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;

namespace ActorSales.Benchmarks;

/// <summary>A record with one deadline, scheduled through the production DeadlineScheduler.</summary>
[Alias("bench.IDeadlineBenchGrain")]
public interface IDeadlineBenchGrain : IGrainWithIntegerKey
{
    [Alias("Arm")]
    Task Arm(DateTimeOffset dueAt);
}

public sealed class DeadlineBenchGrain(TimeProvider clock, LatencyRecorder recorder, ILogger<DeadlineBenchGrain> logger) : Grain, IDeadlineBenchGrain, IRemindable
{
    private DeadlineScheduler _scheduler = null!;
    private Deadline? _armed;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _scheduler = new DeadlineScheduler(this, clock, Fire, logger, null);
        return Task.CompletedTask;
    }

    public Task Arm(DateTimeOffset dueAt)
    {
        _armed = new Deadline("bench", dueAt);
        return _scheduler.ScheduleAsync([_armed]);
    }

    public Task ReceiveReminder(string reminderName, TickStatus status) =>
        _armed is { } d && d.DueAt <= clock.GetUtcNow() ? Fire(d) : Task.CompletedTask;

    private async Task Fire(Deadline deadline)
    {
        if (_armed != deadline)
        {
            return;
        }
        _armed = null;
        recorder.Record(clock.GetUtcNow() - deadline.DueAt);
        await _scheduler.ScheduleAsync([]);
    }
}

/// <summary>Lateness samples, in milliseconds.</summary>
public sealed class LatencyRecorder
{
    private readonly List<double> _samples = [];

    public void Record(TimeSpan lateness)
    {
        lock (_samples)
        {
            _samples.Add(lateness.TotalMilliseconds);
        }
    }

    public int Count
    {
        get
        {
            lock (_samples)
            {
                return _samples.Count;
            }
        }
    }

    public (double P50, double P99, double Max) Percentiles()
    {
        double[] sorted;
        lock (_samples)
        {
            sorted = [.. _samples.Order()];
        }
        return sorted.Length == 0 ? (double.NaN, double.NaN, double.NaN)
            : (sorted[sorted.Length / 2], sorted[Math.Min(sorted.Length - 1, (int)(sorted.Length * 0.99))], sorted[^1]);
    }
}
