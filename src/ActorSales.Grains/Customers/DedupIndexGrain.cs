using ActorSales.Grains.Abstractions.Customers;
using ActorSales.Grains.Infrastructure;

namespace ActorSales.Grains.Customers;

/// <summary>
/// Owns one normalised key. Serialises competing registrations (the grain is single-threaded), persists the
/// reservation before granting it, and on a conflict asks the holder whether it still claims the key, so a
/// reservation left behind by a failed registration or a changed phone number never blocks anyone.
/// </summary>
public sealed class DedupIndexGrain(
    [PersistentState("dedup", StorageNames.Default)] IPersistentState<DedupIndexState> state,
    TimeProvider clock) : Grain, IDedupIndexGrain
{
    private string Key => this.GetPrimaryKeyString();

    public async Task<DedupHolder?> Reserve(string customerId)
    {
        if (state.State.CustomerId is { } holder && holder != customerId)
        {
            var holderOwner = await GrainFactory.GetGrain<ICustomerGrain>(holder).OwnerIfHolding(Key);
            if (holderOwner is not null)
            {
                return new DedupHolder(holder, holderOwner);
            }
        }
        if (state.State.CustomerId == customerId)
        {
            return null;
        }
        state.State.CustomerId = customerId;
        state.State.Committed = false;
        state.State.ReservedAt = clock.GetUtcNow();
        await state.WriteOrConflictAsync("dedup key", Key);
        return null;
    }

    public async Task<DedupHolder?> Holder()
    {
        if (state.State.CustomerId is { } holder
            && await GrainFactory.GetGrain<ICustomerGrain>(holder).OwnerIfHolding(Key) is { } owner)
        {
            return new DedupHolder(holder, owner);
        }
        return null;
    }

    public async Task Commit(string customerId)
    {
        if (state.State.CustomerId == customerId && !state.State.Committed)
        {
            state.State.Committed = true;
            await state.WriteOrConflictAsync("dedup key", Key);
        }
    }

    public async Task Release(string customerId)
    {
        if (state.State.CustomerId == customerId)
        {
            await state.ClearStateAsync();
            DeactivateOnIdle();
        }
    }
}
