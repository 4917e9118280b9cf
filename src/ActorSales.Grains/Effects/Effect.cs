using ActorSales.Domain.People;
using ActorSales.Grains.Abstractions.Customers;
using ActorSales.Grains.Abstractions.Notifications;
using ActorSales.Grains.Abstractions.Opportunities;
using ActorSales.Grains.Abstractions.People;

namespace ActorSales.Grains.Effects;

/// <summary>
/// A follow-up of a change to another grain: a typed command, persisted in the same state write as the change (and its
/// outbox events), run by <see cref="EffectDispatcher"/> after the write, on activation and on the deadline engine's
/// retry. Every effect is idempotent: it may run again after a crash between running and the next write.
/// </summary>
[GenerateSerializer, Alias("actorsales.effects.Effect")]
public abstract record Effect
{
    /// <summary>Runs the effect; throws if the other grain could not be reached (the effect then stays pending).</summary>
    public abstract Task RunAsync(IGrainFactory grains);
}

/// <summary>The region counts the team in its forecast.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.effects.AddTeamToRegion")]
public sealed record AddTeamToRegion([property: Id(0)] string Region, [property: Id(1)] string TeamId) : Effect
{
    public override Task RunAsync(IGrainFactory grains) => grains.GetGrain<IRegionGrain>(Region).AddTeam(TeamId);
}

/// <summary>The region no longer counts the team.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.effects.RemoveTeamFromRegion")]
public sealed record RemoveTeamFromRegion([property: Id(0)] string Region, [property: Id(1)] string TeamId) : Effect
{
    public override Task RunAsync(IGrainFactory grains) => grains.GetGrain<IRegionGrain>(Region).RemoveTeam(TeamId);
}

/// <summary>The team lists the salesperson as a member.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.effects.AddTeamMember")]
public sealed record AddTeamMember([property: Id(0)] string TeamId, [property: Id(1)] string SalespersonId) : Effect
{
    public override Task RunAsync(IGrainFactory grains) => grains.GetGrain<ITeamGrain>(TeamId).AddMember(SalespersonId);
}

/// <summary>The team no longer lists the salesperson.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.effects.RemoveTeamMember")]
public sealed record RemoveTeamMember([property: Id(0)] string TeamId, [property: Id(1)] string SalespersonId) : Effect
{
    public override Task RunAsync(IGrainFactory grains) => grains.GetGrain<ITeamGrain>(TeamId).RemoveMember(SalespersonId);
}

/// <summary>A customer of a salesperson who moved team follows them into the new team's scope.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.effects.MoveCustomerToTeam")]
public sealed record MoveCustomerToTeam([property: Id(0)] string CustomerId, [property: Id(1)] string OwnerId, [property: Id(2)] string TeamId) : Effect
{
    public override Task RunAsync(IGrainFactory grains) => grains.GetGrain<ICustomerGrain>(CustomerId).OwnerTeamChanged(OwnerId, TeamId);
}

/// <summary>An open deal of a salesperson who moved team follows them into the new team's scope and lists.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.effects.MoveOpportunityToTeam")]
public sealed record MoveOpportunityToTeam([property: Id(0)] string OpportunityId, [property: Id(1)] string OwnerId, [property: Id(2)] string TeamId) : Effect
{
    public override Task RunAsync(IGrainFactory grains) => grains.GetGrain<IOpportunityGrain>(OpportunityId).OwnerTeamChanged(OwnerId, TeamId);
}

/// <summary>The delegate's index shows (or no longer shows) the approver whose approvals they may decide.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.effects.LinkDelegator")]
public sealed record LinkDelegator([property: Id(0)] string DelegateId, [property: Id(1)] string ApproverId, [property: Id(2)] bool Active) : Effect
{
    public override Task RunAsync(IGrainFactory grains) => grains.GetGrain<IDelegatorsGrain>(DelegateId).Link(ApproverId, Active);
}

/// <summary>The approver's pending-approvals index shows (or drops) the approval (never the approver's salesperson grain).</summary>
[GenerateSerializer, Immutable, Alias("actorsales.effects.LinkApproval")]
public sealed record LinkApproval([property: Id(0)] string ApproverId, [property: Id(1)] string ApprovalId, [property: Id(2)] bool Pending) : Effect
{
    public override Task RunAsync(IGrainFactory grains) => grains.GetGrain<IPendingApprovalsGrain>(ApproverId).Link(ApprovalId, Pending);
}

/// <summary>
/// Legacy: approval grains of earlier releases told the deal of a decision with this effect, and rows may still hold
/// one. The approval grain no longer calls the deal (the deal applies decisions itself, and on activation applies one it
/// missed), so this does nothing; the type stays so those rows still read.
/// </summary>
[GenerateSerializer, Immutable, Alias("actorsales.effects.DeliverApprovalDecision")]
public sealed record DeliverApprovalDecision(
    [property: Id(0)] string OpportunityId,
    [property: Id(1)] string ApprovalId,
    [property: Id(2)] bool Approved,
    [property: Id(3)] string DecidedBy,
    [property: Id(4)] string Comment) : Effect
{
    public override Task RunAsync(IGrainFactory grains) => Task.CompletedTask;
}

