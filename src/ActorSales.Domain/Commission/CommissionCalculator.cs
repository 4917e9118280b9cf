using System.Globalization;
using ActorSales.Domain.Common;

namespace ActorSales.Domain.Commission;

/// <summary>An order line's product line and total: what a payment on the order is allocated by.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.OrderLineShare")]
public sealed record OrderLineShare([property: Id(0)] string ProductLine, [property: Id(1)] decimal Total);

/// <summary>
/// A payment as commission sees it: from the read model (never the order grains), with its order's lines and whether its
/// customer came through a channel partner; or a what-if payment (<see cref="Hypothetical"/>).
/// </summary>
[GenerateSerializer, Immutable, Alias("actorsales.CollectedPayment")]
public sealed record CollectedPayment(
    [property: Id(0)] string PaymentId,
    [property: Id(1)] string OrderId,
    [property: Id(2)] string CustomerId,
    [property: Id(3)] string Currency,
    [property: Id(4)] decimal Amount,
    [property: Id(5)] DateTimeOffset ReceivedAt,
    [property: Id(6)] DateTimeOffset RecordedAt,
    [property: Id(7)] DateTimeOffset? ReversedAt,
    [property: Id(8)] IReadOnlyList<OrderLineShare> Lines,
    [property: Id(9)] bool ChannelPartner,
    [property: Id(10)] bool Hypothetical = false)
{
    public bool Reversed => ReversedAt is not null;
}

/// <summary>The rep's process metrics in the period.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.ProcessActuals")]
public sealed record ProcessActuals([property: Id(0)] decimal EffectiveVisits, [property: Id(1)] decimal JourneyPenetrationPercent)
{
    public decimal Of(ProcessMetric metric) => metric == ProcessMetric.EffectiveVisits ? EffectiveVisits : JourneyPenetrationPercent;
}

/// <summary>
/// Everything a statement is computed from. <see cref="Changed"/> (payments recorded or reversed since the latest final
/// statement was frozen) and <see cref="Settled"/> (what final statements paid per payment) only matter for the next open
/// period, the one right after <see cref="LastFinal"/>: only it takes adjustments.
/// </summary>
public sealed record CommissionInputs(
    CommissionPlan Plan,
    CommissionPeriod Period,
    IReadOnlyList<CollectedPayment> Received,
    IReadOnlyList<CollectedPayment> Changed,
    IReadOnlyDictionary<string, SettledPayment> Settled,
    CommissionPeriod? FirstFinal,
    CommissionPeriod? LastFinal,
    ProcessActuals Metrics,
    IReadOnlyList<CollectedPayment> Hypothetical);

