using ActorSales.Grains.Abstractions.Leads;
using ActorSales.Grains.Infrastructure;

namespace ActorSales.Grains.Leads;

/// <summary>
/// Owns one normalised lead key. Serialises competing creations (the grain is single-threaded), persists the holder
/// before granting it, and on a conflict asks the holder whether it still claims the key, so a creation that failed or
/// a phone that changed never blocks anyone.
/// </summary>
public sealed class LeadIndexGrain(
    [PersistentState("leadindex", StorageNames.Default)] IPersistentState<LeadIndexState> state) : Grain, ILeadIndexGrain
{
    private string Key => this.GetPrimaryKeyString();

    public async Task<LeadKeyHolder?> Reserve(string leadId)
    {
        if (state.State.LeadId == leadId)
        {
            return null;
        }
        if (state.State.LeadId is { } holder && await GrainFactory.GetGrain<ILeadGrain>(holder).OwnerIfHolding(Key) is { } owner)
        {
            return new LeadKeyHolder(holder, owner);
        }
        state.State.LeadId = leadId;
        await state.WriteOrConflictAsync("lead key", Key);
        return null;
    }
}
