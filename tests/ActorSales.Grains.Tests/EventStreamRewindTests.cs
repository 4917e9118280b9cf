using ActorSales.Domain.Customers;
using ActorSales.Grains.Abstractions;
using ActorSales.Grains.Abstractions.Customers;
using ActorSales.Grains.Abstractions.Events;
using Orleans.Streams;

namespace ActorSales.Grains.Tests;

/// <summary>Subscriptions that start in the past: by a position kept from an earlier token, or by a time.</summary>
[Collection(ClusterCollection.Name)]
public sealed class EventStreamRewindTests(ClusterFixture fixture)
{
    [Fact]
    public async Task A_subscription_rewinds_to_a_position_or_a_time_and_tokens_are_the_log_positions()
    {
        var team = await fixture.CreateTeamAsync();
        var customerId = GrainKeys.NewCustomerId();
        var stream = fixture.Client.GetStreamProvider(EventStreams.ProviderName)
            .GetStream<DomainEventEnvelope>(StreamId.Create(EventStreams.Customers, customerId));
        var live = new Collector(4);
        // Kept open throughout: Orleans attaches a rewinding subscription at once only to a stream its agent follows.
        var liveSubscription = await stream.SubscribeAsync(live.OnNextAsync);

        var customer = fixture.Grains.GetGrain<ICustomerGrain>(customerId);
        var details = new CustomerDetails("Clinic", $"Clinic {Guid.NewGuid():N}", "Health", CustomerTier.B, [], null, SourceChannel.Outbound);
        await customer.Register(details, team.Rep.UserId, team.Rep);
        fixture.Clock.Advance(TimeSpan.FromMinutes(1));
        await customer.Update(new CustomerChanges(["tier"], details with { Tier = CustomerTier.A }), 0, team.Rep);
        fixture.Clock.Advance(TimeSpan.FromMinutes(1));
        var thirdAt = fixture.Clock.GetUtcNow();
        await customer.LogActivity(new ActivityDraft(ActivityKind.Visit, thirdAt, "met the buyer", null, null, null), team.Rep);
        await customer.Transfer(team.OtherRep.UserId, "vacation cover", 0, team.Manager);
        await fixture.AdvanceUntilAsync(live.Done);

        var logged = await fixture.EventLog.OfAsync(customerId);
        Assert.Equal(logged.Select(e => e.Position), live.Positions);
        Assert.Equal([1L, 2L, 3L, 4L], live.Sequences);

        var byPosition = new Collector(3);
        var fromSecond = await stream.SubscribeAsync(byPosition.OnNextAsync, EventLogSequenceToken.At(live.Positions[1]));
        var byTime = new Collector(2);
        var fromThird = await stream.SubscribeAsync(byTime.OnNextAsync, await EventLogSequenceToken.AtTimeAsync(fixture.EventLog, thirdAt, TestContext.Current.CancellationToken));
        await fixture.AdvanceUntilAsync(Task.WhenAll(byPosition.Done, byTime.Done));

        Assert.Equal([2L, 3L, 4L], byPosition.Sequences);
        Assert.Equal(live.Positions.Skip(1), byPosition.Positions);
        Assert.Equal([3L, 4L], byTime.Sequences);
        await fromSecond.UnsubscribeAsync();
        await fromThird.UnsubscribeAsync();
        await liveSubscription.UnsubscribeAsync();
    }

