using ActorSales.Contracts.V1;
using ActorSales.Domain.Deadlines;
using ActorSales.Domain.Errors;
using ActorSales.Domain.Identity;
using ActorSales.Domain.Orders;
using ActorSales.Grains.Abstractions.Contracts;
using ActorSales.Grains.Abstractions.Opportunities;
using ActorSales.Grains.Abstractions.Orders;
using ActorSales.Grains.Abstractions.People;
using ActorSales.Grains.Deadlines;
using ActorSales.Grains.Effects;
using ActorSales.Grains.Events;
using ActorSales.Grains.Infrastructure;
using ActorSales.Grains.Requests;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using DomainOrderStatus = ActorSales.Domain.Orders.OrderStatus;
using DomainPayment = ActorSales.Domain.Orders.Payment;
using OpportunityStatus = ActorSales.Domain.Pipeline.OpportunityStatus;

namespace ActorSales.Grains.Orders;

/// <summary>
/// An order (key: the won opportunity's id): a thin shell around <see cref="OrderAggregate"/>. Looks up the deal and the
/// team before the first change, writes state + events + effects once, then dispatches; each unpaid instalment's
/// reminder, overdue and escalation deadlines run on the one deadline engine.
/// </summary>
public sealed class OrderGrain(
    [PersistentState("order", StorageNames.Default)] IPersistentState<OrderState> state,
    TimeProvider clock,
    IOptions<OrderOptions> options,
    ILogger<OrderGrain> logger) : Grain, IOrderGrain, IRemindable, IRetrySafeGrain
{
    private const string Entity = "order";

    private DeadlineScheduler _deadlines = null!;
    private EffectDispatcher _effects = null!;
    private EventOutbox _outbox = null!;

    private string Id => this.GetPrimaryKeyString();

    private OrderState S => state.State;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _deadlines = new DeadlineScheduler(this, clock, OnDeadlineDue, logger, S.ReminderDueAt);
        _effects = EffectDispatcher.For(this, () => S.Effects, _deadlines, logger);
        _outbox = EventOutbox.For(this, () => S.Outbox);
        await _outbox.ActivateAsync();
        await AfterWrite();
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => _outbox.ReleaseAsync();

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (!await _outbox.ReceiveReminderAsync(reminderName))
        {
            await _deadlines.FireDueAsync(DesiredDeadlines);
        }
    }

    public async Task<OrderView> Create(OrderDraft draft, Caller caller)
    {
        AccessPolicy.EnsureActive(caller);
        var deal = await GrainFactory.GetGrain<IOpportunityGrain>(Id).Find() ?? throw new NotFoundException("opportunity", Id);
        AccessPolicy.EnsureCanChange(caller, deal.OwnerId, deal.OwnerTeamId, "orders of that opportunity");
        if (deal.Status != OpportunityStatus.Won)
        {
            throw new PreconditionFailedException($"opportunity_id: '{Id}' is not won; only a won opportunity becomes an order");
        }
        var aggregate = Aggregate();
        aggregate.Create(new WonDeal(Id, deal.CustomerId, deal.OwnerId, deal.OwnerTeamId), draft, caller.UserId, clock.GetUtcNow());
        await Commit(aggregate, caller.UserId);
        return ToView();
    }

    public Task<OrderView> Get(Caller caller)
    {
        Aggregate().EnsureCreated();
        AccessPolicy.EnsureCanRead(caller, S.OwnerId, S.TeamId, "this order");
        return Task.FromResult(ToView());
    }

    public async Task<PaymentResult> RecordPayment(PaymentDraft draft, Caller caller)
    {
        var aggregate = Aggregate();
        aggregate.EnsureCreated();
        EnsureCanCollect(caller);
        var payment = aggregate.RecordPayment(draft, caller.UserId, clock.GetUtcNow());
        S.Requests.NoteResult(payment.PaymentId);
        await Commit(aggregate, caller.UserId);
        return new PaymentResult(ToView(), payment);
    }

    public async Task<OrderView> ReversePayment(string paymentId, string reason, Caller caller)
    {
        var aggregate = Aggregate();
        aggregate.EnsureCreated();
        EnsureCanCollect(caller);
        aggregate.ReversePayment(paymentId, reason, caller.UserId, clock.GetUtcNow());
        await Commit(aggregate, caller.UserId);
        return ToView();
    }

    public async Task<OrderView> Cancel(string reason, Caller caller)
    {
        var aggregate = Aggregate();
        aggregate.EnsureCreated();
        EnsureCanCollect(caller);
        aggregate.Cancel(reason);
        await Commit(aggregate, caller.UserId);
        return ToView();
    }

    public Task<OrderView?> Find() => Task.FromResult(S.Created ? ToView() : null);

    public Task<IReadOnlyList<Deadline>> ArmedDeadlines() => Task.FromResult<IReadOnlyList<Deadline>>(DesiredDeadlines());

    /// <summary>Who may not read the order learns nothing more; who may read but not collect is told so.</summary>
    private void EnsureCanCollect(Caller caller)
    {
        AccessPolicy.EnsureCanRead(caller, S.OwnerId, S.TeamId, "this order");
        AccessPolicy.EnsureCanCollect(caller, S.TeamId);
    }

    private List<Deadline> DesiredDeadlines() => _deadlines.WithEffectsRetry(Aggregate().WantedDeadlines(options.Value), _effects.HasPending);

    /// <summary>Re-checks a due deadline against the current state and acts at most once.</summary>
    private async Task OnDeadlineDue(Deadline deadline)
    {
        if (deadline.DueAt > clock.GetUtcNow() || !DesiredDeadlines().Contains(deadline))
        {
            await _deadlines.ScheduleAsync(DesiredDeadlines());
            return;
        }
        if (_deadlines.TakeEffectsRetry(deadline))
        {
            await AfterWrite();
            return;
        }
        // Looked up before the aggregate records the firing: had it failed, the deadline stays wanted.
        var director = deadline.Rule.StartsWith(OrderAggregate.Escalation, StringComparison.Ordinal)
            ? (await GrainFactory.GetGrain<ITeamGrain>(S.TeamId).Find())?.DirectorId
            : null;
        var aggregate = Aggregate();
        aggregate.DeadlineDue(deadline, director, clock.GetUtcNow());
        await Commit(aggregate, Caller.System.UserId);
    }

    private OrderAggregate Aggregate() => new(Id, S);

    private async Task Commit(OrderAggregate aggregate, string actorId)
    {
        if (!aggregate.Changed)
        {
            return;
        }
        var now = clock.GetUtcNow();
        aggregate.Record(_outbox, new EventScope(EntityType.Order, Id, actorId, S.TeamId, S.OwnerId), e => ToContract(e, now), S.Effects, ToEffect);
        S.ReminderDueAt = await _deadlines.ReminderForWriteAsync(DesiredDeadlines());
        await state.WriteWithEventsAsync(_outbox, Entity, Id);
        await AfterWrite(); // never throws: the change is stored
    }

    private async Task AfterWrite()
    {
        await _effects.RunAsync();
        await _deadlines.ScheduleAsync(DesiredDeadlines());
        S.ReminderDueAt = _deadlines.ReminderDueAt;
    }

    private Action<DomainEvent> ToContract(OrderEvent @event, DateTimeOffset now)
    {
        var order = ToView().ToContract(now);
        return @event switch
        {
            OrderEvent.Created => e => e.OrderCreated = new OrderCreated { Order = order },
            OrderEvent.PaymentRecorded recorded => e => e.OrderPaymentRecorded = new OrderPaymentRecorded { Order = order, Payment = OrderContract.ToContract(recorded.Payment) },
            OrderEvent.PaymentReversed reversed => e => e.OrderPaymentReversed = new OrderPaymentReversed { Order = order, Payment = OrderContract.ToContract(reversed.Payment) },
            OrderEvent.Cancelled => e => e.OrderCancelled = new OrderCancelled { Order = order },
            OrderEvent.InstalmentDeadline due => e => e.OrderInstalmentDue = new OrderInstalmentDue
            {
                Order = order, Kind = due.Kind, Number = due.Instalment.Number, Outstanding = OrderRules.Text(due.Outstanding),
            },
            _ => throw new ArgumentOutOfRangeException(nameof(@event), @event, "no contract for this order event"),
        };
    }

    private static Effect ToEffect(OrderFollowUp followUp) => followUp switch
    {
        OrderFollowUp.Notify notify => new Notify(notify.RecipientId, notify.Notification),
        OrderFollowUp.NotifyTeamManager manager => new NotifyTeamManager(manager.TeamId, null, manager.KeyPrefix, manager.Template),
        OrderFollowUp.ReportToCustomer report => new ReportOrderPaymentsToCustomer(report.CustomerId, report.OrderId, report.Facts),
        _ => throw new ArgumentOutOfRangeException(nameof(followUp), followUp, "no effect for this order follow-up"),
    };

    public RequestLedger Requests => S.Requests;

    public ValueTask<object?> ReplayAsync(string method, AppliedRequest applied) => ValueTask.FromResult<object?>(method switch
    {
        nameof(RecordPayment) => new PaymentResult(ToView(), S.Payments.First(p => p.PaymentId == applied.Noted)),
        _ => ToView(),
    });

    private OrderView ToView() => new(Id, S.CustomerId, S.OwnerId, S.TeamId, S.Currency, [.. S.Lines], S.Total, S.Terms, [.. S.Plan],
        [.. S.Payments], S.Status, S.CancelReason, S.CreatedAt, S.CreatedBy, S.Version);
}
