using ActorSales.Grains.Abstractions.Events;
using ActorSales.Grains.Infrastructure;
using Microsoft.Extensions.Logging;
using Orleans.Streams;

namespace ActorSales.Grains.Events.Streams;

/// <summary>
/// One queue's reader of the durable log: it pages through the log by position from the queue's checkpoint and keeps
/// the events whose stream maps to its queue (<see cref="EventLogQueueMapper.QueueOf"/>). With nothing new it waits
/// for the next append (<see cref="IEventLog.WaitForAppendAsync"/>) instead of sleeping a poll period, which keeps
/// append-to-delivery latency low. What the cache reports delivered moves the checkpoint, written at most every
/// <see cref="EventStreamOptions.CheckpointInterval"/> (at least once: after a silo loss the queue's next agent re-reads
/// from the last written checkpoint, so consumers de-duplicate by position). It also serves the queue cache's rewinds
/// further back than the cache holds (<see cref="EventLogQueueCache.NextRewind"/>): one stream's events, a page at a
/// time, before anything new.
/// </summary>
public sealed partial class EventLogQueueReceiver(
    QueueId queue,
    EventLogQueueMapper mapper,
    IEventLog log,
    IStreamQueueCheckpointGrain checkpoints,
    EventStreamOptions options,
    TimeProvider clock,
    ActorSalesMetrics? metrics,
    ILogger<EventLogQueueReceiver> logger,
    EventLogQueueCache? cache = null) : IQueueAdapterReceiver
{
    private static readonly TimeSpan MaxLongPoll = TimeSpan.FromSeconds(1);

    private readonly int _index = mapper.IndexOf(queue);
    private long _readThrough;          // the log is scanned through here
    private long _lastHandedOut;        // the newest of this queue's events given to the agent
    private long _deliveredThrough;     // what the cache reported delivered
    private long _savedCheckpoint = -1;
    private long _lastSaveAt;
    private Task _save = Task.CompletedTask;

    /// <summary>The position this queue resumed from (its checkpoint, or the log's head for a queue never started).</summary>
    public long StartedAfter { get; private set; }

    public async Task Initialize(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout, clock);
        var saved = await checkpoints.Load(_index, mapper.QueueCount).WaitAsync(cancel.Token);
        if (saved is { } position)
        {
            StartedAfter = position;
        }
        else
        {
            // Never started: from now, like a new subscriber. The head is saved at once so a silo lost before the
            // first throttled save resumes here rather than at a later head.
            StartedAfter = (await log.GetBoundsAsync(cancel.Token)).Head;
            await checkpoints.Save(_index, mapper.QueueCount, StartedAfter);
        }
        _readThrough = _lastHandedOut = _deliveredThrough = _savedCheckpoint = StartedAfter;
        _lastSaveAt = clock.GetTimestamp();
        LogStarted(_index, mapper.QueueCount, StartedAfter);
    }

#pragma warning disable CS0618 // Orleans keeps the legacy overloads on the interface; the agent calls the cancellable ones.
    public Task<IList<IBatchContainer>> GetQueueMessagesAsync(int maxCount) => GetQueueMessagesAsync(maxCount, CancellationToken.None);

    public Task MessagesDeliveredAsync(IList<IBatchContainer> messages) => MessagesDeliveredAsync(messages, CancellationToken.None);
