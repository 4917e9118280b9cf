using ActorSales.Domain.Deadlines;
using ActorSales.Domain.Pipeline;
using ActorSales.Grains.Abstractions.Customers;
using ActorSales.Grains.Abstractions.Notifications;
using ActorSales.Grains.Abstractions.Opportunities;
using ActorSales.Grains.Abstractions.People;

namespace ActorSales.Grains.Effects;

/// <summary>The customer's list of open deals shows (or drops) the opportunity.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.effects.LinkOpportunityToCustomer")]
public sealed record LinkOpportunityToCustomer([property: Id(0)] string CustomerId, [property: Id(1)] string OpportunityId, [property: Id(2)] bool Open) : Effect
{
    public override Task RunAsync(IGrainFactory grains) => grains.GetGrain<ICustomerGrain>(CustomerId).LinkOpportunity(OpportunityId, Open);
}

/// <summary>The customer keeps what it grades the deal by; idempotent (the deal's version orders reports).</summary>
[GenerateSerializer, Immutable, Alias("actorsales.effects.ReportDealToCustomer")]
public sealed record ReportDealToCustomer([property: Id(0)] string CustomerId, [property: Id(1)] string OpportunityId, [property: Id(2)] Domain.Customers.DealFacts Facts) : Effect
{
    public override Task RunAsync(IGrainFactory grains) => grains.GetGrain<ICustomerGrain>(CustomerId).RecordDeal(OpportunityId, Facts);
}

/// <summary>The customer keeps what it grades the order's payments by; idempotent (the order's version orders reports).</summary>
[GenerateSerializer, Immutable, Alias("actorsales.effects.ReportOrderPaymentsToCustomer")]
public sealed record ReportOrderPaymentsToCustomer([property: Id(0)] string CustomerId, [property: Id(1)] string OrderId, [property: Id(2)] Domain.Customers.OrderPaymentFacts Facts) : Effect
{
    public override Task RunAsync(IGrainFactory grains) => grains.GetGrain<ICustomerGrain>(CustomerId).RecordOrderPayments(OrderId, Facts);
}

/// <summary>The owner's book of open deals shows (or drops) the opportunity.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.effects.LinkOpportunityToOwner")]
public sealed record LinkOpportunityToOwner([property: Id(0)] string OwnerId, [property: Id(1)] string OpportunityId, [property: Id(2)] bool Open) : Effect
{
    public override Task RunAsync(IGrainFactory grains) => grains.GetGrain<IBookGrain>(OwnerId).LinkOpportunity(OpportunityId, Open);
}

/// <summary>The customer records a won deal (it exempts the customer from release for a while).</summary>
[GenerateSerializer, Immutable, Alias("actorsales.effects.RecordCustomerWin")]
public sealed record RecordCustomerWin([property: Id(0)] string CustomerId, [property: Id(1)] DateTimeOffset WonAt) : Effect
{
    public override Task RunAsync(IGrainFactory grains) => grains.GetGrain<ICustomerGrain>(CustomerId).RecordWin(WonAt);
}

/// <summary>The approval grain holds the request (or moves it to a new approver); idempotent by approval id.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.effects.FileApproval")]
public sealed record FileApproval([property: Id(0)] string ApprovalId, [property: Id(1)] ApprovalRequest Request) : Effect
{
    public override Task RunAsync(IGrainFactory grains) => grains.GetGrain<IApprovalGrain>(ApprovalId).Request(Request);
}

/// <summary>A department task a stage entry asks for; idempotent by task id.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.effects.CreateDepartmentTask")]
public sealed record CreateDepartmentTask([property: Id(0)] TaskPlan Plan, [property: Id(1)] string OpportunityId, [property: Id(2)] string OwnerTeamId) : Effect
{
    public override Task RunAsync(IGrainFactory grains) => grains.GetGrain<IDepartmentTaskGrain>(Plan.TaskId).Create(Plan, OpportunityId, OwnerTeamId);
}

/// <summary>The team's stalled list shows the deal at its level (None takes it off).</summary>
[GenerateSerializer, Immutable, Alias("actorsales.effects.SetTeamStall")]
public sealed record SetTeamStall([property: Id(0)] string TeamId, [property: Id(1)] string OpportunityId, [property: Id(2)] StallLevel Level) : Effect
{
    public override Task RunAsync(IGrainFactory grains) => grains.GetGrain<ITeamGrain>(TeamId).SetStall(OpportunityId, Level);
}

/// <summary>The team's intervention list shows (or drops) the deal.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.effects.SetTeamIntervention")]
public sealed record SetTeamIntervention([property: Id(0)] string TeamId, [property: Id(1)] string OpportunityId, [property: Id(2)] bool Needed) : Effect
{
    public override Task RunAsync(IGrainFactory grains) => grains.GetGrain<ITeamGrain>(TeamId).SetIntervention(OpportunityId, Needed);
}

/// <summary>A notification in one user's inbox; the inbox ignores an id it already has.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.effects.Notify")]
public sealed record Notify([property: Id(0)] string RecipientId, [property: Id(1)] Notification Notification) : Effect
{
    public override Task RunAsync(IGrainFactory grains) => grains.GetGrain<INotificationInboxGrain>(RecipientId).Notify(Notification);
}

/// <summary>
/// A notification for whoever manages the team when it runs (unless that is <paramref name="ExceptUserId"/>); its id is
/// <paramref name="KeyPrefix"/> and the manager's id, so a replay adds nothing.
/// </summary>
[GenerateSerializer, Immutable, Alias("actorsales.effects.NotifyTeamManager")]
public sealed record NotifyTeamManager(
    [property: Id(0)] string TeamId,
    [property: Id(1)] string? ExceptUserId,
    [property: Id(2)] string KeyPrefix,
    [property: Id(3)] Notification Template) : Effect
{
    public override async Task RunAsync(IGrainFactory grains)
    {
        if ((await grains.GetGrain<ITeamGrain>(TeamId).Find())?.ManagerId is { } managerId && managerId != ExceptUserId)
        {
            await grains.GetGrain<INotificationInboxGrain>(managerId).Notify(Template with { Id = $"{KeyPrefix}:{managerId}" });
        }
    }
}
