using ActorSales.Domain.People;

namespace ActorSales.Grains.Abstractions.People;

/// <summary>
/// A salesperson's book: the customers they own (which of them have a won deal) and their open opportunities. Key: the
/// salesperson id. A leaf index: it calls no grain. Customers and opportunities update it through their effects after
/// their own write; the salesperson grain (lists, forecast, a team move's re-scoping), teams and handovers read it.
/// Keeping it out of the salesperson grain means a record never calls the salesperson grain it may be re-scoped by, and
/// a book change rewrites the book, not the salesperson.
/// </summary>
[Alias("actorsales.IBookGrain")]
public interface IBookGrain : IGrainWithStringKey
{
    /// <summary>Lists a customer the salesperson now owns (and counts it as won if it has a won deal); idempotent.</summary>
    [Alias("AddCustomer")]
    Task AddCustomer(string customerId, bool won);

    /// <summary>The salesperson no longer owns the customer; idempotent.</summary>
    [Alias("RemoveCustomer")]
    Task RemoveCustomer(string customerId);

    /// <summary>An owned customer has a won deal: it no longer counts against the holding cap; idempotent.</summary>
    [Alias("MarkCustomerWon")]
    Task MarkCustomerWon(string customerId);

    /// <summary>Lists an opportunity the salesperson owns as open, or drops it (closed, or moved away); idempotent.</summary>
    [Alias("LinkOpportunity")]
    Task LinkOpportunity(string opportunityId, bool open);

    /// <summary>Takes over the entries the salesperson's own state kept before books had their grain; idempotent.</summary>
    [Alias("Import")]
    Task Import(BookEntries entries);

    /// <summary>Every entry (for a team move's re-scoping and a handover's packages).</summary>
    [Alias("Read"), ReadOnly, AlwaysInterleave]
    Task<BookEntries> Read();

    /// <summary>Up to <paramref name="take"/> owned customer ids after <paramref name="afterId"/> in id order, and how many the book holds.</summary>
    [Alias("CustomersAfter"), ReadOnly, AlwaysInterleave]
    Task<BookSlice> CustomersAfter(string? afterId, int take);

    /// <summary>How many owned customers have no won deal (for the pool's holding cap).</summary>
    [Alias("OwnedWithoutWinCount"), ReadOnly, AlwaysInterleave]
    Task<int> OwnedWithoutWinCount();

    /// <summary>
    /// Which of the listed customers and opportunities the book holds other than <paramref name="expectOwned"/> says. The
    /// book is first re-read from storage: while a silo is being declared dead, another activation may have written it.
    /// </summary>
    [Alias("Disagreeing")]
    Task<BookEntries> Disagreeing(IReadOnlyList<string> customerIds, IReadOnlyList<string> opportunityIds, bool expectOwned);

    /// <summary>Makes each entry follow what its record says; returns how many changed.</summary>
    [Alias("Follow")]
    Task<int> Follow(IReadOnlyList<BookEntry> entries);
}

/// <summary>A slice of a book's customer ids in id order, and the book's size.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.BookSlice")]
public sealed record BookSlice([property: Id(0)] IReadOnlyList<string> Ids, [property: Id(1)] int Total);
