using ActorSales.Domain.Errors;
using ActorSales.Domain.Identity;
using ActorSales.Domain.Pipeline;
using ActorSales.Grains.Abstractions.Opportunities;
using ActorSales.Grains.Abstractions.People;
using ActorSales.Grains.Effects;
using ActorSales.Grains.Infrastructure;
using ActorSales.Grains.Requests;
using Microsoft.Extensions.Logging;

namespace ActorSales.Grains.Opportunities;

[GenerateSerializer, Alias("actorsales.ApprovalState")]
public sealed class ApprovalState : Effects.IEffectsState, IRequestLedgerState
{
    [Id(0)] public ApprovalRequest? Request { get; set; }
    [Id(1)] public ApprovalStatus Status { get; set; }
    [Id(2)] public DateTimeOffset RequestedAt { get; set; }
    [Id(3)] public string? DecidedBy { get; set; }
    [Id(4)] public DateTimeOffset? DecidedAt { get; set; }
    [Id(5)] public string? Comment { get; set; }

    /// <summary>
    /// Written by releases before effects existed: the decision was stored but not yet delivered. Read once on activation:
    /// the approver's list drops the request (the deal applies the decision itself when it next activates).
    /// </summary>
    [Id(6)] public bool NotifyPending { get; set; }

    /// <summary>Follow-ups of stored changes (the approvers' lists) not yet applied.</summary>
    [Id(7)] public List<Effects.Effect> Effects { get; set; } = [];

    /// <summary>When the effects-retry reminder is registered for (null: none).</summary>
    [Id(8)] public DateTimeOffset? ReminderDueAt { get; set; }

    /// <summary>Client requests applied in the last 24 h: a retried decision (through the deal) is answered, not refused.</summary>
    [Id(9)] public RequestLedger Requests { get; set; } = new();
}

