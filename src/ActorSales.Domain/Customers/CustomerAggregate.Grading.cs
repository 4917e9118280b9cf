using ActorSales.Domain.Deadlines;
using ActorSales.Domain.Errors;
using ActorSales.Domain.Pipeline;

namespace ActorSales.Domain.Customers;

/// <summary>
/// The computed grade: given at registration, recomputed within the same change whenever an input changes (profile,
/// activity, a deal's report, a win), and by the customer's own scheduled deadline every
/// <see cref="GradingOptions.RecomputeEvery"/>. A changed grade is an event and an entry of the (bounded) history.
/// </summary>
public sealed partial class CustomerAggregate
{
    /// <summary>Closed deals kept in the customer's deal facts besides the open ones (older ones no longer count).</summary>
    public const int ClosedDealsKept = 20;

    /// <summary>Orders kept in the customer's payment facts: those with the latest last instalment (older ones no longer count).</summary>
    public const int OrdersKept = 20;

    private GradingOptions Grading { get; } = grading ?? new GradingOptions();

    /// <summary>The scheduled regrade (rows from before grading: due at once, at their creation time).</summary>
    public Deadline? GradeDeadline() => S.Registered ? CustomerGrading.RecomputeDeadline(S.GradeDueAt ?? S.CreatedAt) : null;

    /// <summary>Whether <paramref name="deadline"/> is the scheduled regrade.</summary>
    public static bool IsRegrade(Deadline deadline) => deadline.Rule == CustomerGrading.RecomputeRule;

    /// <summary>
    /// A deal reported its status, value, signal and decision makers (idempotent; a report older than the one kept,
    /// by the deal's version, changes nothing). Closed deals beyond <see cref="ClosedDealsKept"/> are dropped, oldest first.
    /// </summary>
    public void RecordDeal(string opportunityId, DealFacts facts, DateTimeOffset now)
    {
        EnsureRegistered();
        if (S.Deals.TryGetValue(opportunityId, out var known) && (known.Version > facts.Version || known.Equals(facts)))
        {
            return;
        }
        S.Deals[opportunityId] = facts;
        var closed = S.Deals.Where(d => d.Value.Status != OpportunityStatus.Open)
            .OrderByDescending(d => d.Value.ClosedAt).ThenBy(d => d.Key, StringComparer.Ordinal).Skip(ClosedDealsKept).Select(d => d.Key).ToList();
        foreach (var old in closed)
        {
            S.Deals.Remove(old);
        }
        Touch();
        Regrade(now, GradeTriggers.Deal);
    }

    /// <summary>
    /// An order reported its instalments and standing payments (idempotent; a report older than the one kept, by the
    /// order's version, changes nothing). The payment record changes, so the grade is recomputed. Beyond
    /// <see cref="OrdersKept"/> orders, those whose last instalment fell due longest ago are dropped.
    /// </summary>
    public void RecordOrderPayments(string orderId, OrderPaymentFacts facts, DateTimeOffset now)
    {
        EnsureRegistered();
        if (S.Orders.TryGetValue(orderId, out var known) && (known.Version > facts.Version || known.Equals(facts)))
        {
            return;
        }
        S.Orders[orderId] = facts;
        var stale = S.Orders.OrderByDescending(o => o.Value.Instalments.Count == 0 ? DateTimeOffset.MinValue : o.Value.Instalments.Max(i => i.DueAt))
            .ThenBy(o => o.Key, StringComparer.Ordinal).Skip(OrdersKept).Select(o => o.Key).ToList();
        foreach (var old in stale)
        {
            S.Orders.Remove(old);
        }
        Touch();
        Regrade(now, GradeTriggers.Payment);
    }

    /// <summary>
    /// The scheduled regrade fired: the grade is recomputed (time alone moves interaction and recent wins) and the next
    /// one is due a period after this one, so it acts once per due time.
    /// </summary>
    public void ScheduledRegrade(Deadline firing, DateTimeOffset now)
    {
        EnsureRegistered();
        if (!IsRegrade(firing) || !IsDue(firing, now))
        {
            throw new PreconditionFailedException($"deadline {firing.Rule} of customer '{id}' is not due");
        }
        S.GradeDueAt = CustomerGrading.NextDue(firing.DueAt, now, Grading);
        Touch();
        Regrade(now, GradeTriggers.Scheduled);
    }

    /// <summary>The first grade, part of the registration (its event carries it), and the first scheduled regrade.</summary>
    private void GradeAtRegistration(DateTimeOffset now)
    {
        var result = CustomerGrading.Compute(S, Grading, now, GradeTriggers.Registered);
        S.Grade = result;
        S.GradeHistory = [new GradeChange(CustomerGrade.Unspecified, result.Grade, result.Score, now, result.Trigger)];
        S.GradeDueAt = now + Grading.RecomputeEvery;
    }

    /// <summary>Recomputes the grade within the current change; a different grade is an event and a history entry.</summary>
    private void Regrade(DateTimeOffset now, string trigger)
    {
        if (!S.Registered)
        {
            return;
        }
        var previous = S.Grade?.Grade ?? CustomerGrade.Unspecified;
        var result = CustomerGrading.Compute(S, Grading, now, trigger);
        S.Grade = result;
        S.GradeDueAt ??= now + Grading.RecomputeEvery;
        Touch();
        if (result.Grade == previous)
        {
            return;
        }
        S.GradeHistory.Add(new GradeChange(previous, result.Grade, result.Score, now, trigger));
        if (S.GradeHistory.Count > Grading.HistoryKept)
        {
            S.GradeHistory.RemoveRange(0, S.GradeHistory.Count - Grading.HistoryKept);
        }
        Raise(new CustomerEvent.GradeChanged(previous, result));
    }
}
