using ActorSales.Grains.Abstractions.People;
using ActorSales.Grains.Infrastructure;

namespace ActorSales.Grains.People;

[GenerateSerializer, Alias("actorsales.PendingApprovalsState")]
public sealed class PendingApprovalsState
{
    [Id(0)] public SortedSet<string> ApprovalIds { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>The pending approvals addressed to one approver (see <see cref="IPendingApprovalsGrain"/>).</summary>
public sealed class PendingApprovalsGrain([PersistentState("pending-approvals", StorageNames.Default)] IPersistentState<PendingApprovalsState> state)
    : Grain, IPendingApprovalsGrain
{
    public async Task Link(string approvalId, bool pending)
    {
        if (pending ? state.State.ApprovalIds.Add(approvalId) : state.State.ApprovalIds.Remove(approvalId))
        {
            await state.WriteOrConflictAsync("pending-approvals", this.GetPrimaryKeyString());
        }
    }

    public Task<IReadOnlyList<string>> ApprovalIds() => Task.FromResult<IReadOnlyList<string>>([.. state.State.ApprovalIds]);
}
