using ActorSales.Grains.Abstractions;
using ActorSales.Grains.Abstractions.Customers;
using ActorSales.Grains.Infrastructure;
using DomainActivity = ActorSales.Domain.Customers.Activity;

namespace ActorSales.Grains.Customers;

/// <summary>
/// Up to <see cref="GrainKeys.ActivityChunkSize"/> activities of one customer. Keeps a customer's own state small
/// and every write bounded: logging the 10,000th activity rewrites one chunk of at most 100 entries.
/// </summary>
public sealed class CustomerActivityChunkGrain(
    [PersistentState("activities", StorageNames.Default)] IPersistentState<ActivityChunkState> state) : Grain, ICustomerActivityChunkGrain
{
    public async Task Put(DomainActivity activity)
    {
        var list = state.State.Activities;
        var index = list.FindIndex(a => a.Sequence >= activity.Sequence);
        if (index < 0)
        {
            list.Add(activity);
        }
        else if (list[index].Sequence == activity.Sequence)
        {
            list[index] = activity;
        }
        else
        {
            list.Insert(index, activity);
        }
        // A crash between this write and the customer's could leave entries above the customer's count; they are
        // never listed (the customer bounds every range) and are overwritten by the next activity.
        list.RemoveAll(a => a.Sequence > activity.Sequence);
        await state.WriteOrConflictAsync("activity chunk", this.GetPrimaryKeyString());
    }

    public Task<IReadOnlyList<DomainActivity>> Range(long from, long to) =>
        Task.FromResult<IReadOnlyList<DomainActivity>>(state.State.Activities.Where(a => a.Sequence >= from && a.Sequence <= to).ToList());
}
