using ActorSales.Domain.Common;

namespace ActorSales.Domain.Commission;

/// <summary>What a plan aggregate decides over.</summary>
public interface ICommissionPlanState
{
    /// <summary>Every version, oldest first; a version never changes once stored.</summary>
    List<CommissionPlan> Versions { get; }

    long Version { get; set; }
}

/// <summary>What happened to a plan: a new version was defined.</summary>
public abstract record CommissionPlanEvent
{
    public sealed record Defined(CommissionPlan Plan) : CommissionPlanEvent;
}

/// <summary>
/// A commission plan's versions (key: the plan id: a team id, or "default"). Versions are immutable; defining one equal to
/// the latest stores nothing. The version in force for a period is the one with the latest effective date on or before
/// the period's first day (the higher version on the same date).
/// </summary>
public sealed class CommissionPlanAggregate(string id, ICommissionPlanState state) : Aggregate<CommissionPlanEvent, CommissionPlanEvent>
{
    protected override long Version { get => state.Version; set => state.Version = value; }

    public CommissionPlan Define(CommissionPlanDraft draft, string actorId, DateTimeOffset now)
    {
        var plan = CommissionRules.Validate(id, draft, actorId, now);
        if (state.Versions.Count > 0 && SameContent(state.Versions[^1], plan))
        {
            return state.Versions[^1];
        }
        var stored = plan with { Version = state.Versions.Count + 1 };
        state.Versions.Add(stored);
        Raise(new CommissionPlanEvent.Defined(stored));
        return stored;
    }

    /// <summary>The given version (0: the latest); null if none.</summary>
    public CommissionPlan? Get(int version) => version == 0 ? state.Versions.LastOrDefault() : state.Versions.FirstOrDefault(v => v.Version == version);

    public static CommissionPlan? InForce(IEnumerable<CommissionPlan> versions, CommissionPeriod period) => versions
        .Where(v => v.EffectiveFrom <= period.FirstDay())
        .OrderBy(v => v.EffectiveFrom).ThenBy(v => v.Version)
        .LastOrDefault();

    private static bool SameContent(CommissionPlan a, CommissionPlan b) =>
        a.Name == b.Name && a.EffectiveFrom == b.EffectiveFrom
        && a.Schedules.Count == b.Schedules.Count
        && a.Schedules.Zip(b.Schedules).All(p => p.First.Currency == p.Second.Currency && p.First.Cap == p.Second.Cap && p.First.Floor == p.Second.Floor
            && p.First.ProcessAmount == p.Second.ProcessAmount && p.First.Tiers.SequenceEqual(p.Second.Tiers) && p.First.RebateTiers.SequenceEqual(p.Second.RebateTiers))
        && a.ProductLineRates.SequenceEqual(b.ProductLineRates) && a.ProcessMetrics.SequenceEqual(b.ProcessMetrics);
}
