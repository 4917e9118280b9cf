using System.Buffers;
using ActorSales.Domain.Errors;

namespace ActorSales.Domain.Common;

/// <summary>Field checks that throw <see cref="ValidationException"/> naming the field.</summary>
public static class Guard
{
    private static readonly SearchValues<char> IdChars =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-@");

    /// <summary>A client-chosen or server-issued id: 1..64 of letters, digits, '.', '_', '-', '@'.</summary>
    public static string Id(string? value, string field)
    {
        if (string.IsNullOrEmpty(value))
        {
            throw new ValidationException(field, "is required");
        }
        if (value.Length > Limits.IdMaxLength)
        {
            throw new ValidationException(field, $"must be at most {Limits.IdMaxLength} characters");
        }
        if (value.AsSpan().ContainsAnyExcept(IdChars))
        {
            throw new ValidationException(field, "may contain only letters, digits, '.', '_', '-' and '@'");
        }
        return value;
    }

    /// <summary>Required text, trimmed, 1..maxLength characters, no control characters.</summary>
    public static string Required(string? value, string field, int maxLength = Limits.NameMaxLength)
    {
        var text = Optional(value, field, maxLength);
        if (text.Length == 0)
        {
            throw new ValidationException(field, "is required");
        }
        return text;
    }

    /// <summary>Optional text, trimmed, at most maxLength characters, no control characters but line breaks and tabs.</summary>
    public static string Optional(string? value, string field, int maxLength = Limits.NameMaxLength)
    {
        if (value is null)
        {
            return string.Empty;
        }
        if (value.Length > maxLength * 2)
        {
            // Cheap early exit for hostile payloads; trimming could not bring it under the limit anyway.
            throw new ValidationException(field, $"must be at most {maxLength} characters");
        }
        var text = value.Trim();
        if (text.Length > maxLength)
        {
            throw new ValidationException(field, $"must be at most {maxLength} characters");
        }
        foreach (var c in text)
        {
            if (char.IsControl(c) && c is not ('\n' or '\r' or '\t'))
            {
                throw new ValidationException(field, "must not contain control characters");
            }
        }
        return text;
    }

    /// <summary>An enum value that may be left unspecified (0) but must otherwise be a defined one.</summary>
    public static T OptionalEnum<T>(T value, string field) where T : struct, System.Enum =>
        Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture) == 0 ? value : Enum(value, field);

    /// <summary>A defined, non-zero enum value.</summary>
    public static T Enum<T>(T value, string field) where T : struct, System.Enum
    {
        if (!System.Enum.IsDefined(value) || Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture) == 0)
        {
            throw new ValidationException(field, $"must be one of {string.Join(", ", System.Enum.GetNames<T>().Skip(1))}");
        }
        return value;
    }

    /// <summary>A timestamp within <see cref="Limits.EarliestTimestamp"/>..<paramref name="latest"/>.</summary>
    public static DateTimeOffset Timestamp(DateTimeOffset value, string field, DateTimeOffset latest)
    {
        if (value < Limits.EarliestTimestamp || value > latest)
        {
            throw new ValidationException(field, $"must be between {Limits.EarliestTimestamp:yyyy-MM-dd} and {latest:yyyy-MM-ddTHH:mm:ssZ}");
        }
        return value;
    }

    public static long ExpectedVersion(long value, string field = "expected_version") =>
        value >= 0 ? value : throw new ValidationException(field, "must not be negative");

    /// <summary>Throws <see cref="ConcurrencyConflictException"/> if a non-zero expectation is stale.</summary>
    public static void Version(long expected, long actual, string entity, string id)
    {
        if (expected != 0 && expected != actual)
        {
            throw ConcurrencyConflictException.StaleVersion(entity, id, expected, actual);
        }
    }

    /// <summary>An ISO 4217 code: three capital letters after trimming and upper-casing; the message names <paramref name="field"/>.</summary>
    public static string Currency(string? text, string field)
    {
        var currency = (text ?? string.Empty).Trim().ToUpperInvariant();
        if (currency.Length != 3 || !currency.All(char.IsAsciiLetterUpper))
        {
            throw new ValidationException(field, "must be an ISO 4217 code such as \"EUR\"");
        }
        return currency;
    }
}
