using ActorSales.Domain.Customers;
using ActorSales.Domain.Identity;
using ActorSales.Grains.Abstractions.Customers;

namespace ActorSales.Grains.Customers;

/// <summary>
/// The computed grade: deals and orders report their grading inputs here (opportunity -> customer, order -> customer, the
/// allowed directions), the
/// aggregate regrades within the same write, and callers read the grade with the factors behind it. The scheduled
/// regrade is one of the customer's deadlines (see the Deadlines part).
/// </summary>
public sealed partial class CustomerGrain
{
    public async Task RecordDeal(string opportunityId, DealFacts facts)
    {
        var customer = Aggregate();
        customer.RecordDeal(opportunityId, facts, clock.GetUtcNow());
        await Commit(customer, Caller.System.UserId);
    }

    public async Task RecordOrderPayments(string orderId, OrderPaymentFacts facts)
    {
        var customer = Aggregate();
        customer.RecordOrderPayments(orderId, facts, clock.GetUtcNow());
        await Commit(customer, Caller.System.UserId);
    }

    public Task<CustomerGradeView> GetGrade(Caller caller)
    {
        var customer = Aggregate();
        customer.EnsureRegistered();
        AccessPolicy.EnsureCanRead(caller, S.OwnerId, S.OwnerTeamId, "this customer");
        return Task.FromResult(new CustomerGradeView(Id, S.Details!.Tier, S.Grade, customer.GradeDeadline()?.DueAt,
            S.GradeHistory.AsEnumerable().Reverse().ToList()));
    }
}
