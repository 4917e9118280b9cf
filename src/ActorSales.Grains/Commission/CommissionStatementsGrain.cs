using ActorSales.Contracts.V1;
using ActorSales.Domain.Commission;
using ActorSales.Domain.Errors;
using ActorSales.Domain.Identity;
using ActorSales.Domain.Pipeline;
using ActorSales.Grains.Abstractions.Commission;
using ActorSales.Grains.Abstractions.Contracts;
using ActorSales.Grains.Abstractions.Opportunities;
using ActorSales.Grains.Abstractions.People;
using ActorSales.Grains.Effects;
using ActorSales.Grains.Events;
using ActorSales.Grains.Infrastructure;
using ActorSales.Grains.Requests;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using CommissionStatement = ActorSales.Domain.Commission.CommissionStatement;
using StatementStatus = ActorSales.Domain.Commission.StatementStatus;

namespace ActorSales.Grains.Commission;

/// <summary>
/// A rep's commission statements (key: the salesperson id), a thin shell around <see cref="CommissionAccountAggregate"/>.
/// Access is decided on the rep's identity before anything else; a draft is computed by <see cref="CommissionCalculator"/>
/// from the facts the read model gives (<see cref="ICommissionFacts"/>), the plan in force and what final statements
/// settled; approving freezes it, finalising settles it. Events and the period index's effect are written with the change.
/// </summary>
public sealed class CommissionStatementsGrain(
    [PersistentState("commission", StorageNames.Default)] IPersistentState<CommissionStatementsState> state,
    TimeProvider clock,
    IServiceProvider services,
    ILogger<CommissionStatementsGrain> logger) : Grain, ICommissionStatementsGrain, IRemindable, IRetrySafeGrain
{
    private const string Entity = "commission statements";

    private EventOutbox _outbox = null!;
    private GrainEffects<CommissionStatementsState> _effects = null!;

    private string Id => this.GetPrimaryKeyString();

    private CommissionStatementsState S => state.State;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _outbox = EventOutbox.For(this, () => S.Outbox);
        _effects = new GrainEffects<CommissionStatementsState>(this, state, Entity, clock, logger);
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

    public async Task<CommissionStatement> Calculate(CommissionPeriod period, Caller caller)
    {
        var teamId = await TeamOfRepAsync();
        AccessPolicy.EnsureCanReadStatements(caller, Id, teamId);
        return Aggregate().Stored(period) ?? await DraftAsync(period, teamId, []);
    }

    public async Task<CommissionStatement> WhatIf(CommissionPeriod period, IReadOnlyList<HypotheticalPaymentDraft> payments, Caller caller)
    {
        var teamId = await TeamOfRepAsync();
        AccessPolicy.EnsureCanReadStatements(caller, Id, teamId);
        var hypothetical = WhatIfRules.Payments(payments, period);
        if (Aggregate().Stored(period)?.Status == StatementStatus.Final)
        {
            throw new PreconditionFailedException($"period: {period} is final; a what-if is for an open period");
        }
        return await DraftAsync(period, teamId, hypothetical);
    }

    public async Task<CommissionStatement> Approve(CommissionPeriod period, string etag, Caller caller)
    {
        var teamId = await TeamOfRepAsync();
        AccessPolicy.EnsureCanApproveStatement(caller, Id, teamId);
        var aggregate = Aggregate();
        aggregate.EnsureApprovable(period, clock.GetUtcNow());
        var draft = await DraftAsync(period, teamId, []);
        var approved = aggregate.Approve(draft, etag ?? string.Empty, caller.UserId, clock.GetUtcNow());
        await Commit(aggregate, caller.UserId, teamId, period);
        return approved;
    }

    public async Task<CommissionStatement> Finalise(CommissionPeriod period, Caller caller)
    {
        var teamId = await TeamOfRepAsync();
        AccessPolicy.EnsureCanFinaliseStatement(caller, Id, teamId);
        var aggregate = Aggregate();
        var final = aggregate.Finalise(period, caller.UserId, clock.GetUtcNow());
        await Commit(aggregate, caller.UserId, teamId, period);
        return final;
    }

    /// <summary>The rep's team now; NOT_FOUND if there is no such salesperson.</summary>
    private async Task<string> TeamOfRepAsync() =>
        (await GrainFactory.GetGrain<ISalespersonGrain>(Id).GetIdentity())?.TeamId ?? throw new NotFoundException("salesperson", Id);

    private async Task<CommissionStatement> DraftAsync(CommissionPeriod period, string teamId, IReadOnlyList<CollectedPayment> hypothetical)
    {
        var facts = services.GetService<ICommissionFacts>()
            ?? throw new PreconditionFailedException("commission statements are computed from the read model, which this host does not run");
        var plan = await PlanAsync(teamId, period);
        var now = clock.GetUtcNow();
        var aggregate = Aggregate();
        var received = await facts.PaymentsReceivedAsync(Id, period.Start(), period.End());
        IReadOnlyList<CollectedPayment> changed = aggregate.IsNextOpen(period) && aggregate.FrozenSince is { } since
            ? await facts.PaymentsChangedAsync(Id, since, now.AddDays(1))
            : [];
        var metrics = plan.ProcessMetrics.Count > 0
            ? await facts.ProcessAsync(Id, period.Start(), period.End(), (key, version) => GrainFactory.GetGrain<IPipelineGrain>(key).Get(version))
            : new ProcessActuals(0, 0);
        var figures = CommissionCalculator.Calculate(new CommissionInputs(plan, period, received, changed, S.Settled, S.FirstFinal, S.LastFinal, metrics, hypothetical));
        return new CommissionStatement(Id, teamId, period, StatementStatus.Draft, figures, now);
    }

    /// <summary>The team's own plan in force for the period, else the default plan's; FAILED_PRECONDITION if neither has one.</summary>
    private async Task<Domain.Commission.CommissionPlan> PlanAsync(string teamId, CommissionPeriod period) =>
        await GrainFactory.GetGrain<ICommissionPlanGrain>(teamId).InForce(period)
        ?? await GrainFactory.GetGrain<ICommissionPlanGrain>(Domain.Commission.CommissionPlan.DefaultPlanId).InForce(period)
        ?? throw new PreconditionFailedException(
            $"period: no commission plan is in force for {period}; define plan '{teamId}' or '{Domain.Commission.CommissionPlan.DefaultPlanId}' effective on or before {period.FirstDay():yyyy-MM-dd}");

    private CommissionAccountAggregate Aggregate() => new(Id, S);

    private async Task Commit(CommissionAccountAggregate aggregate, string actorId, string teamId, CommissionPeriod period)
    {
        S.Requests.NoteResult(period.ToString());
        aggregate.Record(_outbox, new EventScope(EntityType.Commission, Id, actorId, teamId, Id), ToContract, S.Effects, ToEffect);
        await state.WriteWithEventsAsync(_outbox, Entity, Id);
        await _effects.RunAsync(); // never throws: the change is stored
    }

    private static Action<DomainEvent> ToContract(StatementEvent @event) => @event switch
    {
        StatementEvent.Approved approved => e => e.CommissionStatementApproved = new CommissionStatementApproved { Statement = approved.Statement.ToContract() },
        StatementEvent.Finalised finalised => e => e.CommissionStatementFinalised = new CommissionStatementFinalised { Statement = finalised.Statement.ToContract() },
        _ => throw new ArgumentOutOfRangeException(nameof(@event), @event, "no contract for this statement event"),
    };

    private Effect ToEffect(IndexStatement index)
    {
        var s = index.Statement;
        return new IndexCommissionStatement(s.Period.ToString(), new StatementEntry(
            s.SalespersonId, s.TeamId, s.Status, s.Figures.Payable, s.ApprovedBy ?? string.Empty, s.FinalisedBy ?? string.Empty, S.Version));
    }

    public RequestLedger Requests => S.Requests;

    /// <summary>A repeated approval or finalisation answers with the period's statement as it stands now.</summary>
    public ValueTask<object?> ReplayAsync(string method, AppliedRequest applied) =>
        ValueTask.FromResult<object?>(S.Statements[applied.Noted!]);
}
