using ActorSales.Domain.Errors;
using ActorSales.Domain.People;
using ActorSales.Domain.Pipeline;

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

    /// <summary>
    /// Throws unless the caller may read at all: active accounts, and a departing account until the end of its last
    /// working day (its own book only, see <see cref="CanRead"/>). After that day a departing account can do nothing.
    /// </summary>
    public static void EnsureMayRead(Caller caller)
    {
        if (caller.Status == SalespersonStatus.Departing && caller.ReadsOwnBook)
        {
            return;
        }
        if (caller.Status == SalespersonStatus.Departing)
        {
            throw new AccessDeniedException("account frozen for handover; reads ended with the last working day");
        }
        EnsureActive(caller);
    }

    /// <summary>
    /// The freeze, for every RPC: one that changes anything needs an active account that is not a service; one that
    /// only reads needs <see cref="EnsureMayRead"/>. The gateway derives <paramref name="changesState"/> from the API contract, so a new
    /// RPC is frozen unless its proto declares it free of side effects.
    /// </summary>
    public static void EnsureMayCall(Caller caller, bool changesState)
    {
        if (changesState && caller.Role == Role.Service)
        {
            // Whatever the grain would say: a service account never changes anything.
            throw new AccessDeniedException("a service account reads everything and changes nothing");
        }
        if (changesState)
        {
            EnsureActive(caller);
        }
        else
        {
            EnsureMayRead(caller);
        }
    }

    /// <summary>Whether the caller may see a record owned by <paramref name="ownerId"/> in <paramref name="ownerTeamId"/>.</summary>
    public static bool CanRead(Caller caller, string ownerId, string? ownerTeamId) =>
        (IsLive(caller) && (caller.Role is Role.Service or Role.Finance || CanManage(caller, ownerId, ownerTeamId)))
        || (IsReadingOwnBook(caller) && caller.UserId == ownerId);

    /// <summary>Whether the caller may change a record owned by <paramref name="ownerId"/> in <paramref name="ownerTeamId"/>.</summary>
    public static bool CanChange(Caller caller, string ownerId, string? ownerTeamId) =>
        IsLive(caller) && CanManage(caller, ownerId, ownerTeamId);

    public static void EnsureCanRead(Caller caller, string ownerId, string? ownerTeamId, string what)
    {
        EnsureMayRead(caller);
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

    /// <summary>
    /// The first half of <see cref="EnsureCanTransfer"/>, decided before the record's state or the new owner is looked
    /// at: whether the caller may move records out of <paramref name="fromTeamId"/> at all.
    /// </summary>
    public static void EnsureCanTransferFrom(Caller caller, string? fromTeamId)
    {
        EnsureActive(caller);
        var allowed = caller.Role switch
        {
            Role.Director or Role.Admin => true,
            Role.Manager => caller.TeamId is not null && caller.TeamId == fromTeamId,
            _ => false,
        };
        if (!allowed)
        {
            throw new AccessDeniedException(caller.Role == Role.Manager
                ? "a manager may transfer only between members of their own team"
                : "only managers, directors and admins may transfer customers");
        }
    }

    /// <summary>Moving a record between owners: managers within their own team only; directors and admins anywhere.</summary>
    public static void EnsureCanTransfer(Caller caller, string? fromTeamId, string? toTeamId)
    {
        EnsureCanTransferFrom(caller, fromTeamId);
        if (caller.Role == Role.Manager && caller.TeamId != toTeamId)
        {
            throw new AccessDeniedException("a manager may transfer only between members of their own team");
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
        EnsureMayRead(caller);
        if (caller.UserId != personId && !CanRead(caller, personId, personTeamId))
        {
            throw new AccessDeniedException("you may read only your own profile or your team's");
        }
    }

    /// <summary>
    /// Starting a departure or reassigning a handover: the leaver's manager chain (the team's manager or director) or an
    /// admin; never the leaver themselves.
    /// </summary>
    public static void EnsureCanManageDeparture(Caller caller, string leaverId, string? teamManagerId, string? teamDirectorId)
    {
        EnsureActive(caller);
        var allowed = caller.UserId != leaverId && (caller.Role == Role.Admin
            || ((caller.Role is Role.Manager or Role.Director) && (caller.UserId == teamManagerId || caller.UserId == teamDirectorId)));
        if (!allowed)
        {
            throw new AccessDeniedException("only the leaver's manager, the team's director or an admin may start or reassign a handover");
        }
    }

    /// <summary>Accepting or rejecting a handover package: only the receiver it is addressed to.</summary>
    public static void EnsureIsReceiver(Caller caller, string receiverId)
    {
        EnsureActive(caller);
        if (caller.UserId != receiverId)
        {
            throw new AccessDeniedException("only the receiver a handover package is addressed to may accept or reject it");
        }
    }

    /// <summary>A handover is visible to the leaver's manager chain, admins, directors, services and its receivers.</summary>
    public static void EnsureCanReadHandover(Caller caller, string leaverId, string? teamManagerId, string? teamDirectorId, IReadOnlyCollection<string> receiverIds)
    {
        EnsureActive(caller);
        var allowed = caller.IsOrgWide || caller.Role == Role.Service
            || caller.UserId == teamManagerId || caller.UserId == teamDirectorId || receiverIds.Contains(caller.UserId);
        if (!allowed || caller.UserId == leaverId)
        {
            throw new AccessDeniedException("only the leaver's manager chain, its receivers, directors and admins may read this handover");
        }
    }

    /// <summary>
    /// Replacing a department's members, or naming its lead, is for admins: membership is what lets someone see and take
    /// its tasks, and the lead may change the members.
    /// </summary>
    public static void EnsureCanManageDepartment(Caller caller, string what = "change a department's members")
    {
        EnsureActive(caller);
        if (caller.Role != Role.Admin)
        {
            throw new AccessDeniedException($"only admins may {what}");
        }
    }

    /// <summary>
    /// Adding or removing one member: admins, and the department's lead (an active user, as always). Decided before
    /// anything about the department (its members, its version) is revealed.
    /// </summary>
    public static void EnsureCanChangeDepartmentMember(Caller caller, bool isLead)
    {
        EnsureActive(caller);
        if (caller.Role == Role.Service || !(caller.Role == Role.Admin || isLead))
        {
            throw new AccessDeniedException("only the department's lead and admins may add or remove its members");
        }
    }

    /// <summary>A department's member list is visible to its members, directors, admins and services.</summary>
    public static void EnsureCanReadDepartment(Caller caller, bool isMember)
    {
        EnsureActive(caller);
        if (!(caller.IsOrgWide || caller.Role == Role.Service || isMember))
        {
            throw new AccessDeniedException("only the department's members, directors and admins may read its members");
        }
    }

    /// <summary>
    /// A department's queue shows other teams' opportunities, so it is for the department's members, admins and services
    /// (which read everything); a rep, manager or director who is not a member may not list it.
    /// </summary>
    public static void EnsureCanListDepartmentTasks(Caller caller, bool isMember)
    {
        EnsureActive(caller);
        if (!(caller.Role is Role.Admin or Role.Service || isMember))
        {
            throw new AccessDeniedException("only the department's members and admins may list its tasks");
        }
    }

    /// <summary>
    /// Claiming a task: active members of the task's department, and admins; never a service. Decided before anything
    /// about the task (its state, even whether it exists) is revealed, so the message names nothing of it.
    /// </summary>
    public static void EnsureCanClaimTask(Caller caller, bool isDepartmentMember)
    {
        EnsureActive(caller);
        if (caller.Role == Role.Service || !(caller.Role == Role.Admin || isDepartmentMember))
        {
            throw new AccessDeniedException("only members of the task's department and admins may claim it");
        }
    }

    /// <summary>
    /// Completing a task: the department member who claimed it, or an admin; never a service. Like claiming, decided
    /// before anything about the task is revealed.
    /// </summary>
    public static void EnsureCanCompleteTask(Caller caller, string? assigneeId, bool isDepartmentMember)
    {
        EnsureActive(caller);
        var allowed = caller.Role != Role.Service
            && (caller.Role == Role.Admin || (isDepartmentMember && assigneeId is not null && caller.UserId == assigneeId));
        if (!allowed)
        {
            throw new AccessDeniedException("only the department member who claimed the task, or an admin, may complete it");
        }
    }

    /// <summary>
    /// Locking a customer (exempting it from release to the pool): managers who may change the owner's book, directors
    /// and admins; never the owning rep.
    /// </summary>
    public static void EnsureCanLockCustomer(Caller caller, string ownerId, string? ownerTeamId) =>
        EnsureOwnersManagerOrAbove(caller, ownerId, ownerTeamId, "lock a customer");

    /// <summary>Confirming an overdue next action: the owner's manager, directors and admins (as the lock).</summary>
    public static void EnsureCanConfirmNextAction(Caller caller, string ownerId, string? ownerTeamId) =>
        EnsureOwnersManagerOrAbove(caller, ownerId, ownerTeamId, "confirm a next action");

    private static void EnsureOwnersManagerOrAbove(Caller caller, string ownerId, string? ownerTeamId, string what)
    {
        EnsureActive(caller);
        if (caller.Role is not (Role.Manager or Role.Director or Role.Admin) || !CanChange(caller, ownerId, ownerTeamId))
        {
            throw new AccessDeniedException($"only the owner's manager, directors and admins may {what}");
        }
    }

    /// <summary>Naming who may decide a person's approvals: the approver themselves, or an admin.</summary>
    public static void EnsureCanSetDelegate(Caller caller, string approverId)
    {
        EnsureActive(caller);
        if (caller.UserId != approverId && caller.Role != Role.Admin)
        {
            throw new AccessDeniedException("you may name a delegate only for your own approvals");
        }
    }

    /// <summary>A person's pending approvals are listed for that person, directors and admins.</summary>
    public static void EnsureCanListApprovals(Caller caller, string approverId)
    {
        EnsureMayRead(caller);
        if (caller.UserId != approverId && !caller.IsOrgWide)
        {
            throw new AccessDeniedException("you may list only your own approvals");
        }
    }

    /// <summary>
    /// Whether the caller decides an approval: the approver it is addressed to, or their delegate while the delegation
    /// is active at <paramref name="now"/>.
    /// </summary>
    public static bool IsApprovalDecider(Caller caller, string approverId, Delegation? delegation, DateTimeOffset now) =>
        caller.UserId == approverId || (delegation is { } d && d.DelegateId == caller.UserId && d.IsActive(now));

    /// <summary>An approval is visible to whoever decides it and to whoever may read the deal's owner's book.</summary>
    public static void EnsureCanReadApproval(
        Caller caller, string ownerId, string? ownerTeamId, string approverId, Delegation? delegation, DateTimeOffset now)
    {
        if (!IsApprovalDecider(caller, approverId, delegation, now))
        {
            EnsureCanRead(caller, ownerId, ownerTeamId, "this approval");
        }
    }

    /// <summary>
    /// Claiming from a team's public pool: the team's reps and manager. The message names no team, so a refused caller
    /// learns nothing of the pool.
    /// </summary>
    public static void EnsureCanClaimFromPool(Caller caller, string poolTeamId)
    {
        EnsureActive(caller);
        if (caller.TeamId != poolTeamId || caller.Role is not (Role.Rep or Role.Manager))
        {
            throw new AccessDeniedException("only the reps and the manager of the pool's team may claim from it");
        }
    }

    /// <summary>Assigning a pool customer to someone: whoever reads the team's book, except services, which change nothing.</summary>
    public static void EnsureCanAssignFromPool(Caller caller, string poolTeamId)
    {
        EnsureCanReadTeamBook(caller, poolTeamId);
        if (caller.Role == Role.Service)
        {
            throw new AccessDeniedException("services may not assign customers");
        }
    }

    /// <summary>A user's notifications are read by that user (a leaver until the last working day) and admins.</summary>
    public static void EnsureCanReadInbox(Caller caller, string inboxOwnerId)
    {
        EnsureMayRead(caller);
        EnsureInboxOwner(caller, inboxOwnerId);
    }

    /// <summary>Marking notifications read changes the inbox: its active owner, or an admin.</summary>
    public static void EnsureCanChangeInbox(Caller caller, string inboxOwnerId)
    {
        EnsureActive(caller);
        EnsureInboxOwner(caller, inboxOwnerId);
    }

    /// <summary>
    /// Which part of an activity feed (the event log) the caller may follow, optionally narrowed to
    /// <paramref name="requestedTeamId"/>: services, directors and admins everything; a manager their team's and their
    /// own; a rep (and a leaver reading until the last working day) their own book's. <see cref="CanRead"/> still
    /// decides each record.
    /// </summary>
    public static ReadScope FeedScope(Caller caller, string? requestedTeamId)
    {
        EnsureMayRead(caller);
        return caller.Role switch
        {
            Role.Service or Role.Finance or Role.Director or Role.Admin => ReadScope.Everything,
            Role.Manager when requestedTeamId is null || requestedTeamId == caller.TeamId =>
                new ReadScope(caller.TeamId ?? string.Empty, caller.UserId),
            Role.Rep when requestedTeamId is null || requestedTeamId == caller.TeamId => new ReadScope(null, caller.UserId),
            _ => throw new AccessDeniedException("you may follow only your own team's events"),
        };
    }

    /// <summary>
    /// The records a read-model query (search, lists, teams, people) may return to the caller, the same as
    /// <see cref="CanRead"/> decides one by one: services, directors and admins everything; a manager their team's and
    /// their own; a rep, and a leaver reading until the last working day, their own book. For teams the owner half
    /// means the teams the caller belongs to; for salespeople, the caller themselves.
    /// </summary>
    public static ReadScope QueryScope(Caller caller)
    {
        EnsureMayRead(caller);
        if (IsReadingOwnBook(caller))
        {
            return new ReadScope(null, caller.UserId);
        }
        return caller.Role switch
        {
            Role.Service or Role.Finance or Role.Director or Role.Admin => ReadScope.Everything,
            Role.Manager => new ReadScope(caller.TeamId ?? string.Empty, caller.UserId),
            _ => new ReadScope(null, caller.UserId),
        };
    }

    /// <summary>
    /// A query filter naming a team outside the caller's <see cref="QueryScope"/> is refused before anything is read,
    /// so a refusal and an empty page never tell apart whether the team has records. Naming one's own team is allowed.
    /// </summary>
    public static void EnsureCanQueryTeam(Caller caller, string teamId)
    {
        if (!(QueryScope(caller) == ReadScope.Everything || (caller.TeamId is not null && caller.TeamId == teamId)))
        {
            throw new AccessDeniedException("you may list only your own book or your own team's");
        }
    }

    /// <summary>
    /// A query filter naming an owner whose book the caller may not read (<see cref="CanRead"/>; the owner's team as the
    /// salesperson record says, null if there is none) is refused the same way as <see cref="EnsureCanQueryTeam"/>.
    /// </summary>
    public static void EnsureCanQueryOwner(Caller caller, string ownerId, string? ownerTeamId)
    {
        EnsureMayRead(caller);
        if (!(caller.Role is Role.Service or Role.Finance || CanRead(caller, ownerId, ownerTeamId)))
        {
            throw new AccessDeniedException("you may list only your own book or your own team's");
        }
    }

    private static void EnsureInboxOwner(Caller caller, string inboxOwnerId)
    {
        if (caller.UserId != inboxOwnerId && caller.Role != Role.Admin)
        {
            throw new AccessDeniedException("you may read only your own notifications");
        }
    }

    /// <summary>Payments are recorded, reversed and orders cancelled by finance, admins, directors and the team's manager.</summary>
    public static void EnsureCanCollect(Caller caller, string teamId)
    {
        EnsureActive(caller);
        if (!(caller.Role is Role.Finance or Role.Admin or Role.Director || (caller.Role == Role.Manager && caller.TeamId == teamId)))
        {
            throw new AccessDeniedException("only finance, admins, directors and the team's manager record payments on its orders");
        }
    }

    /// <summary>Commission plans are defined by admins and finance.</summary>
    public static void EnsureCanDefineCommissionPlan(Caller caller)
    {
        EnsureActive(caller);
        if (caller.Role is not (Role.Admin or Role.Finance))
        {
            throw new AccessDeniedException("only admins and finance may define commission plans");
        }
    }

    /// <summary>A rep's commission statements are read as their book is: the rep, the team's manager, directors, admins, finance, services.</summary>
    public static void EnsureCanReadStatements(Caller caller, string salespersonId, string? teamId) =>
        EnsureCanRead(caller, salespersonId, teamId, "these commission statements");

    /// <summary>A statement is approved by the rep's manager (never their own), a director or an admin.</summary>
    public static void EnsureCanApproveStatement(Caller caller, string salespersonId, string? teamId)
    {
        EnsureCanReadStatements(caller, salespersonId, teamId);
        EnsureActive(caller);
        var allowed = caller.UserId != salespersonId
            && (caller.IsOrgWide || (caller.Role == Role.Manager && caller.TeamId is not null && caller.TeamId == teamId));
        if (!allowed)
        {
            throw new AccessDeniedException("only the rep's manager, directors and admins approve a commission statement, never their own");
        }
    }

    /// <summary>A statement is finalised by finance or an admin.</summary>
    public static void EnsureCanFinaliseStatement(Caller caller, string salespersonId, string? teamId)
    {
        EnsureCanReadStatements(caller, salespersonId, teamId);
        EnsureActive(caller);
        if (caller.Role is not (Role.Finance or Role.Admin) || caller.UserId == salespersonId)
        {
            throw new AccessDeniedException("only finance and admins finalise a commission statement");
        }
    }

    private static bool IsLive(Caller caller) => caller.Status == SalespersonStatus.Active;

    private static bool IsReadingOwnBook(Caller caller) => caller.Status == SalespersonStatus.Departing && caller.ReadsOwnBook;

    /// <summary>
    /// Leads: whoever may read the owner's book reads the lead; a lead in its team's pool (no owner) is also read by
    /// the team's active reps, who may claim it.
    /// </summary>
    public static void EnsureCanReadLead(Caller caller, string ownerId, string teamId)
    {
        EnsureMayRead(caller);
        var inOwnPool = ownerId.Length == 0 && IsLive(caller) && caller.Role == Role.Rep && caller.TeamId == teamId;
        if (!(inOwnPool || CanRead(caller, ownerId, teamId)))
        {
            throw new AccessDeniedException("you may not read this lead: it belongs to another book");
        }
    }

    /// <summary>A lead is changed by whoever may change the owner's book; a pooled lead by the team's manager, directors and admins.</summary>
    public static void EnsureCanChangeLead(Caller caller, string ownerId, string teamId) =>
        EnsureCanChange(caller, ownerId, teamId, "this lead");

    /// <summary>A team's leads as a whole (its pool, assigning, importing) are for its manager, directors and admins.</summary>
    public static void EnsureCanManageTeamLeads(Caller caller, string teamId)
    {
        EnsureActive(caller);
        var allowed = caller.Role switch
        {
            Role.Director or Role.Admin => true,
            Role.Manager => caller.TeamId is not null && caller.TeamId == teamId,
            _ => false,
        };
        if (!allowed)
        {
            throw new AccessDeniedException(caller.Role == Role.Manager
                ? "a manager may manage only their own team's leads"
                : "only managers, directors and admins may manage a team's leads");
        }
    }

    /// <summary>Claiming from a lead pool: an active rep or manager of the pool's team.</summary>
    public static void EnsureCanClaimLead(Caller caller, string teamId)
    {
        EnsureActive(caller);
        if (caller.Role is not (Role.Rep or Role.Manager) || caller.TeamId != teamId)
        {
            throw new AccessDeniedException("you may claim only leads of your own team's lead pool");
        }
    }

    private static bool CanManage(Caller caller, string ownerId, string? ownerTeamId) => caller.Role switch
    {
        Role.Director or Role.Admin => true,
        Role.Manager => caller.UserId == ownerId || (caller.TeamId is not null && caller.TeamId == ownerTeamId),
        Role.Rep => caller.UserId == ownerId,
        _ => false,
    };
}
