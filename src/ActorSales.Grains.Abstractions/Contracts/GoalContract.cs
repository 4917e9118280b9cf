using System.Globalization;
using ActorSales.Domain.Goals;
using Google.Protobuf.WellKnownTypes;
using V1 = ActorSales.Contracts.V1;

namespace ActorSales.Grains.Abstractions.Contracts;

/// <summary>Goals to and from their published form (analytics.proto's Goal), for the team's events and the gateway.</summary>
public static class GoalContract
{
    public static V1.Goal ToContract(string teamId, Goal goal) => new()
    {
        TeamId = teamId,
        OwnerId = goal.Key.OwnerId,
        Metric = (V1.GoalMetric)goal.Key.Metric,
        PeriodKind = (V1.GoalPeriodKind)goal.Key.PeriodKind,
        PeriodStart = goal.Key.PeriodStart.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        Period = new V1.AnalyticsPeriod { From = Timestamp.FromDateTimeOffset(goal.From), To = Timestamp.FromDateTimeOffset(goal.To) },
        Target = Format(goal.Target, goal.Key.Metric),
        Currency = goal.Currency,
        SetBy = goal.SetBy,
        SetAt = Timestamp.FromDateTimeOffset(goal.SetAt),
    };

    /// <summary>A count as a whole number, an amount with 2 decimals.</summary>
    public static string Format(decimal value, GoalMetric metric) =>
        metric == GoalMetric.WonAmount
            ? value.ToString("0.00", CultureInfo.InvariantCulture)
            : decimal.Round(value, 0).ToString("0", CultureInfo.InvariantCulture);

    /// <summary>A figure rounded to 2 places (already rounded by the rules), always with 2 decimals.</summary>
    public static string Figure(decimal value) => value.ToString("0.00", CultureInfo.InvariantCulture);
}
