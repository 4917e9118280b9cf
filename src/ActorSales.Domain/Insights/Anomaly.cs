using ActorSales.Domain.Goals;

namespace ActorSales.Domain.Insights;

/// <summary>
/// One firing of an anomaly rule for a team or one of its reps: detected once (an event, the manager told), cleared
/// once when it no longer holds. <see cref="Id"/> is unique within the team.
/// </summary>
[GenerateSerializer, Immutable, Alias("actorsales.Anomaly")]
public sealed record Anomaly(
    [property: Id(0)] string Id,
    [property: Id(1)] string OwnerId,
    [property: Id(2)] string Rule,
    [property: Id(3)] AnomalyKind Kind,
    [property: Id(4)] GoalMetric Metric,
    [property: Id(5)] DateOnly Day,
    [property: Id(6)] DateTimeOffset DetectedAt,
    [property: Id(7)] decimal Actual,
    [property: Id(8)] decimal Threshold,
    [property: Id(9)] int ConsecutiveDays,
    [property: Id(10)] string Message,
    [property: Id(11)] DateTimeOffset? ClearedAt = null)
{
    /// <summary>The subject's slot in a team's active anomalies: one per rule and rep (or the team).</summary>
    public static string Slot(string rule, string ownerId) => $"{rule}|{ownerId}";
}

/// <summary>What a team remembers of its time rules: how far they ran, running streaks, what is active now.</summary>
[GenerateSerializer, Alias("actorsales.TeamInsights")]
public sealed class TeamInsights
{
    /// <summary>The last team-local working day whose end was evaluated (null: none yet).</summary>
    [Id(0)] public DateOnly? EvaluatedThrough { get; set; }

    /// <summary>Consecutive working days below target, per <see cref="Anomaly.Slot"/> of a rep rule.</summary>
    [Id(1)] public Dictionary<string, int> Streaks { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Anomalies that hold now, per <see cref="Anomaly.Slot"/>.</summary>
    [Id(2)] public Dictionary<string, Anomaly> Active { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The Monday (team-local) of the latest forecast snapshot (null: none yet).</summary>
    [Id(3)] public DateOnly? SnapshotWeek { get; set; }

    /// <summary>When the stalled share is to be checked after the stalled list changed (null: no check pending).</summary>
    [Id(4)] public DateTimeOffset? StalledShareCheckAt { get; set; }

    /// <summary>The read model was behind at a due time: evaluations wait until then.</summary>
    [Id(5)] public DateTimeOffset? DeferredUntil { get; set; }
}
