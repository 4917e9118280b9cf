using ActorSales.Contracts.V1;
using ActorSales.Domain.Common;
using ActorSales.Domain.Errors;
using ActorSales.Domain.Identity;
using ActorSales.Domain.Pipeline;
using ActorSales.Grains.Abstractions;
using ActorSales.Grains.Abstractions.Opportunities;
using ActorSales.Grains.Abstractions.Contracts;
using ActorSales.Grains.Abstractions.Events;
using ActorSales.Domain.Deadlines;
using ActorSales.Grains.Deadlines;
using ActorSales.Grains.Effects;
using ActorSales.Grains.Events;
using Microsoft.Extensions.Logging;
using ActorSales.Grains.Infrastructure;
using ActorSales.Grains.Requests;
using DepartmentTaskStatus = ActorSales.Domain.Pipeline.DepartmentTaskStatus;

namespace ActorSales.Grains.Opportunities;

[GenerateSerializer, Alias("actorsales.DepartmentTaskState")]
public sealed class DepartmentTaskState : Effects.IEffectsState, IDepartmentTaskState, IRequestLedgerState
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

    /// <summary>Client requests applied in the last 24 h (retry-safe writes).</summary>
    [Id(12)] public RequestLedger Requests { get; set; } = new();

    /// <summary>Deadline firings acted on (the overdue notice); rows from before it have none.</summary>
    [Id(13)] public List<string> FiredDeadlines { get; set; } = [];
}

public sealed class DepartmentTaskGrain(
    [PersistentState("task", StorageNames.Default)] IPersistentState<DepartmentTaskState> state,
    TimeProvider clock,
    ILogger<DepartmentTaskGrain> logger) : Grain, IDepartmentTaskGrain, IRemindable, IRetrySafeGrain
{
    private const string Entity = "task";

    private EventOutbox _outbox = null!;
    private DeadlineScheduler _deadlines = null!;
    private EffectDispatcher _effects = null!;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _outbox = EventOutbox.For(this, () => state.State.Outbox);
        _deadlines = new DeadlineScheduler(this, clock, OnDeadlineDue, logger, state.State.ReminderDueAt);
        _effects = EffectDispatcher.For(this, () => state.State.Effects, _deadlines, logger);
        await _outbox.ActivateAsync();
        await AfterCommit();
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => _outbox.ReleaseAsync();

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (!await _outbox.ReceiveReminderAsync(reminderName))
        {
            await _deadlines.FireDueAsync(DesiredDeadlines);
        }
    }

    private string Id => this.GetPrimaryKeyString();

    public async Task<DepartmentTaskView> Create(TaskPlan plan, string opportunityId, string ownerTeamId)
    {
        var aggregate = Aggregate();
        aggregate.Create(plan, opportunityId, ownerTeamId, clock.GetUtcNow());
        await Commit(aggregate, Caller.System);
        if (state.State.Status != DepartmentTaskStatus.Done)
        {
            await Queue().Add(Id, state.State.Plan!.DueAt);
        }
        return ToView();
    }

    public async Task<DepartmentTaskView> Claim(Caller caller)
    {
        // Access first, whatever the task's state (or whether it exists), so a refusal reveals nothing of it.
        var isMember = await IsDepartmentMember(caller);
        AccessPolicy.EnsureCanClaimTask(caller, isMember);
        var aggregate = Aggregate();
        aggregate.Claim(caller.UserId);
        await Commit(aggregate, caller);
        return ToView();
    }

    public async Task<DepartmentTaskView> Complete(string note, Caller caller)
    {
        var isMember = await IsDepartmentMember(caller);
        AccessPolicy.EnsureCanCompleteTask(caller, state.State.AssigneeId, isMember);
        if (state.State.Status == DepartmentTaskStatus.Done)
        {
            await Queue().Remove(Id); // a retry after the queue update failed still takes it off the queue (then is refused as done)
        }
        var aggregate = Aggregate();
        aggregate.Complete(note, caller.UserId, clock.GetUtcNow());
        await Commit(aggregate, caller);
        return ToView();
    }

    public Task<DepartmentTaskView?> Find() => Task.FromResult(state.State.Plan is null ? null : ToView());

    private DepartmentTaskAggregate Aggregate() => new(Id, state.State);

    /// <summary>The overdue notice while the task is not done, plus the effects retry while effects wait.</summary>
    private List<Deadline> DesiredDeadlines() => _deadlines.WithEffectsRetry(Aggregate().Deadlines(), _effects.HasPending);

    /// <summary>
    /// A timer or the reminder says a deadline may be due. For the overdue notice the department's lead is looked up
    /// (task -> department queue) before the aggregate records the firing: had the lookup failed, it stays wanted.
    /// </summary>
    private async Task OnDeadlineDue(Deadline deadline)
    {
        if (!await _deadlines.IsBusinessDueAsync(deadline, DesiredDeadlines, AfterCommit))
        {
            return;
        }
        var leadId = await Queue().FindLead();
        var aggregate = Aggregate();
        aggregate.Overdue(deadline, leadId, clock.GetUtcNow());
        await Commit(aggregate, Caller.System);
    }

    /// <summary>Runs the change's effects (what fails is retried by the deadline engine), then arms the deadlines.</summary>
    private async Task AfterCommit()
    {
        await _effects.RunAsync();
        await _deadlines.ScheduleAsync(DesiredDeadlines());
    }

    /// <summary>
    /// Records the change with its event (built from the task as the command left it; tasks belong to a team, not to
    /// one rep's book) and effects, writes once, then runs the effects.
    /// </summary>
    private async Task Commit(DepartmentTaskAggregate aggregate, Caller caller)
    {
        if (!aggregate.Changed)
        {
            return;
        }
        aggregate.Record(_outbox, new EventScope(EntityType.Task, Id, caller.UserId, state.State.OwnerTeamId, null),
            @event => @event switch
            {
                Domain.Pipeline.DepartmentTaskOverdue overdue => e => e.DepartmentTaskOverdue = new Contracts.V1.DepartmentTaskOverdue
                {
                    Task = ToView().ToContract(),
                    LeadId = overdue.LeadId ?? string.Empty,
                },
                _ => e => e.DepartmentTaskChanged = new Contracts.V1.DepartmentTaskChanged { Task = ToView().ToContract() },
            },
            state.State.Effects,
            followUp => followUp switch
            {
                DepartmentTaskFollowUp.RemoveFromQueue remove => new RemoveTaskFromQueue(remove.Department, Id),
                DepartmentTaskFollowUp.Notify notify => new Notify(notify.RecipientId, notify.Notification),
                _ => throw new ArgumentOutOfRangeException(nameof(followUp), followUp, "no effect for this task follow-up"),
            });
        state.State.ReminderDueAt = await _deadlines.ReminderForWriteAsync(DesiredDeadlines());
        await state.WriteWithEventsAsync(_outbox, Entity, Id);
        await AfterCommit(); // never throws: the change is stored
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

    public RequestLedger Requests => state.State.Requests;

    public ValueTask<object?> ReplayAsync(string method, AppliedRequest applied) => ValueTask.FromResult<object?>(ToView());

    private DepartmentTaskView ToView()
    {
        var plan = state.State.Plan!;
        return new DepartmentTaskView(Id, plan.Department, plan.Title, state.State.OpportunityId, plan.Stage, plan.DueAt,
            state.State.Status, state.State.AssigneeId, state.State.CreatedAt, state.State.CompletedAt, state.State.Note);
    }
}
