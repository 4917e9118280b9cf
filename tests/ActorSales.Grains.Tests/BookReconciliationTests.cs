using ActorSales.Domain.People;
using ActorSales.Grains.Abstractions.Customers;
using ActorSales.Grains.Abstractions.People;
using ActorSales.Grains.Infrastructure;
using ActorSales.Grains.People;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;

namespace ActorSales.Grains.Tests;

/// <summary>
/// A salesperson's book (the index of owned customers and open deals) reconciled with the records it indexes: what
/// another activation wrote is read back, and what no book update reached follows the customer's or deal's own record.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class BookReconciliationTests(ClusterFixture fixture)
{
    [Fact]
    public async Task A_book_written_by_another_activation_is_read_back_before_it_is_checked()
    {
        var team = await fixture.CreateTeamAsync();
        var receiver = fixture.Grains.GetGrain<IBookGrain>(team.OtherRep.UserId);
        fixture.CallFaults.Lose(receiver, nameof(IBookGrain.AddCustomer));
        var customer = await fixture.RegisterCustomerAsync(team, team.OtherRep.UserId);
        // The other activation's write: the customer is in the stored book, not in the live activation's memory.
        var storage = fixture.SiloServices.GetRequiredKeyedService<IGrainStorage>(StorageNames.Default);
        var stored = new GrainState<BookState>();
        await storage.ReadStateAsync("book", receiver.GetGrainId(), stored);
        stored.State!.CustomerIds.Add(customer.GetPrimaryKeyString());
        await storage.WriteStateAsync("book", receiver.GetGrainId(), stored);
        var before = (await receiver.Read()).CustomerIds;

        var corrected = await Books.ReconcileAsync(fixture.Grains, team.OtherRep.UserId, [customer.GetPrimaryKeyString()], [], expectOwned: true);

        Assert.Equal(1, fixture.CallFaults.LostCount(receiver, nameof(IBookGrain.AddCustomer)));
        Assert.Empty(before);
        Assert.Equal(0, corrected); // storage had it: read back, nothing to correct
        Assert.Equal([customer.GetPrimaryKeyString()], (await receiver.Read()).CustomerIds);
    }

    [Fact]
    public async Task Entries_that_disagree_with_their_records_follow_the_records_whatever_the_caller_expected()
    {
        var team = await fixture.CreateTeamAsync();
        var leaver = fixture.Grains.GetGrain<IBookGrain>(team.Rep.UserId);
        var receiver = fixture.Grains.GetGrain<IBookGrain>(team.OtherRep.UserId);
        var moved = await fixture.RegisterCustomerAsync(team, team.Rep.UserId);
        var kept = await fixture.RegisterCustomerAsync(team, team.Rep.UserId);
        fixture.CallFaults.Lose(receiver, nameof(IBookGrain.AddCustomer));
        fixture.CallFaults.Lose(leaver, nameof(IBookGrain.RemoveCustomer));
        await moved.Transfer(team.OtherRep.UserId, "territory change", 0, team.Manager);
        var (movedId, keptId) = (moved.GetPrimaryKeyString(), kept.GetPrimaryKeyString());
        var receiverBefore = (await receiver.Read()).CustomerIds;
        var leaverBefore = (await leaver.Read()).CustomerIds;

        // The caller expects both to have moved; the kept customer's record says it did not.
        var added = await Books.ReconcileAsync(fixture.Grains, team.OtherRep.UserId, [movedId, keptId], [], expectOwned: true);
        var removed = await Books.ReconcileAsync(fixture.Grains, team.Rep.UserId, [movedId, keptId], [], expectOwned: false);
        var again = await Books.ReconcileAsync(fixture.Grains, team.OtherRep.UserId, [movedId, keptId], [], expectOwned: true);

        Assert.Empty(receiverBefore);
        Assert.Equal(new[] { movedId, keptId }.Order(StringComparer.Ordinal), leaverBefore);
        Assert.Equal(1, added);
        Assert.Equal(1, removed);
        Assert.Equal(0, again);
        Assert.Equal([movedId], (await receiver.Read()).CustomerIds);
        Assert.Equal([keptId], (await leaver.Read()).CustomerIds);
    }
}
