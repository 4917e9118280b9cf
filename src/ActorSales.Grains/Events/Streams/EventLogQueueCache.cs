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
/// The cache holds only positions after <c>_completeAfter</c>; everything of this queue after that position is here.
/// A token older than that (but inside the log's retention) gets a <b>rewinding cursor</b>: Orleans asks the cache
/// synchronously, so the cursor starts with nothing to hand out and asks this queue's receiver (through
/// <see cref="NextRewind"/>) to read that one stream's events from the log, page by page, up to where the cache
/// takes over. Each page the receiver reads it returns to the agent too, which is what wakes the waiting consumer (the
/// cache ignores positions it already passed). Meanwhile the cursor pins the cache from <c>_completeAfter</c> on, so
/// nothing between the old events and the live ones is lost; it costs the stream's events only, one page ahead of
/// the consumer. A token at or before what the log has trimmed gets <see cref="QueueCacheMissException"/>, and
/// Orleans' agent starts the subscription at the event that triggered it instead (README "Rewinding").
/// </para>
/// </summary>
public sealed class EventLogQueueCache(EventStreamOptions options, TimeProvider clock) : IQueueCache
{
    private readonly Lock _gate = new();
    private readonly List<(EventLogBatchContainer Batch, long AddedAt)> _items = [];
    private readonly HashSet<Cursor> _cursors = [];
    private readonly List<Cursor> _rewinding = [];
    private readonly Dictionary<StreamId, List<long>> _positionsByStream = []; // each stream's cached positions, in order
    private CancellationTokenSource _rewindRequested = new();
    private long _completeAfter = -1; // nothing known before the first batch
    private long _newest;
    private long _reportedThrough;
    private long _trimmedThrough;

