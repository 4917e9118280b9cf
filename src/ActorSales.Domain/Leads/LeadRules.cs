using ActorSales.Domain.Common;
using ActorSales.Domain.Customers;
using ActorSales.Domain.Errors;

namespace ActorSales.Domain.Leads;

/// <summary>A lead's input checks and its de-duplication keys (the customers' normalisation, so the two compare).</summary>
public static class LeadRules
{
    public const int MaxPhones = 10;
    public const int PhoneMaxLength = 50;
    public const int EmailMaxLength = 254;

    public static readonly IReadOnlySet<string> BasicsPaths = new HashSet<string>(StringComparer.Ordinal) { "name", "company", "phones", "email", "notes" };

    /// <summary>Checks and normalises <paramref name="input"/>; a phone or an email is required (a lead nobody can reach is invalid).</summary>
    /// <remarks><paramref name="prefix"/> is the input's path in the request ("lead."), so messages name the field as the client spells it.</remarks>
    public static LeadInput Validate(LeadInput input, DateTimeOffset now, LeadOptions options, string prefix = "lead.")
    {
        var channel = Guard.Enum(input.SourceChannel, prefix + "source_channel");
        if (input.ArrivedAt > now + Limits.OccurredAtSkew)
        {
            throw new ValidationException(prefix + "arrived_at", $"must not lie more than {Limits.OccurredAtSkew.TotalMinutes:0} minutes in the future");
        }
        if (input.ArrivedAt < now - options.ArrivalWindow || input.ArrivedAt < Limits.EarliestTimestamp)
        {
            throw new ValidationException(prefix + "arrived_at", $"must not lie more than {options.ArrivalWindow.TotalDays:0} days in the past");
        }
        var (name, company, phones, email, notes) = Contact(input.Name, input.Company, input.Phones, input.Email, input.Notes, prefix);
        if (phones.Count == 0 && email.Length == 0)
        {
            throw new ValidationException(prefix + "phones", "a phone or an email is required");
        }
        return new LeadInput(channel, input.ArrivedAt, name, company, phones, email, notes);
    }

    /// <summary>The contact fields checked and normalised (trimmed; phones de-duplicated by their digits).</summary>
    public static (string Name, string Company, IReadOnlyList<string> Phones, string Email, string Notes) Contact(
        string? name, string? company, IReadOnlyList<string>? phones, string? email, string? notes, string prefix = "")
    {
        var n = Guard.Optional(name, prefix + "name");
        var c = Guard.Optional(company, prefix + "company");
        var list = phones ?? [];
        if (list.Count > MaxPhones)
        {
            throw new ValidationException(prefix + "phones", $"at most {MaxPhones} phones");
        }
        var checkedPhones = new List<string>(list.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < list.Count; i++)
        {
            var phone = Guard.Required(list[i], $"{prefix}phones[{i}]", PhoneMaxLength);
            var digits = DedupKeys.NormalizePhone(phone)!;
            if (digits.Count(char.IsAsciiDigit) < 5)
            {
                throw new ValidationException($"{prefix}phones[{i}]", "must have at least 5 digits");
            }
            if (seen.Add(digits))
            {
                checkedPhones.Add(phone);
            }
        }
        var e = Guard.Optional(email, prefix + "email", EmailMaxLength);
        if (e.Length > 0 && (e.IndexOf('@', StringComparison.Ordinal) is var at && (at <= 0 || at == e.Length - 1) || e.Any(char.IsWhiteSpace)))
        {
            throw new ValidationException(prefix + "email", "must be an address such as name@example.com");
        }
        var text = Guard.Optional(notes, prefix + "notes", Limits.SummaryMaxLength);
        return (n, c, checkedPhones, e, text);
    }

    /// <summary>
    /// The lead's de-duplication keys, in the customers' form ("phone:+49...", "email:...", "company:..."). The company
    /// counts only with a contact of its own: two people of one company are two leads, but the same phone or email is one.
    /// </summary>
    public static IReadOnlyList<string> KeysFor(IReadOnlyList<string> phones, string email)
    {
        var keys = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var phone in phones)
        {
            if (DedupKeys.NormalizePhone(phone) is { Length: > 0 } p)
            {
                keys.Add("phone:" + p);
            }
        }
        if (DedupKeys.NormalizeEmail(email) is { } e)
        {
            keys.Add("email:" + e);
        }
        return [.. keys];
    }

    /// <summary>Invalid leads (lead health): not qualified because the contact data is wrong, or spam.</summary>
    public static bool IsInvalid(LeadStatus status, LeadDisqualifyReason reason) =>
        status == LeadStatus.NotQualified && reason is LeadDisqualifyReason.InvalidContact or LeadDisqualifyReason.Spam;
}

/// <summary>
/// An import batch's own duplicates: the first row holding a key keeps it, a later row sharing any key duplicates that
/// row. Pure; the gateway asks before it creates anything, so duplicates within a batch never depend on timing.
/// </summary>
public static class LeadImportPlan
{
    /// <summary>For each row (null: invalid and skipped), the index of the earlier row it duplicates, or -1.</summary>
    public static int[] DuplicatesWithinBatch(IReadOnlyList<IReadOnlyList<string>?> keysPerRow)
    {
        var firstHolder = new Dictionary<string, int>(StringComparer.Ordinal);
        var result = new int[keysPerRow.Count];
        for (var row = 0; row < keysPerRow.Count; row++)
        {
            result[row] = -1;
            if (keysPerRow[row] is not { } keys)
            {
                continue;
            }
            foreach (var key in keys)
            {
                if (firstHolder.TryGetValue(key, out var earlier))
                {
                    result[row] = earlier;
                    break;
                }
            }
            if (result[row] < 0)
            {
                foreach (var key in keys)
                {
                    firstHolder.TryAdd(key, row);
                }
            }
        }
        return result;
    }
}
