namespace ActorSales.Domain.People;

/// <summary>
/// A salesperson's book: the customers they own (and which of them have a won deal) and their open opportunities. An
/// index kept by the records it lists (each customer and deal updates it after its own write), so every change is
/// idempotent and the record stays the source of truth.
/// <para>
/// Books used to live in the salesperson's state. Until that state has handed its entries over (<see cref="Import"/>),
/// removals are remembered, so an import of older entries cannot bring back a customer or deal that left meanwhile.
/// </para>
/// </summary>
[GenerateSerializer, Alias("actorsales.BookState")]
public sealed class BookState
{
    [Id(0)] public SortedSet<string> CustomerIds { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Owned customers with a won deal; they do not count against the pool's holding cap.</summary>
    [Id(1)] public SortedSet<string> WonCustomerIds { get; set; } = new(StringComparer.Ordinal);

    [Id(2)] public SortedSet<string> OpenOpportunityIds { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The salesperson's stored entries were handed over (or there were none); nothing more will be imported.</summary>
    [Id(3)] public bool Imported { get; set; }

    /// <summary>Before the import: customers removed (an import must not bring them back).</summary>
    [Id(4)] public SortedSet<string> RemovedCustomerIds { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Before the import: opportunities closed or moved away (an import must not bring them back).</summary>
    [Id(5)] public SortedSet<string> ClosedOpportunityIds { get; set; } = new(StringComparer.Ordinal);

    /// <summary>How many owned customers have no won deal (the pool's holding cap counts these).</summary>
    public int OwnedWithoutWinCount => CustomerIds.Count - WonCustomerIds.Count(CustomerIds.Contains);

    /// <summary>Lists the customer (counted as won if <paramref name="won"/>); returns whether anything changed.</summary>
    public bool AddCustomer(string customerId, bool won)
    {
        var changed = CustomerIds.Add(customerId) | (!Imported && RemovedCustomerIds.Remove(customerId));
        return (won && WonCustomerIds.Add(customerId)) | changed;
    }

    /// <summary>Drops the customer; returns whether anything changed.</summary>
    public bool RemoveCustomer(string customerId)
    {
        var changed = CustomerIds.Remove(customerId) | WonCustomerIds.Remove(customerId);
        return (!Imported && RemovedCustomerIds.Add(customerId)) | changed;
    }

    /// <summary>
    /// Counts a listed customer as won. Before the import the customer may still be among the entries to import, so
    /// the mark is kept for it.
    /// </summary>
    public bool MarkCustomerWon(string customerId) =>
        (CustomerIds.Contains(customerId) || !Imported) && WonCustomerIds.Add(customerId);

    /// <summary>Lists (or drops) an open opportunity; returns whether anything changed.</summary>
    public bool LinkOpportunity(string opportunityId, bool open)
    {
        if (open)
        {
            return OpenOpportunityIds.Add(opportunityId) | (!Imported && ClosedOpportunityIds.Remove(opportunityId));
        }
        return OpenOpportunityIds.Remove(opportunityId) | (!Imported && ClosedOpportunityIds.Add(opportunityId));
    }

    /// <summary>
    /// Takes over the entries the salesperson's state kept, except those that left since; afterwards nothing is
    /// imported again. Idempotent: a replayed import changes nothing.
    /// </summary>
    public bool Import(IEnumerable<string> customerIds, IEnumerable<string> wonCustomerIds, IEnumerable<string> openOpportunityIds)
    {
        if (Imported)
        {
            return false;
        }
        CustomerIds.UnionWith(customerIds.Where(id => !RemovedCustomerIds.Contains(id)));
        WonCustomerIds.UnionWith(wonCustomerIds);
        WonCustomerIds.IntersectWith(CustomerIds);
        OpenOpportunityIds.UnionWith(openOpportunityIds.Where(id => !ClosedOpportunityIds.Contains(id)));
        RemovedCustomerIds.Clear();
        ClosedOpportunityIds.Clear();
        Imported = true;
        return true;
    }

    /// <summary>
    /// The listed ids whose presence in the book differs from <paramref name="expectOwned"/> (customers, then
    /// opportunities), each only once.
    /// </summary>
    public (IReadOnlyList<string> Customers, IReadOnlyList<string> Opportunities) Disagreeing(
        IEnumerable<string> customerIds, IEnumerable<string> opportunityIds, bool expectOwned) =>
        ([.. customerIds.Distinct(StringComparer.Ordinal).Where(id => CustomerIds.Contains(id) != expectOwned)],
         [.. opportunityIds.Distinct(StringComparer.Ordinal).Where(id => OpenOpportunityIds.Contains(id) != expectOwned)]);

    /// <summary>Makes each entry follow what its own record says; returns how many entries changed.</summary>
    public int Follow(IEnumerable<BookEntry> entries)
    {
        var corrected = 0;
        foreach (var entry in entries)
        {
            var listed = entry.IsOpportunity ? OpenOpportunityIds.Contains(entry.Id) : CustomerIds.Contains(entry.Id);
            if (listed == entry.Owned)
            {
                continue;
            }
            corrected++;
            _ = entry.IsOpportunity ? LinkOpportunity(entry.Id, entry.Owned)
                : entry.Owned ? AddCustomer(entry.Id, won: false) : RemoveCustomer(entry.Id);
        }
        return corrected;
    }
}

/// <summary>What one customer's or deal's own record says about the book: whether its owner (still) holds it.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.BookEntry")]
public sealed record BookEntry([property: Id(0)] string Id, [property: Id(1)] bool IsOpportunity, [property: Id(2)] bool Owned);

/// <summary>A copy of a book's entries.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.BookEntries")]
public sealed record BookEntries(
    [property: Id(0)] IReadOnlyList<string> CustomerIds,
    [property: Id(1)] IReadOnlyList<string> WonCustomerIds,
    [property: Id(2)] IReadOnlyList<string> OpenOpportunityIds,
    [property: Id(3)] bool Imported = true)
{
    public static readonly BookEntries Empty = new([], [], []);
}
