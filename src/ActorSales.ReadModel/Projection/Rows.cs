using ActorSales.Contracts.V1;

namespace ActorSales.ReadModel;

// The query rows: the contract message as the events left it (Doc) plus the columns every store filters, sorts and
// searches on, computed once by Projection so the in-memory and the PostgreSQL store agree to the row. Team and
// owner are the ReadScope columns; an empty owner (a pooled customer) never matches an owner scope.

/// <summary>
/// A customer as the queries see it. For the analytics: its first real follow-up ever, and whether the new-customer
/// first-contact deadline fired before any (the SLA missed).
/// </summary>
public sealed record CustomerRow(
    Customer Doc,
    bool ReleaseWarned,
    string SearchText,
    string SearchDigits,
    DateTimeOffset? FirstFollowUpAt = null,
    bool FirstContactMissed = false)
{
    public string Id => Doc.CustomerId;
    public string TeamId => Doc.OwnerTeamId;
    public string OwnerId => Doc.OwnerId;
    public long Version => Doc.Version;
    public bool InPool => Doc.InPool;
    public bool Locked => Doc.Locked;
    public CustomerTier Tier => Doc.Tier;

    /// <summary>The computed grade (UNSPECIFIED until first computed); C is the intervention list.</summary>
    public CustomerGrade Grade => Doc.Grade;
    public string Industry => Doc.Industry;
    public SourceChannel SourceChannel => Doc.SourceChannel;
    public DateTimeOffset CreatedAt => Doc.CreatedAt?.ToDateTimeOffset() ?? DateTimeOffset.MinValue;

    /// <summary>Latest real follow-up; null if none yet (sorts before every time).</summary>
    public DateTimeOffset? LastFollowUpAt => Doc.LastFollowUpAt?.ToDateTimeOffset();

    /// <summary>Name sort key: <see cref="SearchNormalizer.Text"/> of the name, compared ordinally (PostgreSQL: COLLATE "C").</summary>
    public string SortName => SearchNormalizer.Text(Doc.Name);

    /// <summary>The data-health fields the customer has.</summary>
    public Analytics.CustomerField PresentFields => Analytics.AnalyticsFacts.Present(Doc);
}

/// <summary>An opportunity as the queries see it. Its region is its team's (joined at query time, so a team's move needs no fan-out).</summary>
/// <see cref="LastUpdatedAt"/>: the latest change its people made (opened, evidence, stage, signal, terms, next action,
/// won, lost), not the system's (stall, intervention, approvals, owner moves).
public sealed record OpportunityRow(Opportunity Doc, decimal Amount, DateTimeOffset? LastUpdatedAt = null)
{
    public string Id => Doc.OpportunityId;
    public string TeamId => Doc.OwnerTeamId;
    public string OwnerId => Doc.OwnerId;
    public string CustomerId => Doc.CustomerId;
    public long Version => Doc.Version;
    public string Currency => Doc.Value?.Currency ?? string.Empty;
    public DateTimeOffset ExpectedCloseAt => Doc.ExpectedCloseAt?.ToDateTimeOffset() ?? DateTimeOffset.MinValue;
    public DateTimeOffset StageEnteredAt => Doc.StageEnteredAt?.ToDateTimeOffset() ?? DateTimeOffset.MinValue;
    public DateTimeOffset CreatedAt => Doc.CreatedAt?.ToDateTimeOffset() ?? DateTimeOffset.MinValue;

    /// <summary>Whether its forecast signal stalled past the decay age (the board's interventions, when open).</summary>
    public bool NeedsIntervention => Doc.NeedsIntervention;

    /// <summary>When it was won or lost (its history's closing entry); null while open.</summary>
    public DateTimeOffset? ClosedAt =>
        Doc.Status is OpportunityStatus.Won or OpportunityStatus.Lost && Doc.History.Count > 0 ? Doc.History[^1].At?.ToDateTimeOffset() : null;
}

/// <summary>A team; an owner scope matches its manager and its members.</summary>
public sealed record TeamRow(Team Doc)
{
    public string Id => Doc.TeamId;
    public long Version => Doc.Version;
    public string SortName => SearchNormalizer.Text(Doc.Name);
}

/// <summary>A salesperson; an owner scope matches the person themself.</summary>
public sealed record SalespersonRow(Salesperson Doc)
{
    public string Id => Doc.SalespersonId;
    public string TeamId => Doc.TeamId;
    public long Version => Doc.Version;
    public string SortName => SearchNormalizer.Text(Doc.Name);
}

/// <summary>
/// One event of the permanent history, with the timelines it belongs to: an opportunity's (and a task's) events are
/// also on their customer's timeline.
/// </summary>
public sealed record HistoryEntry(long Position, DomainEvent Event, string? CustomerId, string? OpportunityId)
{
    public EntityType EntityType => Event.EntityType;
    public string EntityId => Event.EntityId;
    public long Sequence => Event.Sequence;
}
