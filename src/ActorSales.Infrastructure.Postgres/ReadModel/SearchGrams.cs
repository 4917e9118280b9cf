using System.Text;

namespace ActorSales.Infrastructure.Postgres.ReadModel;

/// <summary>
/// The index side of search in PostgreSQL, over text already normalised by <see cref="ActorSales.ReadModel.SearchNormalizer"/>:
/// the unigrams and bigrams of every run of non-ASCII letters (CJK has no word breaks and, under the C locale, no
/// trigrams), and escaped LIKE patterns for the trigram index. Both only narrow the candidates; the match and its rank
/// are decided exactly on the normalised columns, as <see cref="ActorSales.ReadModel.SearchNormalizer.Rank(string, string, ActorSales.ReadModel.SearchTerm)"/> does.
/// </summary>
internal static class SearchGrams
{
    /// <summary>Every unigram and bigram of the non-ASCII runs of a row's search text.</summary>
    public static string[] Row(string searchText)
    {
        var grams = new HashSet<string>(StringComparer.Ordinal);
        foreach (var run in Runs(searchText))
        {
            for (var i = 0; i < run.Count; i++)
            {
                grams.Add(run[i]);
                if (i + 1 < run.Count)
                {
                    grams.Add(run[i] + run[i + 1]);
                }
            }
        }
        return [.. grams.Order(StringComparer.Ordinal)];
    }

    /// <summary>The grams a row must have to contain <paramref name="query"/>: bigrams of its runs, a lone character as itself.</summary>
    public static string[] Query(string query)
    {
        var grams = new HashSet<string>(StringComparer.Ordinal);
        foreach (var run in Runs(query))
        {
            if (run.Count == 1)
            {
                grams.Add(run[0]);
            }
            for (var i = 0; i + 1 < run.Count; i++)
            {
                grams.Add(run[i] + run[i + 1]);
            }
        }
        return [.. grams.Order(StringComparer.Ordinal)];
    }

    /// <summary>A LIKE pattern matching <paramref name="fragment"/> anywhere, its wildcards escaped (hostile text is data).</summary>
    public static string ContainsPattern(string fragment) =>
        "%" + fragment.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal) + "%";

    private static IEnumerable<List<string>> Runs(string text)
    {
        var run = new List<string>();
        foreach (var rune in text.EnumerateRunes())
        {
            if (!rune.IsAscii && Rune.IsLetterOrDigit(rune))
            {
                run.Add(rune.ToString());
                continue;
            }
            if (run.Count > 0)
            {
                yield return run;
                run = [];
            }
        }
        if (run.Count > 0)
        {
            yield return run;
        }
    }
}
