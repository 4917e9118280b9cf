using ActorSales.Contracts.V1;

namespace ActorSales.ReadModel.Analytics;

/// <summary>Outstanding in one ageing band: amount and instalments.</summary>
public sealed record AgeingFigure(AgeingBand Band, decimal Amount, long Instalments);

/// <summary>
/// GetCollection's figures in one currency (see analytics.proto's CollectionFigures): amounts to the cent, percentages
/// and days to 2 decimals, half away from zero; null where the proto leaves the field empty.
/// </summary>
public sealed record CurrencyCollection(
    string Currency,
    decimal Collected,
    long Payments,
    decimal? Target,
    decimal? CollectionRatePercent,
    decimal Outstanding,
    decimal Overdue,
    decimal OverdueRatePercent,
    decimal Ordered,
    decimal? DaysSalesOutstanding,
    IReadOnlyList<AgeingFigure> Ageing);

/// <summary>The collection figures as pure functions of the read model's facts, so both stores answer alike.</summary>
public static class CollectionRules
{
    /// <summary>The bands in order, with the most days past due each holds (null: no bound).</summary>
    public static IReadOnlyList<(AgeingBand Band, int? UpToDays)> Bands { get; } =
    [
        (AgeingBand.Days130, 30), (AgeingBand.Days3160, 60), (AgeingBand.Days6190, 90), (AgeingBand.Over90, null),
    ];

    /// <summary>
    /// The band of an instalment due at <paramref name="dueAt"/> as of <paramref name="asOf"/>: not due until its due
    /// time; then by how long past it (up to 30 days inclusive is 1-30, and so on).
    /// </summary>
    public static AgeingBand BandOf(DateTimeOffset dueAt, DateTimeOffset asOf)
    {
        if (dueAt > asOf)
        {
            return AgeingBand.NotDue;
        }
        var late = asOf - dueAt;
        return Bands.First(b => b.UpToDays is not { } days || late <= TimeSpan.FromDays(days)).Band;
    }

    /// <summary>
    /// Per currency (by code): every currency with an order made before the period's end, a receivable or a target.
    /// <paramref name="payments"/> are those received in the period; <paramref name="targets"/> the summed targets.
    /// </summary>
    public static IReadOnlyList<CurrencyCollection> Summarise(
        Period period,
        DateTimeOffset asOf,
        IReadOnlyList<PaymentFact> payments,
        IReadOnlyList<ReceivableFact> receivables,
        IReadOnlyList<OrderTotals> totals,
        IReadOnlyDictionary<string, decimal> targets)
    {
        var currencies = totals.Select(t => t.Currency).Concat(receivables.Select(r => r.Currency)).Concat(targets.Keys)
            .Concat(payments.Select(p => p.Currency)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        var days = (decimal)(period.To - period.From).Ticks / TimeSpan.TicksPerDay;
        return currencies.Select(currency =>
        {
            var counted = payments.Where(p => p.Currency == currency && !p.Reversed && period.Contains(p.ReceivedAt)).ToList();
            var collected = counted.Sum(p => p.Amount);
            decimal? target = targets.TryGetValue(currency, out var t) ? t : null;
            var owed = receivables.Where(r => r.Currency == currency).ToList();
            var outstanding = owed.Sum(r => r.Outstanding);
            var overdue = owed.Where(r => r.DueAt <= asOf).Sum(r => r.Outstanding);
            var total = totals.FirstOrDefault(x => x.Currency == currency);
            var ordered = total?.OrderedInPeriod ?? 0m;
            decimal? dso = ordered == 0m ? null : Round2((total!.OrderedBeforeEnd - total.PaidBeforeEnd) / ordered * days);
            var ageing = new[] { AgeingBand.NotDue }.Concat(Bands.Select(b => b.Band))
                .Select(band =>
                {
                    var inBand = owed.Where(r => BandOf(r.DueAt, asOf) == band).ToList();
                    return new AgeingFigure(band, inBand.Sum(r => r.Outstanding), inBand.Count);
                })
                .ToList();
            return new CurrencyCollection(
                currency, collected, counted.Count, target, target is { } goal ? Round2(collected * 100m / goal) : null,
                outstanding, overdue, outstanding == 0m ? 0m : Round2(overdue * 100m / outstanding), ordered, dso, ageing);
        }).ToList();
    }

    /// <summary>
    /// The collected-amount targets per currency: of goals whose period lies within <paramref name="period"/>, a rep's
    /// own when <paramref name="ownerId"/> is given, else the team goals (no owner).
    /// </summary>
    public static IReadOnlyDictionary<string, decimal> Targets(IEnumerable<Goal> goals, Period period, string? ownerId) => goals
        .Where(g => g.Metric == GoalMetric.CollectedAmount
            && g.Period.From.ToDateTimeOffset() >= period.From && g.Period.To.ToDateTimeOffset() <= period.To
            && (ownerId is null ? g.OwnerId.Length == 0 : g.OwnerId == ownerId))
        .GroupBy(g => g.Currency, StringComparer.Ordinal)
        .ToDictionary(g => g.Key, g => g.Sum(x => CollectionFacts.Amount(x.Target)), StringComparer.Ordinal);

    private static decimal Round2(decimal value) => Math.Round(value, 2, MidpointRounding.AwayFromZero);
}
