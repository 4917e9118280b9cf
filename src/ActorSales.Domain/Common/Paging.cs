using System.Buffers.Text;
using System.Text;
using ActorSales.Domain.Errors;

namespace ActorSales.Domain.Common;

/// <summary>Page sizes and opaque page tokens (a base64url-encoded cursor with a kind prefix).</summary>
public static class Paging
{
    public static int PageSize(int requested, string field = "page_size") => requested switch
    {
        0 => Limits.DefaultPageSize,
        < 0 or > Limits.MaxPageSize => throw new ValidationException(field, $"must be between 1 and {Limits.MaxPageSize}"),
        _ => requested,
    };

    public static string EncodeToken(string kind, string cursor) =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"{kind}:{cursor}"));

    /// <summary>Decodes a token made by <see cref="EncodeToken"/> for the same kind; null for an empty token.</summary>
    public static string? DecodeToken(string? token, string kind, string field = "page_token")
    {
        if (string.IsNullOrEmpty(token))
        {
            return null;
        }
        try
        {
            if (token.Length > 512)
            {
                throw new FormatException();
            }
            var text = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token));
            var prefix = kind + ":";
            if (!text.StartsWith(prefix, StringComparison.Ordinal))
            {
                throw new FormatException();
            }
            return text[prefix.Length..];
        }
        catch (FormatException)
        {
            throw new ValidationException(field, "is not a token returned by this list; start again without a token");
        }
    }
}
