using ActorSales.Domain.Deadlines;

namespace ActorSales.Domain.Pipeline;

/// <summary>Stage stall and signal decay: which deadlines an opportunity wants, and what a due one changes.</summary>
public sealed partial class OpportunityAggregate
{
    /// <summary>
    /// The stall deadlines of the current stage (counted from the stall clock) and the signal-decay deadline, minus those
    /// already fired; none once the deal is closed.
    /// </summary>
    public List<Deadline> Deadlines()
    {
        if (!state.Created || state.Status != OpportunityStatus.Open || state.Pipeline!.Find(state.Stage) is not { } stage)
        {
            return [];
        }
        var wanted = StallRules.DeadlinesFor(stage, state.StallClockStart, state.NextActionDueAt).ToList();
        wanted.AddRange(ApprovalDeadlines());
        wanted.AddRange(NextActionDeadlines());
        if (!state.NeedsIntervention && SignalDecayRules.DeadlineFor(state.Signal, state.SignalChangedAt, options.SignalDecayAfter) is { } decay)
        {
            wanted.Add(decay);
        }
        return wanted.Where(d => !state.FiredDeadlines.Contains(d.FiringKey(id))).ToList();
    }

    /// <summary>
    /// A deadline may be due: re-checked against the current state (the world may have moved on), it acts at most once
    /// per (rule, record, due time) by recording the firing. Stall levels only rise here; decay asks for intervention.
    /// </summary>
    public void DeadlineDue(Deadline deadline, DateTimeOffset now)
    {
        if (deadline.DueAt > now || !Deadlines().Contains(deadline) || ApprovalFollowThrough.IsRule(deadline.Rule) || FollowThroughRules.IsRule(deadline.Rule))
        {
            return; // an approval's and a next action's follow-through need lookups: ApprovalFollowThroughDue, NextActionFollowThroughDue
        }
        state.FiredDeadlines.Add(deadline.FiringKey(id));
        Touch();
        if (deadline.Rule == SignalDecayRules.Rule)
        {
            ChangeIntervention(true, deadline, now);
            return;
        }
        var level = deadline.Rule == StallRules.Red ? StallLevel.Red : StallLevel.Yellow;
        if (level > state.StallLevel)
        {
            ChangeStall(level, deadline, now);
        }
    }

    /// <summary>A stage change or qualifying activity (evidence, a planned next action) restarts the stall clock and clears the level.</summary>
    private void RestartStallClock(DateTimeOffset now)
    {
        state.StallClockStart = now;
        // Only the stall and decay firings start over; an approval's or a next action's stay fired (their due times do not move).
        state.FiredDeadlines.RemoveAll(key => key.StartsWith(StallRules.Yellow + ":", StringComparison.Ordinal)
            || key.StartsWith(StallRules.Red + ":", StringComparison.Ordinal) || key.StartsWith(SignalDecayRules.Rule + ":", StringComparison.Ordinal));
        ChangeStall(StallLevel.None, null, now);
    }

    private void ChangeStall(StallLevel level, Deadline? firing, DateTimeOffset now)
    {
        if (level == state.StallLevel)
        {
            return;
        }
        var previous = state.StallLevel;
        state.StallLevel = level;
        PlanStallEffects(level, firing, now);
        Raise(new OpportunityEvent.StallChanged(previous, level, firing?.DueAt));
    }

    private void ChangeIntervention(bool needed, Deadline? firing, DateTimeOffset now)
    {
        if (needed == state.NeedsIntervention)
        {
            return;
        }
        state.NeedsIntervention = needed;
        PlanInterventionEffects(needed, firing, now);
        Raise(new OpportunityEvent.InterventionChanged(needed));
    }

    /// <summary>The team's stalled list follows the level; a firing tells the owner (and for red the manager).</summary>
    private void PlanStallEffects(StallLevel level, Deadline? firing, DateTimeOffset now)
    {
        Then(new OpportunityFollowUp.SetTeamStall(state.OwnerTeamId, id, level));
        if (firing is null)
        {
            return;
        }
        var red = firing.Rule == StallRules.Red;
        var days = (firing.DueAt - state.StageEnteredAt).TotalDays;
        var message = red
            ? $"'{state.Terms!.Title}' has been in {state.Stage} for {days:0.#} days, past the stage's limit"
            : $"'{state.Terms!.Title}' has been in {state.Stage} for {days:0.#} days; plan the next step";
        var key = firing.FiringKey(id); // a replay of the firing adds no second notification
        var notice = new Notification($"{key}:{state.OwnerId}", "stage_stall", red ? NotificationSeverity.Critical : NotificationSeverity.Warning,
            Entity, id, message, now);
        Then(new OpportunityFollowUp.Notify(state.OwnerId, notice));
        if (red)
        {
            Then(new OpportunityFollowUp.NotifyTeamManager(state.OwnerTeamId, state.OwnerId, key, notice));
        }
    }

    /// <summary>The team's intervention list follows the flag; a decay firing tells the manager.</summary>
    private void PlanInterventionEffects(bool needed, Deadline? firing, DateTimeOffset now)
    {
        Then(new OpportunityFollowUp.SetTeamIntervention(state.OwnerTeamId, id, needed));
        if (firing is not null)
        {
            Then(new OpportunityFollowUp.NotifyTeamManager(state.OwnerTeamId, null, firing.FiringKey(id), new Notification(
                string.Empty, "signal_decay", NotificationSeverity.Warning, Entity, id,
                $"'{state.Terms!.Title}' has stayed at signal {state.Signal} since {state.SignalChangedAt:yyyy-MM-dd}; it needs you", now)));
        }
    }
}
