using ActorSales.Domain.Pipeline;

namespace ActorSales.Domain.Insights;

/// <summary>One row of a weekly forecast snapshot: a rep's (or, with an empty owner, the team's) open pipeline in one currency.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.ForecastSnapshotRow")]
public sealed record ForecastSnapshotRow(
    [property: Id(0)] string OwnerId,
    [property: Id(1)] string Currency,
    [property: Id(2)] decimal OpenAmount,
    [property: Id(3)] decimal WeightedAmount,
    [property: Id(4)] long Count);

/// <summary>A team's weekly forecast snapshot: taken at the week's start, over the deals expected to close in its window.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.ForecastSnapshot")]
public sealed record ForecastSnapshot(
    [property: Id(0)] DateOnly WeekStart,
    [property: Id(1)] DateTimeOffset TakenAt,
    [property: Id(2)] DateTimeOffset WindowFrom,
    [property: Id(3)] DateTimeOffset WindowTo,
    [property: Id(4)] IReadOnlyList<ForecastSnapshotRow> Rows)
{
    /// <summary>Rows per owner and currency, then the team's per currency (owner empty), from the read model's grouped parts.</summary>
    public static IReadOnlyList<ForecastSnapshotRow> RowsFrom(IReadOnlyList<ForecastPart> parts, ForecastWeights weights)
    {
        var rows = new List<ForecastSnapshotRow>();
        foreach (var owner in parts.Select(p => p.OwnerId).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            rows.AddRange(ForecastRules.FromParts(parts.Where(p => p.OwnerId == owner), weights)
                .Select(f => new ForecastSnapshotRow(owner, f.Currency, f.OpenAmount, f.WeightedAmount, f.Count)));
        }
        rows.AddRange(ForecastRules.FromParts(parts, weights)
            .Select(f => new ForecastSnapshotRow(string.Empty, f.Currency, f.OpenAmount, f.WeightedAmount, f.Count)));
        return rows;
    }

    /// <summary>
    /// A snapshot's accuracy against what was won: max(0, 100 - |won - forecast| / forecast x 100); 100 when both are 0,
    /// 0 when only the forecast is. Unrounded.
    /// </summary>
    public static decimal Accuracy(decimal forecast, decimal won) => forecast == 0
        ? (won == 0 ? 100 : 0)
        : Math.Max(0, 100 - (Math.Abs(won - forecast) / forecast * 100));
}
