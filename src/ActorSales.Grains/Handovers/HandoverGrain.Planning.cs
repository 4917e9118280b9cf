using ActorSales.Domain.Common;
using ActorSales.Domain.Errors;
using ActorSales.Domain.Handovers;
using ActorSales.Domain.Identity;
using ActorSales.Grains.Abstractions.Customers;
using ActorSales.Grains.Abstractions.Handovers;
using ActorSales.Grains.Abstractions.Opportunities;
using ActorSales.Grains.Abstractions.People;
using ActorSales.Grains.People;
using SalespersonStatus = ActorSales.Domain.People.SalespersonStatus;

namespace ActorSales.Grains.Handovers;

/// <summary>The lookups of a start: the request checked, receivers resolved, approvals rerouted, the leaver frozen, the book packaged.</summary>
public sealed partial class HandoverGrain
{
    private sealed record StartPlan(DateOnly? LastWorkingDay, string? FallbackOwnerId, List<PackageState> Packages);

    /// <summary>
    /// Everything a start needs before the handover changes: the packages are planned once before the freeze, so a bad
    /// split is refused while the leaver can still work, and again from the book that can no longer change. Approvals
    /// waiting for the leaver's decision go to the next approver before the account freezes; if one has nobody to go
    /// to, the start is refused and says whom to appoint.
    /// </summary>
    private async Task<(StartPlan Plan, IReadOnlyList<(string ApprovalId, string ApproverId)> Rerouted)> PrepareStart(
        DepartureRequest request, PersonIdentity leaver, TeamView? team, Caller caller, DateTimeOffset now)
    {
        var lastWorkingDay = HandoverRules.ParseLastWorkingDay(request.LastWorkingDay, now);
        var assignments = HandoverRules.ValidateAssignments(Id, request.Assignments.Select(a => (a.CustomerId ?? string.Empty, a.ReceiverId ?? string.Empty)).ToList());
        var defaultReceiver = string.IsNullOrEmpty(request.DefaultReceiverId) ? null : Guard.Id(request.DefaultReceiverId, "default_receiver_id");
        if (defaultReceiver == Id)
        {
            throw new ValidationException("default_receiver_id", "the leaver cannot receive their own book");
        }
        // Each receiver is looked up once; a refusal names the field where the request first names them.
        var receivers = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < request.Assignments.Count; i++)
        {
            if (request.Assignments[i].ReceiverId is { Length: > 0 } receiverId)
            {
                receivers.TryAdd(receiverId, $"assignments[{i}].receiver_id");
            }
        }
        if (defaultReceiver is not null)
        {
            receivers[defaultReceiver] = "default_receiver_id";
        }
        foreach (var (receiverId, field) in receivers)
        {
            await ResolveReceiver(receiverId, leaver.TeamId, caller, field);
        }
        var fallback = defaultReceiver ?? (team?.ManagerId is { } managerId && managerId != Id ? managerId : null);

        await Package(assignments, defaultReceiver, fallback, now);
        var rerouted = await RerouteApprovals(caller.UserId);
        var zone = team?.Profile.TimeZone is { } zoneId && TimeZoneInfo.TryFindSystemTimeZoneById(zoneId, out var found) ? found : TimeZoneInfo.Utc;
        await GrainFactory.GetGrain<ISalespersonGrain>(Id).BeginDeparture(Id, HandoverRules.ReadsUntil(lastWorkingDay, zone, now), caller.UserId);
        var packages = await Package(assignments, defaultReceiver, fallback, now);
        return (new StartPlan(lastWorkingDay, fallback, packages), rerouted);
    }

    /// <summary>Packages the leaver's current book, as each record tells it; throws if something would be orphaned.</summary>
    private async Task<List<PackageState>> Package(IReadOnlyDictionary<string, string> assignments, string? defaultReceiver, string? fallback, DateTimeOffset now)
    {
        var book = await Books.ReadAsync(GrainFactory, Id);
        var routing = HandoverRules.Route(book.CustomerIds, assignments, defaultReceiver);
        var customers = await FindAll(routing.Keys, id => GrainFactory.GetGrain<ICustomerGrain>(id).Find());
        var deals = await FindAll(book.OpenOpportunityIds, id => GrainFactory.GetGrain<IOpportunityGrain>(id).Find());
        return HandoverPackaging.Plan(Id, routing,
            customers.OfType<CustomerView>().Select(c => new BookCustomer(c.Id, c.Details.Name, c.OwnerId, c.InPool)),
            deals.OfType<OpportunityView>().Select(d => new BookDeal(d.Id, d.Terms.Title, d.CustomerId, d.OwnerId, d.Status == Domain.Pipeline.OpportunityStatus.Open)),
            defaultReceiver, fallback, now);
    }

    /// <summary>Sends every approval still waiting for the leaver's decision to the next approver; returns (approval, new approver).</summary>
    private async Task<List<(string ApprovalId, string ApproverId)>> RerouteApprovals(string actorId)
    {
        var rerouted = new List<(string, string)>();
        foreach (var approvalId in await GrainFactory.GetGrain<ISalespersonGrain>(Id).PendingApprovalIds())
        {
            if (await GrainFactory.GetGrain<IApprovalGrain>(approvalId).Find() is not { Status: Domain.Pipeline.ApprovalStatus.Pending } approval || approval.ApproverId != Id)
            {
                continue;
            }
            if (await GrainFactory.GetGrain<IOpportunityGrain>(approval.OpportunityId).RerouteApproval(approvalId, Id, actorId) is { } approverId)
            {
                rerouted.Add((approvalId, approverId));
            }
        }
        return rerouted;
    }

    private async Task<PersonIdentity> ResolveReceiver(string receiverId, string leaverTeamId, Caller caller, string field)
    {
        var receiver = await GrainFactory.GetGrain<ISalespersonGrain>(receiverId).GetIdentity() ?? throw new NotFoundException("salesperson", receiverId);
        if (receiver.Status != SalespersonStatus.Active)
        {
            throw new PreconditionFailedException($"{field}: salesperson '{receiverId}' is not active and cannot receive a handover");
        }
        AccessPolicy.EnsureCanTransfer(caller, leaverTeamId, receiver.TeamId);
        return receiver;
    }

    private static async Task<List<T?>> FindAll<T>(IEnumerable<string> ids, Func<string, Task<T?>> find)
    {
        var results = new List<T?>();
        foreach (var chunk in ids.Chunk(200))
        {
            results.AddRange(await Task.WhenAll(chunk.Select(find)));
        }
        return results;
    }
}
