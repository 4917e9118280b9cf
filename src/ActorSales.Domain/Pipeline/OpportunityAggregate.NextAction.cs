using ActorSales.Domain.Deadlines;
using ActorSales.Domain.Identity;

namespace ActorSales.Domain.Pipeline;

/// <summary>
/// Follow-through on the deal's planned next action, by the rule customers use (<see cref="FollowThroughRules"/>): the
/// owner when it falls due, the team's manager asked to confirm it, then the director. Evidence or a stage change by the
/// owner does it; a new plan starts over; a closed deal follows nothing through.
/// </summary>
public sealed partial class OpportunityAggregate
{
    private readonly DeadlineOptions _deadlineOptions = deadlineOptions ?? new DeadlineOptions();

    /// <summary>The open plan's follow-through deadlines (none for plans made before opportunities had it).</summary>
    private IReadOnlyList<Deadline> NextActionDeadlines() =>
        state.NextActionPlannedAt is null ? [] : FollowThroughRules.DeadlinesFor(state, _deadlineOptions);

    /// <summary>
    /// The owner's manager (or a director, an admin) confirms the open next action that was not done in time: the director
    /// is not asked. Once per plan; FAILED_PRECONDITION on a closed deal or without an open next action.
    /// </summary>
    public void ConfirmNextAction(Caller caller, DateTimeOffset now)
    {
        EnsureCreated();
        AccessPolicy.EnsureCanConfirmNextAction(caller, state.OwnerId, state.OwnerTeamId);
        OpportunityRules.EnsureOpen(state.Status, id);
        if (FollowThroughRules.ConfirmPlan(state, Entity, id, now))
        {
            Raise(new OpportunityEvent.NextActionConfirmed(state.NextAction!, state.NextActionDueAt!.Value));
        }
    }

    /// <summary>
    /// A next action's follow-through may be due: re-checked against the current state, it acts once per (rule, deal, due
    /// time). The director (looked up by the grain for the escalation; null: the team has none, the manager is told) is
    /// only asked when the manager has not confirmed.
    /// </summary>
    public void NextActionFollowThroughDue(Deadline deadline, string? directorId, DateTimeOffset now)
    {
        if (!FollowThroughRules.IsRule(deadline.Rule) || deadline.DueAt > now || !Deadlines().Contains(deadline))
        {
            return;
        }
        var notice = FollowThroughRules.Notice(deadline, state, Entity, id, $"'{state.Terms!.Title}'", state.OwnerId, directorId, now);
        var key = deadline.FiringKey(id);
        state.FiredDeadlines.Add(key);
        Touch();
        Then(notice.RecipientId is { } recipient
            ? new OpportunityFollowUp.Notify(recipient, notice.Notification)
            : new OpportunityFollowUp.NotifyTeamManager(state.OwnerTeamId, null, key, notice.Notification));
        Raise(new OpportunityEvent.NextActionOverdue(deadline.Rule, deadline.DueAt, state.NextAction!, notice.RecipientId));
    }
}
