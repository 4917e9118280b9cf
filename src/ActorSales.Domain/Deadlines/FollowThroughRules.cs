using ActorSales.Domain.Errors;

namespace ActorSales.Domain.Deadlines;

/// <summary>A planned next action as its follow-through reads and changes it: a customer's or an opportunity's.</summary>
public interface INextActionPlan
{
    string? NextAction { get; set; }
    DateTimeOffset? NextActionDueAt { get; set; }

    /// <summary>The planned next action was done (what does it is the record's own rule: a real contact, a move of the deal).</summary>
    bool NextActionDone { get; set; }

    /// <summary>When the manager confirmed the overdue next action (it then goes no further).</summary>
    DateTimeOffset? NextActionConfirmedAt { get; set; }
}

/// <summary>
/// What a follow-through firing tells: <see cref="RecipientId"/> is the person (the owner, the director), or null for
/// whoever manages the owner's team when the notice is delivered.
/// </summary>
public sealed record FollowThroughNotice(string? RecipientId, Notification Notification);

/// <summary>
/// Follow-through on a planned next action (seeds 000/004), shared by customers and opportunities: the owner is reminded
/// when it falls due; not done (what does it is the record's own rule, or a new next action) within
/// <see cref="DeadlineOptions.NextActionConfirmAfter"/> the manager is asked to confirm it; unconfirmed
/// <see cref="DeadlineOptions.NextActionEscalateAfter"/> later it goes to the director. Pure: derived from the plan's due
/// date, whether it was done and whether the manager confirmed; each firing is acted on once by the record.
/// </summary>
public static class FollowThroughRules
{
    public const string Due = "next-action-due";
    public const string Confirm = "next-action-confirm";
    public const string Escalate = "next-action-escalate";

    /// <summary>The notification kind of every follow-through notice.</summary>
    public const string NotificationKind = "next_action_follow_through";

    public static bool IsRule(string rule) => rule is Due or Confirm or Escalate;

    public static IReadOnlyList<Deadline> DeadlinesFor(INextActionPlan plan, DeadlineOptions options) =>
        DeadlinesFor(plan.NextActionDueAt, plan.NextActionDone, plan.NextActionConfirmedAt, options);

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

    /// <summary>A new plan (or, with a null action, none) replaces the old one, and its follow-through starts over.</summary>
    public static void Plan(INextActionPlan plan, string? action, DateTimeOffset? dueAt)
    {
        plan.NextAction = action;
        plan.NextActionDueAt = action is null ? null : dueAt;
        plan.NextActionDone = false;
        plan.NextActionConfirmedAt = null;
    }

    /// <summary>Whatever the record counts as doing the planned action happened: its follow-through stops. True if it was open.</summary>
    public static bool MarkDone(INextActionPlan plan)
    {
        if (plan.NextAction is null || plan.NextActionDone)
        {
            return false;
        }
        plan.NextActionDone = true;
        return true;
    }

    /// <summary>
    /// The manager confirms the open next action (access is the caller's to check first): true if this confirmed it,
    /// false if it was confirmed already (a repeat changes nothing); FAILED_PRECONDITION without an open next action.
    /// </summary>
    public static bool ConfirmPlan(INextActionPlan plan, string entity, string id, DateTimeOffset now)
    {
        if (plan.NextAction is null || plan.NextActionDueAt is null || plan.NextActionDone)
        {
            throw new PreconditionFailedException($"{entity} '{id}' has no open next action to confirm");
        }
        if (plan.NextActionConfirmedAt is not null)
        {
            return false;
        }
        plan.NextActionConfirmedAt = now;
        return true;
    }

    /// <summary>
    /// What <paramref name="firing"/> tells, about the plan of <paramref name="ownerId"/> on <paramref name="subject"/> (e.g.
    /// "'Acme'"): the owner when it falls due, the team's manager when asked to confirm, the director (the manager when the
    /// team has none) when escalated. Its id is the firing's key, so a replayed firing adds nothing to an inbox.
    /// </summary>
    public static FollowThroughNotice Notice(
        Deadline firing, INextActionPlan plan, string entity, string id, string subject, string ownerId, string? directorId, DateTimeOffset now)
    {
        if (!IsRule(firing.Rule))
        {
            throw new ArgumentException("not a follow-through rule", nameof(firing));
        }
        var key = firing.FiringKey(id);
        var what = $"'{plan.NextAction}' for {subject} (due {plan.NextActionDueAt:yyyy-MM-dd HH:mm} UTC)";
        var (recipient, severity, text) = firing.Rule switch
        {
            Due => (ownerId, NotificationSeverity.Info, $"Next action {what} is due now"),
            Confirm => (null, NotificationSeverity.Warning, $"Next action {what} of {ownerId} is not done: please confirm it (ConfirmNextAction)"),
            _ => (directorId, NotificationSeverity.Critical, $"Next action {what} of {ownerId} is not done and the manager has not confirmed it"),
        };
        return new FollowThroughNotice(recipient,
            new Notification($"{key}:{recipient ?? "manager"}", NotificationKind, severity, entity, id, text, now));
    }
}
