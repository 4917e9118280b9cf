using ActorSales.Domain.People;
using ActorSales.Grains.Abstractions.People;
using ActorSales.Grains.Infrastructure;
using ActorSales.Grains.People;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;

namespace ActorSales.Grains.Tests;

/// <summary>
/// Rows of the release that kept the book in the salesperson's state: the salesperson's activation hands the entries
/// to the book grain, once, and what left the book in the meantime stays out.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class BookMigrationTests(ClusterFixture fixture)
{
    [Fact]
    public async Task A_salesperson_row_that_still_holds_its_book_hands_it_to_the_book_grain_on_activation_once()
    {
        var team = await fixture.CreateTeamAsync();
        var person = fixture.Grains.GetGrain<ISalespersonGrain>(team.Rep.UserId);
        var book = fixture.Grains.GetGrain<IBookGrain>(team.Rep.UserId);
        var storage = fixture.SiloServices.GetRequiredKeyedService<IGrainStorage>(StorageNames.Default);
        var (won, plain, gone, deal) = ($"cus_won{Guid.NewGuid():N}", $"cus_plain{Guid.NewGuid():N}", $"cus_gone{Guid.NewGuid():N}", $"opp_{Guid.NewGuid():N}");

        // As the previous release stored them: the book in the salesperson's row, and no book grain row yet.
        await Deactivate(person);
        await Deactivate(book);
        var storedPerson = new GrainState<SalespersonState>();
        await storage.ReadStateAsync("salesperson", person.GetGrainId(), storedPerson);
        storedPerson.State!.BookMoved = false;
        storedPerson.State.CustomerIds.UnionWith([won, plain, gone]);
        storedPerson.State.WonCustomerIds.Add(won);
        storedPerson.State.OpenOpportunityIds.Add(deal);
        await storage.WriteStateAsync("salesperson", person.GetGrainId(), storedPerson);
        var storedBook = new GrainState<BookState>();
        await storage.ReadStateAsync("book", book.GetGrainId(), storedBook);
        storedBook.State = new BookState();
        await storage.WriteStateAsync("book", book.GetGrainId(), storedBook);
        // A customer leaves the book after the upgrade but before the salesperson was activated again.
        await book.RemoveCustomer(gone);

        await person.Get(ClusterFixture.Admin); // activation
        var migrated = await book.Read();
        var ownedWithoutWin = await person.OwnedCount();
        await storage.ReadStateAsync("salesperson", person.GetGrainId(), storedPerson);
        await Deactivate(person);
        await person.Get(ClusterFixture.Admin); // a second activation imports nothing
        await book.Import(new BookEntries([gone], [], [])); // nor does a replayed import

        Assert.Equal(new[] { plain, won }.Order(StringComparer.Ordinal), migrated.CustomerIds);
        Assert.Equal([won], migrated.WonCustomerIds);
        Assert.Equal([deal], migrated.OpenOpportunityIds);
        Assert.True(migrated.Imported);
        Assert.Equal(1, ownedWithoutWin);
        Assert.True(storedPerson.State!.BookMoved);
        Assert.Empty(storedPerson.State.CustomerIds);
        Assert.Empty(storedPerson.State.WonCustomerIds);
        Assert.Empty(storedPerson.State.OpenOpportunityIds);
        Assert.Equal(migrated.CustomerIds, (await book.Read()).CustomerIds);
        Assert.Equal(new[] { plain, won }.Order(StringComparer.Ordinal), await person.OwnedCustomerIds());
    }

    [Fact]
    public async Task A_new_salespersons_book_needs_no_import()
    {
        var team = await fixture.CreateTeamAsync();

        var book = await fixture.Grains.GetGrain<IBookGrain>(team.Rep.UserId).Read(); // the creation's effects ran before it returned

        Assert.True(book.Imported);
        Assert.Empty(book.CustomerIds);
    }

    private static ValueTask Deactivate(IAddressable grain) =>
        grain.Cast<Orleans.Core.Internal.IGrainManagementExtension>().DeactivateOnIdle(TestContext.Current.CancellationToken);
}
