using ActorSales.Domain.People;

namespace ActorSales.Grains.People;

[GenerateSerializer, Alias("actorsales.SalespersonState")]
public sealed class SalespersonState
{
    [Id(0)] public bool Created { get; set; }
    [Id(1)] public SalespersonProfile? Profile { get; set; }
    [Id(2)] public SalespersonStatus Status { get; set; }
    [Id(3)] public DateTimeOffset CreatedAt { get; set; }
    [Id(4)] public long Version { get; set; }
    [Id(5)] public SortedSet<string> CustomerIds { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// A team move persisted but not yet applied to the teams and customers it touches; replayed on activation so a
    /// crash half-way leaves nothing inconsistent. All steps are idempotent.
    /// </summary>
    [Id(6)] public PendingTeamMove? PendingTeamMove { get; set; }

    /// <summary>Open opportunities this person owns.</summary>
    [Id(7)] public SortedSet<string> OpenOpportunityIds { get; set; } = new(StringComparer.Ordinal);
}

[GenerateSerializer, Immutable, Alias("actorsales.PendingTeamMove")]
public sealed record PendingTeamMove([property: Id(0)] string? FromTeamId, [property: Id(1)] string ToTeamId);