    [Fact]
    public async Task A_subscription_rewinds_past_the_queue_cache_to_an_old_position_and_then_follows_live_events()
    {
        var team = await fixture.CreateTeamAsync();
        var customerId = GrainKeys.NewCustomerId();
        var stream = fixture.Client.GetStreamProvider(EventStreams.ProviderName)
            .GetStream<DomainEventEnvelope>(StreamId.Create(EventStreams.Customers, customerId));
        var live = new Collector(2);
        var liveSubscription = await stream.SubscribeAsync(live.OnNextAsync);
        var customer = fixture.Grains.GetGrain<ICustomerGrain>(customerId);
        var details = new CustomerDetails("Clinic", $"Clinic {Guid.NewGuid():N}", "Health", CustomerTier.B, [], null, SourceChannel.Outbound);
        await customer.Register(details, team.Rep.UserId, team.Rep);
        fixture.Clock.Advance(TimeSpan.FromMinutes(1));
        var updatedAt = fixture.Clock.GetUtcNow();
        await customer.Update(new CustomerChanges(["tier"], details with { Tier = CustomerTier.A }), 0, team.Rep);
        await fixture.AdvanceUntilAsync(live.Done);

        // Past the queue's rewind window (10 minutes): two more events, each read by a later turn of the queue's agent,
        // whose cache upkeep before each read drops the delivered events older than the window.
        fixture.Clock.Advance(ClusterFixture.StreamOptions.RewindWindow + TimeSpan.FromMinutes(1));
        live.Expect(3);
        await customer.Update(new CustomerChanges(["tier"], details with { Tier = CustomerTier.B }), 0, team.Rep);
        await fixture.AdvanceUntilAsync(live.Done);
        live.Expect(4);
        await customer.Update(new CustomerChanges(["tier"], details with { Tier = CustomerTier.C }), 0, team.Rep);
        await fixture.AdvanceUntilAsync(live.Done);
        Assert.Equal(0, fixture.EventLog.EntityReadsOf(customerId));

        var rewound = new Collector(4);
        var fromFirst = await stream.SubscribeAsync(rewound.OnNextAsync, EventLogSequenceToken.At(live.Positions[0]));
        var byTime = new Collector(3);
        var fromUpdate = await stream.SubscribeAsync(byTime.OnNextAsync, await EventLogSequenceToken.AtTimeAsync(fixture.EventLog, updatedAt, TestContext.Current.CancellationToken));
        await fixture.AdvanceUntilAsync(Task.WhenAll(rewound.Done, byTime.Done));
        // The first events came from the log (the cache no longer had them), the rest from the cache, none twice.
        Assert.True(fixture.EventLog.EntityReadsOf(customerId) > 0);
        Assert.Equal([1L, 2L, 3L, 4L], rewound.Sequences);
        Assert.Equal(live.Positions, rewound.Positions);
        Assert.Equal([2L, 3L, 4L], byTime.Sequences);
        await fromUpdate.UnsubscribeAsync();

        // And then it follows the stream live like any subscription.
        live.Expect(5);
        rewound.Expect(5);
        await customer.Transfer(team.OtherRep.UserId, "vacation cover", 0, team.Manager);
        await fixture.AdvanceUntilAsync(Task.WhenAll(live.Done, rewound.Done));
        Assert.Equal(live.Positions, rewound.Positions);
        Assert.Equal(5, rewound.Deliveries);
        await fromFirst.UnsubscribeAsync();
        await liveSubscription.UnsubscribeAsync();
    }

    /// <summary>What a consumer keeps: the sequence and the token's position of each event, de-duplicated by position.</summary>
    private sealed class Collector(int expected)
    {
        private readonly List<(long Position, long Sequence)> _seen = [];
        private TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _expected = expected;

        public Task Done => _done.Task;

        /// <summary>Every delivery, repeats included.</summary>
        public int Deliveries { get; private set; }

        /// <summary>Waits for <paramref name="count"/> events from now on.</summary>
        public void Expect(int count)
        {
            lock (_seen)
            {
                _expected = count;
                _done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                if (_seen.Count >= count)
                {
                    _done.TrySetResult();
                }
            }
        }

        public List<long> Positions => Snapshot().Select(s => s.Position).ToList();

        public List<long> Sequences => Snapshot().Select(s => s.Sequence).ToList();

        public Task OnNextAsync(DomainEventEnvelope envelope, StreamSequenceToken? token)
        {
            var position = Assert.IsType<EventLogSequenceToken>(token).Position;
            lock (_seen)
            {
                Deliveries++;
                if (_seen.Count == 0 || position > _seen[^1].Position)
                {
                    _seen.Add((position, envelope.Sequence));
                }
                if (_seen.Count >= _expected)
                {
                    _done.TrySetResult();
                }
            }
            return Task.CompletedTask;
        }

        private List<(long Position, long Sequence)> Snapshot()
        {
            lock (_seen)
            {
                return [.. _seen];
            }
        }
    }
}
