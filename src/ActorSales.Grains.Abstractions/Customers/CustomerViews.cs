using ActorSales.Domain.Customers;

namespace ActorSales.Grains.Abstractions.Customers;

/// <summary>A customer as callers see it.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.CustomerView")]
public sealed record CustomerView(
    [property: Id(0)] string Id,
    [property: Id(1)] CustomerDetails Details,
    [property: Id(2)] string OwnerId,
    [property: Id(3)] string OwnerTeamId,
    [property: Id(4)] DateTimeOffset CreatedAt,
    [property: Id(5)] DateTimeOffset UpdatedAt,
    [property: Id(6)] DateTimeOffset? LastFollowUpAt,
    [property: Id(7)] long ActivityCount,
    [property: Id(8)] long Version,
    [property: Id(9)] bool InPool = false,
    [property: Id(10)] bool Locked = false,
    [property: Id(11)] CustomerGrade Grade = CustomerGrade.Unspecified,
    [property: Id(12)] string? OriginLeadId = null);

/// <summary>
/// A customer's computed grade (null until first computed) beside its hand-set tier, when the scheduled regrade is
/// due, and the latest grade changes, newest first.
/// </summary>
[GenerateSerializer, Immutable, Alias("actorsales.CustomerGradeView")]
public sealed record CustomerGradeView(
    [property: Id(0)] string CustomerId,
    [property: Id(1)] CustomerTier Tier,
    [property: Id(2)] GradeResult? Grade,
    [property: Id(3)] DateTimeOffset? NextRecomputeAt,
    [property: Id(4)] IReadOnlyList<GradeChange> History);

/// <summary>A customer waiting in a team's public pool.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.PoolEntry")]
public sealed record PoolEntry(
    [property: Id(0)] string CustomerId,
    [property: Id(1)] string Name,
    [property: Id(2)] CustomerTier Tier,
    [property: Id(3)] string Industry,
    [property: Id(4)] DateTimeOffset ReleasedAt,
    [property: Id(5)] string PreviousOwnerId);

/// <summary>An update: the fields named in <see cref="Paths"/> are taken from <see cref="Values"/>.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.CustomerChanges")]
public sealed record CustomerChanges(
    [property: Id(0)] IReadOnlyList<string> Paths,
    [property: Id(1)] CustomerDetails Values);

/// <summary>The result of logging an activity.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.ActivityLogged")]
public sealed record ActivityResult(
    [property: Id(0)] Activity Activity,
    [property: Id(1)] CustomerView Customer);

/// <summary>Who holds a de-duplication key.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.DedupHolder")]
public sealed record DedupHolder(
    [property: Id(0)] string CustomerId,
    [property: Id(1)] string OwnerId);
