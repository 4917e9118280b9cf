using ActorSales.Domain.Errors;
using ActorSales.Domain.Identity;
using ActorSales.Grains.Abstractions;
using ActorSales.Grains.Abstractions.Customers;
using ActorSales.Grains.Abstractions.Handovers;
using ActorSales.Grains.Abstractions.Opportunities;
using ActorSales.Domain.Customers;

namespace ActorSales.Grains.Customers;

/// <summary>Ownership moves that need lookups first: a manager's transfer and a departure's handover (and its brief).</summary>
public sealed partial class CustomerGrain
{
    public async Task<CustomerView> Transfer(string newOwnerId, string reason, long expectedVersion, Caller caller)
    {
        var customer = Aggregate();
        // Access before anything that depends on the record (version, pool, owner): a caller who may not move this
        // customer learns nothing of it.
        customer.EnsureMayTransferFrom(caller);
        var newOwner = Owner(await ResolveOwner(newOwnerId));
        customer.CheckTransfer(newOwner, reason, expectedVersion, caller);
        newOwner = await WithZone(newOwner);
        customer.Transfer(newOwner, reason, expectedVersion, caller, clock.GetUtcNow());
        await Commit(customer, caller.UserId);
        await AfterWrite();
        return ToView();
    }

    public async Task<HandoverOutcome> HandOver(string handoverId, string fromOwnerId, string? toOwnerId, string actorId)
    {
        var customer = Aggregate();
        customer.EnsureRegistered();
        // Applied means moved away from the leaver (who, frozen, can never get it back); a recorded id with the leaver
        // still the owner is a move that never happened, and it happens now.
        if (customer.HandoverApplied(handoverId, fromOwnerId))
        {
            // A replay moves nothing, but finishes the books or the pool entry if they failed the first time.
            await AfterWrite();
            EnsureSettled();
            return HandoverOutcome.AlreadyApplied;
        }
        if (!customer.OwnedBy(fromOwnerId))
        {
            customer.HandOver(handoverId, fromOwnerId, null, clock.GetUtcNow()); // someone moved it meanwhile: it stays with its one owner
            await Commit(customer, actorId);
            return HandoverOutcome.NotOwnedByLeaver;
        }
        // The receiver is looked up before the handover id is recorded with the move: a failed lookup must not leave it
        // recorded, or the retry would count an item that never moved.
        CustomerOwner? receiver = null;
        if (toOwnerId is not null)
        {
            receiver = Owner(await ResolveOwner(toOwnerId));
            CustomerAggregate.EnsureMayOwn(receiver, "receiver_id");
            receiver = await WithZone(receiver);
        }
        customer.HandOver(handoverId, fromOwnerId, receiver, clock.GetUtcNow());
        await Commit(customer, actorId);
        await AfterWrite();
        EnsureSettled();
        return HandoverOutcome.Moved;
    }

    /// <summary>
    /// The handover counts an item as moved only once both books (and the pool) show it; otherwise it retries the item,
    /// whose replay completes the links. Without this a failed book update would wait for the customer's next activation.
    /// </summary>
    private void EnsureSettled()
    {
        if (_effects.HasPending)
        {
            throw new ConcurrencyConflictException($"customer '{Id}' moved, but its owners' books are still being updated; retry");
        }
    }

    public async Task<HandoverBrief?> Brief()
    {
        if (!S.Registered)
        {
            return null;
        }
        // Brief is [AlwaysInterleave]: it calls this customer's deals, which call this customer, so a brief that blocked
        // the grain could stall in that cycle. A change may therefore land at any await below; everything taken from this
        // customer's state is taken now, before the first await, so the brief is of one version.
        var details = S.Details!;
        var activityCount = S.ActivityCount;
        var (nextAction, nextActionDueAt) = (S.NextAction, S.NextActionDueAt);
        var opportunityIds = S.OpenOpportunityIds.ToList();
        var notes = activityCount == 0 ? [] : await GrainFactory.GetGrain<ICustomerActivityChunkGrain>(GrainKeys.ActivityChunk(Id, GrainKeys.ChunkOf(activityCount)))
            .Range(Math.Max(1, activityCount - 4), activityCount);
        var deals = new List<HandoverDealBrief>();
        foreach (var opportunityId in opportunityIds)
        {
            var deal = GrainFactory.GetGrain<IOpportunityGrain>(opportunityId);
            if (await deal.Find() is not { } view)
            {
                continue;
            }
            var tasks = await deal.ListTasks(Caller.System);
            deals.Add(new HandoverDealBrief(view.Id, view.Terms.Title, view.Stage, view.NextAction, view.NextActionDueAt,
                view.StallLevel != Domain.Deadlines.StallLevel.None || view.NeedsIntervention, view.PendingApprovalId,
                tasks.Where(t => t.Status != Domain.Pipeline.DepartmentTaskStatus.Done).Select(t => t.Id).ToList()));
        }
        return new HandoverBrief(Id, details.Name, details.Tier, [.. details.Contacts.OrderByDescending(c => c.Key)], notes.OrderByDescending(a => a.Sequence).ToList(),
            nextAction, nextActionDueAt, deals);
    }
}