/// <summary>
/// The commission statement as a pure function of its inputs (README "Commission"). In order:
/// <list type="number">
/// <item>Collection: the payments received in the period and not reversed (plus late payments of finalised periods and
/// what-if payments), in order of receipt then id. Each is allocated to its order's lines pro rata to the line totals
/// (rounded per line, the remainder to the last line) and summed per product line. An allocation whose product line has
/// its own rate earns that rate; any other earns the marginal tiers of its currency: the part of the cumulative collection
/// of the period (in that currency, every allocation counting, product-line ones too) between a tier's start and the
/// next's earns that tier's rate, so an allocation crossing a boundary is two lines.</item>
/// <item>Process: per metric, base = process amount x weight, rate = min(actual / target, 1) as a percentage.</item>
/// <item>Limit: a cap or floor on the period's collection + process, per currency (adjustments and rebates excluded).</item>
/// <item>Adjustment: a payment of a finalised period reversed since (minus what its final statement paid on it) or
/// recorded late (its commission now, at the current tiers).</item>
/// <item>Rebate: channel-partner customers' payments of the period, per currency; the highest threshold the period's
/// partner volume reaches sets the rate for the whole volume (not marginal).</item>
/// </list>
/// Every line's result is base x rate / 100 rounded to the currency's minor unit, half away from zero; totals add rounded lines.
/// </summary>
public static class CommissionCalculator
{
    public static StatementFigures Calculate(CommissionInputs inputs)
    {
        var plan = inputs.Plan;
        var period = inputs.Period;
        var lines = new List<StatementLine>();
        var late = new List<CollectedPayment>();
        var takesAdjustments = inputs.FirstFinal is { } first && inputs.LastFinal is { } last && period == last.Next();
        if (takesAdjustments)
        {
            var firstStart = inputs.FirstFinal!.Value.Start();
            foreach (var p in inputs.Changed.Where(p => p.ReceivedAt >= firstStart && p.ReceivedAt < period.Start())
                .DistinctBy(p => p.PaymentId).OrderBy(p => p.ReceivedAt).ThenBy(p => p.PaymentId, StringComparer.Ordinal))
            {
                var settled = inputs.Settled.GetValueOrDefault(p.PaymentId);
                if (p.Reversed && settled is { Reversed: false } s)
                {
                    lines.Add(new StatementLine(StatementComponent.Adjustment, "reversal", p.PaymentId, p.OrderId, string.Empty, s.Currency, -p.Amount, null,
                        -s.Result, $"reversed {Day(p.ReversedAt!.Value)}: takes back what {s.SettledIn} paid on it"));
                }
                else if (!p.Reversed && settled is null)
                {
                    late.Add(p);
                }
            }
        }

        var collected = inputs.Received.Where(p => !p.Reversed && period.Contains(p.ReceivedAt))
            .Concat(late)
            .Concat(inputs.Hypothetical)
            .DistinctBy(p => p.PaymentId)
            .OrderBy(p => p.ReceivedAt).ThenBy(p => p.PaymentId, StringComparer.Ordinal)
            .ToList();
        var cumulative = new Dictionary<string, decimal>(StringComparer.Ordinal);
        foreach (var payment in collected)
        {
            var isLate = !payment.Hypothetical && !period.Contains(payment.ReceivedAt);
            lines.AddRange(CollectionLines(plan, payment, isLate, cumulative));
        }
        lines.AddRange(ProcessLines(plan, inputs.Metrics));
        lines.AddRange(LimitLines(plan, lines));
        lines.AddRange(RebateLines(plan, collected.Where(p => period.Contains(p.ReceivedAt) || p.Hypothetical).ToList()));

        var ordered = lines.OrderBy(l => l.Component).ToList();
        var totals = ordered.GroupBy(l => (l.Component, l.Currency))
            .OrderBy(g => g.Key.Component).ThenBy(g => g.Key.Currency, StringComparer.Ordinal)
            .Select(g => new ComponentTotal(g.Key.Component, g.Key.Currency, g.Sum(l => l.Result)))
            .ToList();
        var payable = ordered.Where(l => l.Component != StatementComponent.Rebate).GroupBy(l => l.Currency)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new CurrencyAmount(g.Key, g.Sum(l => l.Result)))
            .ToList();
        return new StatementFigures(plan.PlanId, plan.Version, ordered, totals, payable);
    }

    /// <summary>
    /// A payment allocated to its order's lines pro rata to their totals, each share rounded to the minor unit (never more
    /// than what is left), the remainder to the last line; then summed per product line in order of first appearance.
    /// </summary>
    public static IReadOnlyList<(string ProductLine, decimal Amount)> Allocate(decimal amount, IReadOnlyList<OrderLineShare> lines, string currency)
    {
        var total = lines.Sum(l => l.Total);
        if (lines.Count == 0 || total <= 0)
        {
            return [(string.Empty, amount)];
        }
        var shares = new List<(string ProductLine, decimal Amount)>();
        var given = 0m;
        for (var i = 0; i < lines.Count; i++)
        {
            var share = i == lines.Count - 1
                ? amount - given
                : Math.Min(CommissionRules.Round(amount * lines[i].Total / total, currency), amount - given);
            given += share;
            var at = shares.FindIndex(s => s.ProductLine == lines[i].ProductLine);
            if (at < 0)
            {
                shares.Add((lines[i].ProductLine, share));
            }
            else
            {
                shares[at] = (shares[at].ProductLine, shares[at].Amount + share);
            }
        }
        return shares;
    }

    /// <summary>What a final statement settles per payment: the sum of its lines' results, or that it was taken back.</summary>
    public static IReadOnlyDictionary<string, SettledPayment> Settlements(StatementFigures figures, CommissionPeriod period)
    {
        var settled = new Dictionary<string, SettledPayment>(StringComparer.Ordinal);
        foreach (var group in figures.Lines.Where(l => l.PaymentId.Length > 0 && !l.Hypothetical
                     && l.Component is StatementComponent.Collection or StatementComponent.Adjustment).GroupBy(l => l.PaymentId))
        {
            var reversal = group.Any(l => l.Rule == "reversal");
            settled[group.Key] = new SettledPayment(period, group.First().Currency, reversal ? 0 : group.Sum(l => l.Result), reversal);
        }
        return settled;
    }

    private static IEnumerable<StatementLine> CollectionLines(CommissionPlan plan, CollectedPayment payment, bool isLate, Dictionary<string, decimal> cumulative)
    {
        var component = isLate ? StatementComponent.Adjustment : StatementComponent.Collection;
        var currency = payment.Currency;
        var what = isLate ? $"late: received {Day(payment.ReceivedAt)}, recorded {Day(payment.RecordedAt)} after its period was final; " : string.Empty;
        var schedule = plan.ScheduleFor(currency);
        if (schedule is null)
        {
            yield return Line(component, "no_schedule", payment, string.Empty, payment.Amount, 0m, what + $"the plan pays nothing on {currency}");
            yield break;
        }
        foreach (var (productLine, amount) in Allocate(payment.Amount, payment.Lines, currency))
        {
            var before = cumulative.GetValueOrDefault(currency);
            cumulative[currency] = before + amount;
            if (plan.RateFor(productLine) is { } own)
            {
                yield return Line(component, $"product_line:{own.ProductLine}", payment, productLine, amount, own.RatePercent, what + $"product line {own.ProductLine}'s own rate");
                continue;
            }
            var left = amount;
            var at = before;
            // From the tier holding the cumulative amount so far (the first tier starts at 0), upwards.
            for (var t = schedule.Tiers.Count - 1 - schedule.Tiers.Reverse().TakeWhile(tier => tier.From > at).Count(); left > 0; t++)
            {
                var upper = t + 1 < schedule.Tiers.Count ? schedule.Tiers[t + 1].From : decimal.MaxValue;
                var take = Math.Min(left, upper - at);
                var range = t + 1 < schedule.Tiers.Count ? $"{Text(schedule.Tiers[t].From)} to {Text(upper)}" : $"from {Text(schedule.Tiers[t].From)}";
                yield return Line(component, $"tier:{t + 1}", payment, productLine, take, schedule.Tiers[t].RatePercent,
                    what + $"tier {t + 1} ({range} {currency} collected in the period)");
                left -= take;
                at += take;
            }
        }
    }

    private static IEnumerable<StatementLine> ProcessLines(CommissionPlan plan, ProcessActuals metrics)
    {
        foreach (var schedule in plan.Schedules.Where(s => s.ProcessAmount > 0))
        {
            foreach (var term in plan.ProcessMetrics)
            {
                var actual = metrics.Of(term.Metric);
                var rate = CommissionRules.RoundRate(Math.Min(actual / term.Target, 1m) * 100m);
                var baseAmount = CommissionRules.Round(schedule.ProcessAmount * term.WeightPercent / 100m, schedule.Currency);
                var name = term.Metric == ProcessMetric.EffectiveVisits ? "effective_visits" : "journey_penetration";
                var detail = $"{Text(actual)} of target {Text(term.Target)} ({Text(term.WeightPercent)} % of {Text(schedule.ProcessAmount)} {schedule.Currency})";
                yield return new StatementLine(StatementComponent.Process, $"process:{name}", string.Empty, string.Empty, string.Empty, schedule.Currency,
                    baseAmount, rate, CommissionRules.Round(baseAmount * rate / 100m, schedule.Currency), detail);
            }
        }
    }

    private static IEnumerable<StatementLine> LimitLines(CommissionPlan plan, IReadOnlyList<StatementLine> lines)
    {
        foreach (var schedule in plan.Schedules.Where(s => s.Cap is not null || s.Floor is not null))
        {
            var subtotal = lines.Where(l => l.Currency == schedule.Currency && l.Component is StatementComponent.Collection or StatementComponent.Process)
                .Sum(l => l.Result);
            if (schedule.Cap is { } cap && subtotal > cap)
            {
                yield return new StatementLine(StatementComponent.Limit, "cap", string.Empty, string.Empty, string.Empty, schedule.Currency, subtotal, null,
                    cap - subtotal, $"collection + process {Text(subtotal)} capped at {Text(cap)} {schedule.Currency}");
            }
            if (schedule.Floor is { } floor && subtotal < floor)
            {
                yield return new StatementLine(StatementComponent.Limit, "floor", string.Empty, string.Empty, string.Empty, schedule.Currency, subtotal, null,
                    floor - subtotal, $"collection + process {Text(subtotal)} raised to the floor of {Text(floor)} {schedule.Currency}");
            }
        }
    }

    private static IEnumerable<StatementLine> RebateLines(CommissionPlan plan, IReadOnlyList<CollectedPayment> collected)
    {
        foreach (var schedule in plan.Schedules.Where(s => s.RebateTiers.Count > 0))
        {
            var partner = collected.Where(p => p.ChannelPartner && p.Currency == schedule.Currency).ToList();
            var volume = partner.Sum(p => p.Amount);
            var tier = schedule.RebateTiers.Select((t, i) => (Tier: t, Number: i + 1)).LastOrDefault(t => t.Tier.From <= volume);
            if (partner.Count == 0 || tier.Tier is null)
            {
                continue;
            }
            foreach (var p in partner)
            {
                yield return Line(StatementComponent.Rebate, $"rebate:{tier.Number}", p, string.Empty, p.Amount, tier.Tier.RatePercent,
                    $"channel-partner volume {Text(volume)} {schedule.Currency} reached {Text(tier.Tier.From)}");
            }
        }
    }

    private static StatementLine Line(StatementComponent component, string rule, CollectedPayment p, string productLine, decimal baseAmount, decimal rate, string detail) =>
        new(component, rule, p.PaymentId, p.OrderId, productLine, p.Currency, baseAmount, rate,
            CommissionRules.Round(baseAmount * rate / 100m, p.Currency), detail, p.Hypothetical);

    private static string Text(decimal value) => CommissionRules.Text(value);

    private static string Day(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}

