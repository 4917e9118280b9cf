using DomainEvent = ActorSales.Contracts.V1.DomainEvent;
using ActorSales.Domain.Customers;
using ActorSales.Grains.Abstractions;
using ActorSales.Grains.Abstractions.Customers;
using ActorSales.Grains.Abstractions.Events;
using Orleans.Streams;

namespace ActorSales.Grains.Tests;

[Collection(ClusterCollection.Name)]
public sealed class EventStreamTests(ClusterFixture fixture)
{
    [Fact]
    public async Task Every_customer_change_is_a_typed_event_with_a_gap_free_sequence_on_the_customers_stream()
    {
        var team = await fixture.CreateTeamAsync();
        var customerId = GrainKeys.NewCustomerId();
        var received = new List<DomainEvent>();
        var fourth = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stream = fixture.Client.GetStreamProvider(EventStreams.ProviderName)
            .GetStream<DomainEventEnvelope>(StreamId.Create(EventStreams.Customers, customerId));
        var subscription = await stream.SubscribeAsync((envelope, _) =>
        {
            lock (received)
            {
                received.Add(envelope.ToEvent());
                if (received.Count == 4)
                {
                    fourth.TrySetResult();
                }
            }
            return Task.CompletedTask;
        });

        var changedAt = fixture.Clock.GetUtcNow();
        var customer = fixture.Grains.GetGrain<ICustomerGrain>(customerId);
        var details = new CustomerDetails("Clinic", $"Clinic {Guid.NewGuid():N}", "Health", CustomerTier.B, [], null, SourceChannel.Outbound);
        await customer.Register(details, team.Rep.UserId, team.Rep);
        await customer.Update(new CustomerChanges(["tier"], details with { Tier = CustomerTier.A }), 0, team.Rep);
        await customer.LogActivity(new ActivityDraft(ActivityKind.Visit, fixture.Clock.GetUtcNow(), "met the buyer", null, null, null), team.Rep);
        await customer.Transfer(team.OtherRep.UserId, "vacation cover", 0, team.Manager);
        await fixture.AdvanceUntilAsync(fourth.Task);
        await subscription.UnsubscribeAsync();

        Assert.Equal([1L, 2L, 3L, 4L], received.Select(e => e.Sequence));
        Assert.Equal(
            [DomainEvent.ChangeOneofCase.CustomerRegistered, DomainEvent.ChangeOneofCase.CustomerUpdated, DomainEvent.ChangeOneofCase.ActivityLogged, DomainEvent.ChangeOneofCase.CustomerOwnerChanged],
            received.Select(e => e.ChangeCase));
        Assert.All(received, e => Assert.Equal(customerId, e.EntityId));
        Assert.Equal(["tier"], received[1].CustomerUpdated.ChangedFields);
        Assert.True(received[2].ActivityLogged.IsFollowUp);
        Assert.Equal(team.Manager.UserId, received[3].ActorId);
        Assert.Equal($"customers/{customerId}/4", received[3].EventId);
        Assert.All(received, e => Assert.Equal(changedAt, e.OccurredAt.ToDateTimeOffset()));
    }
}

/// <summary>The .NET subscriber example (examples/ActorSales.Examples.StreamSubscriber) follows customers with an implicit subscription.</summary>
[Collection(ClusterCollection.Name)]
public sealed class StreamSubscriberExampleTests(ClusterFixture fixture)
{
    [Fact]
    public async Task The_example_grain_counts_a_customers_activities_without_subscribing_explicitly()
    {
        var team = await fixture.CreateTeamAsync();
        var customerId = GrainKeys.NewCustomerId();
        var customer = fixture.Grains.GetGrain<ICustomerGrain>(customerId);
        await customer.Register(new CustomerDetails("Clinic", $"Clinic {Guid.NewGuid():N}", "Health", CustomerTier.B, [], null, SourceChannel.Outbound), team.Rep.UserId, team.Rep);
        for (var i = 0; i < 3; i++)
        {
            await customer.LogActivity(new ActivityDraft(ActivityKind.Call, fixture.Clock.GetUtcNow(), $"call {i}", null, null, null, DurationSeconds: 120), team.Rep);
        }
        var counter = fixture.Grains.GetGrain<Examples.StreamSubscriber.ICustomerActivityCounterGrain>(customerId);

        // Memory-stream delivery ticks on the fake clock: move it until the counter has seen all four events.
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var watch = Task.Run(async () =>
        {
            using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
            while ((await counter.Get()).LastSequence < 4 && await poll.WaitForNextTickAsync(TestContext.Current.CancellationToken))
            {
            }
            seen.TrySetResult();
        }, TestContext.Current.CancellationToken);
        await fixture.AdvanceUntilAsync(seen.Task);
        await watch;

        Assert.Equal(new Examples.StreamSubscriber.ActivityCount(3, 4), await counter.Get());
    }
}
