using ActorSales.Domain.Identity;
using ActorSales.Domain.People;

namespace ActorSales.Grains.Abstractions.People;

/// <summary>A salesperson as callers see it.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.SalespersonView")]
public sealed record SalespersonView(
    [property: Id(0)] string Id,
    [property: Id(1)] SalespersonProfile Profile,
    [property: Id(2)] string? ManagerId,
    [property: Id(3)] SalespersonStatus Status,
    [property: Id(4)] int OwnedCustomerCount,
    [property: Id(5)] long Version,
    [property: Id(6)] DateTimeOffset CreatedAt);

/// <summary>What authorisation needs to know about a user with a salesperson record.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.PersonIdentity")]
public sealed record PersonIdentity(
    [property: Id(0)] string Id,
    [property: Id(1)] Role Role,
    [property: Id(2)] string TeamId,
    [property: Id(3)] SalespersonStatus Status,
    [property: Id(4)] DateTimeOffset? ReadsUntil = null);

/// <summary>Fields to change on a salesperson; null leaves a field unchanged.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.SalespersonChanges")]
public sealed record SalespersonChanges(
    [property: Id(0)] string? Name,
    [property: Id(1)] string? Email,
    [property: Id(2)] Role? Role,
    [property: Id(3)] string? TeamId);

/// <summary>A team as callers see it.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.TeamView")]
public sealed record TeamView(
    [property: Id(0)] string Id,
    [property: Id(1)] TeamProfile Profile,
    [property: Id(2)] string? ManagerId,
    [property: Id(3)] IReadOnlyList<string> MemberIds,
    [property: Id(4)] long Version,
    [property: Id(5)] DateTimeOffset CreatedAt,
    [property: Id(6)] string? DirectorId = null);

/// <summary>Fields to change on a team; null leaves a field unchanged.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.TeamChanges")]
public sealed record TeamChanges(
    [property: Id(0)] string? Name,
    [property: Id(1)] string? Region,
    [property: Id(2)] string? TimeZone,
    [property: Id(3)] string? ManagerId,
    [property: Id(4)] string? DirectorId = null);
