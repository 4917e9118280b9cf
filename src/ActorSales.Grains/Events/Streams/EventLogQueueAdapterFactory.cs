using ActorSales.Grains.Abstractions.Events;
using ActorSales.Grains.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Streams;

namespace ActorSales.Grains.Events.Streams;

/// <summary>
/// The persistent stream provider whose queue is the durable event log itself: an append is the publish. Silos run
/// one pulling agent per queue (<see cref="EventLogQueueReceiver"/>, <see cref="EventLogQueueCache"/>); clients use
/// the same factory only to subscribe. The log and the checkpoint grain are resolved when a receiver is made, so a
/// client needs neither.
/// </summary>
public sealed class EventLogQueueAdapterFactory : IQueueAdapterFactory, IQueueAdapter
{
    private readonly IServiceProvider _services;
    private readonly EventStreamOptions _options;
    private readonly EventLogQueueMapper _mapper;
    private readonly EventLogQueueAdapterCache _cache;
    private readonly TimeProvider _clock;

    public EventLogQueueAdapterFactory(string name, IServiceProvider services, EventStreamOptions options)
    {
        Name = name;
        _services = services;
        _options = options;
        _clock = services.GetService<TimeProvider>() ?? TimeProvider.System;
        _mapper = new EventLogQueueMapper(name, options.Queues);
        _cache = new EventLogQueueAdapterCache(options, _clock);
    }

    /// <summary>The factory Orleans' <c>AddPersistentStreams</c> calls (options: <see cref="EventStreamOptions"/>).</summary>
    public static EventLogQueueAdapterFactory Create(IServiceProvider services, string name) =>
        new(name, services, services.GetRequiredService<IOptions<EventStreamOptions>>().Value);

    public string Name { get; }

    /// <summary>Rewinds to any position the log retains: recent ones from each queue's cache, older ones read from the log.</summary>
    public bool IsRewindable => true;

    /// <summary>Events enter through the log, never through <see cref="QueueMessageBatchAsync"/>.</summary>
    public StreamProviderDirection Direction => StreamProviderDirection.ReadOnly;

    public EventLogQueueMapper Mapper => _mapper;

#pragma warning disable CS0618 // the legacy overload Orleans still declares
    public Task<IQueueAdapter> CreateAdapter() => Task.FromResult<IQueueAdapter>(this);
#pragma warning restore CS0618

    public Task<IQueueAdapter> CreateAdapter(CancellationToken cancellationToken) => Task.FromResult<IQueueAdapter>(this);

    public IQueueAdapterCache GetQueueAdapterCache() => _cache;

    public IStreamQueueMapper GetStreamQueueMapper() => _mapper;

    /// <summary>A delivery that keeps failing past Orleans' MaxEventDeliveryTime is skipped, the subscription kept (the log still has it).</summary>
    public Task<IStreamFailureHandler> GetDeliveryFailureHandler(QueueId queueId) =>
        Task.FromResult<IStreamFailureHandler>(new NoOpStreamDeliveryFailureHandler(faultOnError: false));

    /// <summary>
    /// Refused: the log is the queue, so an event reaches these streams by being appended to <see cref="IEventLog"/>
    /// (grains do it through their outbox and <see cref="DomainEventPublisher"/>), which gives it its position, its
    /// per-entity sequence check and its durability. A second way in would bypass all three.
    /// </summary>
    public Task QueueMessageBatchAsync<T>(StreamId streamId, IEnumerable<T> events, StreamSequenceToken? token, Dictionary<string, object>? requestContext) =>
        throw new NotSupportedException(
            $"Stream provider '{Name}' is read-only: its streams carry the durable event log. Append the event to the log "
            + "(a grain's outbox through DomainEventPublisher); OnNextAsync on these streams is not supported.");

    public IQueueAdapterReceiver CreateReceiver(QueueId queueId) => new EventLogQueueReceiver(
        queueId,
        _mapper,
        _services.GetRequiredService<IEventLog>(),
        _services.GetRequiredService<IGrainFactory>().GetGrain<IStreamQueueCheckpointGrain>(Name),
        _options,
        _clock,
        _services.GetService<ActorSalesMetrics>(),
        _services.GetRequiredService<ILogger<EventLogQueueReceiver>>(),
        _cache.Of(queueId));
}
