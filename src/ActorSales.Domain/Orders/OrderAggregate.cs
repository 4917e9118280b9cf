using ActorSales.Domain.Common;
using ActorSales.Domain.Deadlines;
using ActorSales.Domain.Errors;

namespace ActorSales.Domain.Orders;

/// <summary>What an order aggregate decides over: the persisted state's domain fields.</summary>
public interface IOrderState
{
    bool Created { get; set; }
    string CustomerId { get; set; }
    string OwnerId { get; set; }
    string TeamId { get; set; }
    string Currency { get; set; }
    List<OrderLine> Lines { get; set; }
    decimal Total { get; set; }
    PaymentTerms Terms { get; set; }
    List<Instalment> Plan { get; set; }
    List<Payment> Payments { get; }
    OrderStatus Status { get; set; }
    string? CancelReason { get; set; }
    DateTimeOffset CreatedAt { get; set; }
    string CreatedBy { get; set; }
    long Version { get; set; }

    /// <summary>Firing keys of the instalment deadlines already acted on.</summary>
    HashSet<string> Fired { get; }
}

/// <summary>The won deal an order is made from, as the grain looked it up.</summary>
public sealed record WonDeal(string OpportunityId, string CustomerId, string OwnerId, string TeamId);

/// <summary>What happened to an order; each becomes one published event.</summary>
public abstract record OrderEvent
{
    public sealed record Created : OrderEvent;

    public sealed record PaymentRecorded(Payment Payment) : OrderEvent;

    public sealed record PaymentReversed(Payment Payment) : OrderEvent;

    public sealed record Cancelled(string Reason) : OrderEvent;

    /// <summary>An instalment deadline fired: reminded (before due), overdue (at due), escalated (after due).</summary>
    public sealed record InstalmentDeadline(string Kind, Instalment Instalment, decimal Outstanding) : OrderEvent;
}

/// <summary>Who must be told of an order's deadline.</summary>
public abstract record OrderFollowUp
{
    public sealed record Notify(string RecipientId, Notification Notification) : OrderFollowUp;

    /// <summary>Whoever manages the team when it runs (the effect looks the manager up).</summary>
    public sealed record NotifyTeamManager(string TeamId, string KeyPrefix, Notification Template) : OrderFollowUp;

    /// <summary>The customer keeps the order's plan and standing payments for its grade's payment record.</summary>
    public sealed record ReportToCustomer(string CustomerId, string OrderId, Customers.OrderPaymentFacts Facts) : OrderFollowUp;
}

/// <summary>
/// An order's decisions: made from a won deal, payments recorded and reversed (never deleted), cancelled before any
/// payment, and each instalment's deadlines: a reminder before it is due, overdue at its due time, escalated after, each
/// once per instalment and due time, and none once the instalment is paid.
/// </summary>
public sealed class OrderAggregate(string id, IOrderState state) : Aggregate<OrderEvent, OrderFollowUp>
{
    public const string Reminder = "instalment-reminder";
    public const string Overdue = "instalment-overdue";
    public const string Escalation = "instalment-escalation";

    private const string Entity = "order";

    protected override long Version { get => state.Version; set => state.Version = value; }

    /// <summary>Paid so far (payments not reversed).</summary>
    public decimal Paid => state.Payments.Where(p => !p.Reversed).Sum(p => p.Amount);

    public decimal Outstanding => state.Total - Paid;

    public void Create(WonDeal deal, OrderDraft draft, string actorId, DateTimeOffset now)
    {
        if (state.Created)
        {
            throw new AlreadyExistsException($"the opportunity '{id}' already has an order", id);
        }
        var (lines, total, plan) = OrderRules.Validate(draft, now);
        state.Created = true;
        (state.CustomerId, state.OwnerId, state.TeamId) = (deal.CustomerId, deal.OwnerId, deal.TeamId);
        state.Currency = draft.Currency.Trim().ToUpperInvariant();
        (state.Lines, state.Total, state.Terms, state.Plan) = ([.. lines], total, draft.Terms, [.. plan]);
        (state.Status, state.CreatedAt, state.CreatedBy) = (OrderStatus.Open, now, actorId);
        Raise(new OrderEvent.Created());
        ReportToCustomer();
    }

