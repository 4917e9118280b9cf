using ActorSales.Contracts.V1;
using ActorSales.Domain.Commission;
using ActorSales.Domain.Identity;
using ActorSales.Grains.Abstractions.Commission;
using ActorSales.Grains.Abstractions.Contracts;
using ActorSales.Grains.Abstractions.Events;
using ActorSales.Grains.Events;
using ActorSales.Grains.Infrastructure;
using ActorSales.Grains.Requests;
using CommissionPlan = ActorSales.Domain.Commission.CommissionPlan;

namespace ActorSales.Grains.Commission;

[GenerateSerializer, Alias("actorsales.CommissionPlanState")]
public sealed class CommissionPlanState : ICommissionPlanState, IRequestLedgerState
{
    /// <summary>Every version, oldest first; never changed once stored.</summary>
    [Id(0)] public List<CommissionPlan> Versions { get; set; } = [];

    /// <summary>Also the sequence of the plan's latest domain event.</summary>
    [Id(1)] public long Version { get; set; }

    /// <summary>Events of the latest changes, written with them; see <see cref="EventOutbox"/>.</summary>
    [Id(2)] public List<LoggedEvent> Outbox { get; set; } = [];

    /// <summary>Client requests applied in the last 24 h (retry-safe writes).</summary>
    [Id(3)] public RequestLedger Requests { get; set; } = new();
}

/// <summary>A commission plan (key: the plan id): immutable versions, each a <c>commission_plan_defined</c> event.</summary>
public sealed class CommissionPlanGrain(
    [PersistentState("commissionplan", StorageNames.Default)] IPersistentState<CommissionPlanState> state,
    TimeProvider clock) : Grain, ICommissionPlanGrain, IRemindable, IRetrySafeGrain
{
    private const string Entity = "commission plan";

    private EventOutbox _outbox = null!;

    private string Id => this.GetPrimaryKeyString();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _outbox = EventOutbox.For(this, () => state.State.Outbox);
        return _outbox.ActivateAsync();
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => _outbox.ReleaseAsync();

    public Task ReceiveReminder(string reminderName, TickStatus status) => _outbox.ReceiveReminderAsync(reminderName);

    public async Task<CommissionPlan> Define(CommissionPlanDraft draft, Caller caller)
    {
        AccessPolicy.EnsureCanDefineCommissionPlan(caller);
        var aggregate = new CommissionPlanAggregate(Id, state.State);
        var stored = aggregate.Define(draft, caller.UserId, clock.GetUtcNow());
        if (aggregate.Changed)
        {
            state.State.Requests.NoteResult(stored.Version.ToString(System.Globalization.CultureInfo.InvariantCulture));
            aggregate.Record(_outbox, new EventScope(EntityType.CommissionPlan, Id, caller.UserId, null, null),
                e => change => change.CommissionPlanDefined = new CommissionPlanDefined { Plan = ((CommissionPlanEvent.Defined)e).Plan.ToContract() },
                [], _ => throw new InvalidOperationException("a plan has no follow-ups"));
            await state.WriteWithEventsAsync(_outbox, Entity, Id);
        }
        return stored;
    }

    public Task<CommissionPlan?> Get(int version) => Task.FromResult(new CommissionPlanAggregate(Id, state.State).Get(version));

    public Task<CommissionPlan?> InForce(CommissionPeriod period) => Task.FromResult(CommissionPlanAggregate.InForce(state.State.Versions, period));

    public RequestLedger Requests => state.State.Requests;

    /// <summary>A repeated definition answers with the version it stored.</summary>
    public ValueTask<object?> ReplayAsync(string method, AppliedRequest applied) => ValueTask.FromResult<object?>(
        state.State.Versions.Single(v => v.Version == int.Parse(applied.Noted!, System.Globalization.CultureInfo.InvariantCulture)));
}

[GenerateSerializer, Alias("actorsales.CommissionPeriodIndexState")]
public sealed class CommissionPeriodIndexState
{
    [Id(0)] public Dictionary<string, StatementEntry> Entries { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>The approved and final statements of a period (key: "YYYY-MM"); kept by the statements grains' effects.</summary>
public sealed class CommissionPeriodIndexGrain(
    [PersistentState("commissionperiod", StorageNames.Default)] IPersistentState<CommissionPeriodIndexState> state) : Grain, ICommissionPeriodIndexGrain
{
    public async Task Put(StatementEntry entry)
    {
        if (state.State.Entries.TryGetValue(entry.SalespersonId, out var held) && held.Version >= entry.Version)
        {
            return;
        }
        state.State.Entries[entry.SalespersonId] = entry;
        await state.WriteOrConflictAsync("commission period index", this.GetPrimaryKeyString());
    }

    public Task<IReadOnlyList<StatementEntry>> List() => Task.FromResult<IReadOnlyList<StatementEntry>>([.. state.State.Entries.Values]);
}
