using ActorSales.Contracts.V1;
using ActorSales.Domain.Customers;
using ActorSales.Domain.Deadlines;
using ActorSales.Domain.Errors;
using ActorSales.Domain.Identity;
using ActorSales.Domain.Leads;
using ActorSales.Grains.Abstractions;
using ActorSales.Grains.Abstractions.Customers;
using ActorSales.Grains.Abstractions.Leads;
using ActorSales.Grains.Abstractions.People;
using ActorSales.Grains.Deadlines;
using ActorSales.Grains.Effects;
using ActorSales.Grains.Events;
using ActorSales.Grains.Infrastructure;
using ActorSales.Grains.Requests;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Contact = ActorSales.Domain.Customers.Contact;
using CustomerTier = ActorSales.Domain.Customers.CustomerTier;
using Role = ActorSales.Domain.Identity.Role;
using DomainLeadStatus = ActorSales.Domain.Leads.LeadStatus;
using LeadInput = ActorSales.Domain.Leads.LeadInput;

namespace ActorSales.Grains.Leads;

/// <summary>The lead's lookups before a change: its owner's membership, customers and leads holding its phones or email.</summary>
public sealed partial class LeadGrain
{
    public Task<string?> OwnerIfHolding(string key)
    {
        if (_reservingKeys is not null && _reservingKeys.Contains(key))
        {
            return Task.FromResult(_reservingOwner);
        }
        return Task.FromResult(S.Created && S.DedupKeys.Contains(key) ? S.OwnerId : null);
    }

    private async Task EnsureMember(string ownerId, string teamId, string field)
    {
        var identity = await GrainFactory.GetGrain<ISalespersonGrain>(ownerId).GetIdentity() ?? throw new NotFoundException("salesperson", ownerId);
        if (identity.Status != Domain.People.SalespersonStatus.Active || identity.TeamId != teamId)
        {
            throw new PreconditionFailedException($"{field}: salesperson '{ownerId}' is not an active member of team '{teamId}'");
        }
    }

    /// <summary>A lead whose phone or email a customer already has is that customer's (ALREADY_EXISTS naming it).</summary>
    private async Task EnsureNoCustomerHolds(IReadOnlyList<string> keys)
    {
        var holders = await Task.WhenAll(keys.Select(k => GrainFactory.GetGrain<IDedupIndexGrain>(k).Holder()));
        for (var i = 0; i < keys.Count; i++)
        {
            if (holders[i] is { } holder)
            {
                throw new AlreadyExistsException(
                    $"a customer with the same {DedupKeys.KindOf(keys[i])} already exists: customer_id={holder.CustomerId}, owner_id={holder.OwnerId}",
                    holder.CustomerId, holder.OwnerId);
            }
        }
    }

    private async Task ReserveKeys(IReadOnlyList<string> keys, string ownerId)
    {
        (_reservingKeys, _reservingOwner) = (new HashSet<string>(keys, StringComparer.Ordinal), ownerId);
        try
        {
            foreach (var key in keys)
            {
                if (await GrainFactory.GetGrain<ILeadIndexGrain>(key).Reserve(Id) is { } holder)
                {
                    throw new AlreadyExistsException(
                        $"a lead with the same {DedupKeys.KindOf(key)} already exists: lead_id={holder.LeadId}, owner_id={holder.OwnerId}",
                        holder.LeadId, holder.OwnerId);
                }
            }
        }
        catch
        {
            (_reservingKeys, _reservingOwner) = (null, null); // keys we took are not held: the next reserver takes them over
            throw;
        }
    }
}
