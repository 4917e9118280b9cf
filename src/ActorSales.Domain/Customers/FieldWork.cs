using ActorSales.Domain.Common;
using ActorSales.Domain.Errors;

namespace ActorSales.Domain.Customers;

/// <summary>Field-work settings (section "ActorSales:FieldWork"): what makes an activity provable and a visit effective.</summary>
public sealed class FieldWorkOptions
{
    public const string Section = "ActorSales:FieldWork";

    /// <summary>How far back an activity's <c>occurred_at</c> (and a check-in's time) may lie: reports are made while they are fresh.</summary>
    public TimeSpan OccurredAtWindow { get; set; } = TimeSpan.FromHours(48);

    /// <summary>A visit checked in farther than this from the customer's location is off-site.</summary>
    public double VisitRadiusMeters { get; set; } = 500;

    /// <summary>An effective visit's summary has at least this many characters.</summary>
    public int EffectiveVisitSummaryMinLength { get; set; } = 20;

    /// <summary>A call shorter than this many seconds is not a real contact for the follow-up rules (3-2-1, release, key customers).</summary>
    public int RealCallMinSeconds { get; set; } = 60;

    public IEnumerable<string> Validate()
    {
        if (OccurredAtWindow < TimeSpan.FromHours(1) || OccurredAtWindow > TimeSpan.FromDays(30))
        {
            yield return $"{Section}:OccurredAtWindow: must be between 1 hour and 30 days";
        }
        if (double.IsNaN(VisitRadiusMeters) || VisitRadiusMeters < 10 || VisitRadiusMeters > 100_000)
        {
            yield return $"{Section}:VisitRadiusMeters: must be between 10 and 100000";
        }
        if (EffectiveVisitSummaryMinLength < 1 || EffectiveVisitSummaryMinLength > Limits.SummaryMaxLength)
        {
            yield return $"{Section}:EffectiveVisitSummaryMinLength: must be between 1 and {Limits.SummaryMaxLength}";
        }
        if (RealCallMinSeconds < 0 || RealCallMinSeconds > 3_600)
        {
            yield return $"{Section}:RealCallMinSeconds: must be between 0 and 3600";
        }
    }
}

/// <summary>A visit's check-in: where the phone was (GPS), when, and the photo taken there (a reference to the stored file).</summary>
[GenerateSerializer, Immutable, Alias("actorsales.VisitCheckIn")]
public sealed record VisitCheckIn(
    [property: Id(0)] GeoPoint Point,
    [property: Id(1)] DateTimeOffset At,
    [property: Id(2)] string PhotoReference);

/// <summary>What the check-in of an activity proves: the distance to the customer, off-site, effective.</summary>
public sealed record VisitAssessment(double? DistanceMeters, bool OffSite, bool Effective);

/// <summary>WGS84 points: validation and great-circle distance.</summary>
public static class GeoRules
{
    /// <summary>The mean Earth radius (IUGG), in metres.</summary>
    public const double EarthRadiusMeters = 6_371_008.8;

    /// <summary>A point with latitude in -90..90 and longitude in -180..180, else INVALID_ARGUMENT naming <c>{field}.latitude</c> / <c>.longitude</c>.</summary>
    public static GeoPoint Validate(GeoPoint point, string field)
    {
        if (double.IsNaN(point.Latitude) || point.Latitude is < -90 or > 90)
        {
            throw new ValidationException(field + ".latitude", "must be within -90..90 degrees");
        }
        if (double.IsNaN(point.Longitude) || point.Longitude is < -180 or > 180)
        {
            throw new ValidationException(field + ".longitude", "must be within -180..180 degrees");
        }
        return point;
    }

    /// <summary>The haversine (great-circle) distance in metres; within 0.5 % of the ellipsoidal distance.</summary>
    public static double DistanceMeters(GeoPoint a, GeoPoint b)
    {
        static double Radians(double degrees) => degrees * Math.PI / 180;
        var dLat = Radians(b.Latitude - a.Latitude);
        var dLon = Radians(b.Longitude - a.Longitude);
        var h = (Math.Sin(dLat / 2) * Math.Sin(dLat / 2)) +
                (Math.Cos(Radians(a.Latitude)) * Math.Cos(Radians(b.Latitude)) * Math.Sin(dLon / 2) * Math.Sin(dLon / 2));
        return 2 * EarthRadiusMeters * Math.Asin(Math.Sqrt(Math.Min(1, h)));
    }
}

