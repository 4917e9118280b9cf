using ActorSales.Domain.Errors;
using ActorSales.Domain.Goals;
using ActorSales.Domain.Identity;
using ActorSales.Grains.Abstractions.People;

namespace ActorSales.Grains.People;

/// <summary>Goals: a manager's targets for the team and its reps, decided by the team aggregate and kept in its state.</summary>
public sealed partial class TeamGrain
{
    public async Task<GoalSetResult> SetGoal(GoalTarget target, Caller caller)
    {
        EnsureCanSetGoals(caller); // before anything about the team is revealed
        EnsureCreated();
        var aggregate = Aggregate();
        var goal = aggregate.SetGoal(target, caller.UserId, clock.GetUtcNow());
        state.State.Requests.NoteResult(goal.Key.Text);
        await Commit(aggregate, caller.UserId);
        return new GoalSetResult(goal, state.State.Version);
    }

    /// <summary>The team's manager, directors and admins set goals; reps and services do not.</summary>
    private void EnsureCanSetGoals(Caller caller)
    {
        AccessPolicy.EnsureActive(caller);
        if (!(caller.IsOrgWide || (caller.Role == Role.Manager && caller.TeamId == Id)))
        {
            throw new AccessDeniedException("only the team's manager, directors and admins may set its goals");
        }
    }
}
