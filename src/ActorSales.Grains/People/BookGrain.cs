using ActorSales.Domain.People;
using ActorSales.Grains.Abstractions.People;
using ActorSales.Grains.Infrastructure;

namespace ActorSales.Grains.People;

/// <summary>One salesperson's book (see <see cref="IBookGrain"/>); a leaf: it calls no grain.</summary>
public sealed class BookGrain([PersistentState("book", StorageNames.Default)] IPersistentState<BookState> state) : Grain, IBookGrain
{
    private const string Entity = "book";

    private BookState Book => state.State;

    public Task AddCustomer(string customerId, bool won) => WriteIf(Book.AddCustomer(customerId, won));

    public Task RemoveCustomer(string customerId) => WriteIf(Book.RemoveCustomer(customerId));

    public Task MarkCustomerWon(string customerId) => WriteIf(Book.MarkCustomerWon(customerId));

    public Task LinkOpportunity(string opportunityId, bool open) => WriteIf(Book.LinkOpportunity(opportunityId, open));

    public Task Import(BookEntries entries) => WriteIf(Book.Import(entries.CustomerIds, entries.WonCustomerIds, entries.OpenOpportunityIds));

    public Task<BookEntries> Read() =>
        Task.FromResult(new BookEntries([.. Book.CustomerIds], [.. Book.WonCustomerIds], [.. Book.OpenOpportunityIds], Book.Imported));

    public Task<BookSlice> CustomersAfter(string? afterId, int take)
    {
        var ids = Book.CustomerIds;
        IEnumerable<string> candidates = afterId is null ? ids
            : ids.Max is { } max && string.CompareOrdinal(afterId, max) < 0 ? ids.GetViewBetween(afterId, max).SkipWhile(id => id == afterId)
            : [];
        return Task.FromResult(new BookSlice([.. candidates.Take(take)], ids.Count));
    }

    public Task<int> OwnedWithoutWinCount() => Task.FromResult(Book.OwnedWithoutWinCount);

    public async Task<BookEntries> Disagreeing(IReadOnlyList<string> customerIds, IReadOnlyList<string> opportunityIds, bool expectOwned)
    {
        // Every change of this activation was written before it returned, so storage is at least as new as memory; it is
        // newer when another activation wrote during a silo loss, and that write is exactly what this read picks up.
        await state.ReadStateAsync();
        var (customers, opportunities) = Book.Disagreeing(customerIds, opportunityIds, expectOwned);
        return new BookEntries(customers, [], opportunities, Book.Imported);
    }

    public async Task<int> Follow(IReadOnlyList<BookEntry> entries)
    {
        var corrected = Book.Follow(entries);
        await WriteIf(corrected > 0);
        return corrected;
    }

    private Task WriteIf(bool changed) => changed ? state.WriteOrConflictAsync(Entity, this.GetPrimaryKeyString()) : Task.CompletedTask;
}
