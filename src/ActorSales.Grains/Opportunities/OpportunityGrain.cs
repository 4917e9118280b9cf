using ActorSales.Contracts.V1;
using ActorSales.Domain.Common;
using ActorSales.Domain.Errors;
using ActorSales.Domain.Identity;
using ActorSales.Domain.Pipeline;
using ActorSales.Grains.Abstractions.Contracts;
using ActorSales.Grains.Abstractions.Customers;
using ActorSales.Grains.Abstractions.Opportunities;
using ActorSales.Grains.Abstractions.People;
using ActorSales.Grains.Events;
using ActorSales.Grains.Infrastructure;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using DomainEvidence = ActorSales.Domain.Pipeline.Evidence;
using ForecastSignal = ActorSales.Domain.Pipeline.ForecastSignal;
using OpportunityStatus = ActorSales.Domain.Pipeline.OpportunityStatus;
using ApprovalStatus = ActorSales.Domain.Pipeline.ApprovalStatus;
using ApprovalDecided = ActorSales.Contracts.V1.ApprovalDecided;
using ApprovalRequested = ActorSales.Contracts.V1.ApprovalRequested;

namespace ActorSales.Grains.Opportunities;

public sealed partial class OpportunityGrain(
    [PersistentState("opportunity", StorageNames.Default)] IPersistentState<OpportunityState> state,
    DomainEventPublisher events,
    IOptions<OpportunityOptions> options,
    TimeProvider clock,
    ILogger<OpportunityGrain> logger) : Grain, IOpportunityGrain
{
    private const string Entity = "opportunity";
    private const int MaxEvidence = 200;
    private const int MaxDecisionMakers = 20;

    private string Id => this.GetPrimaryKeyString();

    private OpportunityState S => state.State;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await SyncLinks();
        await RequestApproval();
        await CreateTasks();
    }

    public async Task<OpportunityView> Open(OpportunityDraft draft, Caller caller)
    {
        AccessPolicy.EnsureActive(caller);
        if (S.Created)
        {
            throw new AlreadyExistsException($"opportunity '{Id}' already exists", Id, S.OwnerId);
        }
        var customer = await GrainFactory.GetGrain<ICustomerGrain>(draft.CustomerId).Find()
            ?? throw new NotFoundException("customer", draft.CustomerId);
        AccessPolicy.EnsureCanChange(caller, customer.OwnerId, customer.OwnerTeamId, "opportunities on this customer");
        var now = clock.GetUtcNow();
        var terms = OpportunityRules.Validate(draft.Terms, now);
        var pipelineKey = draft.PipelineKey ?? options.Value.DefaultPipeline;
        var pipeline = await GrainFactory.GetGrain<IPipelineGrain>(pipelineKey).Get(0)
            ?? throw new NotFoundException("pipeline", pipelineKey);

        S.Created = true;
        S.CustomerId = customer.Id;
        S.OwnerId = customer.OwnerId;
        S.OwnerTeamId = customer.OwnerTeamId;
        S.Terms = terms;
        S.Pipeline = pipeline;
        S.Stage = pipeline.First.Key;
        S.StageEnteredAt = now;
        S.History = [new StageChangeRecord(null, pipeline.First.Key, now, caller.UserId, "opened")];
        S.Status = OpportunityStatus.Open;
        S.CreatedAt = now;
        S.Version = 1;
        S.LinksPending = true;
        PlanTasks(pipeline.First.Key, now);
        await state.WriteOrConflictAsync(Entity, Id);
        await SyncLinks();
        await CreateTasks();
        var view = ToView();
        await Publish(caller, e => e.OpportunityOpened = new OpportunityOpened { Opportunity = view.ToContract() });
        return view;
    }

    public Task<OpportunityView> Get(Caller caller)
    {
        EnsureCreated();
        AccessPolicy.EnsureCanRead(caller, S.OwnerId, S.OwnerTeamId, "this opportunity");
        return Task.FromResult(ToView());
    }

    public async Task<OpportunityView> AddEvidence(string kind, string reference, string note, Caller caller)
    {
        EnsureChangeable(caller);
        var valid = EvidenceRules.Validate(kind, reference, note);
        if (S.Evidence.Count >= MaxEvidence)
        {
            throw new PreconditionFailedException($"opportunity '{Id}' already has {MaxEvidence} evidence items");
        }
        var evidence = new DomainEvidence(valid.Kind, valid.Reference, valid.Note, caller.UserId, clock.GetUtcNow());
        S.Evidence.Add(evidence);
        S.Version++;
        await state.WriteOrConflictAsync(Entity, Id);
        await Publish(caller, e => e.EvidenceAdded = new EvidenceAdded { OpportunityId = Id, Evidence = evidence.ToContract() });
        return ToView();
    }

    public async Task<OpportunityView> ChangeStage(string toStage, string reason, long expectedVersion, Caller caller)
    {
        EnsureChangeable(caller);
        Guard.Version(Guard.ExpectedVersion(expectedVersion), S.Version, Entity, Id);
        EnsureNotAwaitingApproval();
        var why = Guard.Optional(reason, "reason", Limits.SummaryMaxLength);
        PipelineRules.Decide(S.Pipeline!, S.Stage, toStage ?? string.Empty, EvidenceKinds(), why);
        var approverId = ApprovalRules.RequiresApproval(S.Pipeline!, toStage!, S.Terms!.Value, options.Value.Approval)
            ? await ResolveApprover()
            : null;
        var change = EnterStage(toStage!, why, caller);
        if (approverId is not null)
        {
            // Keyed by the stage entry: a retried or replayed change asks the same approval grain, so once.
            S.PendingApprovalId = $"{Id}/approval/{S.History.Count}";
            S.PendingApproval = new ApprovalRequest(Id, S.OwnerId, S.OwnerTeamId, approverId, S.Terms.Value);
            S.ApprovalRequestPending = true;
            S.Version++; // the request is its own event, so it gets its own sequence number
        }
        await state.WriteOrConflictAsync(Entity, Id);
        var stageSequence = approverId is null ? S.Version : S.Version - 1;
        await events.PublishAsync(EntityType.Opportunity, Id, stageSequence, caller.UserId, S.OwnerTeamId,
            e => e.OpportunityStageChanged = new OpportunityStageChanged { OpportunityId = Id, Change = change.ToContract() });
        if (S.PendingApproval is { } request)
        {
            var requested = new ApprovalView(S.PendingApprovalId!, Id, request.OwnerId, request.OwnerTeamId, request.ApproverId, request.Value,
                ApprovalStatus.Pending, S.StageEnteredAt, null, null, null);
            await Publish(caller, e => e.ApprovalRequested = new ApprovalRequested { Approval = requested.ToContract() });
        }
        await RequestApproval();
        await CreateTasks();
        return ToView();
    }

    public async Task<OpportunityView> SetSignal(SignalChange change, long expectedVersion, Caller caller)
    {
        EnsureChangeable(caller);
        Guard.Version(Guard.ExpectedVersion(expectedVersion), S.Version, Entity, Id);
        if (change.DecisionMakers.Count > MaxDecisionMakers)
        {
            throw new ValidationException("decision_makers", $"at most {MaxDecisionMakers} are allowed");
        }
        var domains = await CustomerEmailDomains();
        ForecastRules.EnsureMayClaim(change.Signal, EvidenceKinds(), change.DecisionMakers, domains, change.ContractReviewAt);
        if (change.ContractReviewAt is { } review)
        {
            Guard.Timestamp(review, "contract_review_at", Limits.LatestTimestamp);
        }
        var previous = S.Signal;
        S.Signal = change.Signal;
        S.SignalChangedAt = clock.GetUtcNow();
        if (change.DecisionMakers.Count > 0)
        {
            S.DecisionMakers = [.. change.DecisionMakers];
        }
        S.ContractReviewAt = change.ContractReviewAt ?? S.ContractReviewAt;
        S.Version++;
        await state.WriteOrConflictAsync(Entity, Id);
        await Publish(caller, e => e.ForecastSignalChanged = new ForecastSignalChanged
        {
            OpportunityId = Id,
            Previous = (Contracts.V1.ForecastSignal)previous,
            Current = (Contracts.V1.ForecastSignal)change.Signal,
        });
        return ToView();
    }

    public async Task<OpportunityView> UpdateTerms(TermsChanges changes, long expectedVersion, Caller caller)
    {
        EnsureChangeable(caller);
        Guard.Version(Guard.ExpectedVersion(expectedVersion), S.Version, Entity, Id);
        if (S.PendingApprovalId is { } approvalId)
        {
            throw new PreconditionFailedException($"amount and terms are locked while approval '{approvalId}' is pending");
        }
        var current = S.Terms!;
        var terms = OpportunityRules.Validate(new OpportunityTerms(
            changes.Title ?? current.Title, changes.Value ?? current.Value, changes.ExpectedCloseAt ?? current.ExpectedCloseAt), clock.GetUtcNow());
        var changed = new List<string>();
        if (terms.Title != current.Title) changed.Add("title");
        if (terms.Value != current.Value) changed.Add("value");
        if (terms.ExpectedCloseAt != current.ExpectedCloseAt) changed.Add("expected_close_at");
        if (changed.Count == 0)
        {
            return ToView();
        }
        S.Terms = terms;
        S.Version++;
        await state.WriteOrConflictAsync(Entity, Id);
        var view = ToView();
        await Publish(caller, e =>
        {
            var termsChanged = new OpportunityTermsChanged { Opportunity = view.ToContract() };
            termsChanged.ChangedFields.AddRange(changed);
            e.OpportunityTermsChanged = termsChanged;
        });
        return view;
    }

    public async Task<OpportunityView> SetNextAction(string? nextAction, DateTimeOffset? dueAt, Caller caller)
    {
        EnsureChangeable(caller);
        var action = Guard.Optional(nextAction, "next_action", Limits.SummaryMaxLength);
        DateTimeOffset? due = null;
        if (action.Length > 0)
        {
            due = Guard.Timestamp(dueAt ?? throw new ValidationException("due_at", "is required with a next action"), "due_at", Limits.LatestTimestamp);
        }
        S.NextAction = action.Length == 0 ? null : action;
        S.NextActionDueAt = due;
        S.Version++;
        await state.WriteOrConflictAsync(Entity, Id);
        await Publish(caller, e => e.NextActionPlanned = new NextActionPlanned
        {
            OpportunityId = Id,
            NextAction = action,
            DueAt = due is { } at ? Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(at) : null,
        });
        return ToView();
    }

    public async Task<OpportunityView> Win(long expectedVersion, Caller caller)
    {
        EnsureChangeable(caller);
        Guard.Version(Guard.ExpectedVersion(expectedVersion), S.Version, Entity, Id);
        EnsureNotAwaitingApproval();
        var last = S.Pipeline!.Stages[^1];
        if (S.Stage != last.Key)
        {
            throw new PreconditionFailedException($"an opportunity is won from the last stage '{last.Key}'; it is in '{S.Stage}'");
        }
        var missing = PipelineRules.MissingToLeave(last, EvidenceKinds());
        if (missing.Count > 0)
        {
            throw new MissingEvidenceException(S.Stage, "won", missing);
        }
        Close(OpportunityStatus.Won, "won", caller);
        await state.WriteOrConflictAsync(Entity, Id);
        await SyncLinks();
        var view = ToView();
        await Publish(caller, e => e.OpportunityWon = new OpportunityWon { Opportunity = view.ToContract() });
        return view;
    }

    public async Task<OpportunityView> Lose(string reason, string note, long expectedVersion, Caller caller)
    {
        EnsureChangeable(caller);
        Guard.Version(Guard.ExpectedVersion(expectedVersion), S.Version, Entity, Id);
        var loss = OpportunityRules.ValidateLoss(reason, note, options.Value);
        S.LostReason = loss.Reason;
        S.LostNote = loss.Note;
        Close(OpportunityStatus.Lost, loss.Reason, caller);
        await state.WriteOrConflictAsync(Entity, Id);
        await SyncLinks();
        var view = ToView();
        await Publish(caller, e => e.OpportunityLost = new OpportunityLost { Opportunity = view.ToContract() });
        return view;
    }

    public async Task ApprovalDecided(string approvalId, bool approved, string decidedBy, string comment)
    {
        if (!S.Created || S.PendingApprovalId != approvalId)
        {
            return; // already applied, or superseded
        }
        var request = S.PendingApproval!;
        S.PendingApprovalId = null;
        S.PendingApproval = null;
        S.ApprovalRequestPending = false;
        StageChangeRecord? back = null;
        var decider = new Caller(decidedBy, Domain.Identity.Role.Director, null, Domain.People.SalespersonStatus.Active);
        var returnTo = options.Value.Approval.RejectedReturnsTo;
        if (!approved && S.Status == OpportunityStatus.Open && S.Pipeline!.IndexOf(returnTo) >= 0)
        {
            back = EnterStage(returnTo, $"approval rejected by {decidedBy}: {comment}", decider);
        }
        else
        {
            S.Version++;
        }
        await state.WriteOrConflictAsync(Entity, Id);
        var decided = new ApprovalView(approvalId, Id, request.OwnerId, request.OwnerTeamId, request.ApproverId, request.Value,
            approved ? ApprovalStatus.Approved : ApprovalStatus.Rejected, S.StageEnteredAt, decidedBy, clock.GetUtcNow(), comment);
        if (back is null)
        {
            await Publish(decider, e => e.ApprovalDecided = new ApprovalDecided { Approval = decided.ToContract() });
        }
        else
        {
            await Publish(decider, e => e.OpportunityStageChanged = new OpportunityStageChanged { OpportunityId = Id, Change = back.ToContract() });
            await CreateTasks();
        }
    }

    public async Task<IReadOnlyList<DepartmentTaskView>> ListTasks(Caller caller)
    {
        EnsureCreated();
        AccessPolicy.EnsureCanRead(caller, S.OwnerId, S.OwnerTeamId, "this opportunity");
        var tasks = await Task.WhenAll(S.TaskIds.Select(id => GrainFactory.GetGrain<IDepartmentTaskGrain>(id).Find()));
        return tasks.OfType<DepartmentTaskView>().ToList();
    }

    /// <summary>Plans the tasks the configured rules attach to entering <paramref name="stage"/> (persisted with the stage change).</summary>
    private void PlanTasks(string stage, DateTimeOffset enteredAt)
    {
        var plans = TaskRules.ForStageEntry(options.Value.TaskRules, Id, S.Pipeline!.Key, stage, S.History.Count, enteredAt);
        foreach (var plan in plans.Where(p => !S.TaskIds.Contains(p.TaskId)))
        {
            S.TaskIds.Add(plan.TaskId);
            S.TasksToCreate.Add(plan);
        }
    }

    /// <summary>Creates planned tasks in their grains; idempotent, so a replay after a crash never duplicates one.</summary>
    private async Task CreateTasks()
    {
        foreach (var plan in S.TasksToCreate.ToList())
        {
            try
            {
                await GrainFactory.GetGrain<IDepartmentTaskGrain>(plan.TaskId).Create(plan, Id, S.OwnerTeamId);
                S.TasksToCreate.Remove(plan); // persisted with the next write; a replay is harmless
            }
            catch (Exception exception)
            {
                LogTaskCreationFailed(exception, Id, plan.TaskId);
            }
        }
    }

    public Task<OpportunityView?> Find() => Task.FromResult(S.Created ? ToView() : null);

    private async Task<string> ResolveApprover()
    {
        var team = await GrainFactory.GetGrain<ITeamGrain>(S.OwnerTeamId).Find();
        return team?.DirectorId ?? options.Value.Approval.DefaultApproverId
            ?? throw new PreconditionFailedException($"a deal above {options.Value.Approval.Threshold:0} needs approval, but team '{S.OwnerTeamId}' names no director and no default approver is configured");
    }

    /// <summary>Files the stored approval request with the approval grain; idempotent, replayed on activation.</summary>
    private async Task RequestApproval()
    {
        if (!S.ApprovalRequestPending || S.PendingApprovalId is not { } approvalId)
        {
            return;
        }
        try
        {
            await GrainFactory.GetGrain<IApprovalGrain>(approvalId).Request(S.PendingApproval!);
            S.ApprovalRequestPending = false; // persisted with the next write; a replay is harmless
        }
        catch (Exception exception)
        {
            LogApprovalRequestFailed(exception, Id, approvalId);
        }
    }

    private void EnsureNotAwaitingApproval()
    {
        if (S.PendingApprovalId is { } approvalId)
        {
            throw new PreconditionFailedException($"the deal waits for approval '{approvalId}'; it cannot change stage or close until it is decided");
        }
    }

    private StageChangeRecord EnterStage(string stage, string reason, Caller caller)
    {
        var now = clock.GetUtcNow();
        var change = new StageChangeRecord(S.Stage, stage, now, caller.UserId, reason);
        S.History.Add(change);
        S.Stage = stage;
        S.StageEnteredAt = now;
        S.Version++;
        PlanTasks(stage, now);
        return change;
    }

    private void Close(OpportunityStatus status, string reason, Caller caller)
    {
        S.History.Add(new StageChangeRecord(S.Stage, status.ToString().ToLowerInvariant(), clock.GetUtcNow(), caller.UserId, reason));
        S.Status = status;
        S.LinksPending = true;
        S.Version++;
    }

    /// <summary>Tells the customer and the owner whether this opportunity is open; idempotent, replayed on activation.</summary>
    private async Task SyncLinks()
    {
        if (!S.Created || !S.LinksPending)
        {
            return;
        }
        var open = S.Status == OpportunityStatus.Open;
        try
        {
            await Task.WhenAll(
                GrainFactory.GetGrain<ICustomerGrain>(S.CustomerId).LinkOpportunity(Id, open),
                GrainFactory.GetGrain<ISalespersonGrain>(S.OwnerId).LinkOpportunity(Id, open));
            S.LinksPending = false; // persisted with the next write; a replay is harmless
        }
        catch (Exception exception)
        {
            LogLinkFailed(exception, Id);
        }
    }

    private async Task<IReadOnlySet<string>> CustomerEmailDomains()
    {
        var customer = await GrainFactory.GetGrain<ICustomerGrain>(S.CustomerId).Find();
        var domains = new HashSet<string>(StringComparer.Ordinal);
        foreach (var contact in customer?.Details.Contacts ?? [])
        {
            var at = contact.Email.LastIndexOf('@');
            if (at > 0)
            {
                domains.Add(contact.Email[(at + 1)..].ToLowerInvariant());
            }
        }
        return domains;
    }

    private HashSet<string> EvidenceKinds() => new(S.Evidence.Select(e => e.Kind), StringComparer.Ordinal);

    private void EnsureChangeable(Caller caller)
    {
        EnsureCreated();
        AccessPolicy.EnsureCanChange(caller, S.OwnerId, S.OwnerTeamId, "this opportunity");
        OpportunityRules.EnsureOpen(S.Status, Id);
    }

    private void EnsureCreated()
    {
        if (!S.Created)
        {
            throw new NotFoundException(Entity, Id);
        }
    }

    private Task Publish(Caller caller, Action<DomainEvent> setChange) =>
        events.PublishAsync(EntityType.Opportunity, Id, S.Version, caller.UserId, S.OwnerTeamId, setChange);

    private OpportunityView ToView() => new(
        Id, S.CustomerId, S.OwnerId, S.OwnerTeamId, S.Terms!, S.Pipeline!.Key, S.Pipeline.Version, S.Stage, S.StageEnteredAt,
        [.. S.History], [.. S.Evidence], S.Signal, ForecastRules.Weighted(S.Terms!.Value.Amount, S.Signal, options.Value.Weights),
        [.. S.DecisionMakers], S.ContractReviewAt, S.Status, S.LostReason, S.LostNote, S.Version, S.CreatedAt, S.PendingApprovalId,
        S.NextAction, S.NextActionDueAt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Opportunity {OpportunityId}: creating task {TaskId} failed; retried on activation")]
    private partial void LogTaskCreationFailed(Exception exception, string opportunityId, string taskId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Opportunity {OpportunityId}: filing approval {ApprovalId} failed; retried on activation")]
    private partial void LogApprovalRequestFailed(Exception exception, string opportunityId, string approvalId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Opportunity {OpportunityId}: updating the customer's and owner's open lists failed; retried on activation")]
    private partial void LogLinkFailed(Exception exception, string opportunityId);
}