/// <summary>
/// Field work that proves itself: the reporting window of an activity, the visit's check-in against the customer's
/// location, an effective visit, and a call long enough to be a real contact. Pure functions of the input and the options.
/// </summary>
public static class FieldWorkRules
{
    public const int PhotoReferenceMaxLength = 500;
    public const int MaxCallSeconds = 86_400;

    /// <summary>A reported time: not more than the skew ahead of now, not older than the window.</summary>
    public static DateTimeOffset ReportedTime(DateTimeOffset value, string field, DateTimeOffset now, FieldWorkOptions options)
    {
        var earliest = now - options.OccurredAtWindow;
        var latest = now + Limits.OccurredAtSkew;
        if (value < earliest || value > latest)
        {
            throw new ValidationException(field,
                $"must be within the last {options.OccurredAtWindow.TotalHours:0.##} hours and at most {Limits.OccurredAtSkew.TotalMinutes:0} minutes ahead " +
                $"(between {earliest:yyyy-MM-ddTHH:mm:ssZ} and {latest:yyyy-MM-ddTHH:mm:ssZ})");
        }
        return value;
    }

    /// <summary>Validates a check-in (only a visit has one) and a call's duration (a call needs one).</summary>
    public static (VisitCheckIn? CheckIn, int? DurationSeconds) Validate(ActivityDraft draft, DateTimeOffset now, FieldWorkOptions options)
    {
        VisitCheckIn? checkIn = null;
        if (draft.CheckIn is { } given)
        {
            if (draft.Kind != ActivityKind.Visit)
            {
                throw new ValidationException("check_in", "only a visit has a check-in");
            }
            checkIn = new VisitCheckIn(
                GeoRules.Validate(given.Point, "check_in.location"),
                ReportedTime(given.At, "check_in.checked_in_at", now, options),
                Guard.Optional(given.PhotoReference, "check_in.photo_reference", PhotoReferenceMaxLength));
        }
        if (draft.DurationSeconds is { } seconds && seconds is < 0 or > MaxCallSeconds)
        {
            throw new ValidationException("duration_seconds", $"must be between 0 and {MaxCallSeconds}");
        }
        if (draft.Kind == ActivityKind.Call && draft.DurationSeconds is null)
        {
            throw new ValidationException("duration_seconds", "is required for a call (0 for a call nobody answered)");
        }
        return (checkIn, draft.DurationSeconds);
    }

    /// <summary>
    /// A visit with a check-in is measured against the customer's location: farther than the radius is off-site. Effective:
    /// a visit checked in within range, with a photo and a summary of at least the configured length. A customer without
    /// a location cannot be checked: such a visit is neither off-site nor effective.
    /// </summary>
    public static VisitAssessment Assess(ActivityKind kind, VisitCheckIn? checkIn, string summary, GeoPoint? customerLocation, FieldWorkOptions options)
    {
        if (kind != ActivityKind.Visit || checkIn is null)
        {
            return new VisitAssessment(null, false, false);
        }
        if (customerLocation is null)
        {
            return new VisitAssessment(null, false, false);
        }
        var distance = Math.Round(GeoRules.DistanceMeters(checkIn.Point, customerLocation), 1);
        var offSite = distance > options.VisitRadiusMeters;
        var effective = !offSite && checkIn.PhotoReference.Length > 0 && summary.Trim().Length >= options.EffectiveVisitSummaryMinLength;
        return new VisitAssessment(distance, offSite, effective);
    }

    /// <summary>
    /// Real contact, what the follow-up rules key on: a visit, call or meeting with a summary, and a call only if it
    /// lasted at least the configured seconds. Emails and notes are activity but not contact.
    /// </summary>
    public static bool IsRealContact(ActivityKind kind, string summary, int? durationSeconds, FieldWorkOptions options) =>
        kind is ActivityKind.Visit or ActivityKind.Call or ActivityKind.Meeting && !string.IsNullOrWhiteSpace(summary) &&
        (kind != ActivityKind.Call || durationSeconds is not { } seconds || seconds >= options.RealCallMinSeconds);
}
