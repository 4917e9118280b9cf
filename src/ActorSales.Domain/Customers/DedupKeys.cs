using System.Globalization;
using System.Text;

namespace ActorSales.Domain.Customers;

/// <summary>
/// Normalised identities of a customer: two customers that share any of them are the same account.
/// Keys have the form "phone:+4930123456", "email:anna@acme.com", "company:acme".
/// </summary>
public static class DedupKeys
{
    private static readonly string[] LegalSuffixes =
    [
        "incorporated", "inc", "corporation", "corp", "company", "co", "limited", "ltd", "llc", "llp", "plc",
        "gmbh", "ag", "kg", "sa", "sas", "sarl", "srl", "spa", "bv", "nv", "oy", "ab", "as", "pty", "pte", "kk",
    ];

    /// <summary>All keys of a customer, distinct, in a stable order.</summary>
    public static IReadOnlyList<string> For(CustomerDetails details)
    {
        var keys = new SortedSet<string>(StringComparer.Ordinal);
        if (NormalizeCompany(details.Company) is { } company)
        {
            keys.Add("company:" + company);
        }
        foreach (var contact in details.Contacts)
        {
            if (NormalizePhone(contact.Phone) is { } phone)
            {
                keys.Add("phone:" + phone);
            }
            if (NormalizeEmail(contact.Email) is { } email)
            {
                keys.Add("email:" + email);
            }
        }
        return [.. keys];
    }

    /// <summary>Human name of a key's kind, for messages: "phone", "email" or "company".</summary>
    public static string KindOf(string key) => key[..key.IndexOf(':', StringComparison.Ordinal)];

    /// <summary>Digits only, a leading '+' kept ("00" international prefix becomes '+'); null when empty.</summary>
    public static string? NormalizePhone(string? phone)
    {
        if (string.IsNullOrWhiteSpace(phone))
        {
            return null;
        }
        var trimmed = phone.Trim();
        var builder = new StringBuilder(trimmed.Length);
        foreach (var c in trimmed)
        {
            if (char.IsAsciiDigit(c))
            {
                builder.Append(c);
            }
        }
        var digits = builder.ToString();
        if (trimmed.StartsWith('+'))
        {
            return "+" + digits;
        }
        return digits.StartsWith("00", StringComparison.Ordinal) ? "+" + digits[2..] : digits;
    }

    /// <summary>Trimmed and lower-cased; null when empty.</summary>
    public static string? NormalizeEmail(string? email) =>
        string.IsNullOrWhiteSpace(email) ? null : email.Trim().ToLowerInvariant();

    /// <summary>
    /// Case, accents, punctuation, spacing and legal-form suffixes ignored: "ACME Corp." and "Acme, Inc" are one
    /// company. Null when nothing is left.
    /// </summary>
    public static string? NormalizeCompany(string? company)
    {
        if (string.IsNullOrWhiteSpace(company))
        {
            return null;
        }
        var decomposed = company.Normalize(NormalizationForm.FormD);
        var words = new List<string>();
        var word = new StringBuilder();
        foreach (var c in decomposed)
        {
            var category = CharUnicodeInfo.GetUnicodeCategory(c);
            if (category == UnicodeCategory.NonSpacingMark)
            {
                continue;
            }
            if (char.IsLetterOrDigit(c))
            {
                word.Append(char.ToLowerInvariant(c));
            }
            else if (c is '.' or '\'')
            {
                // "Co." and "O'Brien" stay one word.
            }
            else if (word.Length > 0)
            {
                words.Add(word.ToString());
                word.Clear();
            }
        }
        if (word.Length > 0)
        {
            words.Add(word.ToString());
        }
        while (words.Count > 1 && Array.IndexOf(LegalSuffixes, words[^1]) >= 0)
        {
            words.RemoveAt(words.Count - 1);
        }
        return words.Count == 0 ? null : string.Join(' ', words).Normalize(NormalizationForm.FormC);
    }
}
