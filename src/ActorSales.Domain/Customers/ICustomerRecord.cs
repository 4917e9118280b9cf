namespace ActorSales.Domain.Customers;

/// <summary>
/// What <see cref="CustomerAggregate"/> decides over: the customer's stored fields. The grain's persisted state
/// implements it, so the stored shape (and its serialisation ids) stays where it is while the rules live here.
/// Its next action (<see cref="Deadlines.INextActionPlan"/>) is done by a real contact logged after it was planned.
/// </summary>
public interface ICustomerRecord : Deadlines.INextActionPlan
{
    bool Registered { get; set; }

    /// <summary>A registration of this (still unregistered) record was refused as a duplicate and recorded as such.</summary>
    bool RegistrationRefused { get; set; }
    CustomerDetails? Details { get; set; }
    string OwnerId { get; set; }
    string OwnerTeamId { get; set; }
    DateTimeOffset CreatedAt { get; set; }
    DateTimeOffset UpdatedAt { get; set; }
    DateTimeOffset? LastFollowUpAt { get; set; }
    long ActivityCount { get; set; }

    /// <summary>Version of the customer; also the sequence of its latest domain event.</summary>
    long Version { get; set; }

    List<string> DedupKeys { get; set; }
    SortedSet<string> OpenOpportunityIds { get; set; }
    DateTimeOffset AssignedAt { get; set; }
    List<string> FiredDeadlines { get; set; }
    DateTimeOffset? QualifiedAt { get; set; }
    string? OwnerTimeZone { get; set; }
    bool Locked { get; set; }
    bool InPool { get; set; }
    DateTimeOffset? ReleasedAt { get; set; }
    string? PreviousOwnerId { get; set; }
    DateTimeOffset? LastWonAt { get; set; }
    List<string> AppliedHandovers { get; set; }

    /// <summary>What the customer's deals last reported of themselves (grading's potential, stage and decision chain).</summary>
    Dictionary<string, DealFacts> Deals { get; set; }

    /// <summary>What the customer's orders last reported of their instalments and payments (grading's payment record).</summary>
    Dictionary<string, OrderPaymentFacts> Orders { get; set; }

    /// <summary>Times of recent real follow-ups (grading's interaction frequency).</summary>
    List<DateTimeOffset> RecentFollowUps { get; set; }

    /// <summary>The latest computed grade; null until first computed.</summary>
    GradeResult? Grade { get; set; }

    /// <summary>The latest grade changes, oldest first (bounded).</summary>
    List<GradeChange> GradeHistory { get; set; }

    /// <summary>When the scheduled regrade is due; null on rows from before grading (due at once).</summary>
    DateTimeOffset? GradeDueAt { get; set; }

    /// <summary>The lead this customer was converted from (null: none).</summary>
    string? OriginLeadId { get; set; }
}

/// <summary>Who is to own the customer, as the grain looked them up (identity, then their team's time zone).</summary>
public sealed record CustomerOwner(string Id, string TeamId, People.SalespersonStatus Status, string? TimeZone = null);
