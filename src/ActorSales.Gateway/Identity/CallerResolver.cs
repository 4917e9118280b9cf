using ActorSales.Domain.Common;
using ActorSales.Domain.Errors;
using ActorSales.Domain.Handovers;
using ActorSales.Domain.Identity;
using ActorSales.Domain.People;
using ActorSales.Gateway.Retries;
using ActorSales.Grains.Abstractions.People;
using Grpc.Core;

namespace ActorSales.Gateway.Identity;

/// <summary>
/// Turns the authenticated token into a <see cref="Caller"/>. Admins and services act without a salesperson record;
/// everyone else must have one, and its live status (a frozen account is refused at once) and team come from the
/// salesperson grain (through <see cref="PersonIdentityCache"/>: at most a second old, and standing in while that grain's
/// silo is lost), not from the token, so a role change or a departure applies to tokens already issued. The
/// freeze of a departing account is applied here, for every RPC, before any request field is looked at.
/// </summary>
public sealed class CallerResolver(PersonIdentityCache identities, TimeProvider clock)
{
    public async Task<Caller> ResolveAsync(ServerCallContext context)
    {
        var user = context.GetHttpContext().User;
        var subject = user.FindFirst(ActorSalesClaims.Subject)?.Value;
        if (user.Identity?.IsAuthenticated != true || string.IsNullOrEmpty(subject))
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated, "a bearer token with a 'sub' claim is required"));
        }
        var roleClaim = user.FindFirst(ActorSalesClaims.Role)?.Value;
        if (!Enum.TryParse<Role>(roleClaim, ignoreCase: true, out var role) || role == Role.Unspecified || !Enum.IsDefined(role))
        {
            throw new AccessDeniedException("the token's 'role' claim must be one of rep, manager, director, admin, service, finance");
        }
        string userId;
        try
        {
            userId = Guard.Id(subject, "sub");
        }
        catch (ValidationException)
        {
            throw new AccessDeniedException("the token's 'sub' claim is not a valid user id");
        }
        var caller = role is Role.Admin or Role.Service or Role.Finance
            ? new Caller(userId, role, null, SalespersonStatus.Active)
            : await ResolvePerson(userId, role);
        AccessPolicy.EnsureMayCall(caller, RpcSideEffects.Changes(context.Method));
        return RequestIdInterceptor.ClientRequestOf(context, userId) is { } request ? caller with { Request = request } : caller;
    }

    /// <summary>This gateway changed <paramref name="userId"/>'s identity: their next call here sees it at once.</summary>
    public void Forget(string userId) => identities.Forget(userId);

    private async Task<Caller> ResolvePerson(string userId, Role role)
    {
        var person = await identities.GetAsync(userId)
            ?? throw new AccessDeniedException($"user '{userId}' has no salesperson profile; an admin must create it first");
        if (person.Role != role)
        {
            throw new AccessDeniedException("the token's role no longer matches the user's role; sign in again");
        }
        return new Caller(userId, person.Role, person.TeamId, person.Status,
            HandoverRules.ReadsOwnBook(person.Status, person.ReadsUntil, clock.GetUtcNow()));
    }
}
