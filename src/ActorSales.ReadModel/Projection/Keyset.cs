using System.Buffers.Text;
using System.Text.Json;
using ActorSales.Domain.Errors;

namespace ActorSales.ReadModel;

/// <summary>
/// A row's place in a sorted list: a number (a time's UTC ticks, an amount, a search rank), a text (a sort name), and
/// the id as the tie-break; compared in that order (text and id ordinally). Stores page by keyset: the next page holds
/// the rows after the last key of this one.
/// </summary>
public readonly record struct SortKey(decimal Number, string Text, string Id) : IComparable<SortKey>
{
    public int CompareTo(SortKey other)
    {
        var byNumber = Number.CompareTo(other.Number);
        if (byNumber != 0)
        {
            return byNumber;
        }
        var byText = string.CompareOrdinal(Text, other.Text);
        return byText != 0 ? byText : string.CompareOrdinal(Id, other.Id);
    }
}

/// <summary>
/// Opaque page tokens: the last row's <see cref="SortKey"/> and the shape of the query it continues (entity, sort,
/// direction), base64url. A token from another query shape, or one that does not parse, is a
/// <see cref="ValidationException"/> on page_token.
/// </summary>
public static class PageTokens
{
    public const string Field = "page_token";

    public static string Encode(string shape, SortKey last) =>
        Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(new Token(shape, last.Number, last.Text, last.Id)));

    /// <summary>The key to continue after, or null for the first page.</summary>
    public static SortKey? Decode(string shape, string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return null;
        }
        Token? parsed;
        try
        {
            parsed = token.Length <= 2048 ? JsonSerializer.Deserialize<Token>(Base64Url.DecodeFromChars(token)) : null;
        }
        catch (Exception exception) when (exception is FormatException or JsonException)
        {
            parsed = null;
        }
        if (parsed is null || parsed.Shape != shape || parsed.Text is null || parsed.Id is null)
        {
            throw new ValidationException(Field, "is not a token this query returned; start again without it");
        }
        return new SortKey(parsed.Number, parsed.Text, parsed.Id);
    }

    /// <summary>Checks a page size against <see cref="ReadModelLimits.MaxPageSize"/>.</summary>
    public static int CheckPageSize(int pageSize) =>
        pageSize is >= 1 and <= ReadModelLimits.MaxPageSize
            ? pageSize
            : throw new ValidationException("page_size", $"must be 1..{ReadModelLimits.MaxPageSize}");

    private sealed record Token(string Shape, decimal Number, string Text, string Id);
}
