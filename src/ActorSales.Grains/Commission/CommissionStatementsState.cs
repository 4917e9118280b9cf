using ActorSales.Domain.Commission;
using ActorSales.Domain.Identity;
using ActorSales.Grains.Abstractions.Commission;
using ActorSales.Grains.Abstractions.Events;
using ActorSales.Grains.Effects;

namespace ActorSales.Grains.Commission;

[GenerateSerializer, Alias("actorsales.CommissionStatementsState")]
public sealed class CommissionStatementsState : IEffectsState, ICommissionAccountState, IRequestLedgerState
{
    /// <summary>Approved and final statements by period ("2026-03").</summary>
    [Id(0)] public Dictionary<string, CommissionStatement> Statements { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Per payment id, what the latest final statement touching it paid on it (reversals take back exactly this).</summary>
    [Id(1)] public Dictionary<string, SettledPayment> Settled { get; set; } = new(StringComparer.Ordinal);

    [Id(2)] public CommissionPeriod? FirstFinal { get; set; }

    [Id(3)] public CommissionPeriod? LastFinal { get; set; }

    /// <summary>Also the sequence of the latest domain event.</summary>
    [Id(4)] public long Version { get; set; }

    [Id(5)] public List<LoggedEvent> Outbox { get; set; } = [];

    /// <summary>Follow-ups of stored changes (the period index) not yet applied.</summary>
    [Id(6)] public List<Effect> Effects { get; set; } = [];

    [Id(7)] public DateTimeOffset? ReminderDueAt { get; set; }

    /// <summary>Client requests applied in the last 24 h (retry-safe writes).</summary>
    [Id(8)] public RequestLedger Requests { get; set; } = new();
}

/// <summary>The period's index lists the statement with its status and payable.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.effects.IndexCommissionStatement")]
public sealed record IndexCommissionStatement([property: Id(0)] string Period, [property: Id(1)] StatementEntry Entry) : Effect
{
    public override Task RunAsync(IGrainFactory grains) => grains.GetGrain<ICommissionPeriodIndexGrain>(Period).Put(Entry);
}
