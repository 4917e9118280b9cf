using ActorSales.Domain.Identity;
using ActorSales.Domain.Pipeline;
using ActorSales.Grains.Abstractions;
using ActorSales.Grains.Abstractions.Opportunities;
using ActorSales.Grains.Effects;
using ActorSales.Grains.Infrastructure;
using ActorSales.Grains.Requests;
using Microsoft.Extensions.Logging;

namespace ActorSales.Grains.Opportunities;

public sealed class PipelineGrain(
    [PersistentState("pipeline", StorageNames.Default)] IPersistentState<PipelineState> state,
    TimeProvider clock,
    ILogger<PipelineGrain> logger) : Grain, IPipelineGrain, IRemindable, IRetrySafeGrain
{
    private GrainEffects<PipelineState> _effects = null!;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _effects = new GrainEffects<PipelineState>(this, state, "pipeline", clock, logger);
        return _effects.RunAsync();
    }

    public Task ReceiveReminder(string reminderName, TickStatus status) => _effects.ReceiveReminderAsync();

    public async Task<PipelineDefinition> Define(PipelineDefinition definition, Caller caller)
    {
        AccessPolicy.EnsureCanAdministerOrganisation(caller);
        var key = this.GetPrimaryKeyString();
        var valid = PipelineRules.Validate(definition with { Key = key, Version = 0 }, "pipeline"); // DefinePipelineRequest.pipeline
        var versions = state.State.Versions;
        if (versions.Count > 0 && SameContent(versions[^1], valid))
        {
            // A retry after the catalog update failed: the catalog entry is idempotent, so make sure of it.
            await GrainFactory.GetGrain<IPipelineCatalogGrain>(GrainKeys.PipelineCatalog).Add(key);
            return versions[^1];
        }
        var stored = valid with { Version = versions.Count + 1 };
        versions.Add(stored);
        state.State.Requests.NoteResult(stored.Version.ToString(System.Globalization.CultureInfo.InvariantCulture));
        state.State.Effects.Add(new AddPipelineToCatalog(key));
        await state.WriteOrConflictAsync("pipeline", key);
        await _effects.RunAsync(); // never throws: the definition is stored
        return stored;
    }

    public RequestLedger Requests => state.State.Requests;

    /// <summary>A repeated definition answers with the version it defined.</summary>
    public ValueTask<object?> ReplayAsync(string method, AppliedRequest applied) =>
        ValueTask.FromResult<object?>(state.State.Versions.Single(v => v.Version == int.Parse(applied.Noted!, System.Globalization.CultureInfo.InvariantCulture)));

    public Task<PipelineDefinition?> Get(int version)
    {
        var versions = state.State.Versions;
        PipelineDefinition? found = version == 0
            ? versions.LastOrDefault()
            : versions.FirstOrDefault(v => v.Version == version);
        return Task.FromResult(found);
    }

    private static bool SameContent(PipelineDefinition a, PipelineDefinition b) =>
        a.Name == b.Name && a.AllowSkipping == b.AllowSkipping && a.Stages.Count == b.Stages.Count &&
        a.Stages.Zip(b.Stages).All(p =>
            p.First.Key == p.Second.Key && p.First.DisplayName == p.Second.DisplayName &&
            p.First.WarningAge == p.Second.WarningAge && p.First.LimitAge == p.Second.LimitAge &&
            p.First.RequiredEvidenceToLeave.SequenceEqual(p.Second.RequiredEvidenceToLeave) &&
            p.First.RequiredEvidenceToEnter.SequenceEqual(p.Second.RequiredEvidenceToEnter));
}

public sealed class PipelineCatalogGrain(
    [PersistentState("pipelines", StorageNames.Default)] IPersistentState<PipelineCatalogState> state) : Grain, IPipelineCatalogGrain
{
    public async Task Add(string key)
    {
        if (state.State.Keys.Add(key))
        {
            await state.WriteOrConflictAsync("pipeline catalog", this.GetPrimaryKeyString());
        }
    }

    public Task<IReadOnlyList<string>> Keys() => Task.FromResult<IReadOnlyList<string>>([.. state.State.Keys]);
}
