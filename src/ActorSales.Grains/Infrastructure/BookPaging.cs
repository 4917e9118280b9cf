namespace ActorSales.Grains.Infrastructure;

/// <summary>
/// Pages a book's records (ids in order) without asking every grain in it: records are fetched in batches of a page
/// plus one, in id order, until a page plus one match (or the ids run out). A rep with 5,000 open deals costs a page's
/// worth of grain calls per page, not 5,000.
/// </summary>
internal static class BookPaging
{
    /// <summary>The first <paramref name="pageSize"/> records that <paramref name="keep"/> accepts, and whether more follow.</summary>
    public static async Task<(List<T> Items, bool HasMore)> PageAsync<T>(
        IEnumerable<string> orderedIds, Func<string, Task<T?>> find, Func<T, bool> keep, int pageSize) where T : class
    {
        var found = new List<T>(pageSize + 1);
        foreach (var batch in orderedIds.Chunk(pageSize + 1))
        {
            var records = await Task.WhenAll(batch.Select(find));
            found.AddRange(records.OfType<T>().Where(keep));
            if (found.Count > pageSize)
            {
                break;
            }
        }
        var hasMore = found.Count > pageSize;
        if (hasMore)
        {
            found.RemoveRange(pageSize, found.Count - pageSize);
        }
        return (found, hasMore);
    }
}
