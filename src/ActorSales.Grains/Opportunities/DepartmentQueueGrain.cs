using ActorSales.Domain.Identity;
using ActorSales.Grains.Abstractions;
using ActorSales.Grains.Abstractions.Opportunities;
using ActorSales.Grains.Infrastructure;

namespace ActorSales.Grains.Opportunities;

[GenerateSerializer, Alias("actorsales.DepartmentQueueState")]
public sealed class DepartmentQueueState
{
    [Id(0)] public Dictionary<string, DateTimeOffset> DueByTask { get; set; } = new(StringComparer.Ordinal);
}

public sealed class DepartmentQueueGrain(
    [PersistentState("queue", StorageNames.Default)] IPersistentState<DepartmentQueueState> state) : Grain, IDepartmentQueueGrain
{
    public async Task Add(string taskId, DateTimeOffset dueAt)
    {
        if (!state.State.DueByTask.TryGetValue(taskId, out var existing) || existing != dueAt)
        {
            state.State.DueByTask[taskId] = dueAt;
            await state.WriteOrConflictAsync("department queue", this.GetPrimaryKeyString());
        }
    }

    public async Task Remove(string taskId)
    {
        if (state.State.DueByTask.Remove(taskId))
        {
            await state.WriteOrConflictAsync("department queue", this.GetPrimaryKeyString());
        }
    }

    public async Task<Page<DepartmentTaskView>> List(Caller caller, int pageSize, string? afterCursor)
    {
        AccessPolicy.EnsureActive(caller);
        var ordered = state.State.DueByTask
            .Select(e => (Cursor: $"{e.Value.UtcTicks:D19}|{e.Key}", Id: e.Key))
            .Where(e => afterCursor is null || string.CompareOrdinal(e.Cursor, afterCursor) > 0)
            .OrderBy(e => e.Cursor, StringComparer.Ordinal)
            .Take(pageSize + 1)
            .ToList();
        var hasMore = ordered.Count > pageSize;
        var page = ordered.Take(pageSize).ToList();
        var views = await Task.WhenAll(page.Select(e => GrainFactory.GetGrain<IDepartmentTaskGrain>(e.Id).Find()));
        return new Page<DepartmentTaskView>(views.OfType<DepartmentTaskView>().ToList(), hasMore ? page[^1].Cursor : null, state.State.DueByTask.Count);
    }
}
