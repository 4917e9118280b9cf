using ActorSales.Grains.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
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

    [Fact]
    public void The_declared_call_graph_has_no_cycle_so_no_two_grains_can_wait_on_each_other()
    {
        var path = new List<string>();
        var done = new HashSet<string>(StringComparer.Ordinal);
        string? Cycle(string grain)
        {
            if (path.Contains(grain))
            {
                return string.Join(" -> ", path.SkipWhile(g => g != grain).Append(grain));
            }
            if (!done.Add(grain))
            {
                return null;
            }
            path.Add(grain);
            var found = CallGraph.MayCall[grain].Select(Cycle).FirstOrDefault(c => c is not null);
            path.RemoveAt(path.Count - 1);
            return found;
        }

        var cycles = CallGraph.MayCall.Keys.Select(g => { done.Clear(); return Cycle(g); }).OfType<string>().ToList();

        Assert.True(cycles.Count == 0, $"cycles: {string.Join("; ", cycles)}");
        Assert.All(CallGraph.MayCall.Values.SelectMany(v => v), target => Assert.True(CallGraph.MayCall.ContainsKey(target), $"{target} is called but not declared"));
    }

    [Fact]
    public void A_call_is_allowed_only_the_declared_way_and_outside_callers_may_call_anything()
    {
        Assert.True(CallGraph.Allows("customer", "book"));
        Assert.False(CallGraph.Allows("book", "customer"));
        Assert.False(CallGraph.Allows("publicpool", "customer")); // claims go through the customer
        Assert.False(CallGraph.Allows("approval", "opportunity")); // decisions go through the deal
        Assert.False(CallGraph.Allows("customer", "salesperson")); // books are their own grains
        Assert.True(CallGraph.Allows("customer", "customer"));
        Assert.True(CallGraph.Allows("sys.client", "customer")); // the gateway and Orleans' runtime
        Assert.Empty(fixture.SiloServices.GetRequiredService<CallDirectionViolations>().Seen);
    }
}