    /// <summary>Cancelled when a rewinding cursor needs the log read (the receiver's long poll wakes for it).</summary>
    public CancellationToken RewindRequested
    {
        get
        {
            lock (_gate)
            {
                return _rewindRequested.Token;
            }
        }
    }

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
                if (!_positionsByStream.TryGetValue(batch.StreamId, out var positions))
                {
                    _positionsByStream[batch.StreamId] = positions = [];
                }
                positions.Add(batch.Position);
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
                    if (from <= _trimmedThrough || !EventStreams.TryEntityTypeOf(streamId.GetNamespace() ?? "", out _))
                    {
                        return QueueCacheCursorResult<IQueueCacheCursor>.FromCacheMiss(new QueueCacheMissInfo(
                            token.ToString(), $"position {Math.Max(_trimmedThrough, 0) + 1}", $"position {_newest}"));
                    }
                    // Older than the cache: read this stream's events up to the cache from the log first. Orleans' agent
                    // asks again for the event a consumer just turned down as already handled (a resumed subscription),
                    // then moves one past it: that cursor starts on it and carries on from the rewinding cursor that handed
                    // it out, without reading the log again.
                    var handedOut = _rewinding.Find(c => c.StreamId.Equals(streamId) && c.Current?.Position == from && c.Rewind is not null);
                    var rewinding = handedOut is { Rewind: { } earlier, Current: { } current }
                        ? new Cursor(this, streamId, handedOut.From) { Rewind = earlier.StartingWith(current) }
                        : new Cursor(this, streamId, _completeAfter + 1) { Rewind = new Rewind(from - 1, _completeAfter) };
                    _cursors.Add(rewinding);
                    _rewinding.Add(rewinding);
                    SignalRewind();
                    return QueueCacheCursorResult<IQueueCacheCursor>.FromCursor(rewinding);
                }
            }
            var cursor = new Cursor(this, streamId, from);
            _cursors.Add(cursor);
            return QueueCacheCursorResult<IQueueCacheCursor>.FromCursor(cursor);
        }
    }

    /// <summary>The next page of the log a rewinding cursor waits for (it has handed out everything read so far), if any.</summary>
    public RewindRead? NextRewind()
    {
        lock (_gate)
        {
            foreach (var cursor in _rewinding)
            {
                if (cursor.Rewind is { Complete: false, Ready.Count: 0 } rewind)
                {
                    return new RewindRead(cursor, cursor.StreamId, rewind.ReadAfter, rewind.Through);
                }
            }
            return null;
        }
    }

    /// <summary>
    /// Hands a page the receiver read for <paramref name="read"/> to its cursor (<paramref name="scannedThrough"/>: how
    /// far the log was looked at). Returns what to give the agent so it wakes the waiting consumer: the page, or, once
    /// the rewind reached the cache, the stream's first cached event; the cache itself ignores both (it has passed them).
    /// </summary>
    public IList<IBatchContainer> SupplyRewind(RewindRead read, IReadOnlyList<EventLogBatchContainer> page, long scannedThrough)
    {
        lock (_gate)
        {
            var cursor = (Cursor)read.Cursor;
            if (cursor.Rewind is not { } rewind || !_cursors.Contains(cursor))
            {
                return []; // the consumer went away meanwhile
            }
            foreach (var batch in page)
            {
                if (batch.Position > rewind.ReadAfter && batch.Position <= rewind.Through)
                {
                    rewind.Ready.Enqueue(batch);
                    rewind.ReadAfter = batch.Position;
                }
            }
            rewind.ReadAfter = Math.Max(rewind.ReadAfter, Math.Min(scannedThrough, rewind.Through));
            if (rewind.Ready.Count > 0)
            {
                return [.. rewind.Ready];
            }
            if (rewind.Complete)
            {
                var next = FirstIndexAtOrAfter(cursor.From);
                for (var i = next; i < _items.Count; i++)
                {
                    if (_items[i].Batch.StreamId.Equals(cursor.StreamId))
                    {
                        return [_items[i].Batch];
                    }
                }
            }
            return [];
        }
    }

    /// <summary>The receiver saw the log trimmed through <paramref name="position"/>: rewinds at or before it are misses.</summary>
    public void NoteTrimmedThrough(long position)
    {
        lock (_gate)
        {
            _trimmedThrough = Math.Max(_trimmedThrough, position);
        }
    }

    private void SignalRewind()
    {
        var signalled = _rewindRequested;
        _rewindRequested = new CancellationTokenSource();
        // Cancelled off the lock's thread: the receiver's continuation must not run inside it.
        ThreadPool.UnsafeQueueUserWorkItem(static s => s.Cancel(), signalled, preferLocal: false); // no timer: nothing to dispose
    }

    /// <summary>
    /// Holding more undelivered events than the cache may keep: the agent stops reading until consumers catch up. Never
    /// while a rewinding consumer waits for its next page: only the receiver reads it, and it reads nothing else then.
    /// </summary>
    public bool IsUnderPressure()
    {
        lock (_gate)
        {
            if (_rewinding.Exists(c => c.Rewind is { Complete: false, Ready.Count: 0 }))
            {
                return false;
            }
            var delivered = DeliveredThrough();
            return _items.Count - FirstIndexAtOrAfter(delivered + 1) > options.CacheSize - options.ReadBatchSize;
        }
    }

    /// <summary>
    /// The highest position every cursor has passed (a cursor on an event is still delivering it). A cursor holds back
    /// only its own stream's next event: Orleans moves a consumer's cursor only when its stream has news, so an idle
    /// subscription's cursor stays where it last stopped, and counting that position would pin the queue's whole cache
    /// behind it until the agent stopped reading. A rewinding cursor holds the cache from where it will go on.
    /// </summary>
    private long DeliveredThrough()
    {
        var through = _newest;
        foreach (var cursor in _cursors)
        {
            if (cursor.Rewind is not null)
            {
                through = Math.Min(through, cursor.From - 1);
            }
            else if (NextOfStream(cursor.StreamId, cursor.From) is { } pending)
            {
                through = Math.Min(through, pending - 1);
            }
        }
        return Math.Max(through, _completeAfter);
    }

    /// <summary>The stream's first cached position at or after <paramref name="from"/>, if any.</summary>
    private long? NextOfStream(StreamId streamId, long from)
    {
        if (!_positionsByStream.TryGetValue(streamId, out var positions))
        {
            return null;
        }
        var index = positions.BinarySearch(from);
        if (index < 0)
        {
            index = ~index;
        }
        return index < positions.Count ? positions[index] : null;
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
            foreach (var stream in _items.Take(remove).GroupBy(item => item.Batch.StreamId))
            {
                var positions = _positionsByStream[stream.Key];
                positions.RemoveRange(0, stream.Count()); // the oldest go first, in each stream as in the queue
                if (positions.Count == 0)
                {
                    _positionsByStream.Remove(stream.Key);
                }
            }
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
                if (cursor.Rewind is null)
                {
                    cursor.From = current.Position + 1;
                }
                cursor.Current = null;
            }
            if (cursor.Rewind is { } rewind)
            {
                if (rewind.Ready.TryDequeue(out var old))
                {
                    cursor.Current = old;
                    return true;
                }
                if (!rewind.Complete)
                {
                    return false; // the receiver reads the next page; handing it to the agent wakes this consumer
                }
                cursor.Rewind = null; // caught up with the cache: on from cursor.From
                _rewinding.Remove(cursor);
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
            _rewinding.Remove(cursor);
        }
    }

    /// <summary>A rewinding cursor's read of the log: events after <see cref="ReadAfter"/> through <see cref="Through"/> (where the cache starts).</summary>
    private sealed class Rewind(long readAfter, long through)
    {
        public long ReadAfter { get; set; } = readAfter;

        public long Through { get; } = through;

        public Queue<EventLogBatchContainer> Ready { get; } = new();

        public bool Complete => ReadAfter >= Through;

        /// <summary>The same read, for a new cursor that hands out <paramref name="first"/> and then what this one has not yet.</summary>
        public Rewind StartingWith(EventLogBatchContainer first)
        {
            var copy = new Rewind(ReadAfter, Through);
            copy.Ready.Enqueue(first);
            foreach (var batch in Ready)
            {
                copy.Ready.Enqueue(batch);
            }
            return copy;
        }
    }

    /// <summary>A consumer's (or a registration's) place in the queue: it may still deliver positions from <see cref="From"/> on.</summary>
    private sealed class Cursor(EventLogQueueCache cache, StreamId streamId, long from) : IQueueCacheCursor
    {
        public StreamId StreamId { get; } = streamId;

        public long From { get; set; } = from;

        public EventLogBatchContainer? Current { get; set; }

        /// <summary>Set while the cursor hands out events older than the cache (it stays pinned at <see cref="From"/>).</summary>
        public Rewind? Rewind { get; set; }

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

/// <summary>What a rewinding cursor needs read from the log: <see cref="StreamId"/>'s events after <see cref="After"/> through <see cref="Through"/>.</summary>
public sealed record RewindRead(object Cursor, StreamId StreamId, long After, long Through);

/// <summary>Creates each queue's <see cref="EventLogQueueCache"/>; the queue's receiver serves its rewinds (<see cref="Of"/>).</summary>
public sealed class EventLogQueueAdapterCache(EventStreamOptions options, TimeProvider clock) : IQueueAdapterCache
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<QueueId, EventLogQueueCache> _caches = new();

    public IQueueCache CreateQueueCache(QueueId queueId) => _caches[queueId] = new EventLogQueueCache(options, clock);

    /// <summary>The queue's current cache (Orleans' agent makes the cache, then the receiver).</summary>
    public EventLogQueueCache? Of(QueueId queueId) => _caches.GetValueOrDefault(queueId);
}
