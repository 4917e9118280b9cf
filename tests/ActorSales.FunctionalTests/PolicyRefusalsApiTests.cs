using ActorSales.Contracts.V1;
using ActorSales.Testing;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace ActorSales.FunctionalTests;

/// <summary>
/// The refusals AccessPolicy took over from the grains (pool claims and assignments, customer locks, delegates), seen
/// through the API: PERMISSION_DENIED, the same answer whether or not the record exists, and nothing of the record
/// (team, owner, customer, approver) in the message.
/// </summary>
[Collection(HostCollection.Name)]
public sealed class PolicyRefusalsApiTests(HostFixture fixture)
{
    private TestHost host => fixture.Host;

    private PoolService.PoolServiceClient Pool => new(host.Channel);

    private ApprovalsService.ApprovalsServiceClient Approvals => new(host.Channel);

    private static async Task<RpcException> Refused(Func<Task> call) => await Assert.ThrowsAsync<RpcException>(call);

    [Fact]
    public async Task Refused_pool_lock_and_delegate_calls_name_nothing_of_the_record()
    {
        var team = await host.CreateTeamAsync();
        var outsider = await host.CreateTeamAsync();
        var customer = (await host.Customers.CreateCustomerAsync(new CreateCustomerRequest
        {
            Name = "Clinic", Company = $"Clinic {Guid.NewGuid():N}", Tier = CustomerTier.B, SourceChannel = SourceChannel.Referral,
        }, team.Rep)).Customer;
        var unknownCustomer = $"cus_{Guid.NewGuid():N}";
        var now = DateTimeOffset.UtcNow;

        var claim = await Refused(async () => await Pool.ClaimCustomerAsync(
            new ClaimCustomerRequest { TeamId = team.TeamId, CustomerId = customer.CustomerId }, outsider.Rep));
        var claimUnknown = await Refused(async () => await Pool.ClaimCustomerAsync(
            new ClaimCustomerRequest { TeamId = team.TeamId, CustomerId = unknownCustomer }, outsider.Rep));
        var assign = await Refused(async () => await Pool.AssignPoolCustomerAsync(
            new AssignPoolCustomerRequest { TeamId = team.TeamId, CustomerId = customer.CustomerId, OwnerId = team.OtherRepId }, outsider.Manager));
        var assignByService = await Refused(async () => await Pool.AssignPoolCustomerAsync(
            new AssignPoolCustomerRequest { TeamId = team.TeamId, CustomerId = customer.CustomerId, OwnerId = team.OtherRepId }, host.As("billing-sync", "service")));
        var lockByOwner = await Refused(async () => await host.Customers.SetCustomerLockAsync(
            new SetCustomerLockRequest { CustomerId = customer.CustomerId, Locked = true }, team.Rep));
        var lockByOtherManager = await Refused(async () => await host.Customers.SetCustomerLockAsync(
            new SetCustomerLockRequest { CustomerId = customer.CustomerId, Locked = true }, outsider.Manager));
        var delegateForAnother = await Refused(async () => await Approvals.SetDelegateAsync(new SetDelegateRequest
        {
            ApproverId = team.ManagerId, DelegateId = outsider.RepId,
            From = Timestamp.FromDateTimeOffset(now), Until = Timestamp.FromDateTimeOffset(now.AddDays(7)),
        }, outsider.Manager));

        var refusals = new[] { claim, claimUnknown, assign, assignByService, lockByOwner, lockByOtherManager, delegateForAnother };
        Assert.All(refusals, e => Assert.Equal(StatusCode.PermissionDenied, e.StatusCode));
        Assert.Equal(claim.Status.Detail, claimUnknown.Status.Detail);
        foreach (var detail in refusals.Select(e => e.Status.Detail))
        {
            foreach (var secret in new[] { team.TeamId, team.RepId, team.ManagerId, team.OtherRepId, customer.CustomerId, unknownCustomer })
            {
                Assert.DoesNotContain(secret, detail, StringComparison.Ordinal);
            }
        }
        Assert.False((await host.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = customer.CustomerId }, team.Manager)).Customer.Locked);
    }
}
