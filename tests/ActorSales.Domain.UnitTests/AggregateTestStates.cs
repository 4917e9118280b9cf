using System.Text.Json;
using ActorSales.Domain.Customers;
using ActorSales.Domain.Deadlines;
using ActorSales.Domain.Handovers;
using ActorSales.Domain.People;
using ActorSales.Domain.Pipeline;

namespace ActorSales.Domain.UnitTests;

/// <summary>Plain states for the aggregates (the grains' persisted states implement the same interfaces).</summary>
internal sealed class TestSalespersonState : ISalespersonState
{
    public bool Created { get; set; }
    public SalespersonProfile? Profile { get; set; }
    public SalespersonStatus Status { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public long Version { get; set; }
    public Delegation? Delegation { get; set; }
    public DateTimeOffset? ReadsUntil { get; set; }
    public string? HandoverId { get; set; }
    public SortedSet<string> PendingApprovalIds { get; } = new(StringComparer.Ordinal);
    public SortedSet<string> Delegators { get; } = new(StringComparer.Ordinal);
    public List<string> HandoverPackages { get; } = [];
    public SortedSet<string> CustomerIds { get; } = new(StringComparer.Ordinal);
    public SortedSet<string> WonCustomerIds { get; } = new(StringComparer.Ordinal);
    public SortedSet<string> OpenOpportunityIds { get; } = new(StringComparer.Ordinal);
    public bool BookMoved { get; set; }
}

internal sealed class TestHandoverState : IHandoverState
{
    public bool Started { get; set; }
    public string TeamId { get; set; } = string.Empty;
    public DateOnly? LastWorkingDay { get; set; }
    public string StartedBy { get; set; } = string.Empty;
    public DateTimeOffset StartedAt { get; set; }
    public List<PackageState> Packages { get; set; } = [];
    public bool Completed { get; set; }
    public long Version { get; set; }
    public List<string> FiredDeadlines { get; set; } = [];
    public DateTimeOffset? TransferDueAt { get; set; }
    public string? FallbackOwnerId { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
    public bool Pruned { get; set; }
}

internal sealed class TestTeamState : ITeamState
{
    public bool Created { get; set; }
    public TeamProfile? Profile { get; set; }
    public string? ManagerId { get; set; }
    public string? DirectorId { get; set; }
    public SortedSet<string> Members { get; } = new(StringComparer.Ordinal);
    public DateTimeOffset CreatedAt { get; set; }
    public long Version { get; set; }
    public Dictionary<string, StallLevel> Stalled { get; } = new(StringComparer.Ordinal);
    public SortedSet<string> Interventions { get; } = new(StringComparer.Ordinal);
    public SortedSet<string> AboutToRelease { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, ActorSales.Domain.Goals.Goal> Goals { get; } = new(StringComparer.Ordinal);
    public ActorSales.Domain.Insights.TeamInsights Insights { get; } = new();
}

internal sealed class TestTaskState : IDepartmentTaskState
{
    public TaskPlan? Plan { get; set; }
    public string OpportunityId { get; set; } = string.Empty;
    public DepartmentTaskStatus Status { get; set; }
    public string? AssigneeId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
    public string? Note { get; set; }
    public string OwnerTeamId { get; set; } = string.Empty;
    public long Version { get; set; }
    public List<string> FiredDeadlines { get; set; } = [];
}

internal static class Snapshot
{
    /// <summary>The state as text, to show a refused command left it exactly as it was.</summary>
    public static string Of(object state) => JsonSerializer.Serialize(state, state.GetType());
}

/// <summary>A plain customer record (the grain's CustomerState implements the same interface).</summary>
internal sealed class TestCustomerRecord : Customers.ICustomerRecord
{
    public bool Registered { get; set; }
    public bool RegistrationRefused { get; set; }
    public CustomerDetails? Details { get; set; }
    public string OwnerId { get; set; } = string.Empty;
    public string OwnerTeamId { get; set; } = string.Empty;
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? LastFollowUpAt { get; set; }
    public long ActivityCount { get; set; }
    public long Version { get; set; }
    public List<string> DedupKeys { get; set; } = [];
    public string? NextAction { get; set; }
    public DateTimeOffset? NextActionDueAt { get; set; }
    public SortedSet<string> OpenOpportunityIds { get; set; } = new(StringComparer.Ordinal);
    public DateTimeOffset AssignedAt { get; set; }
    public List<string> FiredDeadlines { get; set; } = [];
    public DateTimeOffset? QualifiedAt { get; set; }
    public string? OwnerTimeZone { get; set; }
    public bool Locked { get; set; }
    public bool InPool { get; set; }
    public DateTimeOffset? ReleasedAt { get; set; }
    public string? PreviousOwnerId { get; set; }
    public DateTimeOffset? LastWonAt { get; set; }
    public List<string> AppliedHandovers { get; set; } = [];
    public Dictionary<string, Customers.DealFacts> Deals { get; set; } = new(StringComparer.Ordinal);
    public Dictionary<string, Customers.OrderPaymentFacts> Orders { get; set; } = new(StringComparer.Ordinal);
    public List<DateTimeOffset> RecentFollowUps { get; set; } = [];
    public Customers.GradeResult? Grade { get; set; }
    public List<Customers.GradeChange> GradeHistory { get; set; } = [];
    public DateTimeOffset? GradeDueAt { get; set; }
    public string? OriginLeadId { get; set; }
    public bool NextActionDone { get; set; }
    public DateTimeOffset? NextActionConfirmedAt { get; set; }
}
