using ActorSales.Contracts.V1;
using ActorSales.Domain.Common;
using ActorSales.Domain.Errors;
using ActorSales.Domain.Identity;
using ActorSales.Domain.Pipeline;
using ActorSales.Grains.Abstractions;
using ActorSales.Grains.Abstractions.Opportunities;
using ActorSales.Grains.Abstractions.Contracts;
using ActorSales.Grains.Abstractions.Events;
using ActorSales.Grains.Effects;
using ActorSales.Grains.Events;
using Microsoft.Extensions.Logging;
using ActorSales.Grains.Infrastructure;
using DepartmentTaskStatus = ActorSales.Domain.Pipeline.DepartmentTaskStatus;

namespace ActorSales.Grains.Opportunities;

[GenerateSerializer, Alias("actorsales.DepartmentTaskState")]
public sealed class DepartmentTaskState : Effects.IEffectsState
{
    [Id(0)] public TaskPlan? Plan { get; set; }
    [Id(1)] public string OpportunityId { get; set; } = string.Empty;
    [Id(2)] public DepartmentTaskStatus Status { get; set; }
    [Id(3)] public string? AssigneeId { get; set; }
    [Id(4)] public DateTimeOffset CreatedAt { get; set; }
    [Id(5)] public DateTimeOffset? CompletedAt { get; set; }
    [Id(6)] public string? Note { get; set; }
    [Id(7)] public string OwnerTeamId { get; set; } = string.Empty;

    /// <summary>Also the sequence of the task's latest domain event.</summary>
    [Id(8)] public long Version { get; set; }

    /// <summary>Events of the latest changes, written with them; see <see cref="Events.EventOutbox"/>.</summary>
    [Id(9)] public List<LoggedEvent> Outbox { get; set; } = [];

    /// <summary>Follow-ups of stored changes (the queue update of a completion) not yet applied.</summary>
    [Id(10)] public List<Effects.Effect> Effects { get; set; } = [];

    /// <summary>When the effects-retry reminder is registered for (null: none).</summary>
    [Id(11)] public DateTimeOffset? ReminderDueAt { get; set; }
}

public sealed class DepartmentTaskGrain(
    [PersistentState("task", StorageNames.Default)] IPersistentState<DepartmentTaskState> state,
    TimeProvider clock,
    ILogger<DepartmentTaskGrain> logger) : Grain, IDepartmentTaskGrain, IRemindable
{
    private const string Entity = "task";

    private EventOutbox _outbox = null!;
    private GrainEffects<DepartmentTaskState> _effects = null!;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _outbox = EventOutbox.For(this, () => state.State.Outbox);
        _effects = new GrainEffects<DepartmentTaskState>(this, state, Entity, clock, logger);
        await _outbox.ActivateAsync();
        await _effects.RunAsync();
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => _outbox.ReleaseAsync();

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (!await _outbox.ReceiveReminderAsync(reminderName))
        {
            await _effects.ReceiveReminderAsync();
        }
    }

    private string Id => this.GetPrimaryKeyString();

    public async Task<DepartmentTaskView> Create(TaskPlan plan, string opportunityId, string ownerTeamId)
    {
        if (state.State.Plan is null)
        {
            state.State.Plan = plan;
            state.State.OpportunityId = opportunityId;
            state.State.OwnerTeamId = ownerTeamId;
            state.State.Status = DepartmentTaskStatus.Open;
            state.State.CreatedAt = clock.GetUtcNow();
            state.State.Version = 1;
            await WriteAndPublish(Caller.System);
        }
        if (state.State.Status != DepartmentTaskStatus.Done)
        {
            await Queue().Add(Id, state.State.Plan.DueAt);
        }
        return ToView();
    }

    public async Task<DepartmentTaskView> Claim(Caller caller)
    {
        // Access first, whatever the task's state (or whether it exists), so a refusal reveals nothing of it.
        var isMember = await IsDepartmentMember(caller);
        AccessPolicy.EnsureCanClaimTask(caller, isMember);
        EnsureCreated();
        if (state.State.Status != DepartmentTaskStatus.Open)
        {
            throw new PreconditionFailedException(state.State.Status == DepartmentTaskStatus.Claimed
                ? $"task '{Id}' is already claimed by '{state.State.AssigneeId}'"
                : $"task '{Id}' is done");
        }
        state.State.Status = DepartmentTaskStatus.Claimed;
        state.State.AssigneeId = caller.UserId;
        state.State.Version++;
        await WriteAndPublish(caller);
        return ToView();
    }

    public async Task<DepartmentTaskView> Complete(string note, Caller caller)
    {
        var isMember = await IsDepartmentMember(caller);
        AccessPolicy.EnsureCanCompleteTask(caller, state.State.AssigneeId, isMember);
        EnsureCreated();
        var text = TaskRules.ValidateNote(note);
        if (state.State.Status == DepartmentTaskStatus.Done)
        {
            await Queue().Remove(Id); // a retry after the queue update failed still takes it off the queue
            throw new PreconditionFailedException($"task '{Id}' is already done");
        }
        state.State.Status = DepartmentTaskStatus.Done;
        state.State.AssigneeId ??= caller.UserId;
        state.State.CompletedAt = clock.GetUtcNow();
        state.State.Note = text;
        state.State.Version++;
        state.State.Effects.Add(new RemoveTaskFromQueue(state.State.Plan!.Department, Id));
        await WriteAndPublish(caller);
        await _effects.RunAsync(); // never throws: the completion is stored
        return ToView();
    }

    public Task<DepartmentTaskView?> Find() => Task.FromResult(state.State.Plan is null ? null : ToView());

    /// <summary>Writes the change with its event (tasks belong to a team, not to one rep's book).</summary>
    private Task WriteAndPublish(Caller caller)
    {
        _outbox.Add(EntityType.Task, Id, state.State.Version, caller.UserId, state.State.OwnerTeamId, null,
            e => e.DepartmentTaskChanged = new DepartmentTaskChanged { Task = ToView().ToContract() });
        return state.WriteWithEventsAsync(_outbox, Entity, Id);
    }

    /// <summary>Whether the caller is a member of the task's department (false for a task that does not exist).</summary>
    private async Task<bool> IsDepartmentMember(Caller caller) =>
        state.State.Plan is not null && await Queue().IsMember(caller.UserId);

    private IDepartmentQueueGrain Queue() => GrainFactory.GetGrain<IDepartmentQueueGrain>(state.State.Plan!.Department);

    private void EnsureCreated()
    {
        if (state.State.Plan is null)
        {
            throw new NotFoundException(Entity, Id);
        }
    }

    private DepartmentTaskView ToView()
    {
        var plan = state.State.Plan!;
        return new DepartmentTaskView(Id, plan.Department, plan.Title, state.State.OpportunityId, plan.Stage, plan.DueAt,
            state.State.Status, state.State.AssigneeId, state.State.CreatedAt, state.State.CompletedAt, state.State.Note);
    }
}
