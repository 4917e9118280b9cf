using ActorSales.Grains.Abstractions.Events;

namespace ActorSales.Grains.Events;

/// <summary>
/// The Local profile's event log: the same contract as the PostgreSQL log, kept in this process (a single-silo
/// profile, so one process sees every append). Lost on restart, like the rest of the Local profile.
/// </summary>
public sealed class InMemoryEventLog(TimeProvider clock) : IEventLog
{
    private static readonly TimeSpan IdleWait = TimeSpan.FromSeconds(1);

    private readonly Lock _gate = new();
    private readonly List<StoredEvent> _events = [];
    private readonly HashSet<(int, string, long)> _keys = [];
    private long _head;
    private long _trimmedThrough;
    private DateTimeOffset? _trimmedBefore;
    private TaskCompletionSource _appended = NewSignal();

    public Task<IReadOnlyList<LoggedEvent>> AppendAsync(IReadOnlyList<LoggedEvent> events, CancellationToken cancellationToken = default)
    {
        var added = new List<LoggedEvent>(events.Count);
        TaskCompletionSource? signal = null;
        lock (_gate)
        {
            foreach (var e in events)
            {
                if (_keys.Add((e.EntityType, e.EntityId, e.Sequence)))
                {
                    _events.Add(new StoredEvent(++_head, e));
                    added.Add(e);
                }
            }
            if (added.Count > 0)
            {
                signal = _appended;
                _appended = NewSignal();
            }
        }
        signal?.TrySetResult();
        return Task.FromResult<IReadOnlyList<LoggedEvent>>(added);
    }

    public Task<EventPage> ReadAsync(long afterPosition, EventFilter filter, int max, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            var result = new List<StoredEvent>(Math.Min(max, 256));
            var scanned = afterPosition;
            for (var i = FirstIndexAfter(afterPosition); i < _events.Count && result.Count < max; i++)
            {
                var stored = _events[i];
                scanned = stored.Position;
                if (filter.Matches(stored.Event))
                {
                    result.Add(stored);
                }
            }
            if (result.Count < max)
            {
                scanned = Math.Max(scanned, _head);
            }
            return Task.FromResult(new EventPage(result, scanned, _trimmedThrough));
        }
    }

    public Task<EventLogBounds> GetBoundsAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult(new EventLogBounds(_trimmedThrough, _trimmedBefore, _head));
        }
    }

    public Task<long> PositionBeforeAsync(DateTimeOffset time, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            var first = _events.FirstOrDefault(e => e.Event.OccurredAt >= time);
            return Task.FromResult(first is null ? _head : first.Position - 1);
        }
    }

    public async Task WaitForAppendAsync(long afterPosition, CancellationToken cancellationToken)
    {
        Task signal;
        lock (_gate)
        {
            if (_head > afterPosition)
            {
                return;
            }
            signal = _appended.Task;
        }
        try
        {
            await signal.WaitAsync(IdleWait, clock, cancellationToken);
        }
        catch (TimeoutException)
        {
            // Idle: the reader re-checks (its caller may have gone, or retention moved).
        }
    }

    public Task<int> TrimAsync(DateTimeOffset cutoff, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            var removed = _events.Where(e => e.Event.OccurredAt < cutoff).ToList();
            if (removed.Count > 0)
            {
                _events.RemoveAll(e => e.Event.OccurredAt < cutoff);
                foreach (var e in removed)
                {
                    _keys.Remove((e.Event.EntityType, e.Event.EntityId, e.Event.Sequence));
                }
                _trimmedThrough = Math.Max(_trimmedThrough, removed.Max(e => e.Position));
                _trimmedBefore = _trimmedBefore is { } before && before > cutoff ? before : cutoff;
            }
            return Task.FromResult(removed.Count);
        }
    }

    private int FirstIndexAfter(long position)
    {
        // Positions are ascending: binary search for the first greater than the cursor.
        int low = 0, high = _events.Count;
        while (low < high)
        {
            var mid = (low + high) / 2;
            if (_events[mid].Position <= position)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }
        return low;
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
