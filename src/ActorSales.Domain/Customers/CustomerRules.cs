using System.Net.Mail;
using ActorSales.Domain.Common;
using ActorSales.Domain.Errors;

namespace ActorSales.Domain.Customers;

/// <summary>Validation of customer input and the meaning of "real follow-up".</summary>
public static class CustomerRules
{
    /// <summary>Fields of a customer that an update may name.</summary>
    public static readonly IReadOnlySet<string> UpdatableFields =
        new HashSet<string>(StringComparer.Ordinal) { "name", "company", "industry", "tier", "contacts", "address", "location", "unsubscribed" };

    /// <summary>
    /// Outreach (calls, emails, visits) to a contact who unsubscribed is refused, for a lead as for a customer (seed
    /// 001: unsubscribed contacts are never contacted again); notes and meetings they asked for are not outreach.
    /// </summary>
    public static void EnsureMayReach(bool unsubscribed, ActivityKind kind, string record)
    {
        if (unsubscribed && kind is ActivityKind.Call or ActivityKind.Email or ActivityKind.Visit)
        {
            throw new PreconditionFailedException($"rule 'unsubscribed': the contact of {record} unsubscribed; outreach (calls, emails, visits) is blocked");
        }
    }

    /// <summary>Validates and normalises (trims) customer details, throwing on the first bad field.</summary>
    public static CustomerDetails Validate(CustomerDetails details)
    {
        if (details.Contacts.Count > Limits.MaxContacts)
        {
            throw new ValidationException("contacts", $"at most {Limits.MaxContacts} contacts are allowed");
        }
        var contacts = new List<Contact>(details.Contacts.Count);
        for (var i = 0; i < details.Contacts.Count; i++)
        {
            contacts.Add(ValidateContact(details.Contacts[i], $"contacts[{i}]"));
        }
        return new CustomerDetails(
            Guard.Required(details.Name, "name"),
            Guard.Optional(details.Company, "company"),
            Guard.Optional(details.Industry, "industry"),
            Guard.Enum(details.Tier, "tier"),
            contacts,
            details.Address is null ? null : ValidateAddress(details.Address),
            Guard.Enum(details.SourceChannel, "source_channel"),
            details.Location is null ? null : GeoRules.Validate(details.Location, "location"),
            details.Unsubscribed);
    }

    /// <summary>
    /// Validates an activity draft against the current time: reported within the field-work window, a check-in only on a
    /// visit, a call with its duration.
    /// </summary>
    public static ActivityDraft Validate(ActivityDraft draft, DateTimeOffset now, FieldWorkOptions? fieldWork = null)
    {
        var options = fieldWork ?? new FieldWorkOptions();
        Guard.Enum(draft.Kind, "kind");
        FieldWorkRules.ReportedTime(draft.OccurredAt, "occurred_at", now, options);
        var summary = Guard.Optional(draft.Summary, "summary", Limits.SummaryMaxLength);
        var nextAction = Guard.Optional(draft.NextAction, "next_action", Limits.SummaryMaxLength);
        DateTimeOffset? due = null;
        if (draft.NextActionDueAt is { } dueAt)
        {
            if (nextAction.Length == 0)
            {
                throw new ValidationException("next_action", "is required when next_action_due_at is set");
            }
            due = Guard.Timestamp(dueAt, "next_action_due_at", Limits.LatestTimestamp);
        }
        else if (nextAction.Length > 0)
        {
            throw new ValidationException("next_action_due_at", "is required when next_action is set");
        }
        if (draft.Location is { } point &&
            (double.IsNaN(point.Latitude) || double.IsNaN(point.Longitude) ||
             point.Latitude is < -90 or > 90 || point.Longitude is < -180 or > 180))
        {
            throw new ValidationException("location", "latitude must be within -90..90 and longitude within -180..180");
        }
        var (checkIn, duration) = FieldWorkRules.Validate(draft, now, options);
        return draft with
        {
            Summary = summary, NextAction = nextAction.Length == 0 ? null : nextAction, NextActionDueAt = due, CheckIn = checkIn, DurationSeconds = duration,
        };
    }

    private static Contact ValidateContact(Contact contact, string field)
    {
        var phone = Guard.Optional(contact.Phone, field + ".phone", 40);
        if (phone.Length > 0)
        {
            foreach (var c in phone)
            {
                if (!(char.IsAsciiDigit(c) || c is '+' or '-' or ' ' or '(' or ')' or '.' or '/'))
                {
                    throw new ValidationException(field + ".phone", "may contain only digits, spaces and + - ( ) . /");
                }
            }
            var digits = DedupKeys.NormalizePhone(phone)!.TrimStart('+');
            if (digits.Length is < 5 or > 20)
            {
                throw new ValidationException(field + ".phone", "must have 5 to 20 digits");
            }
        }
        var email = Guard.Optional(contact.Email, field + ".email", 254);
        if (email.Length > 0 && !IsEmail(email))
        {
            throw new ValidationException(field + ".email", "is not a valid email address");
        }
        return new Contact(Guard.Required(contact.Name, field + ".name"), Guard.Optional(contact.Title, field + ".title"), phone, email,
            contact.Key, Guard.OptionalEnum(contact.PreferredChannel, field + ".preferred_channel"),
            Guard.Optional(contact.Preferences, field + ".preferences", Limits.PreferencesMaxLength));
    }

    private static Address ValidateAddress(Address address) => new(
        Guard.Optional(address.Street, "address.street"),
        Guard.Optional(address.City, "address.city"),
        Guard.Optional(address.Region, "address.region"),
        Guard.Optional(address.PostalCode, "address.postal_code", 20),
        ValidateCountry(address.Country));

    private static string ValidateCountry(string? country)
    {
        var code = Guard.Optional(country, "address.country", 2).ToUpperInvariant();
        if (code.Length is not (0 or 2) || !code.All(char.IsAsciiLetterUpper))
        {
            throw new ValidationException("address.country", "must be an ISO 3166-1 alpha-2 code such as \"DE\"");
        }
        return code;
    }

    private static bool IsEmail(string email) =>
        email.IndexOf('@', StringComparison.Ordinal) is > 0 and var at && at < email.Length - 1 &&
        !email.Contains(' ', StringComparison.Ordinal) &&
        MailAddress.TryCreate(email, out var parsed) && parsed.Address == email;
}
