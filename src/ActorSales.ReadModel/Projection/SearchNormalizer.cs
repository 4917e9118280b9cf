using System.Text;
using ActorSales.Contracts.V1;

namespace ActorSales.ReadModel;

/// <summary>What a search asks for: normalised text, and the digits when the text reads as a phone fragment.</summary>
public sealed record SearchTerm(string Text, string? Digits)
{
    public bool IsEmpty => Text.Length == 0;
}

/// <summary>
/// The one definition of customer search both stores implement. A customer's searchable fields (name, company,
/// contact names, emails) are normalised (<see cref="Text"/>: NFKC, lower case, single spaces; Chinese text stays as
/// it is, so 中心医院 is a substring of 杭州市第一中心医院) and kept one per line in <see cref="CustomerRow.SearchText"/>;
/// contact phones are kept as digit strings, one per line, in <see cref="CustomerRow.SearchDigits"/>, so "1380013",
/// "138 0013" and "+86 138-0013" all find +86 138 0013 8000. <see cref="Rank"/> orders matches: a whole field equal
/// to the query (0), a field starting with it (1), the query anywhere (2); ties by name, then id.
/// </summary>
public static class SearchNormalizer
{
    /// <summary>Fewest digits for a query to search phones too (fewer would match almost every number).</summary>
    public const int MinPhoneDigits = 3;

    private const char FieldSeparator = '\n';

    public static string Text(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return string.Empty;
        }
        var normalized = value.Normalize(NormalizationForm.FormKC).ToLowerInvariant();
        var builder = new StringBuilder(normalized.Length);
        var space = false;
        foreach (var c in normalized)
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c))
            {
                space = builder.Length > 0;
                continue;
            }
            if (space)
            {
                builder.Append(' ');
                space = false;
            }
            builder.Append(c);
        }
        return builder.ToString();
    }

    /// <summary>The ASCII digits of a phone number (after NFKC, so full-width digits count).</summary>
    public static string Digits(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return string.Empty;
        }
        var builder = new StringBuilder(value.Length);
        foreach (var c in value.Normalize(NormalizationForm.FormKC))
        {
            if (c is >= '0' and <= '9')
            {
                builder.Append(c);
            }
        }
        return builder.ToString();
    }

    /// <summary>The customer's searchable text, one normalised field per line, empty fields left out.</summary>
    public static string CustomerText(Customer customer)
    {
        var fields = new List<string> { Text(customer.Name), Text(customer.Company) };
        foreach (var contact in customer.Contacts)
        {
            fields.Add(Text(contact.Name));
            fields.Add(Text(contact.Email));
        }
        return string.Join(FieldSeparator, fields.Where(f => f.Length > 0).Distinct(StringComparer.Ordinal));
    }

    /// <summary>The customer's contact phones as digit strings, one per line.</summary>
    public static string CustomerDigits(Customer customer) =>
        string.Join(FieldSeparator, customer.Contacts.Select(c => Digits(c.Phone)).Where(d => d.Length > 0).Distinct(StringComparer.Ordinal));

    /// <summary>Reads a query: its normalised text, and its digits if it is made of phone characters only.</summary>
    public static SearchTerm Parse(string? query)
    {
        var text = Text(query);
        var digits = Digits(text);
        var phoneLike = digits.Length >= MinPhoneDigits && text.All(c => c is (>= '0' and <= '9') or ' ' or '+' or '-' or '(' or ')' or '.');
        return new SearchTerm(text, phoneLike ? digits : null);
    }

    /// <summary>How well a row matches (0 best), or null if it does not.</summary>
    public static int? Rank(string searchText, string searchDigits, SearchTerm term)
    {
        if (term.IsEmpty)
        {
            return null;
        }
        var best = RankIn(searchText, term.Text);
        if (term.Digits is { } digits && RankIn(searchDigits, digits) is { } phoneRank && (best is null || phoneRank < best))
        {
            best = phoneRank;
        }
        return best;
    }

    public static int? Rank(CustomerRow row, SearchTerm term) => Rank(row.SearchText, row.SearchDigits, term);

    private static int? RankIn(string fields, string needle)
    {
        if (fields.Length == 0 || !fields.Contains(needle, StringComparison.Ordinal))
        {
            return null;
        }
        var lined = FieldSeparator + fields + FieldSeparator;
        if (lined.Contains(FieldSeparator + needle + FieldSeparator, StringComparison.Ordinal))
        {
            return 0;
        }
        return lined.Contains(FieldSeparator + needle, StringComparison.Ordinal) ? 1 : 2;
    }
}
