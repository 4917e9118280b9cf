using System.Diagnostics.Metrics;

namespace ActorSales.Grains.Infrastructure;

/// <summary>OpenTelemetry-friendly counters of domain activity (meter "ActorSales").</summary>
public sealed class ActorSalesMetrics
{
    public const string MeterName = "ActorSales";

    public ActorSalesMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        CustomersRegistered = meter.CreateCounter<long>("actorsales.customers.registered", description: "Customers registered");
        DuplicateRejections = meter.CreateCounter<long>("actorsales.customers.duplicates_rejected", description: "Registrations or updates rejected as duplicates");
        ActivitiesLogged = meter.CreateCounter<long>("actorsales.activities.logged", description: "Activities logged on customers");
        EventsLogged = meter.CreateCounter<long>("actorsales.events.logged", description: "Domain events appended to the durable event log");
        EventsPublished = meter.CreateCounter<long>("actorsales.events.published", description: "Domain events published to streams");
        EventPublishFailures = meter.CreateCounter<long>("actorsales.events.publish_failures", description: "Domain events that could not be published");
        ConcurrencyConflicts = meter.CreateCounter<long>("actorsales.concurrency.conflicts", description: "Writes refused for a stale version or ETag");
        EffectsRun = meter.CreateCounter<long>("actorsales.effects.run", description: "Effects (follow-ups of stored changes) applied, by effect type");
        EffectsFailed = meter.CreateCounter<long>("actorsales.effects.failed", description: "Effect runs that failed and wait for the retry, by effect type");
    }

    public Counter<long> CustomersRegistered { get; }
    public Counter<long> DuplicateRejections { get; }
    public Counter<long> ActivitiesLogged { get; }
    public Counter<long> EventsLogged { get; }
    public Counter<long> EventsPublished { get; }
    public Counter<long> EventPublishFailures { get; }
    public Counter<long> ConcurrencyConflicts { get; }
    public Counter<long> EffectsRun { get; }
    public Counter<long> EffectsFailed { get; }
}
