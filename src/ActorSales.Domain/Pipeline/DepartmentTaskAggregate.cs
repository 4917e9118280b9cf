using ActorSales.Domain.Common;
using ActorSales.Domain.Deadlines;
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

    /// <summary>Deadline firings acted on (the overdue notice), so each acts once per task and due time.</summary>
    List<string> FiredDeadlines { get; set; }
}

/// <summary>What happened to a task; published with the task as the change left it.</summary>
public abstract record DepartmentTaskEvent;

/// <summary>A task changed (created, claimed, done).</summary>
public sealed record DepartmentTaskChanged : DepartmentTaskEvent;

/// <summary>The task passed its due time not done; <paramref name="LeadId"/> was told (null: the department has no lead).</summary>
public sealed record DepartmentTaskOverdue(string? LeadId) : DepartmentTaskEvent;

/// <summary>What other records must learn about a task's change.</summary>
public abstract record DepartmentTaskFollowUp
{
    /// <summary>The task leaves its department's queue.</summary>
    public sealed record RemoveFromQueue(string Department) : DepartmentTaskFollowUp;

    /// <summary>A notification in one user's inbox.</summary>
    public sealed record Notify(string RecipientId, Notification Notification) : DepartmentTaskFollowUp;
}

/// <summary>
/// A cross-department task's decisions: created once per id, claimed once, completed once; past its due time (from
/// its task rule's <see cref="StageTaskRule.DueIn"/>) and not done, the department's lead is told once. Access is the
/// grain's (it needs the queue).
/// </summary>
public sealed class DepartmentTaskAggregate(string id, IDepartmentTaskState state) : Aggregate<DepartmentTaskEvent, DepartmentTaskFollowUp>
{
    private const string Entity = "task";

    /// <summary>The rule of the overdue notice on the one deadline engine.</summary>
    public const string OverdueRule = "department-task-overdue";

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

    /// <summary>The overdue deadline at the task's due time while it is not done, unless acted on already.</summary>
    public List<Deadline> Deadlines() =>
        state.Plan is not { } plan || state.Status == DepartmentTaskStatus.Done || state.FiredDeadlines.Contains(new Deadline(OverdueRule, plan.DueAt).FiringKey(id))
            ? []
            : [new Deadline(OverdueRule, plan.DueAt)];

    /// <summary>
    /// The overdue deadline may be due: re-checked against the current state (done meanwhile: nothing), it tells
    /// <paramref name="leadId"/> (the department's lead as the grain looked it up; null: nobody) once per task and due time.
    /// </summary>
    public void Overdue(Deadline deadline, string? leadId, DateTimeOffset now)
    {
        if (deadline.DueAt > now || !Deadlines().Contains(deadline))
        {
            return;
        }
        var key = deadline.FiringKey(id);
        state.FiredDeadlines.Add(key);
        var plan = state.Plan!;
        if (leadId is not null)
        {
            var who = state.AssigneeId is { } assignee ? $"claimed by {assignee}" : "not claimed";
            Then(new DepartmentTaskFollowUp.Notify(leadId, new Notification($"{key}:{leadId}", "department_task_overdue", NotificationSeverity.Warning,
                Entity, id, $"Task '{plan.Title}' of {plan.Department} was due {plan.DueAt:yyyy-MM-dd HH:mm} UTC and is not done ({who})", now)));
        }
        Raise(new DepartmentTaskOverdue(leadId));
    }

    private void EnsureCreated()
    {
        if (state.Plan is null)
        {
            throw new NotFoundException(Entity, id);
        }
    }
}
