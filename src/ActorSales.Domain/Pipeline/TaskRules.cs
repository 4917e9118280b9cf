using ActorSales.Domain.Common;

namespace ActorSales.Domain.Pipeline;

/// <summary>Lifecycle of a cross-department task.</summary>
public enum DepartmentTaskStatus
{
    Unspecified = 0,
    Open = 1,
    Claimed = 2,
    Done = 3,
}

/// <summary>"Entering stage S of pipeline P creates a task for department D, due after DueIn" (configuration).</summary>
public sealed class StageTaskRule
{
    public string Pipeline { get; set; } = string.Empty;
    public string Stage { get; set; } = string.Empty;
    public string Department { get; set; } = string.Empty;
    public string Title { get; set; } = string.Empty;
    public TimeSpan DueIn { get; set; } = TimeSpan.FromDays(2);
}

/// <summary>A task to create, with its deterministic id.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.TaskPlan")]
public sealed record TaskPlan(
    [property: Id(0)] string TaskId,
    [property: Id(1)] string Department,
    [property: Id(2)] string Title,
    [property: Id(3)] string Stage,
    [property: Id(4)] DateTimeOffset DueAt);

public static class TaskRules
{
    /// <summary>
    /// Tasks for entering <paramref name="stage"/>: keyed on the stage value, never on "any update". Ids derive from
    /// the opportunity, the stage entry and the rule, so a retried or replayed change plans the same ids.
    /// </summary>
    public static IReadOnlyList<TaskPlan> ForStageEntry(
        IReadOnlyList<StageTaskRule> rules, string opportunityId, string pipeline, string stage, int entryIndex, DateTimeOffset enteredAt) =>
        rules.Select((rule, index) => (rule, index))
            .Where(r => r.rule.Pipeline == pipeline && r.rule.Stage == stage)
            .Select(r => new TaskPlan($"{opportunityId}/task/{entryIndex}/{r.index}", r.rule.Department, r.rule.Title, stage, enteredAt + r.rule.DueIn))
            .ToList();

    public static string ValidateNote(string note) => Guard.Optional(note, "note", Limits.SummaryMaxLength);
}
