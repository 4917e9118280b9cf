using System.Globalization;
using ActorSales.Domain.Insights;
using Google.Protobuf.WellKnownTypes;
using V1 = ActorSales.Contracts.V1;

namespace ActorSales.Grains.Abstractions.Contracts;

/// <summary>Anomalies and forecast snapshots in their published form (analytics.proto), for the team's events.</summary>
public static class InsightContract
{
    public static V1.Anomaly ToContract(string teamId, Anomaly anomaly)
    {
        var contract = new V1.Anomaly
        {
            AnomalyId = anomaly.Id,
            TeamId = teamId,
            OwnerId = anomaly.OwnerId,
            Rule = anomaly.Rule,
            Kind = (V1.AnomalyKind)anomaly.Kind,
            Metric = (V1.GoalMetric)anomaly.Metric,
            Day = Day(anomaly.Day),
            DetectedAt = Timestamp.FromDateTimeOffset(anomaly.DetectedAt),
            Status = anomaly.ClearedAt is null ? V1.AnomalyStatus.Active : V1.AnomalyStatus.Cleared,
            Actual = InsightRules.Figure(anomaly.Actual),
            Threshold = InsightRules.Figure(anomaly.Threshold),
            ConsecutiveDays = anomaly.ConsecutiveDays,
            Message = anomaly.Message,
        };
        if (anomaly.ClearedAt is { } cleared)
        {
            contract.ClearedAt = Timestamp.FromDateTimeOffset(cleared);
        }
        return contract;
    }

    /// <summary>The snapshot event: its rows carry the forecast; won figures are the read side's, at query time.</summary>
    public static V1.ForecastSnapshotTaken ToContract(string teamId, ForecastSnapshot snapshot)
    {
        var window = new V1.AnalyticsPeriod { From = Timestamp.FromDateTimeOffset(snapshot.WindowFrom), To = Timestamp.FromDateTimeOffset(snapshot.WindowTo) };
        var taken = Timestamp.FromDateTimeOffset(snapshot.TakenAt);
        var contract = new V1.ForecastSnapshotTaken { WeekStart = Day(snapshot.WeekStart), TakenAt = taken, Window = window };
        contract.Rows.AddRange(snapshot.Rows.Select(r => new V1.ForecastWeek
        {
            TeamId = teamId,
            OwnerId = r.OwnerId,
            WeekStart = contract.WeekStart,
            TakenAt = taken,
            Window = window,
            Currency = r.Currency,
            OpenAmount = Amount(r.OpenAmount),
            WeightedAmount = Amount(r.WeightedAmount),
            OpportunityCount = r.Count,
        }));
        return contract;
    }

    /// <summary>An amount with 2 decimals, half away from zero (weights may give more).</summary>
    public static string Amount(decimal value) => InsightRules.Figure(value);

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
