using ActorSales.Grains.Abstractions.Events;

namespace ActorSales.Grains.Tests;

/// <summary>
/// The real in-memory log, except that appends of events of the entities in <see cref="Unreachable"/> fail, as if the
/// log were down for them: the window between a grain's state write and its publish, held open by the test.
/// </summary>
public sealed class FaultableEventLog(IEventLog inner) : IEventLog
{
    private readonly HashSet<string> _unreachable = [];
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _entityReads = new();

    /// <summary>How many reads asked for one entity's events only (what a stream rewinding past its cache does).</summary>
    public int EntityReadsOf(string entityId) => _entityReads.GetValueOrDefault(entityId);

    public void Unreachable(string entityId, bool unreachable)
    {
        lock (_unreachable)
        {
            _ = unreachable ? _unreachable.Add(entityId) : _unreachable.Remove(entityId);
        }
    }

    /// <summary>Every retained event of one entity, in log order.</summary>
    public async Task<IReadOnlyList<StoredEvent>> OfAsync(string entityId)
    {
        var all = await inner.ReadAsync(0, EventFilter.All, int.MaxValue);
        return all.Events.Where(e => e.Event.EntityId == entityId).ToList();
    }

    public Task<IReadOnlyList<LoggedEvent>> AppendAsync(IReadOnlyList<LoggedEvent> events, CancellationToken cancellationToken = default)
    {
        lock (_unreachable)
        {
            if (events.Any(e => _unreachable.Contains(e.EntityId)))
            {
                throw new TimeoutException("event log unreachable (test fault)");
            }
        }
        return inner.AppendAsync(events, cancellationToken);
    }

    public Task<EventPage> ReadAsync(long afterPosition, EventFilter filter, int max, CancellationToken cancellationToken = default)
    {
        if (filter.EntityId is { } entityId)
        {
            _entityReads.AddOrUpdate(entityId, 1, (_, n) => n + 1);
        }
        return inner.ReadAsync(afterPosition, filter, max, cancellationToken);
    }

    public Task<EventLogBounds> GetBoundsAsync(CancellationToken cancellationToken = default) => inner.GetBoundsAsync(cancellationToken);

    public Task<long> PositionBeforeAsync(DateTimeOffset time, CancellationToken cancellationToken = default) =>
        inner.PositionBeforeAsync(time, cancellationToken);

    public Task WaitForAppendAsync(long afterPosition, CancellationToken cancellationToken) => inner.WaitForAppendAsync(afterPosition, cancellationToken);

    public Task<int> TrimAsync(DateTimeOffset cutoff, CancellationToken cancellationToken = default) => inner.TrimAsync(cutoff, cancellationToken);
}
