using ActorSales.Domain.Customers;
using ActorSales.Domain.Errors;
using ActorSales.Grains.Abstractions.Customers;
using ActorSales.Grains.Infrastructure;
using Microsoft.Extensions.Logging;

namespace ActorSales.Grains.Customers;

/// <summary>
/// The customer's de-duplication keys (normalised phone, email, company) in their index grains: reserved before the
/// write that takes them, committed after it, released if it fails or when the customer stops holding them.
/// </summary>
public sealed partial class CustomerGrain
{
    // Keys being reserved by the registration or update in progress, and the owner they are reserved for; the
    // index asks OwnerIfHolding (interleaved) while we wait on it, so these must be set before the first Reserve.
    private HashSet<string>? _reservingKeys;
    private string? _reservingOwner;

    public Task<string?> OwnerIfHolding(string key)
    {
        if (_reservingKeys is not null && _reservingKeys.Contains(key))
        {
            return Task.FromResult(_reservingOwner);
        }
        return Task.FromResult(S.Registered && S.DedupKeys.Contains(key) ? S.OwnerId : null);
    }

    private async Task ReserveKeys(IReadOnlyList<string> keys, string ownerId)
    {
        _reservingKeys = new HashSet<string>(keys, StringComparer.Ordinal);
        _reservingOwner = ownerId;
        var reserved = new List<string>(keys.Count);
        try
        {
            foreach (var key in keys)
            {
                var holder = await GrainFactory.GetGrain<IDedupIndexGrain>(key).Reserve(Id);
                if (holder is not null)
                {
                    metrics.DuplicateRejections.Add(1);
                    _refusedBy = (holder.CustomerId, DedupKeys.KindOf(key));
                    throw new AlreadyExistsException(
                        $"a customer with the same {DedupKeys.KindOf(key)} already exists: customer_id={holder.CustomerId}, owner_id={holder.OwnerId}",
                        holder.CustomerId, holder.OwnerId);
                }
                reserved.Add(key);
            }
        }
        catch
        {
            EndReserving();
            await ReleaseKeys(reserved);
            throw;
        }
    }

    private void EndReserving() => (_reservingKeys, _reservingOwner) = (null, null);

    // The holder and key kind of the last refused reservation, for the refusal event.
    private (string CustomerId, string KeyKind)? _refusedBy;

    /// <summary>
    /// Registration only: reserves the keys; a refusal is recorded as this record's event (through the aggregate and
    /// the outbox, visible to the intended owner's team) and then thrown to the caller unchanged. The request is taken
    /// out of the ledger first, so a retry is refused again rather than answered as applied.
    /// </summary>
    private async Task ReserveKeysForRegistration(IReadOnlyList<string> keys, string ownerId, string? ownerTeamId, string actorId)
    {
        _refusedBy = null;
        try
        {
            await ReserveKeys(keys, ownerId);
        }
        catch (AlreadyExistsException) when (_refusedBy is { } refused)
        {
            try
            {
                var customer = Aggregate();
                customer.RefuseRegistration(refused.CustomerId, refused.KeyKind, ownerId);
                if (customer.Changed)
                {
                    S.Requests.Close();
                    customer.Record(_outbox, new EventScope(Contracts.V1.EntityType.Customer, Id, actorId, ownerTeamId, ownerId), ToContract, S.Effects, ToEffect);
                    await state.WriteWithEventsAsync(_outbox, CustomerAggregate.Entity, Id);
                }
            }
            catch (Exception exception) when (exception is not AlreadyExistsException)
            {
                // The caller's answer is the refusal whatever happens to its record; the count misses one.
                LogIndexCallFailed(exception, Id, "refusal record");
            }
            throw;
        }
    }

    private async Task CommitKeys(IEnumerable<string> keys)
    {
        try
        {
            await Task.WhenAll(keys.Select(key => GrainFactory.GetGrain<IDedupIndexGrain>(key).Commit(Id)));
        }
        catch (Exception exception)
        {
            // Harmless: an uncommitted reservation is settled by asking us (OwnerIfHolding) on the next conflict.
            LogIndexCallFailed(exception, Id, "commit");
        }
    }

    private async Task ReleaseKeys(IEnumerable<string> keys)
    {
        try
        {
            await Task.WhenAll(keys.Select(key => GrainFactory.GetGrain<IDedupIndexGrain>(key).Release(Id)));
        }
        catch (Exception exception)
        {
            LogIndexCallFailed(exception, Id, "release");
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Customer {CustomerId}: de-duplication index {Operation} failed; it settles on the next conflict")]
    private partial void LogIndexCallFailed(Exception exception, string customerId, string operation);
}
