using ActorSales.Domain.Identity;
using ActorSales.Domain.People;

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

    /// <summary>Adds a member (idempotent). Called by the salesperson grain.</summary>
    [Alias("AddMember")]
    Task AddMember(string salespersonId);

    /// <summary>Removes a member (idempotent). Called by the salesperson grain.</summary>
    [Alias("RemoveMember")]
    Task RemoveMember(string salespersonId);
}
