using ActorSales.Domain.Deadlines;
using ActorSales.Domain.Identity;
using ActorSales.Domain.People;
using ActorSales.Domain.Pipeline;
using ActorSales.Grains.Abstractions.Opportunities;

namespace ActorSales.Grains.Abstractions.People;

/// <summary>A team: manager, members, region, time zone. Key: the team id.</summary>
[Alias("actorsales.ITeamGrain")]
public interface ITeamGrain : IGrainWithStringKey
{
    [Alias("Create")]
    Task<TeamView> Create(TeamProfile profile, Caller caller);

    [Alias("Get")]
    Task<TeamView> Get(Caller caller);

    [Alias("Update")]
    Task<TeamView> Update(TeamChanges changes, long expectedVersion, Caller caller);

    /// <summary>The team for internal use (no caller check); null if it does not exist.</summary>
    [Alias("Find"), ReadOnly, AlwaysInterleave]
    Task<TeamView?> Find();

    /// <summary>The members' open opportunities in id order after <paramref name="afterId"/>, optionally only in <paramref name="stage"/>.</summary>
    [Alias("ListOpportunities"), ReadOnly]
    Task<Page<OpportunityView>> ListOpportunities(Caller caller, string? stage, int pageSize, string? afterId);

    /// <summary>Records an opportunity's stall level on the manager's list (None removes it). Called by the opportunity.</summary>
    [Alias("SetStall")]
    Task SetStall(string opportunityId, StallLevel level);

    /// <summary>The team's stalled opportunities, red first (manager, directors, admins).</summary>
    [Alias("ListStalled"), ReadOnly]
    Task<IReadOnlyList<OpportunityView>> ListStalled(Caller caller);

    /// <summary>Adds or removes an opportunity on the manager's intervention list. Called by the opportunity.</summary>
    [Alias("SetIntervention")]
    Task SetIntervention(string opportunityId, bool needed);

    /// <summary>The team's opportunities whose signal stopped advancing, longest-stuck first (manager and above).</summary>
    [Alias("ListInterventions"), ReadOnly]
    Task<IReadOnlyList<OpportunityView>> ListInterventions(Caller caller);

    /// <summary>Marks a customer whose owner was warned of its coming release (or clears the mark).</summary>
    [Alias("SetReleaseWarning")]
    Task SetReleaseWarning(string customerId, bool warned);

    /// <summary>Ids of customers whose owner was warned (manager and above).</summary>
    [Alias("AboutToRelease"), ReadOnly]
    Task<IReadOnlyList<string>> AboutToRelease(Caller caller);

    /// <summary>Weighted forecast of the members' open opportunities.</summary>
    [Alias("GetForecast"), ReadOnly]
    Task<IReadOnlyList<CurrencyForecast>> GetForecast(Caller caller);

    /// <summary>The same without caller checks, for region roll-ups.</summary>
    [Alias("ComputeForecast"), ReadOnly, AlwaysInterleave]
    Task<IReadOnlyList<CurrencyForecast>> ComputeForecast();

    /// <summary>The deadlines the team has armed (anomaly day, stalled share, forecast snapshot, effects retry), for tests and operators.</summary>
    [Alias("ArmedDeadlines"), ReadOnly, AlwaysInterleave]
    Task<IReadOnlyList<Domain.Deadlines.Deadline>> ArmedDeadlines();

    /// <summary>Sets or replaces a goal of the team or one of its members (the team's manager, directors, admins).</summary>
    [Alias("SetGoal")]
    Task<GoalSetResult> SetGoal(Domain.Goals.GoalTarget target, Caller caller);

    /// <summary>Adds a member (idempotent). Called by the salesperson grain.</summary>
    [Alias("AddMember")]
    Task AddMember(string salespersonId);

    /// <summary>Removes a member (idempotent). Called by the salesperson grain.</summary>
    [Alias("RemoveMember")]
    Task RemoveMember(string salespersonId);
}

/// <summary>A goal as stored and the team's version that holds it (for the consistency token).</summary>
[GenerateSerializer, Immutable, Alias("actorsales.GoalSetResult")]
public sealed record GoalSetResult([property: Id(0)] Domain.Goals.Goal Goal, [property: Id(1)] long TeamVersion);

/// <summary>The teams of one region, for region-wide figures. Key: the region name.</summary>
[Alias("actorsales.IRegionGrain")]
public interface IRegionGrain : IGrainWithStringKey
{
    [Alias("AddTeam")]
    Task AddTeam(string teamId);

    [Alias("RemoveTeam")]
    Task RemoveTeam(string teamId);

    [Alias("GetForecast"), ReadOnly]
    Task<IReadOnlyList<CurrencyForecast>> GetForecast(Caller caller);
}
