using ActorSales.Domain.Deadlines;

namespace ActorSales.Domain.Pipeline;

/// <summary>Who owns the deal: handovers, the owner's team moves, and the lists (customer, owner, team) that show it.</summary>
public sealed partial class OpportunityAggregate
{
    /// <summary>What <see cref="HandOver"/> will do; the grain looks the receiver up only if the deal moves.</summary>
    public HandoverMove CheckHandOver(string handoverId, string fromOwnerId)
    {
        EnsureCreated();
        var movable = state.Status == OpportunityStatus.Open && state.OwnerId == fromOwnerId;
        // Applied means moved away from the leaver (who, frozen, can never get it back); a recorded id with the deal
        // still open under the leaver is a move that never happened, and it happens now.
        if (state.AppliedHandovers.Contains(handoverId) && !movable)
        {
            return HandoverMove.AlreadyApplied;
        }
        return movable ? HandoverMove.Moves : HandoverMove.NotOwnedByLeaver;
    }

    /// <summary>
    /// Moves the open deal from the leaver to <paramref name="receiver"/> as part of <paramref name="handoverId"/>,
    /// recording the handover in the same change so a replay does nothing.
    /// </summary>
    public HandoverMove HandOver(string handoverId, string fromOwnerId, OpportunityOwner? receiver)
    {
        var move = CheckHandOver(handoverId, fromOwnerId);
        if (move == HandoverMove.AlreadyApplied)
        {
            return move;
        }
        if (move == HandoverMove.Moves && receiver is null)
        {
            throw new InvalidOperationException("the deal moves: look the receiver up first");
        }
        if (!state.AppliedHandovers.Contains(handoverId))
        {
            state.AppliedHandovers.Add(handoverId);
            Touch();
        }
        if (move == HandoverMove.NotOwnedByLeaver)
        {
            return move;
        }
        var previous = state.OwnerId;
        var previousTeam = receiver!.TeamId != state.OwnerTeamId ? state.OwnerTeamId : null;
        state.OwnerId = receiver.Id;
        state.OwnerTeamId = receiver.TeamId;
        LinkLists(previous, previousTeam);
        PlanTeamLists(); // the new team's stalled and intervention lists
        Raise(new OpportunityEvent.OwnerChanged(previous, receiver.Id, receiver.TeamId, $"handover {handoverId}"));
        return move;
    }

    /// <summary>
    /// The owner moved to another team: an open deal of theirs moves into that team's scope and lists (their book does
    /// not change). Nothing happens to a deal closed or owned by someone else meanwhile.
    /// </summary>
    public void OwnerTeamChanged(string ownerId, string newTeamId)
    {
        if (!state.Created || state.Status != OpportunityStatus.Open || state.OwnerId != ownerId || state.OwnerTeamId == newTeamId)
        {
            return;
        }
        Then(new OpportunityFollowUp.SetTeamStall(state.OwnerTeamId, id, StallLevel.None));
        Then(new OpportunityFollowUp.SetTeamIntervention(state.OwnerTeamId, id, false));
        state.OwnerTeamId = newTeamId;
        PlanTeamLists();
        Raise(new OpportunityEvent.OwnerChanged(ownerId, ownerId, newTeamId, "the owner moved to another team"));
    }

    /// <summary>
    /// The customer's and the owner's lists show whether the deal is open; a previous owner and team let go of it;
    /// a win is recorded on the customer.
    /// </summary>
    private void LinkLists(string? previousOwnerId, string? previousTeamId)
    {
        var open = state.Status == OpportunityStatus.Open;
        Then(new OpportunityFollowUp.LinkToCustomer(state.CustomerId, id, open));
        Then(new OpportunityFollowUp.LinkToOwner(state.OwnerId, id, open));
        if (previousOwnerId is not null)
        {
            Then(new OpportunityFollowUp.LinkToOwner(previousOwnerId, id, false));
        }
        if (previousTeamId is not null)
        {
            Then(new OpportunityFollowUp.SetTeamStall(previousTeamId, id, StallLevel.None));
            Then(new OpportunityFollowUp.SetTeamIntervention(previousTeamId, id, false));
        }
        if (state.Status == OpportunityStatus.Won)
        {
            Then(new OpportunityFollowUp.RecordCustomerWin(state.CustomerId, state.History[^1].At));
        }
    }

    /// <summary>The owning team's lists show the deal's current stall level and intervention need (after a move).</summary>
    private void PlanTeamLists()
    {
        if (state.StallLevel != StallLevel.None)
        {
            Then(new OpportunityFollowUp.SetTeamStall(state.OwnerTeamId, id, state.StallLevel));
        }
        if (state.NeedsIntervention)
        {
            Then(new OpportunityFollowUp.SetTeamIntervention(state.OwnerTeamId, id, true));
        }
    }

    /// <summary>
    /// The customer learns what it grades the deal by (status, value, signal, decision makers named), stamped with the
    /// deal's version so a late report never overwrites a newer one.
    /// </summary>
    private void ReportToCustomer()
    {
        var closedAt = state.Status == OpportunityStatus.Open || state.History.Count == 0 ? (DateTimeOffset?)null : state.History[^1].At;
        var people = state.DecisionMakers.Select(d => Customers.DealFacts.PersonKey(d.Name, d.Email)).Distinct(StringComparer.Ordinal).ToList();
        Then(new OpportunityFollowUp.ReportToCustomer(state.CustomerId, id,
            new Customers.DealFacts(state.Status, state.Terms!.Value, state.Signal, people, closedAt, state.Version)));
    }
}
