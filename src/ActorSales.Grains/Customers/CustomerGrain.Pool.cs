using ActorSales.Domain.Customers;
using ActorSales.Domain.Deadlines;
using ActorSales.Domain.Errors;
using ActorSales.Domain.Identity;
using ActorSales.Grains.Abstractions.Customers;
using Microsoft.Extensions.Logging;

namespace ActorSales.Grains.Customers;

/// <summary>
/// Claims and manager assignments from the public pool come to the customer, which calls the pool (never the other way
/// round): access and "still in this pool" first, then the pool reserves the claim within its limits, then one write
/// takes the new owner with an effect that confirms the claim. A write that fails gives the reservation back; one the
/// silo never got to make leaves it to expire on the pool's own deadline.
/// </summary>
public sealed partial class CustomerGrain
{
    public async Task<CustomerView> ClaimFromPool(string poolTeamId, Caller caller)
    {
        AccessPolicy.EnsureCanClaimFromPool(caller, poolTeamId);
        Aggregate().EnsureInPool(poolTeamId);
        var owner = Owner(await ResolveOwner(caller.UserId));
        return await TakeFromPool(poolTeamId, owner, assigned: false, caller.UserId);
    }

    public async Task<CustomerView> AssignFromPool(string poolTeamId, string ownerId, Caller caller)
    {
        AccessPolicy.EnsureCanAssignFromPool(caller, poolTeamId);
        Aggregate().EnsureInPool(poolTeamId);
        var owner = Owner(await ResolveOwner(ownerId));
        if (owner.TeamId != poolTeamId)
        {
            throw new PreconditionFailedException($"owner_id: '{ownerId}' is not a member of team '{poolTeamId}'");
        }
        return await TakeFromPool(poolTeamId, owner, assigned: true, caller.UserId);
    }

    private async Task<CustomerView> TakeFromPool(string poolTeamId, CustomerOwner owner, bool assigned, string actorId)
    {
        CustomerAggregate.EnsureMayOwn(owner, "owner_id");
        owner = await WithZone(owner);
        var pool = GrainFactory.GetGrain<IPublicPoolGrain>(poolTeamId);
        var claim = await pool.Reserve(Id, owner.Id, managerAssignment: assigned);
        try
        {
            var customer = Aggregate();
            customer.ClaimFromPool(owner, claim, assigned, clock.GetUtcNow());
            await Commit(customer, actorId);
        }
        catch
        {
            // A failed write re-reads the stored state: if it shows the customer still in the pool, the claim never
            // happened and the pool gets it back now (else its expiry does); if the write landed after all, the stored
            // confirmation effect runs below.
            if (S.InPool)
            {
                await GiveBack(pool, claim);
            }
            else
            {
                await AfterWrite();
            }
            throw;
        }
        await AfterWrite();
        return ToView();
    }

    private async Task GiveBack(IPublicPoolGrain pool, PoolClaim claim)
    {
        try
        {
            await pool.Release(claim);
        }
        catch (Exception exception)
        {
            LogPoolReleaseFailed(exception, Id);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Customer {CustomerId}: could not give a failed claim back to the pool; its reservation expires")]
    private partial void LogPoolReleaseFailed(Exception exception, string customerId);
}
