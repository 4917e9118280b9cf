using ActorSales.Domain.People;
using ActorSales.Grains.Abstractions.Customers;
using ActorSales.Grains.Abstractions.Opportunities;
using ActorSales.Grains.Abstractions.People;
using OpportunityStatus = ActorSales.Domain.Pipeline.OpportunityStatus;

namespace ActorSales.Grains.People;

/// <summary>How grains other than the book read and repair a salesperson's book; the book itself stays a leaf.</summary>
internal static class Books
{
    /// <summary>
    /// The book of <paramref name="salespersonId"/>. A book whose salesperson state has not handed its entries over yet
    /// (a row of the release before books had their grain) is completed first: the salesperson's activation hands them
    /// over, and an identity read is what activates it.
    /// </summary>
    public static async Task<BookEntries> ReadAsync(IGrainFactory grains, string salespersonId)
    {
        var book = grains.GetGrain<IBookGrain>(salespersonId);
        var entries = await book.Read();
        if (!entries.Imported && await grains.GetGrain<ISalespersonGrain>(salespersonId).GetIdentity() is not null)
        {
            entries = await book.Read();
        }
        return entries;
    }

    /// <summary>
    /// Makes the book of <paramref name="ownerId"/> agree with the records for the given customers and opportunities,
    /// which the caller expects the owner to own (<paramref name="expectOwned"/>) or no longer to own. The book re-reads
    /// itself from storage first (another activation may have written it during a silo loss); every listed entry that
    /// still disagrees is checked against its own record (the customer or deal, the source of truth) and the book
    /// follows the record. Returns how many entries were corrected.
    /// </summary>
    public static async Task<int> ReconcileAsync(
        IGrainFactory grains, string ownerId, IReadOnlyList<string> customerIds, IReadOnlyList<string> opportunityIds, bool expectOwned)
    {
        var book = grains.GetGrain<IBookGrain>(ownerId);
        var disagreeing = await book.Disagreeing(customerIds, opportunityIds, expectOwned);
        var entries = new List<BookEntry>();
        foreach (var chunk in disagreeing.CustomerIds.Chunk(100))
        {
            var customers = await Task.WhenAll(chunk.Select(id => grains.GetGrain<ICustomerGrain>(id).Find()));
            entries.AddRange(chunk.Zip(customers, (id, c) => new BookEntry(id, false, c is { InPool: false } && c.OwnerId == ownerId)));
        }
        foreach (var chunk in disagreeing.OpenOpportunityIds.Chunk(100))
        {
            var deals = await Task.WhenAll(chunk.Select(id => grains.GetGrain<IOpportunityGrain>(id).Find()));
            entries.AddRange(chunk.Zip(deals, (id, o) => new BookEntry(id, true, o is { Status: OpportunityStatus.Open } && o.OwnerId == ownerId)));
        }
        return entries.Count == 0 ? 0 : await book.Follow(entries);
    }
}
