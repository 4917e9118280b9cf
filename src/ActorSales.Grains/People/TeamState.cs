using ActorSales.Domain.Identity;
using ActorSales.Grains.Abstractions.Events;
using ActorSales.Domain.People;

namespace ActorSales.Grains.People;

[GenerateSerializer, Alias("actorsales.TeamState")]
public sealed class TeamState : Effects.IEffectsState, ITeamState, IRequestLedgerState
{
    [Id(0)] public bool Created { get; set; }
    [Id(1)] public TeamProfile? Profile { get; set; }
    [Id(2)] public string? ManagerId { get; set; }
    [Id(3)] public SortedSet<string> Members { get; set; } = new(StringComparer.Ordinal);
    [Id(4)] public DateTimeOffset CreatedAt { get; set; }
    [Id(5)] public long Version { get; set; }
    [Id(6)] public string? DirectorId { get; set; }

    /// <summary>Stalled open opportunities of the team and their level: the manager's stalled list.</summary>
    [Id(7)] public Dictionary<string, Domain.Deadlines.StallLevel> Stalled { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Open opportunities whose forecast signal stopped advancing: the manager's intervention list.</summary>
    [Id(8)] public SortedSet<string> Interventions { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Customers whose owner was warned of the coming release.</summary>
    [Id(9)] public SortedSet<string> AboutToRelease { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Events of the latest changes, written with them; see <see cref="Events.EventOutbox"/>.</summary>
    [Id(10)] public List<LoggedEvent> Outbox { get; set; } = [];

    /// <summary>Follow-ups of stored changes (region membership) not yet applied; see <see cref="Effects.EffectDispatcher"/>.</summary>
    [Id(11)] public List<Effects.Effect> Effects { get; set; } = [];

    /// <summary>When the effects-retry reminder is registered for (null: none).</summary>
    [Id(12)] public DateTimeOffset? ReminderDueAt { get; set; }

    /// <summary>Client requests applied in the last 24 h (retry-safe writes).</summary>
    [Id(13)] public RequestLedger Requests { get; set; } = new();

    /// <summary>Goals of the team and its reps (rows of earlier releases have none).</summary>
    [Id(14)] public Dictionary<string, Domain.Goals.Goal> Goals { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The team's time rules: anomaly streaks and firings, the forecast snapshot week (rows of earlier releases have none).</summary>
    [Id(15)] public Domain.Insights.TeamInsights Insights { get; set; } = new();
}
