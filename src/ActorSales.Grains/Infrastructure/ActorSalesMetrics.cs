using System.Collections.Concurrent;
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
        EventsPublished = meter.CreateCounter<long>("actorsales.events.published", description: "Domain events the stream queues read from the log and handed to delivery (the append is the publish)");
        EventPublishFailures = meter.CreateCounter<long>("actorsales.events.publish_failures", description: "Appends of domain events to the log that failed (the grain's outbox keeps them and retries)");
        ConcurrencyConflicts = meter.CreateCounter<long>("actorsales.concurrency.conflicts", description: "Writes refused for a stale version or ETag");
        EffectsRun = meter.CreateCounter<long>("actorsales.effects.run", description: "Effects (follow-ups of stored changes) applied, by effect type");
        EffectsFailed = meter.CreateCounter<long>("actorsales.effects.failed", description: "Effect runs that failed and wait for the retry, by effect type");
        EventAppendDuration = meter.CreateHistogram<double>("actorsales.events.append.duration", unit: "s",
            description: "Appending a grain's events to the durable event log (PostgreSQL: one group-committed transaction)",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] });
        EventStreamLag = meter.CreateHistogram<double>("actorsales.events.stream.lag", unit: "s",
            description: "From an event's time to its stream queue reading it from the log (the delivery lag, less the consumer's own turn)",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] });
        meter.CreateObservableGauge("actorsales.events.outbox.backlog", () => OutboxBacklog.Values.Sum(),
            description: "Events stored in the outboxes of this silo's grains that could not be appended yet (retried by the outbox reminder)");
        DeadlineLateness = meter.CreateHistogram<double>("actorsales.deadlines.lateness", unit: "s",
            description: "How late a deadline was acted on after its due time, by rule and by what woke it (timer or reminder)",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30, 60, 300, 900, 3600] });
        DeadlinesFired = meter.CreateCounter<long>("actorsales.deadlines.fired", description: "Deadlines acted on, by rule and by what woke it (timer or reminder)");
        DeadlinesRetried = meter.CreateCounter<long>("actorsales.deadlines.retried", description: "Deadlines whose handling failed and is retried by the record's reminder, by rule");
        PoolClaims = meter.CreateCounter<long>("actorsales.pool.claims", description: "Public-pool reservations asked for, by kind (claim, assignment) and outcome (reserved, refused)");
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
    public Histogram<double> EventAppendDuration { get; }
    public Histogram<double> EventStreamLag { get; }
    public Histogram<double> DeadlineLateness { get; }
    public Counter<long> DeadlinesFired { get; }
    public Counter<long> DeadlinesRetried { get; }
    public Counter<long> PoolClaims { get; }

    /// <summary>Per grain, the events its outbox still holds after a failed flush (the gauge sums them).</summary>
    public ConcurrentDictionary<GrainId, int> OutboxBacklog { get; } = new();
}
