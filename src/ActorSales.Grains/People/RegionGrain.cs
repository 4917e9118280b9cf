using ActorSales.Domain.Identity;
using ActorSales.Domain.Pipeline;
using ActorSales.Grains.Abstractions.People;
using ActorSales.Grains.Infrastructure;

namespace ActorSales.Grains.People;

[GenerateSerializer, Alias("actorsales.RegionState")]
public sealed class RegionState
{
    [Id(0)] public SortedSet<string> TeamIds { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>A region's teams: the index behind region-wide figures (no scan of all teams).</summary>
public sealed class RegionGrain([PersistentState("region", StorageNames.Default)] IPersistentState<RegionState> state) : Grain, IRegionGrain
{
    public async Task AddTeam(string teamId)
    {
        if (state.State.TeamIds.Add(teamId))
        {
            await state.WriteOrConflictAsync("region", this.GetPrimaryKeyString());
        }
    }

    public async Task RemoveTeam(string teamId)
    {
        if (state.State.TeamIds.Remove(teamId))
        {
            await state.WriteOrConflictAsync("region", this.GetPrimaryKeyString());
        }
    }

    public async Task<IReadOnlyList<CurrencyForecast>> GetForecast(Caller caller)
    {
        AccessPolicy.EnsureCanReadRegion(caller);
        var parts = await Task.WhenAll(state.State.TeamIds.Select(id => GrainFactory.GetGrain<ITeamGrain>(id).ComputeForecast()));
        return ForecastRules.Combine(parts.SelectMany(p => p));
    }
}
