using ActorSales.Domain.Deadlines;
using ActorSales.Domain.Goals;
using ActorSales.Domain.Insights;
using ActorSales.Domain.Pipeline;

namespace ActorSales.Grains.Abstractions.Analytics;

/// <summary>
/// The figures a team's time rules (anomalies, forecast snapshots) judge by, read from the read model (a port: the read
/// side implements it, grains only call it). Figures that span many records come from there, never from other grains.
/// A silo without a read model registers none, and teams then arm no insight deadlines.
/// </summary>
public interface ITeamFigures
{
    /// <summary>Whether the read model has applied every event the log held when asked.</summary>
    Task<bool> IsCurrentAsync(CancellationToken cancellationToken = default);

    /// <summary>What <paramref name="metric"/> counts for the rep in [<paramref name="from"/>, <paramref name="to"/>) (as a rep's goal counts it).</summary>
    Task<decimal> RepActualAsync(string ownerId, GoalMetric metric, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default);

    /// <summary>The team's open deals now, and how many are stalled at <paramref name="atLeast"/> or above.</summary>
    Task<StalledShare> StalledShareAsync(string teamId, StallLevel atLeast, CancellationToken cancellationToken = default);

    /// <summary>The team's open deals expected to close before <paramref name="closeBefore"/>, grouped by owner, currency and signal.</summary>
    Task<IReadOnlyList<ForecastPart>> ForecastPartsAsync(string teamId, DateTimeOffset closeBefore, CancellationToken cancellationToken = default);
}
