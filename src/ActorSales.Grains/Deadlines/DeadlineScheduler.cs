using ActorSales.Domain.Deadlines;
using ActorSales.Grains.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ActorSales.Grains.Deadlines;

/// <summary>
/// The one deadline mechanism, owned by one grain activation. While the grain is active, an in-memory grain timer per
/// deadline fires it at its due time (precise, on the injected clock). One durable reminder per record, set to the
/// earliest due time, is the backstop that reactivates the grain after deactivation, a restart or the loss of its
/// silo. Whatever fires, the grain re-checks the rule against its current state, so a timer and a reminder firing
/// for the same deadline act once. Nothing scans: an idle record costs one reminder row and no CPU.
/// <para>
/// Orleans refuses grain timers due more than 2^32-2 ms (~49.7 days) ahead, while a rule may set a deadline years
/// out (a 90-day stage, a 10-year limit an admin defines). A timer is therefore armed for at most
/// <see cref="MaxTimerDelay"/>; when it wakes before its deadline it re-arms for the rest, without asking the grain.
/// Scheduling never throws: it runs after a saved write, and a saved change must not be answered with an error.
/// </para>
/// </summary>
public sealed partial class DeadlineScheduler(Grain grain, TimeProvider clock, Func<Deadline, Task> onDue, ILogger logger, DateTimeOffset? reminderDueAt)
{
    public const string ReminderName = "deadlines";

    /// <summary>If the grain misses a due time (it was down), the reminder retries this often until it is handled.</summary>
    public static readonly TimeSpan ReminderPeriod = TimeSpan.FromMinutes(5);

    /// <summary>The rule of the deadline that retries a grain's failed after-effects (books, lists, notices).</summary>
    public const string EffectsRetryRule = "effects_retry";

    /// <summary>How soon failed after-effects are tried again.</summary>
    public static readonly TimeSpan EffectsRetryAfter = TimeSpan.FromSeconds(5);

    /// <summary>The longest a grain timer is armed for; a later deadline is reached by re-arming (Orleans' limit is ~49.7 days).</summary>
    public static readonly TimeSpan MaxTimerDelay = TimeSpan.FromDays(30);

    private readonly Dictionary<Deadline, IGrainTimer> _timers = [];
    private readonly ActorSalesMetrics? _metrics = grain.GrainContext?.ActivationServices.GetService<ActorSalesMetrics>();

    // When failed after-effects are retried; memory only, since an activation replays them anyway.
    private DateTimeOffset? _effectsRetryAt;

    /// <summary>
    /// Call after the grain's after-effects ran: while some are still pending, a retry is wanted
    /// <see cref="EffectsRetryAfter"/> after they first failed, by the same timer and durable reminder as any deadline.
    /// </summary>
    public void EffectsPending(bool pending) => _effectsRetryAt = pending ? _effectsRetryAt ?? clock.GetUtcNow() + EffectsRetryAfter : null;

    /// <summary><paramref name="wanted"/> plus the effects retry while after-effects are <paramref name="pending"/>.</summary>
    public List<Deadline> WithEffectsRetry(List<Deadline> wanted, bool pending)
    {
        if (pending && _effectsRetryAt is { } at)
        {
            wanted.Add(new Deadline(EffectsRetryRule, at));
        }
        return wanted;
    }

    /// <summary>Whether <paramref name="deadline"/> is the effects retry; if so it is used up (the grain retries now).</summary>
    public bool TakeEffectsRetry(Deadline deadline)
    {
        if (deadline.Rule != EffectsRetryRule)
        {
            return false;
        }
        _effectsRetryAt = null;
        return true;
    }

    /// <summary>
    /// The first step of a grain's deadline handler: true if <paramref name="deadline"/> is a business deadline due now and
    /// still in <paramref name="desired"/>; otherwise the timers are re-armed for what is wanted (the world moved on), or,
    /// for the effects retry, <paramref name="retryEffects"/> runs, and the answer is false.
    /// </summary>
    public async Task<bool> IsBusinessDueAsync(Deadline deadline, Func<List<Deadline>> desired, Func<Task> retryEffects)
    {
        if (deadline.DueAt > clock.GetUtcNow() || !desired().Contains(deadline))
        {
            await ScheduleAsync(desired());
            return false;
        }
        if (TakeEffectsRetry(deadline))
        {
            await retryEffects();
            return false;
        }
        return true;
    }

    /// <summary>
    /// The earliest due time the reminder is meant to be registered for (null: none). The grain stores it with its state
    /// (<see cref="ReminderForWriteAsync"/>), so an activation whose deadlines did not move registers nothing.
    /// </summary>
    public DateTimeOffset? ReminderDueAt { get; private set; } = reminderDueAt;

    /// <summary>
    /// Before a write: the reminder due time to store with the state about to be written, whose deadlines are
    /// <paramref name="desired"/>. A due time earlier than the reminder's is registered now, before the write (a write
    /// that then fails leaves only an early wake-up, which re-checks and re-arms); a later one, or none, is stored now and
    /// registered by the schedule after the write. If that is lost (the silo died in between, the reminder table was
    /// unreachable), the old, earlier reminder still fires and <see cref="FireDueAsync"/> puts it right. Never throws.
    /// </summary>
    public async Task<DateTimeOffset?> ReminderForWriteAsync(IReadOnlyCollection<Deadline> desired)
    {
        var earliest = Earliest(desired);
        if (earliest is { } due && (ReminderDueAt is not { } registered || due < registered))
        {
            await SyncReminderAsync(earliest, force: false);
            return ReminderDueAt;
        }
        return earliest;
    }

