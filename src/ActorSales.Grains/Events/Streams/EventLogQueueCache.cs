using System.Diagnostics.CodeAnalysis;
using ActorSales.Grains.Abstractions.Events;
using Orleans.Streams;

namespace ActorSales.Grains.Events.Streams;

/// <summary>
/// One queue's window of the log in memory, ordered by position, for the pulling agent's cursors.
/// <para>
/// <b>Delivered</b> and <b>kept</b> are separate. An event is delivered once no cursor can still hand it to a consumer
/// (every cursor, including the agent's pin of a stream it is still registering, stands past it); the delivered
/// prefix is what <see cref="TryPurgeFromCache"/> reports, Orleans passes it to the receiver's
/// <c>MessagesDeliveredAsync</c>, and that is what the durable checkpoint follows. Delivered events stay readable for
/// <see cref="EventStreamOptions.RewindWindow"/> (at most <see cref="EventStreamOptions.CacheSize"/> events), so a
/// subscription can rewind to them with an <see cref="EventLogSequenceToken"/>.
/// </para>
/// <para>
/// Orleans asks the cache synchronously, so it cannot go to the log for a token older than what it holds: such a token
/// gets <see cref="QueueCacheMissException"/>, and Orleans' pulling agent starts the subscription at the event that
/// triggered it instead (README "Rewinding"). The cache holds only positions after <c>_completeAfter</c>; everything
/// of this queue after that position is here.
/// </para>
/// </summary>
public sealed class EventLogQueueCache(EventStreamOptions options, TimeProvider clock) : IQueueCache
{
    private readonly Lock _gate = new();
    private readonly List<(EventLogBatchContainer Batch, long AddedAt)> _items = [];
    private readonly HashSet<Cursor> _cursors = [];
    private long _completeAfter = -1; // nothing known before the first batch
    private long _newest;
    private long _reportedThrough;

