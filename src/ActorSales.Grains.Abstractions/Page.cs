namespace ActorSales.Grains.Abstractions;

/// <summary>One page of a list; <see cref="NextCursor"/> is null on the last page.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.Page`1")]
public sealed record Page<T>(
    [property: Id(0)] IReadOnlyList<T> Items,
    [property: Id(1)] string? NextCursor,
    [property: Id(2)] long TotalCount);
