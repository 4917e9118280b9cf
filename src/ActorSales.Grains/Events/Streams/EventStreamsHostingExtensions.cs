using ActorSales.Grains.Abstractions.Events;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Hosting;
using Orleans.Streams;

namespace ActorSales.Grains.Events.Streams;

/// <summary>Registers the log-backed <see cref="EventStreams.ProviderName"/> provider and the inbox's live streams, on silos and clients alike.</summary>
public static class EventStreamsHostingExtensions
{
    /// <summary>
    /// The silo side: one pulling agent per queue, balanced over the silos (a lost silo's queues move to the others
    /// and resume at their checkpoints). <paramref name="options"/> must be the validated <see cref="EventStreamOptions"/>.
    /// </summary>
    public static ISiloBuilder AddActorSalesStreams(this ISiloBuilder silo, EventStreamOptions options)
    {
        silo.Services.AddSingleton(Microsoft.Extensions.Options.Options.Create(options));
        silo.AddPersistentStreams(EventStreams.ProviderName, EventLogQueueAdapterFactory.Create, stream =>
        {
            stream.ConfigureStreamPubSub(StreamPubSubType.ExplicitGrainBasedAndImplicit);
            stream.ConfigurePullingAgent(agent => agent.Configure(o =>
            {
                o.GetQueueMsgsTimerPeriod = options.PollPeriod;
                // A stream stays known to its agent (so a rewinding subscription is attached at once) for longer than
                // the rewind window.
                o.StreamInactivityPeriod = options.RewindWindow + TimeSpan.FromMinutes(20);
            }));
        });
        // Notifications are not domain events and not in the log: the inbox grain is their durable copy, its live
        // watchers are fed by memory streams.
        silo.AddMemoryStreams(EventStreams.InboxProviderName);
        return silo;
    }

    /// <summary>The client side (the gateway role): the same providers, to subscribe.</summary>
    public static IClientBuilder AddActorSalesStreams(this IClientBuilder client, EventStreamOptions options)
    {
        client.Services.AddSingleton(Microsoft.Extensions.Options.Options.Create(options));
        client.AddPersistentStreams(EventStreams.ProviderName, EventLogQueueAdapterFactory.Create, stream =>
            stream.ConfigureStreamPubSub(StreamPubSubType.ExplicitGrainBasedAndImplicit));
        client.AddMemoryStreams(EventStreams.InboxProviderName);
        return client;
    }
}
