using ActorSales.Domain.Common;
using ActorSales.Domain.Errors;

namespace ActorSales.Domain.Handovers;

/// <summary>
/// How a leaver's book is split into packages, and what a reassignment asks for: pure functions of the book as the
/// records tell it, the request and the time.
/// </summary>
public static class HandoverPackaging
{
    /// <summary>
    /// One package per receiver (ordered by receiver): each customer still owned by the leaver goes where
    /// <paramref name="routing"/> sends it; each open deal follows its customer, one on a customer outside the book goes
    /// with the default receiver, and a deal whose customer goes to the pool goes to <paramref name="fallbackOwnerId"/>.
    /// Throws if a deal would be left without an owner.
    /// </summary>
    public static List<PackageState> Plan(
        string leaverId,
        IReadOnlyDictionary<string, string> routing,
        IEnumerable<BookCustomer> customers,
        IEnumerable<BookDeal> deals,
        string? defaultReceiverId,
        string? fallbackOwnerId,
        DateTimeOffset now)
    {
        var packages = new Dictionary<string, PackageState>(StringComparer.Ordinal);
        PackageState PackageOf(string receiverId)
        {
            if (!packages.TryGetValue(receiverId, out var package))
            {
                package = new PackageState
                {
                    ReceiverId = receiverId,
                    Status = receiverId.Length == 0 ? PackageStatus.Transferring : PackageStatus.Pending,
                    AddressedAt = now,
                };
                packages.Add(receiverId, package);
            }
            return package;
        }
        foreach (var customer in customers.Where(c => c.OwnerId == leaverId && !c.InPool && routing.ContainsKey(c.Id)).OrderBy(c => c.Id, StringComparer.Ordinal))
        {
            var receiver = routing[customer.Id];
            PackageOf(receiver).Items.Add(new ItemState
            {
                Kind = HandoverItemKind.Customer, Id = customer.Id, Name = customer.Name, CustomerId = customer.Id,
                TargetOwnerId = receiver.Length == 0 ? null : receiver,
            });
        }
        foreach (var deal in deals.Where(d => d.OwnerId == leaverId && d.Open).OrderBy(d => d.Id, StringComparer.Ordinal))
        {
            var receiver = routing.TryGetValue(deal.CustomerId, out var r) ? r : defaultReceiverId ?? HandoverRules.Pool;
            var owner = receiver.Length > 0 ? receiver : fallbackOwnerId
                ?? throw new PreconditionFailedException($"open opportunity '{deal.Id}' would be left without an owner: its customer goes to the pool and the team has no manager; name a default_receiver_id");
            PackageOf(receiver).Items.Add(new ItemState
            {
                Kind = HandoverItemKind.Opportunity, Id = deal.Id, Name = deal.Title, CustomerId = deal.CustomerId, TargetOwnerId = owner,
            });
        }
        return [.. packages.Values.OrderBy(p => p.ReceiverId, StringComparer.Ordinal)];
    }

    /// <summary>Validates a reassignment's fields ("" or null target: the pool; no customer ids: every item not yet moved).</summary>
    public static Reassignment ParseReassignment(string leaverId, string fromReceiverId, string? toReceiverId, IReadOnlyCollection<string> customerIds)
    {
        var from = Guard.Id(fromReceiverId, "from_receiver_id");
        var to = string.IsNullOrEmpty(toReceiverId) ? HandoverRules.Pool : Guard.Id(toReceiverId, "to_receiver_id");
        if (to == leaverId)
        {
            throw new ValidationException("to_receiver_id", "the leaver cannot receive their own book");
        }
        if (to == from)
        {
            throw new ValidationException("to_receiver_id", "is already the package's receiver");
        }
        if (customerIds.Count > HandoverRules.MaxAssignments)
        {
            throw new ValidationException("customer_ids", $"at most {HandoverRules.MaxAssignments} are allowed");
        }
        return new Reassignment(from, to, new HashSet<string>(customerIds.Select(c => Guard.Id(c, "customer_ids")), StringComparer.Ordinal));
    }
}

/// <summary>A validated reassignment: items of <paramref name="From"/>'s package (the chosen customers, or all) go to <paramref name="To"/>.</summary>
public sealed record Reassignment(string From, string To, IReadOnlySet<string> CustomerIds);
