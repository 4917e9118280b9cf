namespace ActorSales.ReadModel.Projecting;

/// <summary>
/// What the projector of this process knows about its progress, for metrics and health: the checkpoint, the log head,
/// when the oldest unapplied event occurred, whether retention removed events it had not applied, the last failure.
/// </summary>
public sealed class ProjectorStatus(TimeProvider clock)
{
    private readonly Lock _gate = new();
    private long _checkpoint;
    private long _head;
    private DateTimeOffset? _pendingSince;
    private string? _lostEvents;
    private string? _lastError;
    private bool _leaseHeld;
    private TaskCompletionSource _advanced = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public long Checkpoint { get { lock (_gate) { return _checkpoint; } } }

    /// <summary>Log positions not yet applied (0 when caught up or not projecting here).</summary>
    public long PositionsBehind { get { lock (_gate) { return _leaseHeld ? Math.Max(0, _head - _checkpoint) : 0; } } }

    /// <summary>Age of the oldest event not yet applied (zero when caught up or not projecting here).</summary>
    public TimeSpan TimeBehind
    {
        get
        {
            lock (_gate)
            {
                return _leaseHeld && _pendingSince is { } since ? Max(clock.GetUtcNow() - since, TimeSpan.Zero) : TimeSpan.Zero;
            }
        }
    }

    /// <summary>Set once retention removed events before they were applied: the read model misses them.</summary>
    public string? LostEvents { get { lock (_gate) { return _lostEvents; } } }

    public string? LastError { get { lock (_gate) { return _lastError; } } }

    public bool LeaseHeld { get { lock (_gate) { return _leaseHeld; } } }

    /// <summary>
    /// Completes when this process's projector next moves the checkpoint (never, while another silo projects): the
    /// change signal live readers (the analytics board) wait on instead of polling the store.
    /// </summary>
    public Task NextAdvance { get { lock (_gate) { return _advanced.Task; } } }

    internal void Lease(bool held)
    {
        lock (_gate)
        {
            _leaseHeld = held;
        }
    }

    /// <summary>A batch was read: its first event is the oldest waiting.</summary>
    internal void Pending(DateTimeOffset oldestUnapplied, long head)
    {
        lock (_gate)
        {
            _pendingSince ??= oldestUnapplied;
            _head = Math.Max(_head, head);
        }
    }

    /// <summary>The store is at <paramref name="checkpoint"/>; <paramref name="nextPendingAt"/> is null when caught up.</summary>
    internal void Applied(long checkpoint, long head, DateTimeOffset? nextPendingAt)
    {
        TaskCompletionSource? advanced = null;
        lock (_gate)
        {
            if (checkpoint > _checkpoint)
            {
                advanced = _advanced;
                _advanced = new(TaskCreationOptions.RunContinuationsAsynchronously);
            }
            _checkpoint = checkpoint;
            _head = Math.Max(head, checkpoint);
            _pendingSince = nextPendingAt;
            _lastError = null;
        }
        advanced?.TrySetResult();
    }

    internal void Lost(string description)
    {
        lock (_gate)
        {
            _lostEvents = description;
        }
    }

    internal void Failed(string error)
    {
        lock (_gate)
        {
            _lastError = error;
        }
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
