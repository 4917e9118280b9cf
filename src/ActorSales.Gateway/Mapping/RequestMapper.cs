using ActorSales.Domain.Common;
using ActorSales.Domain.Customers;
using ActorSales.Domain.Errors;
using Google.Protobuf.WellKnownTypes;
using V1 = ActorSales.Contracts.V1;

namespace ActorSales.Gateway.Mapping;

/// <summary>
/// Proto requests to domain inputs. Only shape is checked here (ids, timestamps that cannot be represented);
/// the rules themselves (lengths, enum values, limits) are the domain's and run in the grain.
/// </summary>
public static class RequestMapper
{
    private const long MinTimestampSeconds = -62_135_596_800; // 0001-01-01T00:00:00Z
    private const long MaxTimestampSeconds = 253_402_300_799; // 9999-12-31T23:59:59Z

    public static CustomerDetails ToDetails(
        string name, string company, string industry, V1.CustomerTier tier,
        IReadOnlyCollection<V1.Contact> contacts, V1.Address? address, V1.SourceChannel source, V1.GeoPoint? location = null, bool unsubscribed = false)
    {
        if (contacts.Count > Limits.MaxContacts)
        {
            throw new ValidationException("contacts", $"at most {Limits.MaxContacts} contacts are allowed");
        }
        return new CustomerDetails(
            name, company, industry, (CustomerTier)tier,
            contacts.Select(c => new Contact(c.Name, c.Title, c.Phone, c.Email, c.Key, (ContactChannel)c.PreferredChannel, c.Preferences)).ToList(),
            address is null ? null : new Address(address.Street, address.City, address.Region, address.PostalCode, address.Country),
            (SourceChannel)source,
            location is null ? null : new GeoPoint(location.Latitude, location.Longitude),
            unsubscribed);
    }

    public static ActivityDraft ToDraft(V1.LogActivityRequest request) => new(
        (ActivityKind)request.Kind,
        RequiredTimestamp(request.OccurredAt, "occurred_at"),
        request.Summary,
        string.IsNullOrEmpty(request.NextAction) ? null : request.NextAction,
        OptionalTimestamp(request.NextActionDueAt, "next_action_due_at"),
        request.Location is null ? null : new GeoPoint(request.Location.Latitude, request.Location.Longitude),
        request.CheckIn is { } checkIn ? new VisitCheckIn(
            checkIn.Location is { } point ? new GeoPoint(point.Latitude, point.Longitude) : throw new ValidationException("check_in.location", "is required"),
            RequiredTimestamp(checkIn.CheckedInAt, "check_in.checked_in_at"),
            checkIn.PhotoReference) : null,
        request.HasDurationSeconds ? request.DurationSeconds : null);

    public static DateTimeOffset RequiredTimestamp(Timestamp? timestamp, string field) =>
        OptionalTimestamp(timestamp, field) ?? throw new ValidationException(field, "is required");

    public static DateTimeOffset? OptionalTimestamp(Timestamp? timestamp, string field)
    {
        if (timestamp is null)
        {
            return null;
        }
        // Timestamp.ToDateTimeOffset throws on seconds outside 0001..9999 or nanos outside 0..999,999,999.
        if (timestamp.Nanos is < 0 or > 999_999_999 || timestamp.Seconds is < MinTimestampSeconds or > MaxTimestampSeconds)
        {
            throw new ValidationException(field, "is not a representable timestamp");
        }
        return timestamp.ToDateTimeOffset();
    }

    /// <summary>Money from the API; null when not given.</summary>
    public static ActorSales.Domain.Pipeline.Money? ToMoney(V1.Money? money, string field) =>
        money is null ? null : ActorSales.Domain.Pipeline.OpportunityRules.ParseMoney(money.Amount, money.Currency, field);

    /// <summary>An optional id (empty means "not given").</summary>
    /// <summary>
    /// A composite id such as "{opportunity}/approval/{n}": <paramref name="segments"/> segments, the second being
    /// <paramref name="marker"/>, each a safe id.
    /// </summary>
    public static string CompositeId(string? id, string marker, int segments, string field)
    {
        var parts = (id ?? string.Empty).Split('/');
        if (parts.Length != segments || parts[1] != marker)
        {
            throw new ValidationException(field, $"is not a{(marker[0] is 'a' or 'e' or 'i' or 'o' or 'u' ? "n" : "")} {marker} id");
        }
        foreach (var part in parts)
        {
            Guard.Id(part, field);
        }
        return id!;
    }

    public static string? OptionalId(string value, string field) => value.Length == 0 ? null : Guard.Id(value, field);

    /// <summary>Text fields of a partial update: empty means "leave unchanged".</summary>
    public static string? Unchanged(string value) => value.Length == 0 ? null : value;

    public static long? ActivityCursor(string pageToken)
    {
        var cursor = Paging.DecodeToken(pageToken, "activities");
        if (cursor is null)
        {
            return null;
        }
        return long.TryParse(cursor, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : throw new ValidationException("page_token", "is not a token returned by this list; start again without a token");
    }
}
