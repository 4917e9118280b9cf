using System.Collections.Concurrent;

namespace ActorSales.Grains.Tests;

/// <summary>
/// Fault injection on incoming grain calls, for the damage a silo loss does:
/// <list type="bullet">
/// <item><see cref="Lose"/>: a call is acknowledged without reaching the live activation, as when another activation
/// of the same grain (on a silo being declared dead) answered it and wrote a state the live one never reads.</item>
/// <item><see cref="FailNext"/>: the next calls fail as a call to an unreachable silo does.</item>
/// <item><see cref="Hold"/>: calls wait in the target activation, as a slow call does, until the test releases them;
/// a phase barrier for what the caller does (or lets interleave) meanwhile.</item>
/// </list>
/// </summary>
public sealed class CallFaults : IIncomingGrainCallFilter
{
    private readonly ConcurrentDictionary<(GrainId Grain, string Method), int> _lost = new();
    private readonly ConcurrentDictionary<(GrainId Grain, string Method), int> _failing = new();
    private readonly ConcurrentDictionary<(GrainId Grain, string Method), int> _failed = new();
    private readonly ConcurrentDictionary<(GrainId Grain, string Method), CallHold> _held = new();

    /// <summary>From now on, calls of <paramref name="method"/> on <paramref name="grain"/> are acknowledged and lost.</summary>
    public void Lose(IAddressable grain, string method) => _lost.TryAdd((grain.GetGrainId(), method), 0);

    /// <summary>How many calls of <paramref name="method"/> on <paramref name="grain"/> were lost.</summary>
    public int LostCount(IAddressable grain, string method) => _lost.GetValueOrDefault((grain.GetGrainId(), method));

    /// <summary>The next <paramref name="times"/> calls of <paramref name="method"/> on <paramref name="grain"/> fail.</summary>
    public void FailNext(IAddressable grain, string method, int times = 1) => _failing[(grain.GetGrainId(), method)] = times;

    /// <summary>How many calls of <paramref name="method"/> on <paramref name="grain"/> were made to fail.</summary>
    public int FailedCount(IAddressable grain, string method) => _failed.GetValueOrDefault((grain.GetGrainId(), method));

    /// <summary>From now on, calls of <paramref name="method"/> on <paramref name="grain"/> wait until the hold is released.</summary>
    public CallHold Hold(IAddressable grain, string method)
    {
        var key = (grain.GetGrainId(), method);
        var hold = new CallHold(() => _held.TryRemove(key, out _));
        _held[key] = hold;
        return hold;
    }

    private readonly ConcurrentDictionary<(GrainType Type, string Method), int> _calls = new();

    /// <summary>How many calls of <paramref name="method"/> grains of <paramref name="grainType"/> received so far (all tests).</summary>
    public int CallCount(string grainType, string method) => _calls.GetValueOrDefault((GrainType.Create(grainType), method));

    private readonly ConcurrentDictionary<(GrainType Source, GrainType Target, string Method, bool Interleaves), int> _grainCalls = new();

    /// <summary>
    /// Calls one grain made to grains of <paramref name="grainType"/> so far (all tests): the caller's grain type, the
    /// method, and whether the method interleaves (<c>[AlwaysInterleave]</c>, so it cannot be part of a stall).
    /// </summary>
    public IReadOnlyList<(string Source, string Method, bool Interleaves)> GrainCallsInto(string grainType) =>
        [.. _grainCalls.Keys.Where(k => k.Target == GrainType.Create(grainType)).Select(k => (k.Source.ToString(), k.Method, k.Interleaves))];

    public Task Invoke(IIncomingGrainCallContext context)
    {
        _calls.AddOrUpdate((context.TargetId.Type, context.MethodName), 1, (_, count) => count + 1);
        // Grains calling other grains: not clients, the runtime's reminders, or a grain's own timer ticks.
        if (context.SourceId is { } source && source != context.TargetId && !source.IsClient() && !source.Type.ToString().StartsWith("sys.", StringComparison.Ordinal))
        {
            var interleaves = context.InterfaceMethod?.IsDefined(typeof(Orleans.Concurrency.AlwaysInterleaveAttribute), inherit: true) ?? false;
            _grainCalls.TryAdd((source.Type, context.TargetId.Type, context.MethodName, interleaves), 0);
        }
        var key = (context.TargetId, context.MethodName);
        if (_held.TryGetValue(key, out var hold))
        {
            return InvokeAfter(hold, context);
        }
        if (_lost.ContainsKey(key))
        {
            _lost.AddOrUpdate(key, 1, (_, count) => count + 1);
            context.Response = Orleans.Serialization.Invocation.Response.Completed; // a void call's success
            return Task.CompletedTask;
        }
        if (_failing.TryGetValue(key, out var left) && left > 0 && _failing.TryUpdate(key, left - 1, left))
        {
            _failed.AddOrUpdate(key, 1, (_, count) => count + 1);
            throw new SiloUnavailableException($"injected: {context.MethodName} on {context.TargetId} failed");
        }
        return context.Invoke();
    }

    private static async Task InvokeAfter(CallHold hold, IIncomingGrainCallContext context)
    {
        await hold.WaitAsync();
        await context.Invoke();
    }
}

/// <summary>Held calls of one grain method: <see cref="Reached"/> once the first arrives; <see cref="Release"/> lets them all run.</summary>
public sealed class CallHold(Action unregister)
{
    private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when a held call has arrived at the target activation.</summary>
    public Task Reached => _reached.Task;

    /// <summary>Lets the held calls, and every later one, run.</summary>
    public void Release()
    {
        unregister();
        _released.TrySetResult();
    }

    internal Task WaitAsync()
    {
        _reached.TrySetResult();
        return _released.Task;
    }
}
