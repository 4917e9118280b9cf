namespace ActorSales.Domain.Handovers;

/// <summary>What a handover aggregate decides over: the persisted state's domain fields (the grain keeps outbox and effects).</summary>
public interface IHandoverState
{
    bool Started { get; set; }
    string TeamId { get; set; }
    DateOnly? LastWorkingDay { get; set; }
    string StartedBy { get; set; }
    DateTimeOffset StartedAt { get; set; }

    /// <summary>One package per receiver ("" = the team pool), each with its items and their progress.</summary>
    List<PackageState> Packages { get; set; }

    /// <summary>Every package moved; the leaver's departure is (being) completed.</summary>
    bool Completed { get; set; }

    /// <summary>Version of the handover; also the sequence of its latest domain event.</summary>
    long Version { get; set; }

    /// <summary>Firing keys of acceptance reminders and escalations already acted on.</summary>
    List<string> FiredDeadlines { get; set; }

    /// <summary>While items wait to move: when the transfer process is due (the first acceptance, or a retry after a failed batch).</summary>
    DateTimeOffset? TransferDueAt { get; set; }

    /// <summary>Who gets open opportunities whose customer goes to the pool (the default receiver, else the team's manager).</summary>
    string? FallbackOwnerId { get; set; }

    /// <summary>When every package had moved (null: not yet, or stored before this was recorded).</summary>
    DateTimeOffset? CompletedAt { get; set; }

    /// <summary>The retention after completion has passed: the packages left their receivers' lists and keep only their counts.</summary>
    bool Pruned { get; set; }
}

/// <summary>One receiver's package (persisted in the handover's state).</summary>
[GenerateSerializer, Alias("actorsales.HandoverPackageState")]
public sealed class PackageState
{
    [Id(0)] public string ReceiverId { get; set; } = string.Empty;
    [Id(1)] public PackageStatus Status { get; set; }

    /// <summary>When the package was (last) addressed to its receiver: the acceptance clock starts here.</summary>
    [Id(2)] public DateTimeOffset AddressedAt { get; set; }
    [Id(3)] public string? FollowUpPlan { get; set; }
    [Id(4)] public string? RejectionReason { get; set; }
    [Id(5)] public bool Escalated { get; set; }
    [Id(6)] public List<ItemState> Items { get; set; } = [];

    /// <summary>Set when the handover is pruned: the counts of the item list it then drops.</summary>
    [Id(7)] public PackageCounts? PrunedCounts { get; set; }

    /// <summary>How many customers and deals the package holds (or held, once pruned) and how many moved.</summary>
    public PackageCounts Counts => PrunedCounts ?? new(
        Items.Count(i => i.Kind == HandoverItemKind.Customer),
        Items.Count(i => i.Kind == HandoverItemKind.Opportunity),
        Items.Count(i => i.Transferred));
}

/// <summary>What a pruned package still tells: how many customers and deals it held and how many moved.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.HandoverPackageCounts")]
public sealed record PackageCounts([property: Id(0)] int Customers, [property: Id(1)] int Opportunities, [property: Id(2)] int Transferred);

/// <summary>One customer or open deal in a package.</summary>
[GenerateSerializer, Alias("actorsales.HandoverItemState")]
public sealed class ItemState
{
    [Id(0)] public HandoverItemKind Kind { get; set; }
    [Id(1)] public string Id { get; set; } = string.Empty;
    [Id(2)] public string Name { get; set; } = string.Empty;

    /// <summary>The customer an opportunity belongs to; the customer's own id for customers.</summary>
    [Id(3)] public string CustomerId { get; set; } = string.Empty;

    /// <summary>Who will own it (null: the team pool, customers only).</summary>
    [Id(4)] public string? TargetOwnerId { get; set; }

    /// <summary>Moved (persisted after each batch; the item transfer itself is idempotent, so a replay is a no-op).</summary>
    [Id(5)] public bool Transferred { get; set; }
}
