using ActorSales.Domain.Customers;
using ActorSales.Grains.Abstractions;
using ActorSales.Grains.Abstractions.Customers;

namespace ActorSales.Grains.Tests;

/// <summary>The outbox: no acknowledged change without its event, per-entity order, and replays that add nothing.</summary>
[Collection(ClusterCollection.Name)]
public sealed class EventOutboxTests(ClusterFixture fixture)
{
    [Fact]
    public async Task Events_written_but_not_published_when_the_activation_is_lost_are_published_by_the_outbox_reminder()
    {
        var team = await fixture.CreateTeamAsync();
        var customerId = GrainKeys.NewCustomerId();
        var customer = fixture.Grains.GetGrain<ICustomerGrain>(customerId);
        fixture.EventLog.Unreachable(customerId, true);

        // Both changes are acknowledged while their events cannot be published.
        await customer.Register(NewDetails(), team.Rep.UserId, team.Rep);
        await customer.LogActivity(new ActivityDraft(ActivityKind.Call, fixture.Clock.GetUtcNow(), "called the buyer", null, null, null, DurationSeconds: 120), team.Rep);
        var whileDown = await fixture.EventLog.OfAsync(customerId);
        // The activation goes away with the events only in its stored state, as when its silo dies.
        await fixture.Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero, TestContext.Current.CancellationToken);
        fixture.EventLog.Unreachable(customerId, false);

        // Nobody calls the customer: only its outbox reminder can bring the events out.
        var logged = await ClusterFixture.EventuallyAsync(() => fixture.EventLog.OfAsync(customerId), e => e.Count == 2);

        Assert.Empty(whileDown);
        Assert.Equal([1L, 2L], logged.Select(e => e.Event.Sequence));
        Assert.Equal(["customer_registered", "activity_logged"], logged.Select(e => e.Event.EventType));
        Assert.All(logged, e => Assert.Equal(team.Rep.UserId, e.Event.OwnerId));
    }

    [Fact]
    public async Task Concurrent_writers_leave_each_entity_a_gap_free_sequence_in_log_order()
    {
        var team = await fixture.CreateTeamAsync();
        var customers = new List<ICustomerGrain>();
        for (var i = 0; i < 10; i++)
        {
            var customer = fixture.Grains.GetGrain<ICustomerGrain>(GrainKeys.NewCustomerId());
            await customer.Register(NewDetails(), team.Rep.UserId, team.Rep);
            customers.Add(customer);
        }

        await Task.WhenAll(customers.SelectMany(customer => Enumerable.Range(0, 8).Select(n =>
            customer.LogActivity(new ActivityDraft(ActivityKind.Call, fixture.Clock.GetUtcNow(), $"call {n}", null, null, null, DurationSeconds: 120), team.Rep))));

        foreach (var customer in customers)
        {
            var logged = await fixture.EventLog.OfAsync(customer.GetPrimaryKeyString());
            Assert.Equal(Enumerable.Range(1, 9).Select(i => (long)i), logged.Select(e => e.Event.Sequence));
            Assert.True(logged.Zip(logged.Skip(1)).All(p => p.First.Position < p.Second.Position), "positions follow the sequence");
        }
    }

    [Fact]
    public async Task A_new_activation_replaying_an_already_published_outbox_adds_nothing_to_the_log()
    {
        var team = await fixture.CreateTeamAsync();
        var customerId = GrainKeys.NewCustomerId();
        var customer = fixture.Grains.GetGrain<ICustomerGrain>(customerId);
        await customer.Register(NewDetails(), team.Rep.UserId, team.Rep);
        await customer.LogActivity(new ActivityDraft(ActivityKind.Visit, fixture.Clock.GetUtcNow(), "met the buyer", null, null, null), team.Rep);
        var before = await fixture.EventLog.OfAsync(customerId);

        // The stored outbox still lists the published events (it is emptied by the next write); a new activation replays it.
        await fixture.Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero, TestContext.Current.CancellationToken);
        await customer.Get(team.Rep);
        await customer.LogActivity(new ActivityDraft(ActivityKind.Call, fixture.Clock.GetUtcNow(), "called back", null, null, null, DurationSeconds: 120), team.Rep);
        var after = await fixture.EventLog.OfAsync(customerId);

        Assert.Equal([1L, 2L], before.Select(e => e.Event.Sequence));
        Assert.Equal([1L, 2L, 3L], after.Select(e => e.Event.Sequence));
        Assert.Equal(before.Select(e => e.Position), after.Take(2).Select(e => e.Position));
    }

    private static CustomerDetails NewDetails() =>
        new("Clinic", $"Clinic {Guid.NewGuid():N}", "Health", CustomerTier.B, [], null, SourceChannel.Outbound);
}
