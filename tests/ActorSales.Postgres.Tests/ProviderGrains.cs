using Orleans.Runtime;
using Orleans.Timers;

namespace ActorSales.Postgres.Tests;

// Small grains that drive the Orleans ADO.NET providers through our PostgreSQL queries. Their state is stored in
// Orleans' binary format, so the [Alias]/[Id] attributes below, not the C# names, define the stored rows.

/// <summary>What a probe grain's persistent state looks like from outside.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.tests.ProbeSnapshot")]
public sealed record ProbeSnapshot(
    [property: Id(0)] string? Note,
    [property: Id(1)] int Writes,
    [property: Id(2)] string? ETag,
    [property: Id(3)] bool RecordExists);

[GenerateSerializer, Alias("actorsales.tests.ProbeState")]
public sealed class ProbeState
{
    [Id(0)] public string? Note { get; set; }

    [Id(1)] public int Writes { get; set; }
}

[Alias("actorsales.tests.IStateProbe")]
public interface IStateProbe : IGrainWithStringKey
{
    [Alias("Write")] Task<ProbeSnapshot> Write(string note);

    [Alias("Read")] Task<ProbeSnapshot> Read();

    [Alias("Reload")] Task<ProbeSnapshot> Reload();

    [Alias("Clear")] Task<ProbeSnapshot> Clear();
}

/// <summary>A probe on the storage that keeps the row on clear (ClearStorageKey).</summary>
[Alias("actorsales.tests.IKeptStateProbeGrain")]
public interface IKeptStateProbeGrain : IStateProbe;

/// <summary>A probe on the storage configured with DeleteStateOnClear (DeleteStorageKey).</summary>
[Alias("actorsales.tests.IDeletedStateProbeGrain")]
public interface IDeletedStateProbeGrain : IStateProbe;

public abstract class StateProbeGrain(IPersistentState<ProbeState> state) : Grain, IStateProbe
{
    public async Task<ProbeSnapshot> Write(string note)
    {
        state.State.Note = note;
        state.State.Writes++;
        await state.WriteStateAsync();
        return Snapshot();
    }

    public Task<ProbeSnapshot> Read() => Task.FromResult(Snapshot());

    public async Task<ProbeSnapshot> Reload()
    {
        await state.ReadStateAsync();
        return Snapshot();
    }

    public async Task<ProbeSnapshot> Clear()
    {
        await state.ClearStateAsync();
        return Snapshot();
    }

    private ProbeSnapshot Snapshot() => new(state.State.Note, state.State.Writes, state.Etag, state.RecordExists);
}

public sealed class KeptStateProbeGrain([PersistentState("probe", ProviderCluster.KeepingStorage)] IPersistentState<ProbeState> state)
    : StateProbeGrain(state), IKeptStateProbeGrain;

public sealed class DeletedStateProbeGrain([PersistentState("probe", ProviderCluster.DeletingStorage)] IPersistentState<ProbeState> state)
    : StateProbeGrain(state), IDeletedStateProbeGrain;

[Alias("actorsales.tests.IReminderProbeGrain")]
public interface IReminderProbeGrain : IGrainWithStringKey
{
    [Alias("Register")] Task Register(string name, TimeSpan dueTime, TimeSpan period);

    /// <summary>The names of the grain's reminders, as the reminder service reads them back from the table.</summary>
    [Alias("Names")] Task<IReadOnlyList<string>> Names();

    [Alias("Unregister")] Task Unregister(string name);

    /// <summary>Reminder names this activation has received ticks for, in order.</summary>
    [Alias("Ticks")] Task<IReadOnlyList<string>> Ticks();
}

public sealed class ReminderProbeGrain(IReminderRegistry reminders) : Grain, IReminderProbeGrain, IRemindable
{
    private readonly List<string> _ticks = [];

    public Task Register(string name, TimeSpan dueTime, TimeSpan period) =>
        reminders.RegisterOrUpdateReminder(this.GetGrainId(), name, dueTime, period);

    public async Task<IReadOnlyList<string>> Names() =>
        [.. (await reminders.GetReminders(this.GetGrainId())).Select(r => r.ReminderName).Order(StringComparer.Ordinal)];

    public async Task Unregister(string name)
    {
        if (await reminders.GetReminder(this.GetGrainId(), name) is { } reminder)
        {
            await reminders.UnregisterReminder(this.GetGrainId(), reminder);
        }
    }

    public Task<IReadOnlyList<string>> Ticks() => Task.FromResult<IReadOnlyList<string>>([.. _ticks]);

    public Task ReceiveReminder(string reminderName, TickStatus status)
    {
        _ticks.Add(reminderName);
        return Task.CompletedTask;
    }
}