#pragma warning restore CS0618

    public async Task<IList<IBatchContainer>> GetQueueMessagesAsync(int maxCount, CancellationToken cancellationToken)
    {
        try
        {
            return await ReadOrWaitAsync(maxCount, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The agent stops (its queue moves, or the silo shuts down): nothing was handed out, nothing is lost.
            return [];
        }
    }

    private async Task<IList<IBatchContainer>> ReadOrWaitAsync(int maxCount, CancellationToken cancellationToken)
    {
        SaveCheckpointIfDue();
        var rewound = await ReadRewindsAsync(cancellationToken);
        if (rewound.Count > 0)
        {
            return rewound;
        }
        var batches = await ReadAsync(maxCount, cancellationToken);
        // Long poll: every append wakes every queue, and most appends belong to other queues, so keep waiting (a
        // queue that returned empty would sleep a whole poll period) but hand control back to the agent now and then
        // for its checkpoint and cache upkeep. A rewind the cache asks for ends the wait too.
        var started = clock.GetTimestamp();
        while (batches.Count == 0 && !cancellationToken.IsCancellationRequested && clock.GetElapsedTime(started) < MaxLongPoll)
        {
            var rewindRequested = cache?.RewindRequested ?? CancellationToken.None;
            if (cache?.NextRewind() is not null)
            {
                return await ReadRewindsAsync(cancellationToken);
            }
            using (var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, rewindRequested))
            {
                try
                {
                    await log.WaitForAppendAsync(_readThrough, wait.Token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    return await ReadRewindsAsync(cancellationToken);
                }
            }
            batches = await ReadAsync(maxCount, cancellationToken);
        }
        return batches;
    }

    public Task MessagesDeliveredAsync(IList<IBatchContainer> messages, CancellationToken cancellationToken)
    {
        foreach (var message in messages)
        {
            _deliveredThrough = Math.Max(_deliveredThrough, ((EventLogBatchContainer)message).Position);
        }
        SaveCheckpointIfDue();
        return Task.CompletedTask;
    }

    public async Task Shutdown(TimeSpan timeout)
    {
        // A graceful hand-over writes the last checkpoint, so the next agent repeats nothing it need not.
        try
        {
            await _save.WaitAsync(timeout, clock);
            var checkpoint = Checkpoint();
            if (checkpoint > _savedCheckpoint)
            {
                await checkpoints.Save(_index, mapper.QueueCount, checkpoint).WaitAsync(timeout, clock);
            }
        }
        catch (Exception exception)
        {
            LogCheckpointFailed(exception, _index);
        }
    }

    /// <summary>
    /// Reads pages the cache's rewinding cursors wait for (a few at most) and returns what wakes their consumers; the
    /// agent adds it to the cache, which ignores positions it has passed, and restarts the streams' idle cursors.
    /// </summary>
    private async Task<IList<IBatchContainer>> ReadRewindsAsync(CancellationToken cancellationToken)
    {
        for (var round = 0; round < 4 && cache?.NextRewind() is { } rewind; round++)
        {
            EventStreams.TryEntityTypeOf(rewind.StreamId.GetNamespace() ?? "", out var entityType);
            var entityId = rewind.StreamId.GetKeyAsString();
            var read = await log.ReadAsync(rewind.After, EventFilter.Of((int)entityType, entityId), options.ReadBatchSize, cancellationToken);
            cache.NoteTrimmedThrough(read.TrimmedThrough);
            if (read.TrimmedThrough > rewind.After)
            {
                LogRewindTrimmed(_index, rewind.StreamId.ToString(), rewind.After, read.TrimmedThrough);
            }
            var page = new List<EventLogBatchContainer>(read.Events.Count);
            var readAfter = rewind.After;
            foreach (var stored in read.Events)
            {
                page.Add(ToBatch(stored, readAfter));
                readAfter = stored.Position;
            }
            var wake = cache.SupplyRewind(rewind, page, read.ScannedThrough);
            LogRewindPage(_index, rewind.StreamId.ToString(), rewind.After, page.Count);
            if (wake.Count > 0)
            {
                return wake;
            }
        }
        return [];
    }

    private static EventLogBatchContainer ToBatch(StoredEvent stored, long readAfter)
    {
        var e = stored.Event;
        return new EventLogBatchContainer(
            EventLogQueueMapper.StreamOf(e),
            new DomainEventEnvelope(e.EntityId, e.Sequence, e.EventType, e.Payload),
            new EventLogSequenceToken(stored.Position),
            readAfter,
            e.OccurredAt);
    }

    private async Task<IList<IBatchContainer>> ReadAsync(int maxCount, CancellationToken cancellationToken)
    {
        var result = new List<IBatchContainer>();
        // Scans a few pages at most per call so one quiet queue among busy ones still returns to the agent promptly.
        for (var page = 0; page < 4 && result.Count < maxCount; page++)
        {
            var read = await log.ReadAsync(_readThrough, EventFilter.All, options.ReadBatchSize, cancellationToken);
            if (read.TrimmedThrough > _readThrough)
            {
                LogTrimmedPast(_index, _readThrough, read.TrimmedThrough);
            }
            cache?.NoteTrimmedThrough(read.TrimmedThrough);
            var now = clock.GetUtcNow();
            var readAfter = _lastHandedOut;
            foreach (var stored in read.Events)
            {
                if (!Equals(mapper.QueueOf(stored.Event), queue))
                {
                    continue;
                }
                result.Add(ToBatch(stored, readAfter));
                readAfter = stored.Position;
                metrics?.EventStreamLag.Record(Math.Max(0, (now - stored.Event.OccurredAt).TotalSeconds));
            }
            _lastHandedOut = readAfter;
            var advanced = read.ScannedThrough > _readThrough;
            _readThrough = Math.Max(_readThrough, read.ScannedThrough);
            if (!advanced || read.Events.Count < options.ReadBatchSize)
            {
                break;
            }
        }
        metrics?.EventsPublished.Add(result.Count);
        return result;
    }

    /// <summary>
    /// Everything through this position is delivered or belongs to other queues: the delivered prefix, or, once
    /// every event handed out is delivered, as far as the log was scanned.
    /// </summary>
    private long Checkpoint() => _deliveredThrough >= _lastHandedOut ? _readThrough : _deliveredThrough;

    private void SaveCheckpointIfDue()
    {
        var checkpoint = Checkpoint();
        if (checkpoint <= _savedCheckpoint || !_save.IsCompleted
            || clock.GetElapsedTime(_lastSaveAt) < options.CheckpointInterval)
        {
            return;
        }
        _lastSaveAt = clock.GetTimestamp();
        _save = SaveAsync(checkpoint);
    }

    private async Task SaveAsync(long checkpoint)
    {
        try
        {
            await checkpoints.Save(_index, mapper.QueueCount, checkpoint);
            _savedCheckpoint = checkpoint;
        }
        catch (Exception exception)
        {
            // The next save carries it; meanwhile a lost queue re-delivers a little more.
            LogCheckpointFailed(exception, _index);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Event stream queue {Queue} of {QueueCount} reads the log after position {Position}")]
    private partial void LogStarted(int queue, int queueCount, long position);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event stream queue {Queue} could not write its checkpoint")]
    private partial void LogCheckpointFailed(Exception exception, int queue);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Event stream queue {Queue} read {Count} events of {Stream} after position {After} for a rewinding subscription")]
    private partial void LogRewindPage(int queue, string stream, long after, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A subscription to {Stream} on event stream queue {Queue} rewound to after position {After}, but the log is trimmed through {TrimmedThrough}; it starts at the oldest retained event")]
    private partial void LogRewindTrimmed(int queue, string stream, long after, long trimmedThrough);

    [LoggerMessage(Level = LogLevel.Error, Message = "Event stream queue {Queue} fell behind retention: it stood at {Position}, the log was trimmed through {TrimmedThrough}; those events are not delivered")]
    private partial void LogTrimmedPast(int queue, long position, long trimmedThrough);
}
