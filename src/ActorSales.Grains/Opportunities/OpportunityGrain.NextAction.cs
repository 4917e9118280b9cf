using ActorSales.Domain.Deadlines;
using ActorSales.Domain.Identity;
using ActorSales.Grains.Abstractions.Opportunities;
using ActorSales.Grains.Abstractions.People;

namespace ActorSales.Grains.Opportunities;

/// <summary>
/// The deal's side of next-action follow-through (the rule is <see cref="FollowThroughRules"/>, shared with customers):
/// the manager's confirmation, and a firing, for which the grain looks up the team's director first.
/// </summary>
public sealed partial class OpportunityGrain
{
    public async Task<OpportunityView> ConfirmNextAction(Caller caller)
    {
        var aggregate = Aggregate();
        aggregate.ConfirmNextAction(caller, clock.GetUtcNow());
        await Commit(aggregate, caller.UserId);
        return ToView();
    }

    /// <summary>
    /// The director is looked up (opportunity -> team) before the aggregate records the firing: had the lookup failed, the
    /// deadline stays wanted and the reminder brings it back.
    /// </summary>
    private async Task NextActionFollowThroughDue(Deadline deadline, DateTimeOffset now)
    {
        var director = deadline.Rule == FollowThroughRules.Escalate
            ? (await GrainFactory.GetGrain<ITeamGrain>(S.OwnerTeamId).Find())?.DirectorId
            : null;
        var aggregate = Aggregate();
        aggregate.NextActionFollowThroughDue(deadline, director, now);
        await Commit(aggregate, Caller.System.UserId);
    }
}
