using ActorSales.Domain.Identity;
using ActorSales.Domain.Pipeline;
using ActorSales.Grains.Abstractions;
using ActorSales.Grains.Abstractions.Customers;
using ActorSales.Grains.Abstractions.Opportunities;
using ActorSales.Grains.Abstractions.People;
using ActorSales.Grains.Infrastructure;

namespace ActorSales.Grains.People;

/// <summary>The salesperson's reads: identity, the book's lists and forecast (paged from the book grain), approvals, handovers.</summary>
public sealed partial class SalespersonGrain
{
    public async Task<SalespersonView> Get(Caller caller)
    {
        EnsureCreated();
        AccessPolicy.EnsureCanReadPerson(caller, Id, S.Profile!.TeamId);
        return await ToView();
    }

    public Task<PersonIdentity?> GetIdentity() => Task.FromResult(
        S.Created ? new PersonIdentity(Id, S.Profile!.Role, S.Profile.TeamId, S.Status, S.ReadsUntil) : null);

    public Task<Delegation?> GetDelegation() => Task.FromResult(S.Delegation);

    public async Task<IReadOnlyList<string>> PendingApprovalIds() => await PendingApprovalIds(Id, S.PendingApprovalIds);

    public Task<IReadOnlyList<string>> HandoverPackageIds() => Task.FromResult<IReadOnlyList<string>>(Enumerable.Reverse(S.HandoverPackages).ToList());

    public Task<int> OwnedCount() => Book().OwnedWithoutWinCount();

    public async Task<IReadOnlyList<string>> OwnedCustomerIds() => (await Book().Read()).CustomerIds;

    public async Task<IReadOnlyList<string>> OpenOpportunityIds() => (await Book().Read()).OpenOpportunityIds;

    public async Task<Page<CustomerView>> ListCustomers(Caller caller, int pageSize, string? afterId)
    {
        EnsureCreated();
        AccessPolicy.EnsureCanRead(caller, Id, S.Profile!.TeamId, "that salesperson's book");
        var slice = await Book().CustomersAfter(afterId, pageSize + 1);
        var pageIds = slice.Ids.Take(pageSize).ToList();
        var hasMore = slice.Ids.Count > pageSize;
        var customers = await Task.WhenAll(pageIds.Select(id => GrainFactory.GetGrain<ICustomerGrain>(id).Find()));
        // A customer mid-transfer may already name its new owner; it is listed in that owner's book instead.
        var items = customers.OfType<CustomerView>().Where(c => c.OwnerId == Id).ToList();
        return new Page<CustomerView>(items, hasMore ? pageIds[^1] : null, slice.Total);
    }

    public async Task<Page<OpportunityView>> ListOpportunities(Caller caller, string? stage, int pageSize, string? afterId)
    {
        EnsureCreated();
        AccessPolicy.EnsureCanRead(caller, Id, S.Profile!.TeamId, "that salesperson's pipeline");
        var open = (await Book().Read()).OpenOpportunityIds;
        var ids = open.Where(id => afterId is null || string.CompareOrdinal(id, afterId) > 0);
        var (matching, hasMore) = await BookPaging.PageAsync(ids, id => GrainFactory.GetGrain<IOpportunityGrain>(id).Find(),
            o => o.OwnerId == Id && o.Status == OpportunityStatus.Open && (stage is null || o.Stage == stage), pageSize);
        return new Page<OpportunityView>(matching, hasMore ? matching[^1].Id : null, open.Count);
    }

    public Task<IReadOnlyList<CurrencyForecast>> GetForecast(Caller caller)
    {
        EnsureCreated();
        AccessPolicy.EnsureCanRead(caller, Id, S.Profile!.TeamId, "that salesperson's forecast");
        return ComputeForecast();
    }

    public async Task<IReadOnlyList<CurrencyForecast>> ComputeForecast()
    {
        var open = (await Book().Read()).OpenOpportunityIds;
        var opportunities = await Task.WhenAll(open.Select(id => GrainFactory.GetGrain<IOpportunityGrain>(id).Find()));
        return ForecastRules.Combine(opportunities.OfType<OpportunityView>()
            .Where(o => o.OwnerId == Id && o.Status == OpportunityStatus.Open)
            .Select(o => new CurrencyForecast(o.Terms.Value.Currency, o.Terms.Value.Amount, o.WeightedAmount, 1)));
    }

    public async Task<IReadOnlyList<ApprovalView>> ListPendingApprovals(Caller caller)
    {
        EnsureCreated();
        AccessPolicy.EnsureCanListApprovals(caller, Id);
        var now = clock.GetUtcNow();
        var ids = new List<string>(await PendingApprovalIds(Id, S.PendingApprovalIds));
        // Who named this person delegate: the index, plus the list rows of the previous release kept here.
        var delegators = new SortedSet<string>(await GrainFactory.GetGrain<IDelegatorsGrain>(Id).Approvers(), StringComparer.Ordinal);
        delegators.UnionWith(S.Delegators);
        foreach (var approverId in delegators)
        {
            var approver = GrainFactory.GetGrain<ISalespersonGrain>(approverId);
            if (await approver.GetDelegation() is { } delegation && delegation.DelegateId == Id && delegation.IsActive(now))
            {
                ids.AddRange(await approver.PendingApprovalIds()); // an interleaving read: the approver's index and older list
            }
        }
        var approvals = await Task.WhenAll(ids.Distinct(StringComparer.Ordinal).Select(id => GrainFactory.GetGrain<IApprovalGrain>(id).Find()));
        // An approval rerouted away from its approver stays out even if the old list still names it; one escalated to this
        // person is in (the original approver still lists it, showing whom it was escalated to).
        return approvals.OfType<ApprovalView>()
            .Where(a => a.Status == ApprovalStatus.Pending && (a.ApproverId == Id || a.EscalatedToId == Id || delegators.Contains(a.ApproverId)))
            .OrderBy(a => a.RequestedAt).ToList();
    }

    /// <summary>Approvals filed for <paramref name="approverId"/>: the index, plus the list an earlier release kept in the salesperson's state.</summary>
    private async Task<IReadOnlyList<string>> PendingApprovalIds(string approverId, IEnumerable<string> kept) =>
        [.. (await GrainFactory.GetGrain<IPendingApprovalsGrain>(approverId).ApprovalIds()).Union(kept, StringComparer.Ordinal)];
}
