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

/// <summary>One cross-department task. Key: "{opportunityId}/task/{stage entry}/{rule}" (see <see cref="TaskRules"/>).</summary>
[Alias("actorsales.IDepartmentTaskGrain")]
public interface IDepartmentTaskGrain : IGrainWithStringKey
{
    /// <summary>Creates the task (idempotent: a second call with the same plan changes nothing) and queues it.</summary>
    [Alias("Create")]
    Task<DepartmentTaskView> Create(TaskPlan plan, string opportunityId, string ownerTeamId);

    [Alias("Claim")]
    Task<DepartmentTaskView> Claim(Caller caller);

    [Alias("Complete")]
    Task<DepartmentTaskView> Complete(string note, Caller caller);

    [Alias("Find"), ReadOnly, AlwaysInterleave]
    Task<DepartmentTaskView?> Find();
}

/// <summary>A department's queue of unfinished tasks (an index, not a scan). Key: the department, e.g. "legal".</summary>
[Alias("actorsales.IDepartmentQueueGrain")]
public interface IDepartmentQueueGrain : IGrainWithStringKey
{
    [Alias("Add")]
    Task Add(string taskId, DateTimeOffset dueAt);

    [Alias("Remove")]
    Task Remove(string taskId);

    /// <summary>Unfinished tasks, earliest due first, after the cursor.</summary>
    [Alias("List"), ReadOnly]
    Task<Page<DepartmentTaskView>> List(Caller caller, int pageSize, string? afterCursor);
}
