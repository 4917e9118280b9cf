using ActorSales.Domain.Identity;
using ActorSales.Domain.Pipeline;

namespace ActorSales.Grains.Abstractions.Opportunities;

/// <summary>A task as callers see it.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.DepartmentTaskView")]
public sealed record DepartmentTaskView(
    [property: Id(0)] string Id,
    [property: Id(1)] string Department,
    [property: Id(2)] string Title,
    [property: Id(3)] string OpportunityId,
    [property: Id(4)] string Stage,
    [property: Id(5)] DateTimeOffset DueAt,
    [property: Id(6)] DepartmentTaskStatus Status,
    [property: Id(7)] string? AssigneeId,
    [property: Id(8)] DateTimeOffset CreatedAt,
    [property: Id(9)] DateTimeOffset? CompletedAt,
    [property: Id(10)] string? Note);

/// <summary>A department as callers see it: its members (sorted), its lead (a member; null: none) and the version of both.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.DepartmentView")]
public sealed record DepartmentView(
    [property: Id(0)] string Id,
    [property: Id(1)] IReadOnlyList<string> MemberIds,
    [property: Id(2)] long Version,
    [property: Id(3)] string? LeadId = null);

/// <summary>One cross-department task. Key: "{opportunityId}/task/{stage entry}/{rule}" (see <see cref="TaskRules"/>).</summary>
[Alias("actorsales.IDepartmentTaskGrain")]
public interface IDepartmentTaskGrain : IGrainWithStringKey
{
    /// <summary>Creates the task (idempotent: a second call with the same plan changes nothing) and queues it.</summary>
    [Alias("Create")]
    Task<DepartmentTaskView> Create(TaskPlan plan, string opportunityId, string ownerTeamId);

    /// <summary>Assigns the open task to the caller (a member of its department, or an admin).</summary>
    [Alias("Claim")]
    Task<DepartmentTaskView> Claim(Caller caller);

    /// <summary>Completes the task (the member who claimed it, or an admin).</summary>
    [Alias("Complete")]
    Task<DepartmentTaskView> Complete(string note, Caller caller);

    [Alias("Find"), ReadOnly, AlwaysInterleave]
    Task<DepartmentTaskView?> Find();
}

/// <summary>
/// A department: its members (kept by admins and its lead), its lead (named by admins) and its queue of unfinished tasks (an index, not a scan). Key: the
/// department, e.g. "legal". A department exists as soon as a task rule or an admin names it; until then it has no members.
/// </summary>
[Alias("actorsales.IDepartmentQueueGrain")]
public interface IDepartmentQueueGrain : IGrainWithStringKey
{
    /// <summary>The members (the department's members, directors, admins and services).</summary>
    [Alias("Get"), ReadOnly]
    Task<DepartmentView> Get(Caller caller);

    /// <summary>Replaces the members (admins only); a non-zero <paramref name="expectedVersion"/> must be current.</summary>
    [Alias("SetMembers")]
    Task<DepartmentView> SetMembers(IReadOnlyList<string> memberIds, long expectedVersion, Caller caller);

    /// <summary>Names the lead, who must be a member, or none with an empty id (admins only).</summary>
    [Alias("SetLead")]
    Task<DepartmentView> SetLead(string? leadId, long expectedVersion, Caller caller);

    /// <summary>Adds one member (the department's lead and admins); a member already there changes nothing.</summary>
    [Alias("AddMember")]
    Task<DepartmentView> AddMember(string memberId, long expectedVersion, Caller caller);

    /// <summary>Removes one member, never the lead (the department's lead and admins); a non-member changes nothing.</summary>
    [Alias("RemoveMember")]
    Task<DepartmentView> RemoveMember(string memberId, long expectedVersion, Caller caller);

    /// <summary>The lead (null: none), for the department's tasks to tell when overdue (no caller check).</summary>
    [Alias("FindLead"), ReadOnly, AlwaysInterleave]
    Task<string?> FindLead();

    /// <summary>Whether <paramref name="userId"/> is a member, for the department's tasks to decide access (no caller check).</summary>
    [Alias("IsMember"), ReadOnly, AlwaysInterleave]
    Task<bool> IsMember(string userId);

    [Alias("Add")]
    Task Add(string taskId, DateTimeOffset dueAt);

    [Alias("Remove")]
    Task Remove(string taskId);

    /// <summary>Unfinished tasks, earliest due first, after the cursor (the department's members, admins and services).</summary>
    [Alias("List"), ReadOnly]
    Task<Page<DepartmentTaskView>> List(Caller caller, int pageSize, string? afterCursor);
}