/// <summary>A completed task leaves its department's queue.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.effects.RemoveTaskFromQueue")]
public sealed record RemoveTaskFromQueue([property: Id(0)] string Department, [property: Id(1)] string TaskId) : Effect
{
    public override Task RunAsync(IGrainFactory grains) => grains.GetGrain<IDepartmentQueueGrain>(Department).Remove(TaskId);
}

/// <summary>The pipeline catalog lists a newly defined pipeline.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.effects.AddPipelineToCatalog")]
public sealed record AddPipelineToCatalog([property: Id(0)] string PipelineKey) : Effect
{
    public override Task RunAsync(IGrainFactory grains) =>
        grains.GetGrain<IPipelineCatalogGrain>(Abstractions.GrainKeys.PipelineCatalog).Add(PipelineKey);
}

/// <summary>The owner's book lists the customer (and, if it has a won deal, counts it as won).</summary>
[GenerateSerializer, Immutable, Alias("actorsales.effects.AddCustomerToBook")]
public sealed record AddCustomerToBook([property: Id(0)] string OwnerId, [property: Id(1)] string CustomerId, [property: Id(2)] bool Won) : Effect
{
    public override Task RunAsync(IGrainFactory grains) => grains.GetGrain<IBookGrain>(OwnerId).AddCustomer(CustomerId, Won);
}

/// <summary>A previous owner's book no longer lists the customer.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.effects.RemoveCustomerFromBook")]
public sealed record RemoveCustomerFromBook([property: Id(0)] string OwnerId, [property: Id(1)] string CustomerId) : Effect
{
    public override Task RunAsync(IGrainFactory grains) => grains.GetGrain<IBookGrain>(OwnerId).RemoveCustomer(CustomerId);
}

/// <summary>
/// The book entries a salesperson's state kept (rows of the release before books had their grain) move to the book
/// grain; the book keeps what left it meanwhile out, so a replay or a late run adds nothing stale.
/// </summary>
[GenerateSerializer, Immutable, Alias("actorsales.effects.ImportBook")]
public sealed record ImportBook([property: Id(0)] string SalespersonId, [property: Id(1)] BookEntries Entries) : Effect
{
    public override Task RunAsync(IGrainFactory grains) => grains.GetGrain<IBookGrain>(SalespersonId).Import(Entries);
}

/// <summary>A departed salesperson's inbox takes nothing more.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.effects.CloseInbox")]
public sealed record CloseInbox([property: Id(0)] string UserId) : Effect
{
    public override Task RunAsync(IGrainFactory grains) => grains.GetGrain<INotificationInboxGrain>(UserId).Close();
}

/// <summary>A released customer enters its team's public pool and leaves the team's about-to-release list.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.effects.AddToPool")]
public sealed record AddToPool([property: Id(0)] string TeamId, [property: Id(1)] PoolEntry Entry) : Effect
{
    public override async Task RunAsync(IGrainFactory grains)
    {
        await grains.GetGrain<IPublicPoolGrain>(TeamId).Add(Entry);
        await grains.GetGrain<ITeamGrain>(TeamId).SetReleaseWarning(Entry.CustomerId, false);
    }
}

/// <summary>The pool's reservation of a claim is final: the customer wrote its new owner (idempotent).</summary>
[GenerateSerializer, Immutable, Alias("actorsales.effects.ConfirmPoolClaim")]
public sealed record ConfirmPoolClaim([property: Id(0)] string TeamId, [property: Id(1)] Domain.Deadlines.PoolClaim Claim) : Effect
{
    public override Task RunAsync(IGrainFactory grains) => grains.GetGrain<IPublicPoolGrain>(TeamId).Confirm(Claim);
}

/// <summary>The team's about-to-release list shows (or drops) the customer.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.effects.SetReleaseWarning")]
public sealed record SetReleaseWarning([property: Id(0)] string TeamId, [property: Id(1)] string CustomerId, [property: Id(2)] bool Warned) : Effect
{
    public override Task RunAsync(IGrainFactory grains) => grains.GetGrain<ITeamGrain>(TeamId).SetReleaseWarning(CustomerId, Warned);
}

/// <summary>The receiver's list of handover packages shows (or drops) the handover.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.effects.LinkHandoverPackage")]
public sealed record LinkHandoverPackage([property: Id(0)] string ReceiverId, [property: Id(1)] string HandoverId, [property: Id(2)] bool Addressed) : Effect
{
    public override Task RunAsync(IGrainFactory grains) => grains.GetGrain<ISalespersonGrain>(ReceiverId).LinkHandoverPackage(HandoverId, Addressed);
}

/// <summary>The leaver departs (status, inbox, team) once their whole book has moved; idempotent per handover.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.effects.CompleteDeparture")]
public sealed record CompleteDeparture([property: Id(0)] string LeaverId, [property: Id(1)] string HandoverId, [property: Id(2)] string ActorId) : Effect
{
    public override Task RunAsync(IGrainFactory grains) => grains.GetGrain<ISalespersonGrain>(LeaverId).CompleteDeparture(HandoverId, ActorId);
}