/// <summary>A what-if payment as requested.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.HypotheticalPaymentDraft")]
public sealed record HypotheticalPaymentDraft(
    [property: Id(0)] string Amount,
    [property: Id(1)] string Currency,
    [property: Id(2)] string ProductLine,
    [property: Id(3)] bool ChannelPartner,
    [property: Id(4)] DateTimeOffset? ReceivedAt);

/// <summary>What-if payments: validated (field paths of WhatIfCommissionRequest), then collected like real ones.</summary>
public static class WhatIfRules
{
    public static IReadOnlyList<CollectedPayment> Payments(IReadOnlyList<HypotheticalPaymentDraft> drafts, CommissionPeriod period)
    {
        if (drafts.Count == 0 || drafts.Count > CommissionRules.MaxHypotheticalPayments)
        {
            throw new Errors.ValidationException("payments", $"must hold 1 to {CommissionRules.MaxHypotheticalPayments} payments");
        }
        return drafts.Select((p, i) => Payment(p, i, period)).ToList();
    }

    public static CollectedPayment Payment(HypotheticalPaymentDraft draft, int index, CommissionPeriod period)
    {
        var at = $"payments[{index}]";
        var currency = Guard.Currency(draft.Currency, at + ".currency");
        var amount = CommissionRules.Amount(draft.Amount, at + ".amount", positive: true, currency);
        var productLine = Common.Guard.Optional(draft.ProductLine, at + ".product_line");
        var receivedAt = draft.ReceivedAt ?? period.End().AddTicks(-1);
        if (!period.Contains(receivedAt))
        {
            throw new Errors.ValidationException(at + ".received_at", $"must be within {period}");
        }
        return new CollectedPayment($"what-if-{index + 1}", string.Empty, string.Empty, currency, amount, receivedAt, receivedAt, null,
            [new OrderLineShare(productLine, amount)], draft.ChannelPartner, Hypothetical: true);
    }
}
