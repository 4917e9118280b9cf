using ActorSales.Grains.Abstractions.Events;
using ActorSales.Grains.Infrastructure;

namespace ActorSales.Grains.Events.Streams;

[GenerateSerializer, Alias("actorsales.StreamQueueCheckpointState")]
public sealed class StreamQueueCheckpointState
{
    /// <summary>Delivered-through position per queue, keyed "{queue}/{queueCount}".</summary>
    [Id(0)] public Dictionary<string, long> Positions { get; set; } = [];
}

/// <summary>
/// A stream provider's queue checkpoints, one small row for all its queues (a handful, each written at most every
/// <see cref="EventStreamOptions.CheckpointInterval"/>). Keeping every queue in one record lets a queue of a new
/// queue count start where the slowest queue of the old count stopped.
/// </summary>
public sealed class StreamQueueCheckpointGrain(
    [PersistentState("streamcheckpoints", StorageNames.Default)] IPersistentState<StreamQueueCheckpointState> state)
    : Grain, IStreamQueueCheckpointGrain
{
    public Task<long?> Load(int queue, int queueCount)
    {
        if (state.State.Positions.TryGetValue(Key(queue, queueCount), out var position))
        {
            return Task.FromResult<long?>(position);
        }
        return Task.FromResult<long?>(state.State.Positions.Count == 0 ? null : state.State.Positions.Values.Min());
    }

    public async Task Save(int queue, int queueCount, long position)
    {
        var key = Key(queue, queueCount);
        if (state.State.Positions.TryGetValue(key, out var saved) && saved >= position)
        {
            return;
        }
        state.State.Positions[key] = position;
        // Once every queue of this count has a position, the other counts' positions are history.
        var suffix = $"/{queueCount}";
        if (Enumerable.Range(0, queueCount).All(q => state.State.Positions.ContainsKey(Key(q, queueCount))))
        {
            foreach (var stale in state.State.Positions.Keys.Where(k => !k.EndsWith(suffix, StringComparison.Ordinal)).ToList())
            {
                state.State.Positions.Remove(stale);
            }
        }
        await state.WriteStateAsync();
    }

    private static string Key(int queue, int queueCount) => $"{queue}/{queueCount}";
}
