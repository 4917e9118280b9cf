using System.Collections.Concurrent;

namespace ActorSales.Grains.Tests;

/// <summary>
/// Fault injection for one kind of silo-loss damage: an armed call is acknowledged without reaching the live
/// activation, as when another activation of the same grain (on a silo being declared dead) answered it and wrote a
/// state the live one never reads. The caller sees success; the live grain never learns of the change.
/// </summary>
public sealed class LostCalls : IIncomingGrainCallFilter
{
    private readonly ConcurrentDictionary<(GrainId Grain, string Method), int> _armed = new();

    /// <summary>From now on, calls of <paramref name="method"/> on <paramref name="grain"/> are acknowledged and lost.</summary>
    public void Lose(IAddressable grain, string method) => _armed.TryAdd((grain.GetGrainId(), method), 0);

    /// <summary>How many calls of <paramref name="method"/> on <paramref name="grain"/> were lost.</summary>
    public int LostCount(IAddressable grain, string method) => _armed.GetValueOrDefault((grain.GetGrainId(), method));

    public Task Invoke(IIncomingGrainCallContext context)
    {
        var key = (context.TargetId, context.MethodName);
        if (_armed.ContainsKey(key))
        {
            _armed.AddOrUpdate(key, 1, (_, count) => count + 1);
            context.Response = Orleans.Serialization.Invocation.Response.Completed; // a void call's success
            return Task.CompletedTask;
        }
        return context.Invoke();
    }
}