    /// <summary>Records a payment; over-payment and payments to a cancelled order are refused. The same payment id again is a no-op.</summary>
    public Payment RecordPayment(PaymentDraft draft, string actorId, DateTimeOffset now)
    {
        EnsureCreated();
        if (state.Payments.FirstOrDefault(p => p.PaymentId == draft.PaymentId) is { } existing)
        {
            return existing;
        }
        var amount = OrderRules.ParseAmount(draft.Amount, "amount");
        var currency = (draft.Currency ?? string.Empty).Trim().ToUpperInvariant();
        if (currency.Length > 0 && currency != state.Currency)
        {
            throw new ValidationException("currency", $"must be the order's currency, {state.Currency}");
        }
        var receivedAt = Guard.Timestamp(draft.ReceivedAt ?? now, "received_at", now.AddDays(1));
        var bankReference = Guard.Required(draft.BankReference, "bank_reference");
        var evidence = Guard.Required(draft.EvidenceReference, "evidence_reference", Limits.NameMaxLength);
        var termType = Guard.Enum(draft.TermType, "term_type");
        if (state.Status == OrderStatus.Cancelled)
        {
            throw new PreconditionFailedException($"order '{id}' is cancelled and takes no payments");
        }
        if (amount > Outstanding)
        {
            throw new PreconditionFailedException($"amount: {OrderRules.Text(amount)} is more than the {OrderRules.Text(Outstanding)} {state.Currency} outstanding");
        }
        var payment = new Payment(draft.PaymentId, amount, receivedAt, bankReference, evidence, termType, actorId, now);
        state.Payments.Add(payment);
        Raise(new OrderEvent.PaymentRecorded(payment));
        if (Outstanding == 0)
        {
            state.Status = OrderStatus.Paid;
        }
        ReportToCustomer();
        return payment;
    }

    /// <summary>Reverses a payment with a reason (it stays on the order, marked); the order is open again if it was paid.</summary>
    public Payment ReversePayment(string paymentId, string reason, string actorId, DateTimeOffset now)
    {
        EnsureCreated();
        var why = Guard.Required(reason, "reason", Limits.SummaryMaxLength);
        var index = state.Payments.FindIndex(p => p.PaymentId == paymentId);
        if (index < 0)
        {
            throw new NotFoundException("payment", paymentId);
        }
        if (state.Payments[index].Reversed)
        {
            throw new PreconditionFailedException($"payment '{paymentId}' is already reversed");
        }
        var reversed = state.Payments[index] with { ReversedBy = actorId, ReversedAt = now, ReversalReason = why };
        state.Payments[index] = reversed;
        state.Status = OrderStatus.Open;
        Raise(new OrderEvent.PaymentReversed(reversed));
        ReportToCustomer();
        return reversed;
    }

    /// <summary>Cancels an order nothing was paid on (reversed payments do not count).</summary>
    public void Cancel(string reason)
    {
        EnsureCreated();
        var why = Guard.Required(reason, "reason", Limits.SummaryMaxLength);
        if (state.Status == OrderStatus.Cancelled)
        {
            return;
        }
        if (Paid > 0)
        {
            throw new PreconditionFailedException($"order '{id}' has payments of {OrderRules.Text(Paid)} {state.Currency}; reverse them before cancelling");
        }
        (state.Status, state.CancelReason) = (OrderStatus.Cancelled, why);
        Raise(new OrderEvent.Cancelled(why));
        ReportToCustomer();
    }

    /// <summary>What the customer grades the order's payments by, as of this change.</summary>
    private void ReportToCustomer() => Then(new OrderFollowUp.ReportToCustomer(state.CustomerId, id, new Customers.OrderPaymentFacts(
        state.Status == OrderStatus.Cancelled,
        [.. state.Plan.Select(i => new Customers.InstalmentDue(i.DueAt, i.Amount))],
        [.. state.Payments.Where(p => !p.Reversed).Select(p => new Customers.PaymentReceived(p.ReceivedAt, p.Amount))],
        state.Version)));

