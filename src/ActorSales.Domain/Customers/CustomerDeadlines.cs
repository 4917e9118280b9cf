using ActorSales.Domain.Deadlines;

namespace ActorSales.Domain.Customers;

/// <summary>
/// A customer's deadline rules (new-customer 3-2-1, release warning and release, key-customer follow-up, next-action
/// follow-through) over its
/// current record, what a firing tells whom, and when a release is waived. Pure: the grain arms what
/// <see cref="Wanted"/> returns and asks the aggregate when one is due.
/// </summary>
public sealed class CustomerDeadlines(DeadlineOptions options)
{
    public DeadlineOptions Options => options;

    /// <summary>The current owner's deadlines not yet acted on; none while unregistered or in the pool.</summary>
    public List<Deadline> Wanted(string customerId, ICustomerRecord s)
    {
        if (!s.Registered || s.InPool)
        {
            return [];
        }
        var wanted = new List<Deadline>(NewCustomerSla.DeadlinesFor(s.AssignedAt, Calendar(s), s.LastFollowUpAt, s.QualifiedAt));
        if (!s.Locked)
        {
            wanted.AddRange(ReleaseRules.DeadlinesFor(s.Details!.Tier, s.AssignedAt, s.LastFollowUpAt, options));
        }
        wanted.AddRange(FollowThroughRules.DeadlinesFor(s, options));
        if (FollowUpRules.KeyCustomerDeadline(s.Details!.Tier, s.AssignedAt, s.LastFollowUpAt, options.KeyCustomerFollowUpAfter) is { } keyCustomer)
        {
            wanted.Add(keyCustomer);
        }
        return wanted.Where(d => !s.FiredDeadlines.Contains(d.FiringKey(customerId))).ToList();
    }

    /// <summary>Working days in the owner's team time zone (UTC if unknown), with the team's holidays and make-up days.</summary>
    public WorkingCalendar Calendar(ICustomerRecord s)
    {
        var zone = s.OwnerTimeZone is { } id && TimeZoneInfo.TryFindSystemTimeZoneById(id, out var found) ? found : TimeZoneInfo.Utc;
        return options.CalendarFor(s.OwnerTeamId, zone);
    }

    /// <summary>
    /// What a fired rule tells: its notification kind, whether the owner is told too (the manager is told unless it is
    /// the release warning, which goes on the team's about-to-release list instead), and the text.
    /// </summary>
    public (string Kind, bool OwnerToo, string Text) Describe(Deadline firing, ICustomerRecord s) => firing.Rule switch
    {
        ReleaseRules.Warning => ("release_warning", true, $"'{s.Details!.Name}' goes to the public pool on {firing.DueAt + options.ReleaseWarningBefore:yyyy-MM-dd} unless someone visits, calls or meets them"),
        NewCustomerSla.FirstContact => ("new_customer_sla", false, $"New customer '{s.Details!.Name}' of {s.OwnerId} got no first visit, call or meeting within 2 working days"),
        NewCustomerSla.Qualification => ("new_customer_sla", false, $"New customer '{s.Details!.Name}' of {s.OwnerId} was not qualified (tier set) within 3 working days"),
        _ => ("key_customer_follow_up", true, $"Key customer '{s.Details!.Name}' has had no visit, call or meeting " +
              (s.LastFollowUpAt is { } last && last > s.AssignedAt ? $"since {last:yyyy-MM-dd}" : "since it was assigned")),
    };

    /// <summary>A release is waived for a deal in the approval stage or one won within the exemption period.</summary>
    public bool IsReleaseExempt(ICustomerRecord s, DateTimeOffset now, bool dealInApproval) =>
        dealInApproval || (s.LastWonAt is { } won && now - won < options.RecentWinExemption);
}
