using ActorSales.Contracts.V1;
using ActorSales.Domain.Errors;
using ActorSales.Grains.Abstractions.Customers;
using ActorSales.Grains.Abstractions.Opportunities;
using ActorSales.Grains.Abstractions.People;
using ActorSales.Domain.Identity;
using ActorSales.Gateway.Identity;
using ActorSales.ReadModel;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;

namespace ActorSales.Gateway.ReadSide;

/// <summary>
/// What every query RPC does before it reads the read model: decide the caller's scope (refusing a team or owner
/// filter outside it, <see cref="AccessPolicy.QueryScope"/>) and, given a <see cref="ConsistencyToken"/>, wait until
/// the read model has projected the change it names.
/// </summary>
public sealed class ReadModelReader(IServiceProvider services, PersonIdentityCache identities, TimeProvider clock)
{
    /// <summary>How long a query waits for the read model to reach a consistency token before answering UNAVAILABLE.</summary>
    public static readonly TimeSpan CatchUpLimit = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// The store the host's profile registered (in-memory or PostgreSQL). Looked up per query, not injected into the
    /// services, so a host without a read side still serves every write and get; its queries answer UNIMPLEMENTED.
    /// </summary>
    public IReadModelQueries Queries => services.GetService<IReadModelQueries>()
        ?? throw new RpcException(new Status(StatusCode.Unimplemented, "this host serves no read model; queries are not available"));

    /// <summary>
    /// The caller's query scope. A <paramref name="teamId"/> or <paramref name="ownerId"/> filter the caller may not
    /// read is PERMISSION_DENIED before anything is read, so the answer never depends on what the other book holds.
    /// </summary>
    public async Task<ReadScope> ScopeAsync(Caller caller, string? teamId = null, string? ownerId = null)
    {
        var scope = AccessPolicy.QueryScope(caller);
        if (teamId is not null)
        {
            AccessPolicy.EnsureCanQueryTeam(caller, teamId);
        }
        if (ownerId is not null && ownerId != caller.UserId && scope != ReadScope.Everything)
        {
            var owner = await identities.GetAsync(ownerId);
            AccessPolicy.EnsureCanQueryOwner(caller, ownerId, owner?.TeamId);
        }
        return scope;
    }

    /// <summary>
    /// Returns once the read model shows the change <paramref name="consistencyToken"/> names (at once without one);
    /// UNAVAILABLE after <see cref="CatchUpLimit"/> if it does not. A token is only waited on for a record the caller may
    /// read (its own get decides): tokens are not signed, so a made-up token naming someone else's record is ignored
    /// exactly like one naming no record, and how long the query takes reveals nothing of it.
    /// </summary>
    public async Task CatchUpAsync(ConsistencyToken? consistencyToken, Caller caller, CancellationToken cancellationToken)
    {
        if (consistencyToken is not { } token || !await MayReadAsync(token, caller))
        {
            return;
        }
        var queries = Queries;
        var started = clock.GetTimestamp();
        using var poll = new PeriodicTimer(PollInterval, clock);
        while (await queries.ProjectedVersionAsync(token.EntityType, token.EntityId, cancellationToken) < token.Version)
        {
            if (clock.GetElapsedTime(started) >= CatchUpLimit)
            {
                throw new RpcException(new Status(StatusCode.Unavailable, "the read model has not caught up with your change yet; retry"));
            }
            await poll.WaitForNextTickAsync(cancellationToken);
        }
    }

    private async Task<bool> MayReadAsync(ConsistencyToken token, Caller caller)
    {
        var grains = services.GetRequiredService<IGrainFactory>();
        try
        {
            switch (token.EntityType)
            {
                case EntityType.Customer:
                    await grains.GetGrain<ICustomerGrain>(token.EntityId).Get(caller);
                    return true;
                case EntityType.Opportunity:
                    await grains.GetGrain<IOpportunityGrain>(token.EntityId).Get(caller);
                    return true;
                case EntityType.Team:
                    await grains.GetGrain<ITeamGrain>(token.EntityId).Get(caller);
                    return true;
                case EntityType.Salesperson:
                    await grains.GetGrain<ISalespersonGrain>(token.EntityId).Get(caller);
                    return true;
                case EntityType.Order:
                    await grains.GetGrain<Grains.Abstractions.Orders.IOrderGrain>(token.EntityId).Get(caller);
                    return true;
                default:
                    return false;
            }
        }
        catch (Exception exception) when (exception is AccessDeniedException or NotFoundException)
        {
            return false;
        }
    }
}