    /// <summary>Each instalment not yet paid wants its reminder, overdue and escalation deadlines, minus those already fired.</summary>
    public List<Deadline> WantedDeadlines(OrderOptions options)
    {
        if (!state.Created || state.Status != OrderStatus.Open)
        {
            return [];
        }
        var paid = OrderRules.PaidPerInstalment(state.Plan, Paid);
        var wanted = new List<Deadline>();
        for (var i = 0; i < state.Plan.Count; i++)
        {
            var instalment = state.Plan[i];
            if (paid[i] >= instalment.Amount)
            {
                continue;
            }
            var reminder = instalment.DueAt - options.ReminderBefore;
            if (reminder > state.CreatedAt)
            {
                wanted.Add(new Deadline($"{Reminder}:{instalment.Number}", reminder));
            }
            wanted.Add(new Deadline($"{Overdue}:{instalment.Number}", instalment.DueAt));
            wanted.Add(new Deadline($"{Escalation}:{instalment.Number}", instalment.DueAt + options.EscalateAfter));
        }
        return wanted.Where(d => !state.Fired.Contains(d.FiringKey(id))).ToList();
    }

    /// <summary>
    /// A due instalment deadline (the grain checked it is still wanted): tells the owner (reminder), owner and manager
    /// (overdue), or the director (escalation, the manager when the team has none), once. A reminder that comes only
    /// once the instalment is already due (the order's grain was down) is dropped: the overdue notice says it all.
    /// </summary>
    public void DeadlineDue(Deadline deadline, string? directorId, DateTimeOffset now)
    {
        EnsureCreated();
        if (!state.Fired.Add(deadline.FiringKey(id)))
        {
            return;
        }
        var separator = deadline.Rule.LastIndexOf(':');
        var kind = deadline.Rule[..separator];
        var number = int.Parse(deadline.Rule[(separator + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        var instalment = state.Plan[number - 1];
        if (kind == Reminder && now >= instalment.DueAt)
        {
            Touch();
            return;
        }
        var outstanding = instalment.Amount - OrderRules.PaidPerInstalment(state.Plan, Paid)[number - 1];
        Raise(new OrderEvent.InstalmentDeadline(kind, instalment, outstanding));
        var key = deadline.FiringKey(id);
        var what = $"order {id}: instalment {number} of {OrderRules.Text(instalment.Amount)} {state.Currency} due {instalment.DueAt:yyyy-MM-dd}, "
            + $"{OrderRules.Text(outstanding)} outstanding";
        Notification Notice(string recipient, NotificationSeverity severity, string text) =>
            new($"{key}:{recipient}", kind, severity, Entity, id, text, deadline.DueAt);
        switch (kind)
        {
            case Reminder:
                Then(new OrderFollowUp.Notify(state.OwnerId, Notice(state.OwnerId, NotificationSeverity.Info, what + " (reminder)")));
                break;
            case Overdue:
                Then(new OrderFollowUp.Notify(state.OwnerId, Notice(state.OwnerId, NotificationSeverity.Warning, what + " is overdue")));
                Then(new OrderFollowUp.NotifyTeamManager(state.TeamId, key, Notice("manager", NotificationSeverity.Warning, what + " is overdue")));
                ReportToCustomer(); // a missed instalment changes the customer's payment record now, not at its next regrade
                break;
            default:
                var escalated = $"{what} is escalated: overdue since {instalment.DueAt:yyyy-MM-dd}";
                if (directorId is not null)
                {
                    Then(new OrderFollowUp.Notify(directorId, Notice(directorId, NotificationSeverity.Critical, escalated)));
                }
                else
                {
                    Then(new OrderFollowUp.NotifyTeamManager(state.TeamId, key, Notice("manager", NotificationSeverity.Critical, escalated)));
                }
                break;
        }
    }

    /// <summary>Outstanding on instalments due at or before <paramref name="now"/>.</summary>
    public decimal OverdueAmount(DateTimeOffset now)
    {
        var paid = OrderRules.PaidPerInstalment(state.Plan, Paid);
        return state.Status != OrderStatus.Open ? 0 : state.Plan.Select((p, i) => p.DueAt <= now ? p.Amount - paid[i] : 0).Sum();
    }

    public void EnsureCreated()
    {
        if (!state.Created)
        {
            throw new NotFoundException(Entity, id);
        }
    }
}
