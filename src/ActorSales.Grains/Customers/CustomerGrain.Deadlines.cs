using ActorSales.Domain.Customers;
using ActorSales.Domain.Deadlines;
using ActorSales.Domain.Identity;
using ActorSales.Grains.Abstractions.Opportunities;
using ActorSales.Grains.Abstractions.People;

namespace ActorSales.Grains.Customers;

/// <summary>
/// The customer's deadlines on the one deadline engine: which are wanted comes from <see cref="CustomerDeadlines"/>, what
/// a firing does from the aggregate; the grain only looks up the deals a release depends on.
/// </summary>
public sealed partial class CustomerGrain
{
    public Task<IReadOnlyList<Deadline>> ArmedDeadlines() => Task.FromResult<IReadOnlyList<Deadline>>(DesiredDeadlines());

    /// <summary>The business deadlines still to act on (the scheduled regrade among them), plus the effects retry while effects are pending.</summary>
    private List<Deadline> DesiredDeadlines() => _deadlines.WithEffectsRetry(Aggregate().WantedDeadlines(), _effects.HasPending);

    /// <summary>Re-checks a due deadline against the current state and acts at most once.</summary>
    private async Task OnDeadlineDue(Deadline deadline)
    {
        var now = clock.GetUtcNow();
        if (deadline.DueAt > now || !DesiredDeadlines().Contains(deadline))
        {
            await _deadlines.ScheduleAsync(DesiredDeadlines());
            return;
        }
        if (_deadlines.TakeEffectsRetry(deadline))
        {
            await AfterWrite(); // re-arms the retry if something still fails
            return;
        }
        var customer = Aggregate();
        if (CustomerAggregate.IsRegrade(deadline))
        {
            customer.ScheduledRegrade(deadline, now);
        }
        else if (CustomerAggregate.IsFollowThrough(deadline))
        {
            // The director is looked up before the aggregate records the firing: had it failed, the deadline stays wanted.
            var director = deadline.Rule == FollowThroughRules.Escalate
                ? (await GrainFactory.GetGrain<ITeamGrain>(S.OwnerTeamId).Find())?.DirectorId
                : null;
            customer.FollowThroughDue(deadline, director, now);
        }
        else if (CustomerAggregate.IsRelease(deadline))
        {
            // Looked up before the aggregate records the firing: had a lookup failed, the deadline stays wanted and the
            // reminder fires it again.
            var dealInApproval = await AnyDealInApproval();
            customer.Release(deadline, dealInApproval, clock.GetUtcNow());
        }
        else
        {
            customer.FollowUpOverdue(deadline, now);
        }
        await Commit(customer, Caller.System.UserId);
        await AfterWrite();
    }

    private async Task<bool> AnyDealInApproval()
    {
        var inApproval = false;
        foreach (var opportunityId in S.OpenOpportunityIds.ToList())
        {
            if (await GrainFactory.GetGrain<IOpportunityGrain>(opportunityId).Find() is { } deal && deal.Stage == options.Value.Approval.Stage)
            {
                inApproval = true;
            }
        }
        return inApproval;
    }
}
