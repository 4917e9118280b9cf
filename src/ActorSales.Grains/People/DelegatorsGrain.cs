using ActorSales.Grains.Abstractions.People;
using ActorSales.Grains.Infrastructure;

namespace ActorSales.Grains.People;

[GenerateSerializer, Alias("actorsales.DelegatorsState")]
public sealed class DelegatorsState
{
    [Id(0)] public SortedSet<string> ApproverIds { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>Who named a salesperson their delegate (see <see cref="IDelegatorsGrain"/>).</summary>
public sealed class DelegatorsGrain([PersistentState("delegators", StorageNames.Default)] IPersistentState<DelegatorsState> state) : Grain, IDelegatorsGrain
{
    public async Task Link(string approverId, bool active)
    {
        if (active ? state.State.ApproverIds.Add(approverId) : state.State.ApproverIds.Remove(approverId))
        {
            await state.WriteOrConflictAsync("delegators", this.GetPrimaryKeyString());
        }
    }

    public Task<IReadOnlyList<string>> Approvers() => Task.FromResult<IReadOnlyList<string>>([.. state.State.ApproverIds]);
}
