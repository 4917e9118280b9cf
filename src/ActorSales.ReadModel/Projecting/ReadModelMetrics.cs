using System.Diagnostics.Metrics;

namespace ActorSales.ReadModel.Projecting;

/// <summary>
/// The projector's instruments on the ActorSales meter (the one <c>ActorSalesMetrics</c> uses; the meter factory hands
/// out the same meter for the same name): lag in log positions and in seconds, the checkpoint, events applied.
/// </summary>
public sealed class ReadModelMetrics
{
    public const string MeterName = "ActorSales";

    private readonly Counter<long> _applied;

    public ReadModelMetrics(IMeterFactory meterFactory, ProjectorStatus status)
    {
        var meter = meterFactory.Create(MeterName);
        _applied = meter.CreateCounter<long>("actorsales.readmodel.events.applied", description: "Events applied to the read model");
        meter.CreateObservableGauge("actorsales.readmodel.lag.positions", () => status.PositionsBehind,
            description: "Event log positions the read model has not applied yet (on the silo that projects)");
        meter.CreateObservableGauge("actorsales.readmodel.lag.seconds", () => status.TimeBehind.TotalSeconds, unit: "s",
            description: "Age of the oldest event the read model has not applied yet (on the silo that projects)");
        meter.CreateObservableGauge("actorsales.readmodel.checkpoint", () => status.Checkpoint,
            description: "Log position the read model has applied through");
    }

    internal void Applied(int count) => _applied.Add(count);
}
