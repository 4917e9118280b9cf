using ActorSales.Contracts.V1;
using ActorSales.Domain.Common;
using ActorSales.Domain.People;
using ActorSales.Gateway.Identity;
using ActorSales.Gateway.Mapping;
using ActorSales.Gateway.ReadSide;
using ActorSales.Grains.Abstractions.Contracts;
using ActorSales.Grains.Abstractions.People;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;

namespace ActorSales.Gateway.Grpc;

[Authorize]
public sealed class TeamsGrpcService(IGrainFactory grains, CallerResolver callers, ReadModelReader reads) : TeamsService.TeamsServiceBase
{
    public override async Task<CreateTeamResponse> CreateTeam(CreateTeamRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        var view = await Team(request.TeamId).Create(new TeamProfile(request.Name, request.Region, request.TimeZone), caller);
        var team = view.ToContract();
        return new CreateTeamResponse { Team = team, ConsistencyToken = ConsistencyToken.For(team) };
    }

    public override async Task<GetTeamResponse> GetTeam(GetTeamRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        var view = await Team(request.TeamId).Get(caller);
        return new GetTeamResponse { Team = view.ToContract() };
    }

    public override async Task<UpdateTeamResponse> UpdateTeam(UpdateTeamRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        var changes = new TeamChanges(
            RequestMapper.Unchanged(request.Name),
            RequestMapper.Unchanged(request.Region),
            RequestMapper.Unchanged(request.TimeZone),
            RequestMapper.OptionalId(request.ManagerId, "manager_id"),
            RequestMapper.OptionalId(request.DirectorId, "director_id"));
        var view = await Team(request.TeamId).Update(changes, request.ExpectedVersion, caller);
        var team = view.ToContract();
        return new UpdateTeamResponse { Team = team, ConsistencyToken = ConsistencyToken.For(team) };
    }

    public override async Task<ListTeamsResponse> ListTeams(ListTeamsRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        var query = QueryMapper.ToQuery(request);
        var token = ConsistencyToken.Parse(request.ConsistencyToken);
        query = query with { Scope = await reads.ScopeAsync(caller) };
        await reads.CatchUpAsync(token, caller, context.CancellationToken);
        var page = await reads.Queries.ListTeamsAsync(query, context.CancellationToken);
        var response = new ListTeamsResponse { NextPageToken = QueryMapper.NextPageToken(page.NextPageToken, QueryMapper.TeamPages) };
        response.Teams.AddRange(page.Items);
        return response;
    }

    private ITeamGrain Team(string id) => grains.Ref<ITeamGrain>(Guard.Id(id, "team_id"));
}
