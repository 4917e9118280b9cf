using ActorSales.Grains.Deadlines;
using Microsoft.Extensions.Logging;

namespace ActorSales.Grains.Effects;

/// <summary>
/// Runs a grain's pending <see cref="Effect"/>s, owned by one activation. The grain adds effects to a list in its state
/// before the write that makes the change durable, so a change is never stored without its follow-ups; after the
/// write (and on activation, and when the retry comes due) the dispatcher runs them. One that fails stays pending, and
/// the deadline engine's effects retry (a timer while active, the durable reminder otherwise) brings the grain back to
/// run it again: nothing waits for the grain's next activation, and nothing is lost with a silo.
/// </summary>
public sealed partial class EffectDispatcher(IGrainFactory grains, Func<List<Effect>> pending, DeadlineScheduler deadlines, ILogger logger, string grainId)
{
    /// <summary>Whether effects wait to run.</summary>
    public bool HasPending => pending().Count > 0;

    /// <summary>
    /// Runs every pending effect once, in order; those that fail stay pending and the retry is armed. Returns how many
    /// ran: the grain persists their removal (a replay would be harmless, but a long list is not worth replaying).
    /// </summary>
    public async Task<int> RunAsync()
    {
        var list = pending();
        var done = 0;
        foreach (var effect in list.ToList())
        {
            try
            {
                await effect.RunAsync(grains);
                list.Remove(effect);
                done++;
            }
            catch (Exception exception)
            {
                LogEffectFailed(exception, grainId, effect.GetType().Name);
            }
        }
        deadlines.EffectsPending(list.Count > 0);
        return done;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Grain {GrainId}: effect {Effect} failed; it stays pending and is retried shortly")]
    private partial void LogEffectFailed(Exception exception, string grainId, string effect);
}
