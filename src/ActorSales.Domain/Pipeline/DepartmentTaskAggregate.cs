using ActorSales.Domain.Common;
using ActorSales.Domain.Errors;

namespace ActorSales.Domain.Pipeline;

/// <summary>What a department task aggregate decides over: the persisted state's domain fields.</summary>
public interface IDepartmentTaskState
{
    TaskPlan? Plan { get; set; }
    string OpportunityId { get; set; }
    DepartmentTaskStatus Status { get; set; }
    string? AssigneeId { get; set; }
    DateTimeOffset CreatedAt { get; set; }
    DateTimeOffset? CompletedAt { get; set; }
    string? Note { get; set; }
    string OwnerTeamId { get; set; }
    long Version { get; set; }
}

/// <summary>A task changed (created, claimed, done); published with the task as the change left it.</summary>
public sealed record DepartmentTaskChanged;

/// <summary>What other records must learn about a task's change.</summary>
public abstract record DepartmentTaskFollowUp
{
    /// <summary>The task leaves its department's queue.</summary>
    public sealed record RemoveFromQueue(string Department) : DepartmentTaskFollowUp;
}

/// <summary>A cross-department task's decisions: created once per id, claimed once, completed once. Access is the grain's (it needs the queue).</summary>
public sealed class DepartmentTaskAggregate(string id, IDepartmentTaskState state) : Aggregate<DepartmentTaskChanged, DepartmentTaskFollowUp>
{
    private const string Entity = "task";

    protected override long Version { get => state.Version; set => state.Version = value; }

    /// <summary>Creates the task; a task that exists already (a retried or replayed stage entry) stays as it is.</summary>
    public void Create(TaskPlan plan, string opportunityId, string ownerTeamId, DateTimeOffset now)
    {
        if (state.Plan is not null)
        {
            return;
        }
        state.Plan = plan;
        state.OpportunityId = opportunityId;
        state.OwnerTeamId = ownerTeamId;
        state.Status = DepartmentTaskStatus.Open;
        state.CreatedAt = now;
        Raise(new DepartmentTaskChanged());
    }

    public void Claim(string userId)
    {
        EnsureCreated();
        if (state.Status != DepartmentTaskStatus.Open)
        {
            throw new PreconditionFailedException(state.Status == DepartmentTaskStatus.Claimed
                ? $"task '{id}' is already claimed by '{state.AssigneeId}'"
                : $"task '{id}' is done");
        }
        state.Status = DepartmentTaskStatus.Claimed;
        state.AssigneeId = userId;
        Raise(new DepartmentTaskChanged());
    }

    /// <summary>Completes the task (by its assignee, or whoever completes an unclaimed one); it leaves the queue.</summary>
    public void Complete(string note, string userId, DateTimeOffset now)
    {
        EnsureCreated();
        var text = TaskRules.ValidateNote(note);
        if (state.Status == DepartmentTaskStatus.Done)
        {
            throw new PreconditionFailedException($"task '{id}' is already done");
        }
        state.Status = DepartmentTaskStatus.Done;
        state.AssigneeId ??= userId;
        state.CompletedAt = now;
        state.Note = text;
        Raise(new DepartmentTaskChanged());
        Then(new DepartmentTaskFollowUp.RemoveFromQueue(state.Plan!.Department));
    }

    private void EnsureCreated()
    {
        if (state.Plan is null)
        {
            throw new NotFoundException(Entity, id);
        }
    }
}
