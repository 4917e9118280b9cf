using ActorSales.Domain.Customers;
using ActorSales.Domain.Identity;
using ActorSales.Domain.Leads;

namespace ActorSales.Grains.Abstractions.Leads;

/// <summary>A lead as its grain holds it (key: "lead_" + 32 hex digits).</summary>
[GenerateSerializer, Immutable, Alias("actorsales.LeadView")]
public sealed record LeadView(
    [property: Id(0)] string Id,
    [property: Id(1)] string TeamId,
    [property: Id(2)] string OwnerId,
    [property: Id(3)] SourceChannel SourceChannel,
    [property: Id(4)] DateTimeOffset ArrivedAt,
    [property: Id(5)] string Name,
    [property: Id(6)] string Company,
    [property: Id(7)] IReadOnlyList<string> Phones,
    [property: Id(8)] string Email,
    [property: Id(9)] string Notes,
    [property: Id(10)] LeadStatus Status,
    [property: Id(11)] LeadDisqualifyReason DisqualifyReason,
    [property: Id(12)] DateTimeOffset? BasicsRecordedAt,
    [property: Id(13)] DateTimeOffset? FirstContactAt,
    [property: Id(14)] DateTimeOffset? QualifiedAt,
    [property: Id(15)] string CustomerId,
    [property: Id(16)] bool LinkedToExisting,
    [property: Id(17)] bool Unsubscribed,
    [property: Id(18)] IReadOnlyList<string> MissedRules,
    [property: Id(19)] int ContactCount,
    [property: Id(20)] DateTimeOffset CreatedAt,
    [property: Id(21)] long Version);

/// <summary>A logged contact and the lead after it.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.LeadContactResult")]
public sealed record LeadContactResult([property: Id(0)] LeadView Lead, [property: Id(1)] bool RealContact);

/// <summary>A conversion: the lead, and the customer it became or was linked to (with that customer's owner).</summary>
[GenerateSerializer, Immutable, Alias("actorsales.LeadConversion")]
public sealed record LeadConversion([property: Id(0)] LeadView Lead, [property: Id(1)] string CustomerId, [property: Id(2)] bool LinkedToExisting, [property: Id(3)] string ExistingOwnerId);

/// <summary>
/// A lead: recorded from a channel into a team's pool, owned, worked (basics, contacts, a tag), converted; its 3-2-1 on
/// the one deadline engine. Calls the team and salespeople (reads), the de-duplication indexes, the customer it becomes
/// and inboxes (effects), never the other way.
/// </summary>
[Alias("actorsales.ILeadGrain")]
public interface ILeadGrain : IGrainWithStringKey
{
    /// <summary>
    /// Records the lead for <paramref name="teamId"/> (owner null: the pool). ALREADY_EXISTS naming the customer or lead
    /// that holds the same phone or email.
    /// </summary>
    [Alias("Create")]
    Task<LeadView> Create(LeadInput input, string teamId, string? ownerId, Caller caller);

    [Alias("Get"), ReadOnly]
    Task<LeadView> Get(Caller caller);

    [Alias("Assign")]
    Task<LeadView> Assign(string ownerId, Caller caller);

    [Alias("Claim")]
    Task<LeadView> Claim(Caller caller);

    [Alias("RecordBasics")]
    Task<LeadView> RecordBasics(LeadBasics basics, Caller caller);

    [Alias("LogContact")]
    Task<LeadContactResult> LogContact(LeadContactDraft draft, Caller caller);

    [Alias("Qualify")]
    Task<LeadView> Qualify(LeadQualificationDraft draft, Caller caller);

    [Alias("Convert")]
    Task<LeadConversion> Convert(string industry, CustomerTier tier, Caller caller);

    [Alias("SetUnsubscribed")]
    Task<LeadView> SetUnsubscribed(bool unsubscribed, Caller caller);

    /// <summary>The lead's owner ("" in the pool) if it holds <paramref name="key"/>, else null (the lead index asks).</summary>
    [Alias("OwnerIfHolding"), ReadOnly, AlwaysInterleave]
    Task<string?> OwnerIfHolding(string key);

    /// <summary>The lead without access checks (null if none), for tests and operators.</summary>
    [Alias("Find"), ReadOnly, AlwaysInterleave]
    Task<LeadView?> Find();

    /// <summary>The 3-2-1 deadlines armed now, for tests and operators.</summary>
    [Alias("ArmedDeadlines"), ReadOnly, AlwaysInterleave]
    Task<IReadOnlyList<Domain.Deadlines.Deadline>> ArmedDeadlines();
}

/// <summary>Who holds a lead de-duplication key.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.LeadKeyHolder")]
public sealed record LeadKeyHolder([property: Id(0)] string LeadId, [property: Id(1)] string OwnerId);

/// <summary>
/// One normalised lead key ("phone:+49...", "email:..."; grain key the same). The first lead to reserve it holds it; a
/// holder that no longer claims it (its creation failed, its phone changed) is replaced.
/// </summary>
[Alias("actorsales.ILeadIndexGrain")]
public interface ILeadIndexGrain : IGrainWithStringKey
{
    /// <summary>Reserves the key for <paramref name="leadId"/>; null if granted, otherwise the holder.</summary>
    [Alias("Reserve")]
    Task<LeadKeyHolder?> Reserve(string leadId);
}
