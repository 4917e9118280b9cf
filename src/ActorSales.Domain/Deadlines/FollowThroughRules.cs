namespace ActorSales.Domain.Deadlines;

/// <summary>
/// Follow-through on a planned next action (seeds 000/004): the owner is reminded when it falls due; not done (a real
/// contact logged after it was planned, or a new next action) within <see cref="DeadlineOptions.NextActionConfirmAfter"/>
/// the manager is asked to confirm it; unconfirmed <see cref="DeadlineOptions.NextActionEscalateAfter"/> later it goes to
/// the director. Pure: derived from the plan's due date, whether it was done and whether the manager confirmed.
/// </summary>
public static class FollowThroughRules
{
    public const string Due = "next-action-due";
    public const string Confirm = "next-action-confirm";
    public const string Escalate = "next-action-escalate";

    public static bool IsRule(string rule) => rule is Due or Confirm or Escalate;

    public static IReadOnlyList<Deadline> DeadlinesFor(DateTimeOffset? dueAt, bool done, DateTimeOffset? confirmedAt, DeadlineOptions options)
    {
        if (dueAt is not { } due || done)
        {
            return [];
        }
        var askAt = due + options.NextActionConfirmAfter;
        return confirmedAt is null
            ? [new Deadline(Due, due), new Deadline(Confirm, askAt), new Deadline(Escalate, askAt + options.NextActionEscalateAfter)]
            : [new Deadline(Due, due), new Deadline(Confirm, askAt)];
    }
}
