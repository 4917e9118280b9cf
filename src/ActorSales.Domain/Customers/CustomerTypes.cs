namespace ActorSales.Domain.Customers;

/// <summary>Customer tier; A is a key account.</summary>
public enum CustomerTier
{
    Unspecified = 0,
    A = 1,
    B = 2,
    C = 3,
}

/// <summary>How a customer first came in.</summary>
public enum SourceChannel
{
    Unspecified = 0,
    MarketingEvent = 1,
    Referral = 2,
    Outbound = 3,
    InboundWebForm = 4,
    /// <summary>Brought by a channel partner (distributor, reseller); their payments earn the partner rebates.</summary>
    ChannelPartner = 5,
}

/// <summary>Kind of an activity logged on a customer.</summary>
public enum ActivityKind
{
    Unspecified = 0,
    Visit = 1,
    Call = 2,
    Meeting = 3,
    Email = 4,
    Note = 5,
}

/// <summary>How a contact prefers to be reached.</summary>
public enum ContactChannel
{
    Unspecified = 0,
    Phone = 1,
    Email = 2,
    InPerson = 3,
    Video = 4,
    Messaging = 5,
}

/// <summary>
/// A person at the customer. <paramref name="Key"/> marks a decision maker or the main point of contact;
/// <paramref name="PreferredChannel"/> and <paramref name="Preferences"/> say how they like to be dealt with (best
/// times, language, what to avoid), which is what a new owner needs most after a handover.
/// </summary>
[GenerateSerializer, Immutable, Alias("actorsales.Contact")]
public sealed record Contact(
    [property: Id(0)] string Name,
    [property: Id(1)] string Title,
    [property: Id(2)] string Phone,
    [property: Id(3)] string Email,
    [property: Id(4)] bool Key = false,
    [property: Id(5)] ContactChannel PreferredChannel = ContactChannel.Unspecified,
    [property: Id(6)] string Preferences = "");

/// <summary>A postal address.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.Address")]
public sealed record Address(
    [property: Id(0)] string Street,
    [property: Id(1)] string City,
    [property: Id(2)] string Region,
    [property: Id(3)] string PostalCode,
    [property: Id(4)] string Country);

/// <summary>A WGS84 point.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.GeoPoint")]
public sealed record GeoPoint([property: Id(0)] double Latitude, [property: Id(1)] double Longitude);

/// <summary>The editable description of a customer.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.CustomerDetails")]
public sealed record CustomerDetails(
    [property: Id(0)] string Name,
    [property: Id(1)] string Company,
    [property: Id(2)] string Industry,
    [property: Id(3)] CustomerTier Tier,
    [property: Id(4)] IReadOnlyList<Contact> Contacts,
    [property: Id(5)] Address? Address,
    [property: Id(6)] SourceChannel SourceChannel,
    [property: Id(7)] GeoPoint? Location = null,
    [property: Id(8)] bool Unsubscribed = false);

/// <summary>What a caller reports when logging an activity: a visit may carry its check-in, a call its duration.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.ActivityDraft")]
public sealed record ActivityDraft(
    [property: Id(0)] ActivityKind Kind,
    [property: Id(1)] DateTimeOffset OccurredAt,
    [property: Id(2)] string Summary,
    [property: Id(3)] string? NextAction,
    [property: Id(4)] DateTimeOffset? NextActionDueAt,
    [property: Id(5)] GeoPoint? Location,
    [property: Id(6)] VisitCheckIn? CheckIn = null,
    [property: Id(7)] int? DurationSeconds = null);

/// <summary>
/// One entry of a customer's activity log, with what its check-in proved (distance to the customer, off-site, effective;
/// entries stored before check-ins existed have none).
/// </summary>
[GenerateSerializer, Immutable, Alias("actorsales.Activity")]
public sealed record Activity(
    [property: Id(0)] long Sequence,
    [property: Id(1)] ActivityKind Kind,
    [property: Id(2)] DateTimeOffset OccurredAt,
    [property: Id(3)] string Summary,
    [property: Id(4)] string? NextAction,
    [property: Id(5)] DateTimeOffset? NextActionDueAt,
    [property: Id(6)] GeoPoint? Location,
    [property: Id(7)] string LoggedBy,
    [property: Id(8)] DateTimeOffset LoggedAt,
    [property: Id(9)] VisitCheckIn? CheckIn = null,
    [property: Id(10)] int? DurationSeconds = null,
    [property: Id(11)] double? DistanceMeters = null,
    [property: Id(12)] bool OffSite = false,
    [property: Id(13)] bool Effective = false);