    /// <summary>Makes the timers and the reminder match <paramref name="desired"/>; cheap when nothing changed; never throws.</summary>
    public Task ScheduleAsync(IReadOnlyCollection<Deadline> desired) => ScheduleAsync(desired, forceReminder: false);

    private async Task ScheduleAsync(IReadOnlyCollection<Deadline> desired, bool forceReminder)
    {
        foreach (var stale in _timers.Keys.Where(d => !desired.Contains(d)).ToList())
        {
            _timers[stale].Dispose();
            _timers.Remove(stale);
        }
        foreach (var deadline in desired.Where(d => !_timers.ContainsKey(d)))
        {
            Arm(deadline);
        }
        await SyncReminderAsync(Earliest(desired), forceReminder);
    }

    private static DateTimeOffset? Earliest(IReadOnlyCollection<Deadline> desired) => desired.Count == 0 ? null : desired.Min(d => d.DueAt);

    /// <summary>Registers (or removes) the reminder for <paramref name="earliest"/> unless it is already meant to be there.</summary>
    private async Task SyncReminderAsync(DateTimeOffset? earliest, bool force)
    {
        if (earliest == ReminderDueAt && !force)
        {
            return;
        }
        try
        {
            if (earliest is { } due)
            {
                await grain.RegisterOrUpdateReminder(ReminderName, DelayUntil(due), ReminderPeriod);
            }
            else if (await grain.GetReminder(ReminderName) is { } reminder)
            {
                await grain.UnregisterReminder(reminder);
            }
            ReminderDueAt = earliest;
        }
        catch (Exception exception)
        {
            // The timers still fire while the grain lives; the next schedule retries the reminder.
            LogReminderFailed(exception, grain.GetGrainId().ToString());
        }
    }

    /// <summary>How long from now until <paramref name="dueAt"/> (zero when already due).</summary>
    private TimeSpan DelayUntil(DateTimeOffset dueAt)
    {
        var dueIn = dueAt - clock.GetUtcNow();
        return dueIn > TimeSpan.Zero ? dueIn : TimeSpan.Zero;
    }

    /// <summary>Arms the timer of <paramref name="deadline"/>, for at most <see cref="MaxTimerDelay"/>.</summary>
    private void Arm(Deadline deadline)
    {
        var dueIn = DelayUntil(deadline.DueAt);
        try
        {
            _timers[deadline] = grain.RegisterGrainTimer(
                (d, _) => Fire(d),
                deadline,
                new GrainTimerCreationOptions(dueIn < MaxTimerDelay ? dueIn : MaxTimerDelay, Timeout.InfiniteTimeSpan));
        }
        catch (Exception exception)
        {
            // Only the precise wake-up is lost: the durable reminder still reaches the deadline.
            LogTimerFailed(exception, grain.GetGrainId().ToString(), deadline.Rule, deadline.DueAt);
        }
    }

    /// <summary>
    /// The reminder's work: acts on every wanted deadline already due (oldest first; each is re-checked by the grain),
    /// then re-arms for the rest. <paramref name="desired"/> is asked again after firing, which changes the state. The
    /// reminder is registered again even when its due time looks right: it fired, so the table may hold an older one
    /// (a registration lost after a write, see <see cref="ReminderForWriteAsync"/>).
    /// </summary>
    public async Task FireDueAsync(Func<IReadOnlyCollection<Deadline>> desired)
    {
        var now = clock.GetUtcNow();
        foreach (var deadline in desired().Where(d => d.DueAt <= now).OrderBy(d => d.DueAt).ToList())
        {
            await ActAsync(deadline, "reminder");
        }
        await ScheduleAsync(desired(), forceReminder: true);
    }

    private async Task Fire(Deadline deadline)
    {
        if (_timers.Remove(deadline, out var timer))
        {
            timer.Dispose();
        }
        if (deadline.DueAt > clock.GetUtcNow())
        {
            Arm(deadline); // a capped timer woke early: arm again for the rest
            return;
        }
        await ActAsync(deadline, "timer");
    }

    /// <summary>Acts on a due deadline, measuring how late (the lateness is what the grain's users feel).</summary>
    private async Task ActAsync(Deadline deadline, string wake)
    {
        var rule = new KeyValuePair<string, object?>("rule", deadline.Rule);
        _metrics?.DeadlineLateness.Record(Math.Max(0, (clock.GetUtcNow() - deadline.DueAt).TotalSeconds), rule, new("wake", wake));
        try
        {
            await onDue(deadline);
            _metrics?.DeadlinesFired.Add(1, rule, new("wake", wake));
        }
        catch
        {
            // The reminder (set to the earliest due time, repeating) brings the deadline back.
            _metrics?.DeadlinesRetried.Add(1, rule);
            throw;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Grain {GrainId}: could not arm the timer of deadline {Rule} due {DueAt}; its reminder remains")]
    private partial void LogTimerFailed(Exception exception, string grainId, string rule, DateTimeOffset dueAt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Grain {GrainId}: could not update its deadline reminder")]
    private partial void LogReminderFailed(Exception exception, string grainId);
}
