using ActorSales.Contracts.V1;
using ActorSales.Grains.Abstractions.Events;
using ActorSales.Grains.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ActorSales.Grains.Events;

/// <summary>
/// A grain's transactional outbox, owned by one activation. The grain adds the events of a change to a list kept in
/// its own state, so the state write that makes the change durable also makes its events durable: there is no
/// acknowledged change without its event. After the write the grain flushes: the events go to the
/// <see cref="IEventLog"/> (idempotent per entity and sequence) and the new ones onto the Orleans streams.
/// <para>
/// If the silo dies between the write and the flush, the next activation flushes first. To make sure there is a
/// next activation, the first write of an activation registers an "outbox" reminder, which also retries while the
/// log is unreachable; it is removed once everything is flushed. The flushed entries stay in storage until the next
/// write (saving a write per change); replaying them is a no-op because the log de-duplicates.
/// </para>
/// </summary>
public sealed partial class EventOutbox(
    Grain grain,
    Func<List<LoggedEvent>> pending,
    DomainEventPublisher publisher,
    TimeSpan retryPeriod,
    ActorSalesMetrics metrics,
    ILogger logger)
{
    public const string ReminderName = "outbox";

    /// <summary>The outbox of <paramref name="grain"/>, whose state keeps the list <paramref name="pending"/> returns.</summary>
    public static EventOutbox For(Grain grain, Func<List<LoggedEvent>> pending)
    {
        var services = grain.GrainContext.ActivationServices;
        return new EventOutbox(
            grain,
            pending,
            services.GetRequiredService<DomainEventPublisher>(),
            services.GetRequiredService<IOptions<EventLogOptions>>().Value.OutboxRetryPeriod,
            services.GetRequiredService<ActorSalesMetrics>(),
            services.GetRequiredService<ILoggerFactory>().CreateLogger<EventOutbox>());
    }

    private IGrainReminder? _reminder;
    private bool _guarded;
    private bool _mayHaveReminder;

    /// <summary>
    /// Adds an event of the change in progress; it is written with the next state write. Grains call it only through
    /// <see cref="Infrastructure.AggregateCommit"/>, the one way a change raises its events.
    /// </summary>
    public void Add(EntityType entityType, string entityId, long sequence, string actorId, string? teamId, string? ownerId, Action<DomainEvent> setChange) =>
        pending().Add(LoggedEvent.From(publisher.Create(entityType, entityId, sequence, actorId, teamId, ownerId, setChange)));

    /// <summary>Call from OnActivateAsync: flushes what a previous activation wrote but may not have published.</summary>
    public async Task ActivateAsync()
    {
        if (HasPending)
        {
            _mayHaveReminder = true;
            await FlushAsync();
        }
    }

    /// <summary>Whether events wait to be flushed.</summary>
    public bool HasPending => pending().Count > 0;

    /// <summary>
    /// Call before a state write that carries events: from now until the flush, a reminder will bring this grain
    /// back if its silo dies. Once per activation.
    /// </summary>
    public async Task GuardAsync()
    {
        if (_guarded || !HasPending)
        {
            return;
        }
        _mayHaveReminder = true;
        _reminder = await grain.RegisterOrUpdateReminder(ReminderName, retryPeriod, retryPeriod);
        _guarded = true;
    }

    /// <summary>Sends the pending events to the log and streams; on failure they stay pending for the reminder.</summary>
    public async Task FlushAsync()
    {
        var list = pending();
        if (list.Count == 0)
        {
            return;
        }
        var batch = list.ToList();
        try
        {
            await publisher.PublishAsync(batch);
            list.RemoveRange(0, batch.Count);
            metrics.OutboxBacklog.TryRemove(grain.GetGrainId(), out _);
        }
        catch (Exception exception)
        {
            metrics.OutboxBacklog[grain.GetGrainId()] = list.Count;
            LogFlushFailed(exception, grain.GetGrainId().ToString(), batch.Count);
        }
    }

    /// <summary>Handles the outbox reminder; false if <paramref name="reminderName"/> is someone else's.</summary>
    public async Task<bool> ReceiveReminderAsync(string reminderName)
    {
        if (reminderName != ReminderName)
        {
            return false;
        }
        _mayHaveReminder = true;
        await FlushAsync();
        await ReleaseAsync();
        return true;
    }

    /// <summary>Call from OnDeactivateAsync: removes the reminder once nothing is pending.</summary>
    public async Task ReleaseAsync()
    {
        if (HasPending || !_mayHaveReminder)
        {
            return;
        }
        try
        {
            var reminder = _reminder ?? await grain.GetReminder(ReminderName);
            if (reminder is not null)
            {
                await grain.UnregisterReminder(reminder);
            }
            _reminder = null;
            _guarded = false;
            _mayHaveReminder = false;
        }
        catch (Exception exception)
        {
            // Harmless: the reminder fires once more, finds nothing pending and tries again.
            LogReleaseFailed(exception, grain.GetGrainId().ToString());
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Grain {GrainId}: {Count} domain events stay in its outbox; the outbox reminder retries")]
    private partial void LogFlushFailed(Exception exception, string grainId, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Grain {GrainId}: could not remove its outbox reminder")]
    private partial void LogReleaseFailed(Exception exception, string grainId);
}
