using ActorSales.Domain.Common;
using ActorSales.Domain.Errors;
using ActorSales.Domain.Identity;

namespace ActorSales.Domain.People;

/// <summary>A salesperson's editable profile.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.SalespersonProfile")]
public sealed record SalespersonProfile(
    [property: Id(0)] string Name,
    [property: Id(1)] string Email,
    [property: Id(2)] Role Role,
    [property: Id(3)] string TeamId);

/// <summary>A team's editable profile.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.TeamProfile")]
public sealed record TeamProfile(
    [property: Id(0)] string Name,
    [property: Id(1)] string Region,
    [property: Id(2)] string TimeZone);

/// <summary>Validation of salespeople and teams.</summary>
public static class PeopleRules
{
    public static SalespersonProfile Validate(SalespersonProfile profile)
    {
        var email = Guard.Required(profile.Email, "email", 254);
        if (email.IndexOf('@', StringComparison.Ordinal) is <= 0 || email.EndsWith('@') || email.Contains(' ', StringComparison.Ordinal))
        {
            throw new ValidationException("email", "is not a valid email address");
        }
        if (profile.Role is not (Role.Rep or Role.Manager or Role.Director))
        {
            throw new ValidationException("role", "must be ROLE_REP, ROLE_MANAGER or ROLE_DIRECTOR");
        }
        return new SalespersonProfile(Guard.Required(profile.Name, "name"), email.ToLowerInvariant(), profile.Role, Guard.Id(profile.TeamId, "team_id"));
    }

    public static TeamProfile Validate(TeamProfile profile) => new(
        Guard.Required(profile.Name, "name"),
        Guard.Required(profile.Region, "region"),
        ValidateTimeZone(profile.TimeZone));

    /// <summary>An IANA time zone id this machine knows, e.g. "Europe/Berlin".</summary>
    public static string ValidateTimeZone(string? timeZone)
    {
        var id = Guard.Required(timeZone, "time_zone", 64);
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(id, out _))
        {
            throw new ValidationException("time_zone", $"'{id}' is not a known IANA time zone such as \"Europe/Berlin\"");
        }
        return id;
    }
}