    /// <summary>Events held (delivered or not).</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _items.Count;
            }
        }
    }

    public int GetMaxAddCount() => options.ReadBatchSize;

    public void AddToCache(IList<IBatchContainer> messages)
    {
        lock (_gate)
        {
            foreach (var message in messages)
            {
                var batch = (EventLogBatchContainer)message;
                if (batch.Position <= _newest)
                {
                    continue; // a page read twice (a receiver retry): the cache already has it
                }
                if (_completeAfter < 0)
                {
                    _completeAfter = batch.ReadAfter;
                    _reportedThrough = batch.ReadAfter;
                }
                _items.Add((batch, clock.GetTimestamp()));
                _newest = batch.Position;
            }
            if (_items.Count > options.CacheSize)
            {
                Evict(DeliveredThrough(), keepAfterTimestamp: long.MaxValue, keepCount: options.CacheSize);
            }
        }
    }

    /// <summary>
    /// Reports the events delivered since the last call (they stay in the window for rewinds) and drops delivered
    /// events older than the rewind window.
    /// </summary>
    public bool TryPurgeFromCache([MaybeNullWhen(false)] out IList<IBatchContainer> purgedItems)
    {
        lock (_gate)
        {
            var delivered = DeliveredThrough();
            List<IBatchContainer>? newlyDelivered = null;
            if (delivered > _reportedThrough)
            {
                newlyDelivered = [];
                for (var i = FirstIndexAtOrAfter(_reportedThrough + 1); i < _items.Count && _items[i].Batch.Position <= delivered; i++)
                {
                    newlyDelivered.Add(_items[i].Batch);
                }
                _reportedThrough = delivered;
            }
            var windowStart = clock.GetTimestamp() - (long)(options.RewindWindow.TotalSeconds * clock.TimestampFrequency);
            Evict(delivered, keepAfterTimestamp: windowStart, keepCount: options.CacheSize);
            purgedItems = newlyDelivered;
            return newlyDelivered is { Count: > 0 };
        }
    }

    public IQueueCacheCursor GetCacheCursor(StreamId streamId, StreamSequenceToken? token)
    {
        var result = TryGetCacheCursor(streamId, token);
        return result.Cursor ?? throw result.CacheMiss!.Value.ToException();
    }

    /// <summary>
    /// A cursor from <paramref name="token"/>'s position (inclusive; null: what comes next), or a miss when the token
    /// is older than what this queue still holds.
    /// </summary>
    public QueueCacheCursorResult<IQueueCacheCursor> TryGetCacheCursor(StreamId streamId, StreamSequenceToken? token)
    {
        lock (_gate)
        {
            long from;
            if (token is null)
            {
                from = _newest + 1; // from now
            }
            else
            {
                from = token.SequenceNumber;
                if (_completeAfter >= 0 && from <= _completeAfter)
                {
                    return QueueCacheCursorResult<IQueueCacheCursor>.FromCacheMiss(new QueueCacheMissInfo(
                        token.ToString(),
                        _items.Count > 0 ? _items[0].Batch.Token.ToString() : $"position {_completeAfter + 1}",
                        $"position {_newest}"));
                }
            }
            var cursor = new Cursor(this, streamId, from);
            _cursors.Add(cursor);
            return QueueCacheCursorResult<IQueueCacheCursor>.FromCursor(cursor);
        }
    }

    /// <summary>Holding more undelivered events than the cache may keep: the agent stops reading until consumers catch up.</summary>
    public bool IsUnderPressure()
    {
        lock (_gate)
        {
            var delivered = DeliveredThrough();
            return _items.Count - FirstIndexAtOrAfter(delivered + 1) > options.CacheSize - options.ReadBatchSize;
        }
    }

    /// <summary>The highest position every cursor has passed (a cursor on an event is still delivering it).</summary>
    private long DeliveredThrough()
    {
        var through = _newest;
        foreach (var cursor in _cursors)
        {
            through = Math.Min(through, cursor.From - 1);
        }
        return Math.Max(through, _completeAfter);
    }

    private void Evict(long deliveredThrough, long keepAfterTimestamp, int keepCount)
    {
        var remove = 0;
        while (remove < _items.Count
            && _items[remove].Batch.Position <= deliveredThrough
            && (_items[remove].AddedAt < keepAfterTimestamp || _items.Count - remove > keepCount))
        {
            remove++;
        }
        if (remove > 0)
        {
            _completeAfter = _items[remove - 1].Batch.Position;
            _items.RemoveRange(0, remove);
        }
    }

    private int FirstIndexAtOrAfter(long position)
    {
        int low = 0, high = _items.Count;
        while (low < high)
        {
            var mid = (low + high) / 2;
            if (_items[mid].Batch.Position < position)
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

    private bool MoveNext(Cursor cursor)
    {
        lock (_gate)
        {
            if (cursor.Current is { } current)
            {
                cursor.From = current.Position + 1;
                cursor.Current = null;
            }
            for (var i = FirstIndexAtOrAfter(cursor.From); i < _items.Count; i++)
            {
                var batch = _items[i].Batch;
                if (batch.StreamId.Equals(cursor.StreamId))
                {
                    cursor.Current = batch;
                    cursor.From = batch.Position; // still delivering it
                    return true;
                }
            }
            cursor.From = Math.Max(cursor.From, _newest + 1);
            return false;
        }
    }

    private void Release(Cursor cursor)
    {
        lock (_gate)
        {
            _cursors.Remove(cursor);
        }
    }

    /// <summary>A consumer's (or a registration's) place in the queue: it may still deliver positions from <see cref="From"/> on.</summary>
    private sealed class Cursor(EventLogQueueCache cache, StreamId streamId, long from) : IQueueCacheCursor
    {
        public StreamId StreamId { get; } = streamId;

        public long From { get; set; } = from;

        public EventLogBatchContainer? Current { get; set; }

        public IBatchContainer? GetCurrent(out Exception? exception)
        {
            exception = null;
            return Current;
        }

        [Obsolete("Orleans' agent calls MoveNextWithResult")]
        public bool MoveNext() => cache.MoveNext(this);

        // Never a miss once made: the cursor only moves forward through what the cache holds.
        public QueueCacheCursorMoveResult MoveNextWithResult() =>
            cache.MoveNext(this) ? QueueCacheCursorMoveResult.Success : QueueCacheCursorMoveResult.NoData;

        // Every MoveNext looks at the cache as it is now: nothing to refresh.
        public void Refresh(StreamSequenceToken token)
        {
        }

        // The agent moves on after a failed delivery (its failure handler decides about the subscription).
        public void RecordDeliveryFailure()
        {
        }

        public void Dispose() => cache.Release(this);
    }
}

/// <summary>Creates each queue's <see cref="EventLogQueueCache"/>.</summary>
public sealed class EventLogQueueAdapterCache(EventStreamOptions options, TimeProvider clock) : IQueueAdapterCache
{
    public IQueueCache CreateQueueCache(QueueId queueId) => new EventLogQueueCache(options, clock);
}
