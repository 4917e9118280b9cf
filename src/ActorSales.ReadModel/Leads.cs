using ActorSales.Contracts.V1;
using ActorSales.Domain.Leads;
using ReadScope = ActorSales.Domain.Identity.ReadScope;

namespace ActorSales.ReadModel;

/// <summary>ListLeads: the caller's scope narrowed to a team, owner, status, channel or the pool (no owner). Newest arrival first.</summary>
public sealed record LeadQuery(
    ReadScope Scope,
    int PageSize,
    string? PageToken = null,
    string? TeamId = null,
    string? OwnerId = null,
    Contracts.V1.LeadStatus? Status = null,
    SourceChannel? SourceChannel = null,
    bool PoolOnly = false);

/// <summary>What lead health counts of one lead.</summary>
public sealed record LeadFact(string LeadId, SourceChannel SourceChannel, DateTimeOffset ArrivedAt, bool Invalid, bool Unsubscribed);

/// <summary>What the read side derives from a lead's events (each carries the whole lead as it stood).</summary>
public static class LeadFacts
{
    /// <summary>The lead a lead event carries; null for any other event.</summary>
    public static Lead? LeadOf(DomainEvent e) => e.ChangeCase switch
    {
        DomainEvent.ChangeOneofCase.LeadCreated => e.LeadCreated.Lead,
        DomainEvent.ChangeOneofCase.LeadAssigned => e.LeadAssigned.Lead,
        DomainEvent.ChangeOneofCase.LeadBasicsRecorded => e.LeadBasicsRecorded.Lead,
        DomainEvent.ChangeOneofCase.LeadContacted => e.LeadContacted.Lead,
        DomainEvent.ChangeOneofCase.LeadQualified => e.LeadQualified.Lead,
        DomainEvent.ChangeOneofCase.LeadConverted => e.LeadConverted.Lead,
        DomainEvent.ChangeOneofCase.LeadDeadlineMissed => e.LeadDeadlineMissed.Lead,
        DomainEvent.ChangeOneofCase.LeadUnsubscribedChanged => e.LeadUnsubscribedChanged.Lead,
        _ => null,
    };

    public static DateTimeOffset ArrivedAt(Lead lead) => lead.ArrivedAt?.ToDateTimeOffset() ?? DateTimeOffset.MinValue;

    public static LeadFact FactOf(Lead lead) => new(lead.LeadId, lead.SourceChannel, ArrivedAt(lead), lead.Invalid, lead.Unsubscribed);
}

/// <summary>One channel's lead health.</summary>
public sealed record ChannelHealth(SourceChannel Channel, int Leads, int Invalid, double InvalidRatio, int RecentLeads, int RecentInvalid, bool Failing);

/// <summary>
/// Lead health, a pure function of the lead facts: per channel, the invalid share of the leads that arrived in the
/// period; a channel is failing when, of its leads that arrived in the recent window before now
/// (<see cref="LeadOptions.HealthRecentWindow"/>), at least <see cref="LeadOptions.HealthMinRecentLeads"/> exist and at
/// least <see cref="LeadOptions.HealthFailureRatio"/> of them are invalid.
/// </summary>
public static class LeadHealth
{
    public static IReadOnlyList<ChannelHealth> Compute(
        IEnumerable<LeadFact> facts, DateTimeOffset from, DateTimeOffset to, DateTimeOffset now, LeadOptions options)
    {
        var recentFrom = now - options.HealthRecentWindow;
        return facts
            .GroupBy(f => f.SourceChannel)
            .Select(g =>
            {
                var period = g.Where(f => f.ArrivedAt >= from && f.ArrivedAt < to).ToList();
                var recent = g.Where(f => f.ArrivedAt >= recentFrom && f.ArrivedAt <= now).ToList();
                var invalid = period.Count(f => f.Invalid);
                var recentInvalid = recent.Count(f => f.Invalid);
                var failing = recent.Count >= options.HealthMinRecentLeads && recentInvalid >= options.HealthFailureRatio * recent.Count;
                return new ChannelHealth(g.Key, period.Count, invalid, period.Count == 0 ? 0 : (double)invalid / period.Count, recent.Count, recentInvalid, failing);
            })
            .Where(c => c.Leads > 0 || c.RecentLeads > 0)
            .OrderBy(c => c.Channel)
            .ToList();
    }
}
