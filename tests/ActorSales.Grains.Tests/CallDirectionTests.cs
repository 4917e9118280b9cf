using ActorSales.Grains.Abstractions.Customers;
using ActorSales.Grains.Abstractions.Handovers;
using ActorSales.Grains.Abstractions.People;

namespace ActorSales.Grains.Tests;

/// <summary>
/// Grain calls run one way: records update their owner's book grain and never wait on the salesperson grain that may be
/// re-scoping them, and the salesperson never waits on the handover that freezes it. Checked on every grain-to-grain
/// call the cluster has seen so far, after a walk through the flows that used to cross.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class CallDirectionTests(ClusterFixture fixture)
{
    [Fact]
    public async Task Only_the_handover_waits_on_a_salesperson_grain_and_the_salesperson_never_waits_on_a_handover()
    {
        var team = await fixture.CreateTeamAsync();
        var other = await fixture.CreateTeamAsync();
        await fixture.AppointDirectorAsync(team);
        var customer = await fixture.RegisterCustomerAsync(team, team.OtherRep.UserId);
        var approvalDeal = await fixture.DealReadyForApprovalAsync(team, 700_000m);
        await approvalDeal.ChangeStage("ContractApproval", "", 0, team.Rep); // files an approval with the director
        await customer.Transfer(team.Rep.UserId, "territory change", 0, team.Manager); // both books change
        var mover = await fixture.CreatePersonAsync($"mov-{Guid.NewGuid():N}"[..16], Domain.Identity.Role.Rep, team.TeamId);
        await fixture.RegisterCustomerAsync(team, mover.UserId);
        await fixture.OpenDealAsync(team, mover);
        await fixture.Grains.GetGrain<ISalespersonGrain>(mover.UserId).Update(new SalespersonChanges(null, null, null, other.TeamId), 0, ClusterFixture.Admin);
        var handover = fixture.Grains.GetGrain<IHandoverGrain>(team.Rep.UserId);
        await handover.Start(new DepartureRequest(null, team.OtherRep.UserId, []), team.Manager);
        await handover.Accept("", team.OtherRep);
        await ClusterFixture.EventuallyAsync(() => handover.Get(team.Manager), h => h.Completed);

        var intoSalespeople = fixture.CallFaults.GrainCallsInto("salesperson");
        var blocking = intoSalespeople.Where(c => !c.Interleaves && c.Source != "handover").ToList();
        var fromSalespeopleToHandovers = fixture.CallFaults.GrainCallsInto("handover").Where(c => c.Source == "salesperson").ToList();

        Assert.Contains(intoSalespeople, c => c.Source == "customer" && c.Interleaves); // the check sees the identity reads
        Assert.Contains(intoSalespeople, c => c.Source == "handover" && c.Method == nameof(ISalespersonGrain.BeginDeparture) && !c.Interleaves); // and tells a blocking call
        Assert.Contains(fixture.CallFaults.GrainCallsInto("book"), c => c.Source == "customer" && c.Method == nameof(IBookGrain.AddCustomer));
        Assert.Contains(fixture.CallFaults.GrainCallsInto("customer"), c => c.Source == "salesperson" && c.Method == nameof(ICustomerGrain.OwnerTeamChanged));
        Assert.Empty(blocking);
        Assert.Empty(fromSalespeopleToHandovers);
    }
}
