using ActorSales.Domain.Customers;

namespace ActorSales.Domain.Leads;

/// <summary>Where a lead stands (numbers as in leads.proto's LeadStatus).</summary>
public enum LeadStatus
{
    Unspecified = 0,
    New = 1,
    Contacted = 2,
    Qualified = 3,
    NotQualified = 4,
    Nurturing = 5,
    Converted = 6,
}

/// <summary>The tag a qualification gives (numbers as in leads.proto's LeadQualification).</summary>
public enum LeadQualification
{
    Unspecified = 0,
    Qualified = 1,
    NotQualified = 2,
    Nurture = 3,
}

/// <summary>Why a lead is not qualified (numbers as in leads.proto); the first two make it invalid.</summary>
public enum LeadDisqualifyReason
{
    Unspecified = 0,
    InvalidContact = 1,
    Spam = 2,
    NoNeed = 3,
    NoBudget = 4,
    Competitor = 5,
    Other = 6,
}

/// <summary>A lead's data as a channel or a person gives it (validated by <see cref="LeadRules.Validate(LeadInput, DateTimeOffset, LeadOptions)"/>).</summary>
[GenerateSerializer, Immutable, Alias("actorsales.LeadInput")]
public sealed record LeadInput(
    [property: Id(0)] SourceChannel SourceChannel,
    [property: Id(1)] DateTimeOffset ArrivedAt,
    [property: Id(2)] string Name,
    [property: Id(3)] string Company,
    [property: Id(4)] IReadOnlyList<string> Phones,
    [property: Id(5)] string Email,
    [property: Id(6)] string Notes);

/// <summary>Changes to a lead's basic information: only the named paths change.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.LeadBasics")]
public sealed record LeadBasics(
    [property: Id(0)] IReadOnlyList<string> Paths,
    [property: Id(1)] string Name,
    [property: Id(2)] string Company,
    [property: Id(3)] IReadOnlyList<string> Phones,
    [property: Id(4)] string Email,
    [property: Id(5)] string Notes);

/// <summary>A contact with a lead as reported.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.LeadContactDraft")]
public sealed record LeadContactDraft(
    [property: Id(0)] ActivityKind Kind,
    [property: Id(1)] DateTimeOffset OccurredAt,
    [property: Id(2)] string Summary,
    [property: Id(3)] int? DurationSeconds);

/// <summary>A qualification as asked.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.LeadQualificationDraft")]
public sealed record LeadQualificationDraft(
    [property: Id(0)] LeadQualification Qualification,
    [property: Id(1)] LeadDisqualifyReason Reason,
    [property: Id(2)] string Note);

/// <summary>What a converted customer takes from its lead: its 3-2-1 runs from the lead's arrival, and it names the lead.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.LeadOrigin")]
public sealed record LeadOrigin(
    [property: Id(0)] string LeadId,
    [property: Id(1)] DateTimeOffset ArrivedAt,
    [property: Id(2)] DateTimeOffset? FirstContactAt,
    [property: Id(3)] DateTimeOffset? QualifiedAt);

/// <summary>Lead rules' settings (<c>ActorSales:Leads</c>).</summary>
public sealed class LeadOptions
{
    public const string Section = "ActorSales:Leads";

    /// <summary>How far back an arrival time may lie; older is a typo or a stale list.</summary>
    public TimeSpan ArrivalWindow { get; set; } = TimeSpan.FromDays(365);

    /// <summary>Working hours after arrival within which the basic information is recorded (the "3").</summary>
    public TimeSpan BasicsWithin { get; set; } = TimeSpan.FromHours(3);

    /// <summary>Working days after arrival within which the first real contact happens (the "2").</summary>
    public int FirstContactWorkingDays { get; set; } = 2;

    /// <summary>Working days after the first contact within which the lead is tagged (the "1").</summary>
    public int QualificationWorkingDays { get; set; } = 1;

    /// <summary>The local working day's start and end, for counting working hours.</summary>
    public TimeOnly WorkingDayStart { get; set; } = new(9, 0);

    public TimeOnly WorkingDayEnd { get; set; } = new(18, 0);

    /// <summary>Channel failure: the window before now whose leads are "recent".</summary>
    public TimeSpan HealthRecentWindow { get; set; } = TimeSpan.FromDays(14);

    /// <summary>Channel failure needs at least this many recent leads (fewer say nothing).</summary>
    public int HealthMinRecentLeads { get; set; } = 10;

    /// <summary>Channel failure: the invalid share of the recent leads at or above which a channel is failing ("mostly").</summary>
    public double HealthFailureRatio { get; set; } = 0.5;

    public IEnumerable<string> Validate()
    {
        if (ArrivalWindow < TimeSpan.FromDays(1) || ArrivalWindow > TimeSpan.FromDays(3660))
        {
            yield return $"{Section}:ArrivalWindow: must be between 1 and 3660 days";
        }
        if (BasicsWithin <= TimeSpan.Zero || BasicsWithin > TimeSpan.FromDays(7))
        {
            yield return $"{Section}:BasicsWithin: must be between 1 second and 7 days";
        }
        if (FirstContactWorkingDays is < 1 or > 60 || QualificationWorkingDays is < 1 or > 60)
        {
            yield return $"{Section}:FirstContactWorkingDays and QualificationWorkingDays: must be 1..60";
        }
        if (WorkingDayEnd <= WorkingDayStart)
        {
            yield return $"{Section}:WorkingDayEnd: must be after WorkingDayStart";
        }
        if (HealthRecentWindow < TimeSpan.FromHours(1) || HealthMinRecentLeads < 1 || HealthFailureRatio is <= 0 or > 1)
        {
            yield return $"{Section}:Health*: window at least 1 hour, at least 1 lead, ratio in (0, 1]";
        }
    }
}
