using ActorSales.Grains.Deadlines;
using ActorSales.Grains.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ActorSales.Grains.Effects;

/// <summary>
/// Runs a grain's pending <see cref="Effect"/>s, owned by one activation. The grain adds effects to a list in its state
/// before the write that makes the change durable, so a change is never stored without its follow-ups; after the
/// write (and on activation, and when the retry comes due) the dispatcher runs them. One that fails stays pending, and
/// the deadline engine's effects retry (a timer while active, the durable reminder otherwise) brings the grain back to
/// run it again: nothing waits for the grain's next activation, and nothing is lost with a silo.
/// </summary>
public sealed partial class EffectDispatcher(
    IGrainFactory grains, Func<List<Effect>> pending, DeadlineScheduler deadlines, ActorSalesMetrics metrics, ILogger logger, string grainId)
{
    /// <summary>The dispatcher of <paramref name="grain"/>, whose state keeps the list <paramref name="pending"/> returns.</summary>
    public static EffectDispatcher For(Grain grain, Func<List<Effect>> pending, DeadlineScheduler deadlines, ILogger logger)
    {
        var services = grain.GrainContext.ActivationServices;
        return new EffectDispatcher(services.GetRequiredService<IGrainFactory>(), pending, deadlines,
            services.GetRequiredService<ActorSalesMetrics>(), logger, grain.GetGrainId().ToString());
    }

    /// <summary>Whether effects wait to run.</summary>
    public bool HasPending => pending().Count > 0;

    /// <summary>
    /// Runs the pending effects in the order they were made, stopping at the first that fails: a later effect may undo
    /// an earlier one (a deal linked as open, then as closed), so none may overtake another. What is left is retried
    /// shortly. Returns how many ran: the grain persists their removal (a replay would be harmless, but a long list is
    /// not worth replaying).
    /// </summary>
    public async Task<int> RunAsync()
    {
        var list = pending();
        var done = 0;
        while (list.Count > 0)
        {
            var effect = list[0];
            try
            {
                await effect.RunAsync(grains);
            }
            catch (Exception exception)
            {
                metrics.EffectsFailed.Add(1, new KeyValuePair<string, object?>("effect", effect.GetType().Name));
                LogEffectFailed(exception, grainId, effect.GetType().Name, list.Count - 1);
                break;
            }
            list.RemoveAt(0);
            done++;
            metrics.EffectsRun.Add(1, new KeyValuePair<string, object?>("effect", effect.GetType().Name));
        }
        deadlines.EffectsPending(list.Count > 0);
        return done;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Grain {GrainId}: effect {Effect} failed; it and the {Pending} after it stay pending and are retried shortly")]
    private partial void LogEffectFailed(Exception exception, string grainId, string effect, int pending);
}
