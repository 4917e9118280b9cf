using ActorSales.Domain.Deadlines;
using ActorSales.Grains.Deadlines;
using ActorSales.Grains.Infrastructure;
using Microsoft.Extensions.Logging;

namespace ActorSales.Grains.Effects;

/// <summary>The state of a grain whose changes have <see cref="Effect"/>s.</summary>
public interface IEffectsState
{
    /// <summary>Effects of stored changes not yet applied, in the order they were made.</summary>
    List<Effect> Effects { get; }

    /// <summary>When the deadline reminder (here: the effects retry) is registered for; null when none is.</summary>
    DateTimeOffset? ReminderDueAt { get; set; }
}

/// <summary>
/// Effects for a grain that has no deadlines of its own (team, salesperson): an <see cref="EffectDispatcher"/> on a
/// <see cref="DeadlineScheduler"/> used only for the effects retry. Grains with business deadlines (customer,
/// opportunity, handover) give their own scheduler to the dispatcher instead.
/// </summary>
public sealed partial class GrainEffects<TState> where TState : IEffectsState
{
    private readonly IPersistentState<TState> _state;
    private readonly string _entity;
    private readonly string _id;
    private readonly ILogger _logger;
    private readonly DeadlineScheduler _deadlines;
    private readonly EffectDispatcher _dispatcher;

    public GrainEffects(Grain grain, IPersistentState<TState> state, string entity, TimeProvider clock, ILogger logger)
    {
        _state = state;
        _entity = entity;
        _id = grain.GetPrimaryKeyString();
        _logger = logger;
        _deadlines = new DeadlineScheduler(grain, clock, OnDue, logger, state.State.ReminderDueAt);
        _dispatcher = EffectDispatcher.For(grain, () => _state.State.Effects, _deadlines, logger);
    }

    /// <summary>
    /// Call after every write (and on activation): runs what is pending, arms the retry for what failed, and persists
    /// what ran. Never throws: the change itself is already stored.
    /// </summary>
    public async Task RunAsync()
    {
        if (_state.State.Effects.Count == 0 && _state.State.ReminderDueAt is null)
        {
            return;
        }
        var done = await _dispatcher.RunAsync();
        await _deadlines.ScheduleAsync(Desired());
        if (done == 0 && _state.State.ReminderDueAt == _deadlines.ReminderDueAt)
        {
            return;
        }
        _state.State.ReminderDueAt = _deadlines.ReminderDueAt;
        try
        {
            await _state.WriteOrConflictAsync(_entity, _id);
        }
        catch (Exception exception)
        {
            // Harmless: the state is re-read, so what ran runs once more (effects are idempotent).
            LogWriteFailed(exception, _entity, _id);
        }
    }

    /// <summary>The grain's deadline reminder fired (not the outbox's): retry what is pending.</summary>
    public Task ReceiveReminderAsync() => _deadlines.FireDueAsync(Desired);

    private List<Deadline> Desired() => _deadlines.WithEffectsRetry([], _dispatcher.HasPending);

    private async Task OnDue(Deadline deadline)
    {
        if (_deadlines.TakeEffectsRetry(deadline))
        {
            await RunAsync();
        }
        else
        {
            await _deadlines.ScheduleAsync(Desired());
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Entity} {Id}: could not record which effects ran; they run again")]
    private partial void LogWriteFailed(Exception exception, string entity, string id);
}