public sealed class ApprovalGrain(
    [PersistentState("approval", StorageNames.Default)] IPersistentState<ApprovalState> state,
    TimeProvider clock,
    ILogger<ApprovalGrain> logger) : Grain, IApprovalGrain, IRemindable, IRetrySafeGrain
{
    private const string Entity = "approval";

    private GrainEffects<ApprovalState> _effects = null!;

    private string Id => this.GetPrimaryKeyString();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _effects = new GrainEffects<ApprovalState>(this, state, Entity, clock, logger);
        if (state.State.NotifyPending && state.State.Request is not null)
        {
            // A row of an earlier release whose decision was not delivered: the approver's list drops it (persisted by
            // the run); the deal reads the decision itself.
            PlanDecided(state.State.Request);
            state.State.NotifyPending = false;
        }
        // Earlier releases' rows may hold a delivery to the deal: this grain no longer calls opportunities.
        state.State.Effects.RemoveAll(effect => effect is DeliverApprovalDecision);
        return _effects.RunAsync();
    }

    public Task ReceiveReminder(string reminderName, TickStatus status) => _effects.ReceiveReminderAsync();

    public async Task<ApprovalView> Request(ApprovalRequest request)
    {
        if (state.State.Request is null)
        {
            state.State.Request = request;
            state.State.Status = ApprovalStatus.Pending;
            state.State.RequestedAt = clock.GetUtcNow();
            state.State.Effects.Add(new LinkApproval(request.ApproverId, Id, true));
            await state.WriteOrConflictAsync(Entity, Id);
        }
        else if (state.State.Status == ApprovalStatus.Pending && Moved(state.State.Request, request) is { } moved)
        {
            // Rerouted (the old approver no longer lists it) and/or escalated (the approver above lists it too).
            foreach (var (userId, pending) in ListChanges(state.State.Request, moved))
            {
                state.State.Effects.Add(new LinkApproval(userId, Id, pending));
            }
            state.State.Request = moved;
            await state.WriteOrConflictAsync(Entity, Id);
        }
        await _effects.RunAsync();
        return ToView();
    }

    public async Task<ApprovalView> Get(Caller caller)
    {
        var request = EnsureCreated();
        var delegation = await GrainFactory.GetGrain<ISalespersonGrain>(request.ApproverId).GetDelegation();
        if (caller.UserId != request.EscalatedToId)
        {
            AccessPolicy.EnsureCanReadApproval(caller, request.OwnerId, request.OwnerTeamId, request.ApproverId, delegation, clock.GetUtcNow());
        }
        return ToView();
    }

    public async Task<ApprovalView> Decide(bool approve, string comment, Caller caller)
    {
        var request = EnsureCreated();
        var now = clock.GetUtcNow();
        // Access first: whoever may not decide learns nothing of the request's state.
        var delegation = await GrainFactory.GetGrain<ISalespersonGrain>(request.ApproverId).GetDelegation();
        ApprovalRules.EnsureCanDecide(caller, request.ApproverId, delegation, now, request.EscalatedToId);
        if (state.State.Status != ApprovalStatus.Pending)
        {
            throw new PreconditionFailedException($"approval '{Id}' is already {state.State.Status.ToString().ToLowerInvariant()}");
        }
        var text = ApprovalRules.ValidateComment(comment, required: !approve);
        state.State.Status = approve ? ApprovalStatus.Approved : ApprovalStatus.Rejected;
        state.State.DecidedBy = caller.UserId;
        state.State.DecidedAt = now;
        state.State.Comment = text;
        PlanDecided(request);
        await state.WriteOrConflictAsync(Entity, Id);
        await _effects.RunAsync(); // never throws: the decision is stored; the approver's list follows now or on the retry
        return ToView();
    }

    public Task<ApprovalView?> Find() => Task.FromResult(state.State.Request is null ? null : ToView());

    /// <summary>The approver's (and an escalated approver's) pending list drops the decided request (the deal that asked applies the decision itself).</summary>
    private void PlanDecided(ApprovalRequest request)
    {
        state.State.Effects.Add(new LinkApproval(request.ApproverId, Id, false));
        if (request.EscalatedToId is { } escalatedTo)
        {
            state.State.Effects.Add(new LinkApproval(escalatedTo, Id, false));
        }
    }

    /// <summary>The stored request as the deal asks it again (another approver, an escalation); null if nothing moved.</summary>
    private static ApprovalRequest? Moved(ApprovalRequest stored, ApprovalRequest asked)
    {
        var moved = stored with { ApproverId = asked.ApproverId, EscalatedToId = asked.EscalatedToId ?? stored.EscalatedToId, EscalatedAt = asked.EscalatedAt ?? stored.EscalatedAt };
        return moved == stored ? null : moved;
    }

    /// <summary>Whose pending lists gain or lose the request when it moves from <paramref name="from"/> to <paramref name="to"/>.</summary>
    private static IEnumerable<(string UserId, bool Pending)> ListChanges(ApprovalRequest from, ApprovalRequest to)
    {
        string?[] before = [from.ApproverId, from.EscalatedToId];
        string?[] after = [to.ApproverId, to.EscalatedToId];
        foreach (var added in after.OfType<string>().Except(before.OfType<string>()))
        {
            yield return (added, true);
        }
        foreach (var removed in before.OfType<string>().Except(after.OfType<string>()))
        {
            yield return (removed, false);
        }
    }

    private ApprovalRequest EnsureCreated() => state.State.Request ?? throw new NotFoundException(Entity, Id);

    public RequestLedger Requests => state.State.Requests;

    public ValueTask<object?> ReplayAsync(string method, AppliedRequest applied) => ValueTask.FromResult<object?>(ToView());

    private ApprovalView ToView()
    {
        var r = state.State.Request!;
        return new ApprovalView(Id, r.OpportunityId, r.OwnerId, r.OwnerTeamId, r.ApproverId, r.Value, state.State.Status,
            state.State.RequestedAt, state.State.DecidedBy, state.State.DecidedAt, state.State.Comment, r.EscalatedToId, r.EscalatedAt);
    }
}
