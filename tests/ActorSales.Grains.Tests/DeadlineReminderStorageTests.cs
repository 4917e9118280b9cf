using ActorSales.Domain.Customers;
using ActorSales.Grains.Abstractions;
using ActorSales.Grains.Abstractions.Customers;
using ActorSales.Grains.Customers;
using ActorSales.Grains.Deadlines;
using ActorSales.Grains.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;

namespace ActorSales.Grains.Tests;

/// <summary>
/// A write stores the reminder due time the reminder table holds for the state it writes, so activating a record whose
/// deadlines did not move (a cold read) registers nothing: no reminder round trip on the read path.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class DeadlineReminderStorageTests(ClusterFixture fixture)
{
    [Fact]
    public async Task Each_write_stores_its_reminder_due_time_and_a_cold_read_leaves_the_reminder_alone()
    {
        var team = await fixture.CreateTeamAsync();
        var id = GrainKeys.NewCustomerId();
        var customer = fixture.Grains.GetGrain<ICustomerGrain>(id);
        var details = new CustomerDetails("Clinic", $"Clinic {Guid.NewGuid():N}", "Health", CustomerTier.A, [], null, SourceChannel.Outbound);
        await customer.Register(details, team.Rep.UserId, team.Rep);

        // Registration: the first deadline is earlier than "no reminder": registered before the write, stored with it.
        var registered = await StoredAsync(customer);
        Assert.NotNull(registered.ReminderDueAt);
        Assert.Equal((await customer.ArmedDeadlines()).Min(d => d.DueAt), registered.ReminderDueAt);
        var row = await ReminderAsync(customer);
        Assert.NotNull(row);

        // A real contact moves the follow-up deadline (whether the earliest moves depends on the day the shared clock is
        // at): the write stores the earliest of the state it writes.
        fixture.Clock.Advance(TimeSpan.FromHours(1));
        await customer.LogActivity(new ActivityDraft(ActivityKind.Visit, fixture.Clock.GetUtcNow(), "met the buyer", null, null, null), team.Rep);
        var visited = await StoredAsync(customer);
        Assert.Equal((await customer.ArmedDeadlines()).Min(d => d.DueAt), visited.ReminderDueAt);
        var moved = await ReminderAsync(customer);
        Assert.NotNull(moved);

        // Cold read: the stored due time is the wanted one, so the activation writes no reminder.
        await customer.Cast<Orleans.Core.Internal.IGrainManagementExtension>().DeactivateOnIdle(TestContext.Current.CancellationToken);
        var management = fixture.Grains.GetGrain<IManagementGrain>(0);
        var active = await ClusterFixture.EventuallyAsync<List<GrainId>>(
            () => management.GetActiveGrains(customer.GetGrainId().Type).AsTask(), grains => !grains.Contains(customer.GetGrainId()));
        Assert.DoesNotContain(customer.GetGrainId(), active); // the read below activates it afresh from storage
        Assert.Equal(id, (await customer.Get(team.Rep)).Id);
        Assert.Equal(moved.ETag, (await ReminderAsync(customer))!.ETag);
    }

    private async Task<CustomerState> StoredAsync(ICustomerGrain customer)
    {
        var stored = new GrainState<CustomerState>();
        await fixture.SiloServices.GetRequiredKeyedService<IGrainStorage>(StorageNames.Default).ReadStateAsync("customer", customer.GetGrainId(), stored);
        return stored.State!;
    }

    private Task<ReminderEntry?> ReminderAsync(ICustomerGrain customer) =>
        fixture.SiloServices.GetRequiredService<IReminderTable>().ReadRow(customer.GetGrainId(), DeadlineScheduler.ReminderName)!;
}
