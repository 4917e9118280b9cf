using ActorSales.Domain.People;

namespace ActorSales.Domain.Identity;

/// <summary>
/// Who is calling: the authenticated user id and role from the token, plus the team and status of their
/// salesperson record (admins and services need no record). Built by the gateway, checked by <see cref="AccessPolicy"/>.
/// <see cref="ReadsOwnBook"/>: a departing account before the end of its last working day may still read its own book.
/// <see cref="Request"/>: the change request this call carries out, when the client named it (retry-safe writes).
/// </summary>
[GenerateSerializer, Immutable, Alias("actorsales.Caller")]
public sealed record Caller(
    [property: Id(0)] string UserId,
    [property: Id(1)] Role Role,
    [property: Id(2)] string? TeamId,
    [property: Id(3)] SalespersonStatus Status,
    [property: Id(4)] bool ReadsOwnBook = false,
    [property: Id(5)] ClientRequest? Request = null)
{
    /// <summary>The system itself (deadline firings, migrations); never built from a token.</summary>
    public static Caller System { get; } = new("system", Role.Admin, null, SalespersonStatus.Active);

    public bool IsOrgWide => Role is Role.Director or Role.Admin;
}
