using ActorSales.Contracts.V1;
using ActorSales.Grains.Abstractions.Events;
using Orleans.Streams;
using Orleans.Streams.Core;

namespace ActorSales.Examples.StreamSubscriber;

/// <summary>What the example keeps per customer: how many activities were logged and the last sequence seen.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.examples.ActivityCount")]
public sealed record ActivityCount([property: Id(0)] int Activities, [property: Id(1)] long LastSequence);

public interface ICustomerActivityCounterGrain : IGrainWithStringKey
{
    Task<ActivityCount> Get();
}

/// <summary>
/// Follows every customer's events with an implicit subscription: Orleans activates one of these per customer (grain key =
/// stream key = customer id) at the customer's first event, with no explicit subscribe call. It de-duplicates on the
/// per-entity sequence, as every consumer should: delivery is at least once.
/// </summary>
[ImplicitStreamSubscription(EventStreams.Customers)]
public sealed class CustomerActivityCounterGrain : Grain, ICustomerActivityCounterGrain, IStreamSubscriptionObserver, IAsyncObserver<DomainEventEnvelope>
{
    private ActivityCount _count = new(0, 0);

    public Task<ActivityCount> Get() => Task.FromResult(_count);

    public async Task OnSubscribed(IStreamSubscriptionHandleFactory handleFactory) =>
        await handleFactory.Create<DomainEventEnvelope>().ResumeAsync(this);

    public Task OnNextAsync(DomainEventEnvelope item, StreamSequenceToken? token = null)
    {
        if (item.Sequence <= _count.LastSequence)
        {
            return Task.CompletedTask; // a redelivery
        }
        var isActivity = item.EventType == EventTypes.NameOf(DomainEvent.ChangeOneofCase.ActivityLogged);
        _count = new ActivityCount(_count.Activities + (isActivity ? 1 : 0), item.Sequence);
        return Task.CompletedTask;
    }

    public Task OnCompletedAsync() => Task.CompletedTask;

    public Task OnErrorAsync(Exception ex) => Task.CompletedTask;
}
