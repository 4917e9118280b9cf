using ActorSales.Domain.Errors;
using ActorSales.Domain.Identity;
using ActorSales.Domain.Pipeline;
using ActorSales.Grains.Abstractions.Opportunities;
using ActorSales.Grains.Abstractions.People;
using ActorSales.Grains.Infrastructure;

namespace ActorSales.Grains.Opportunities;

[GenerateSerializer, Alias("actorsales.ApprovalState")]
public sealed class ApprovalState
{
    [Id(0)] public ApprovalRequest? Request { get; set; }
    [Id(1)] public ApprovalStatus Status { get; set; }
    [Id(2)] public DateTimeOffset RequestedAt { get; set; }
    [Id(3)] public string? DecidedBy { get; set; }
    [Id(4)] public DateTimeOffset? DecidedAt { get; set; }
    [Id(5)] public string? Comment { get; set; }

    /// <summary>The decision is stored but the opportunity and the approver's list may not know yet; replayed on activation.</summary>
    [Id(6)] public bool NotifyPending { get; set; }
}

public sealed class ApprovalGrain(
    [PersistentState("approval", StorageNames.Default)] IPersistentState<ApprovalState> state,
    TimeProvider clock) : Grain, IApprovalGrain
{
    private const string Entity = "approval";

    private string Id => this.GetPrimaryKeyString();

    public override Task OnActivateAsync(CancellationToken cancellationToken) => Notify();

    public async Task<ApprovalView> Request(ApprovalRequest request)
    {
        string? previousApprover = null;
        if (state.State.Request is null)
        {
            state.State.Request = request;
            state.State.Status = ApprovalStatus.Pending;
            state.State.RequestedAt = clock.GetUtcNow();
            await state.WriteOrConflictAsync(Entity, Id);
        }
        else if (state.State.Status == ApprovalStatus.Pending && state.State.Request.ApproverId != request.ApproverId)
        {
            previousApprover = state.State.Request.ApproverId;
            state.State.Request = state.State.Request with { ApproverId = request.ApproverId };
            await state.WriteOrConflictAsync(Entity, Id);
        }
        await GrainFactory.GetGrain<ISalespersonGrain>(state.State.Request.ApproverId).LinkApproval(Id, state.State.Status == ApprovalStatus.Pending);
        if (previousApprover is not null)
        {
            // If this fails the entry lingers in the old list, which shows only approvals still addressed to its owner.
            await GrainFactory.GetGrain<ISalespersonGrain>(previousApprover).LinkApproval(Id, false);
        }
        return ToView();
    }

    public async Task<ApprovalView> Get(Caller caller)
    {
        var request = EnsureCreated();
        var delegation = await GrainFactory.GetGrain<ISalespersonGrain>(request.ApproverId).GetDelegation();
        AccessPolicy.EnsureCanReadApproval(caller, request.OwnerId, request.OwnerTeamId, request.ApproverId, delegation, clock.GetUtcNow());
        return ToView();
    }

    public async Task<ApprovalView> Decide(bool approve, string comment, Caller caller)
    {
        var request = EnsureCreated();
        var now = clock.GetUtcNow();
        // Access first: whoever may not decide learns nothing of the request's state.
        var delegation = await GrainFactory.GetGrain<ISalespersonGrain>(request.ApproverId).GetDelegation();
        ApprovalRules.EnsureCanDecide(caller, request.ApproverId, delegation, now);
        if (state.State.Status != ApprovalStatus.Pending)
        {
            throw new PreconditionFailedException($"approval '{Id}' is already {state.State.Status.ToString().ToLowerInvariant()}");
        }
        var text = ApprovalRules.ValidateComment(comment, required: !approve);
        state.State.Status = approve ? ApprovalStatus.Approved : ApprovalStatus.Rejected;
        state.State.DecidedBy = caller.UserId;
        state.State.DecidedAt = now;
        state.State.Comment = text;
        state.State.NotifyPending = true;
        await state.WriteOrConflictAsync(Entity, Id);
        await Notify();
        return ToView();
    }

    public Task<ApprovalView?> Find() => Task.FromResult(state.State.Request is null ? null : ToView());

    private async Task Notify()
    {
        if (!state.State.NotifyPending || state.State.Request is not { } request)
        {
            return;
        }
        await GrainFactory.GetGrain<IOpportunityGrain>(request.OpportunityId)
            .ApprovalDecided(Id, state.State.Status == ApprovalStatus.Approved, state.State.DecidedBy!, state.State.Comment ?? string.Empty);
        await GrainFactory.GetGrain<ISalespersonGrain>(request.ApproverId).LinkApproval(Id, false);
        state.State.NotifyPending = false;
        await state.WriteOrConflictAsync(Entity, Id);
    }

    private ApprovalRequest EnsureCreated() => state.State.Request ?? throw new NotFoundException(Entity, Id);

    private ApprovalView ToView()
    {
        var r = state.State.Request!;
        return new ApprovalView(Id, r.OpportunityId, r.OwnerId, r.OwnerTeamId, r.ApproverId, r.Value, state.State.Status,
            state.State.RequestedAt, state.State.DecidedBy, state.State.DecidedAt, state.State.Comment);
    }
}
