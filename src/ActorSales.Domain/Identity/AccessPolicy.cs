using ActorSales.Domain.Errors;
using ActorSales.Domain.People;

namespace ActorSales.Domain.Identity;

/// <summary>
/// The one authorisation policy. A rep acts on their own book, a manager on their team's, directors and admins
/// on everything; services read everything and change nothing; a frozen or departed user can do nothing.
/// Every grain asks this class; nothing else decides who may do what.
/// </summary>
public static class AccessPolicy
{
    /// <summary>Throws unless the caller's account may act at all.</summary>
    public static void EnsureActive(Caller caller)
    {
        switch (caller.Status)
        {
            case SalespersonStatus.Active:
                return;
            case SalespersonStatus.Departing:
                throw new AccessDeniedException("account frozen for handover");
            case SalespersonStatus.Departed:
                throw new AccessDeniedException("account has departed");
            default:
                throw new AccessDeniedException("account is not active");
        }
    }

    /// <summary>Whether the caller may see a record owned by <paramref name="ownerId"/> in <paramref name="ownerTeamId"/>.</summary>
    public static bool CanRead(Caller caller, string ownerId, string? ownerTeamId) =>
        IsLive(caller) && (caller.Role == Role.Service || CanManage(caller, ownerId, ownerTeamId));

    /// <summary>Whether the caller may change a record owned by <paramref name="ownerId"/> in <paramref name="ownerTeamId"/>.</summary>
    public static bool CanChange(Caller caller, string ownerId, string? ownerTeamId) =>
        IsLive(caller) && CanManage(caller, ownerId, ownerTeamId);

    public static void EnsureCanRead(Caller caller, string ownerId, string? ownerTeamId, string what)
    {
        EnsureActive(caller);
        if (!CanRead(caller, ownerId, ownerTeamId))
        {
            throw new AccessDeniedException($"you may not read {what}: it belongs to another book");
        }
    }

    public static void EnsureCanChange(Caller caller, string ownerId, string? ownerTeamId, string what)
    {
        EnsureActive(caller);
        if (!CanChange(caller, ownerId, ownerTeamId))
        {
            throw new AccessDeniedException($"you may not change {what}: it belongs to another book");
        }
    }

    /// <summary>Moving a record between owners: managers within their own team only; directors and admins anywhere.</summary>
    public static void EnsureCanTransfer(Caller caller, string? fromTeamId, string? toTeamId)
    {
        EnsureActive(caller);
        var allowed = caller.Role switch
        {
            Role.Director or Role.Admin => true,
            Role.Manager => caller.TeamId is not null && caller.TeamId == fromTeamId && caller.TeamId == toTeamId,
            _ => false,
        };
        if (!allowed)
        {
            throw new AccessDeniedException(caller.Role == Role.Manager
                ? "a manager may transfer only between members of their own team"
                : "only managers, directors and admins may transfer customers");
        }
    }

    /// <summary>Creating and changing salespeople and teams is for directors and admins.</summary>
    public static void EnsureCanAdministerOrganisation(Caller caller)
    {
        EnsureActive(caller);
        if (!caller.IsOrgWide)
        {
            throw new AccessDeniedException("only directors and admins may manage salespeople and teams");
        }
    }

    /// <summary>A team is visible to its members, directors, admins and services.</summary>
    public static void EnsureCanReadTeam(Caller caller, string teamId)
    {
        EnsureActive(caller);
        if (!(caller.IsOrgWide || caller.Role == Role.Service || caller.TeamId == teamId))
        {
            throw new AccessDeniedException("you may read only your own team");
        }
    }

    /// <summary>A team's whole book (forecasts, lists) is for its manager, directors, admins and services.</summary>
    public static void EnsureCanReadTeamBook(Caller caller, string teamId)
    {
        EnsureActive(caller);
        if (!(caller.IsOrgWide || caller.Role == Role.Service || (caller.Role == Role.Manager && caller.TeamId == teamId)))
        {
            throw new AccessDeniedException("only the team's manager, directors and admins may read the team's book");
        }
    }

    /// <summary>Region-wide figures are for directors, admins and services.</summary>
    public static void EnsureCanReadRegion(Caller caller)
    {
        EnsureActive(caller);
        if (!(caller.IsOrgWide || caller.Role == Role.Service))
        {
            throw new AccessDeniedException("only directors, admins and services may read region-wide figures");
        }
    }

    /// <summary>A salesperson's profile is visible to themselves and to whoever may read their book.</summary>
    public static void EnsureCanReadPerson(Caller caller, string personId, string? personTeamId)
    {
        EnsureActive(caller);
        if (caller.UserId != personId && !CanRead(caller, personId, personTeamId))
        {
            throw new AccessDeniedException("you may read only your own profile or your team's");
        }
    }

    private static bool IsLive(Caller caller) => caller.Status == SalespersonStatus.Active;

    private static bool CanManage(Caller caller, string ownerId, string? ownerTeamId) => caller.Role switch
    {
        Role.Director or Role.Admin => true,
        Role.Manager => caller.UserId == ownerId || (caller.TeamId is not null && caller.TeamId == ownerTeamId),
        Role.Rep => caller.UserId == ownerId,
        _ => false,
    };
}
