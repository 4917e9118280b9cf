using ActorSales.Contracts.V1;

namespace ActorSales.ReadModel.Analytics;

/// <summary>A share with its parts; <see cref="Percent"/> is rounded half away from zero to 2 decimals (0 when nothing was counted).</summary>
public readonly record struct Share(long Numerator, long Denominator)
{
    public decimal Percent => AnalyticsFigures.Percent(Numerator, Denominator);
}

/// <summary>One funnel stage: entries in the period and what became of them (see analytics.proto, FunnelStage).</summary>
public sealed record FunnelStageFigures(
    string Stage,
    long Entered,
    long MovedOn,
    long MovedBack,
    long Lost,
    long StillOpen,
    long Won,
    TimeSpan? MedianTimeInStage,
    TimeSpan? P90TimeInStage,
    IReadOnlyList<(string Reason, long Count)> Losses)
{
    public Share ConversionToNext => new(MovedOn, Entered);

    public Share ConversionToWon => new(Won, Entered);
}

/// <summary>The cells of a funnel stage a drill-down names.</summary>
public enum FunnelCellKind { Entered, MovedOn, MovedBack, Lost, StillOpen, Won }

/// <summary>
/// The wins of one UTC month: count, median and population standard deviation of the cycle (first contact to win), in days
/// (2 decimals); of them, those paid so far and the same figures of the cycle to the first payment still counting.
/// </summary>
public sealed record CycleMonth(string Month, long Won, decimal MedianDays, decimal StdDevDays, long Paid = 0, decimal MedianDaysToPayment = 0, decimal StdDevDaysToPayment = 0);

/// <summary>One opportunity's key actions done out of those its pipeline version requires.</summary>
public sealed record PenetrationFigure(string OpportunityId, string OwnerId, Share Penetration);

/// <summary>The journey penetration of a set of opportunities: how many measured, their mean percentage, the lowest ones.</summary>
public sealed record PenetrationFigures(long Opportunities, decimal AveragePercent, IReadOnlyList<PenetrationFigure> Lowest);

/// <summary>
/// The figures, as pure functions of the facts a store returns, so both stores answer the same to the unit. Rounding:
/// percentages and day figures half away from zero to 2 decimals; durations to whole ticks, down.
/// </summary>
public static class AnalyticsFigures
{
    /// <summary>Per-opportunity penetration figures listed at most.</summary>
    public const int LowestListed = 100;

    public static decimal Percent(long numerator, long denominator) =>
        denominator == 0 ? 0m : Math.Round(numerator * 100m / denominator, 2, MidpointRounding.AwayFromZero);

    /// <summary>The median: the middle value, or the mean of the two middle values (whole ticks, rounded down).</summary>
    public static long Median(IReadOnlyList<long> sorted)
    {
        var n = sorted.Count;
        return n % 2 == 1 ? sorted[n / 2] : (long)Math.Floor(((decimal)sorted[(n / 2) - 1] + sorted[n / 2]) / 2m);
    }

    /// <summary>The 90th percentile by nearest rank: the ceil(0.9 n)-th smallest value.</summary>
    public static long P90(IReadOnlyList<long> sorted) => sorted[(int)(((9L * sorted.Count) + 9) / 10) - 1];

    /// <summary>
    /// The stage order of a funnel: <paramref name="pipelineStages"/> (the pipeline's latest version), then any other
    /// stage the facts name, by key.
    /// </summary>
    public static IReadOnlyList<string> StageOrder(IReadOnlyList<string> pipelineStages, IEnumerable<StageFact> facts)
    {
        var order = pipelineStages.Distinct(StringComparer.Ordinal).ToList();
        var known = order.ToHashSet(StringComparer.Ordinal);
        order.AddRange(facts.SelectMany(f => new[] { f.Stage, f.ToStage }).Where(s => s.Length > 0 && !known.Contains(s))
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));
        return order;
    }

    /// <summary>Whether a stay counts in a cell of its stage (moved on: to a later stage in <paramref name="order"/>, or won).</summary>
    public static bool InCell(StageFact fact, FunnelCellKind cell, IReadOnlyList<string> order) => cell switch
    {
        FunnelCellKind.Entered => true,
        FunnelCellKind.MovedOn => fact.Outcome == StageOutcome.Won || (fact.Outcome == StageOutcome.Changed && IsLater(fact, order)),
        FunnelCellKind.MovedBack => fact.Outcome == StageOutcome.Changed && !IsLater(fact, order),
        FunnelCellKind.Lost => fact.Outcome == StageOutcome.Lost,
        FunnelCellKind.StillOpen => fact.Outcome == StageOutcome.Open,
        FunnelCellKind.Won => fact.FinalStatus == OpportunityStatus.Won,
        _ => false,
    };

    public static IReadOnlyList<FunnelStageFigures> Funnel(IReadOnlyList<StageFact> facts, IReadOnlyList<string> order)
    {
        var byStage = facts.ToLookup(f => f.Stage, StringComparer.Ordinal);
        var figures = new List<FunnelStageFigures>(order.Count);
        foreach (var stage in order)
        {
            var stays = byStage[stage].ToList();
            long Count(FunnelCellKind cell) => stays.LongCount(f => InCell(f, cell, order));
            var times = stays.Where(f => f.LeftAt is not null).Select(f => (f.LeftAt!.Value - f.EnteredAt).Ticks).Order().ToList();
            var losses = stays.Where(f => f.Outcome == StageOutcome.Lost)
                .GroupBy(f => f.LostReason, StringComparer.Ordinal)
                .Select(g => (Reason: g.Key, Count: g.LongCount()))
                .OrderByDescending(g => g.Count).ThenBy(g => g.Reason, StringComparer.Ordinal)
                .ToList();
            figures.Add(new FunnelStageFigures(stage, stays.Count, Count(FunnelCellKind.MovedOn), Count(FunnelCellKind.MovedBack),
                Count(FunnelCellKind.Lost), Count(FunnelCellKind.StillOpen), Count(FunnelCellKind.Won),
                times.Count == 0 ? null : TimeSpan.FromTicks(Median(times)),
                times.Count == 0 ? null : TimeSpan.FromTicks(P90(times)),
                losses));
        }
        return figures;
    }

    /// <summary>The ids of the opportunities behind a funnel cell, each once, ordinal order.</summary>
    public static IReadOnlyList<string> FunnelCellIds(
        IReadOnlyList<StageFact> facts, IReadOnlyList<string> order, string stage, FunnelCellKind cell, string? lossReason) =>
        facts.Where(f => f.Stage == stage && InCell(f, cell, order) && (lossReason is null || f.LostReason == lossReason))
            .Select(f => f.OpportunityId)
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();

    /// <summary>
    /// Age in stage in whole days (rounded down; a stage entered in the future counts as 0): 0-7, 8-14, 15-30, over 30.
    /// </summary>
    public static AgeBucket AgeBucketOf(DateTimeOffset asOf, DateTimeOffset enteredAt)
    {
        var age = asOf - enteredAt;
        return age < TimeSpan.FromDays(8) ? AgeBucket.Days07
            : age < TimeSpan.FromDays(15) ? AgeBucket.Days814
            : age < TimeSpan.FromDays(31) ? AgeBucket.Days1530
            : AgeBucket.DaysOver30;
    }

    /// <summary>
    /// The stage-entry times of an age bucket at <paramref name="asOf"/>: From inclusive, To exclusive (null: open).
    /// An age in [lo, hi) days is an entry in (asOf - hi, asOf - lo].
    /// </summary>
    public static (DateTimeOffset? From, DateTimeOffset? To) EnteredRange(AgeBucket bucket, DateTimeOffset asOf)
    {
        var tick = TimeSpan.FromTicks(1);
        (int? lo, int? hi) = bucket switch
        {
            AgeBucket.Days07 => ((int?)null, (int?)8),
            AgeBucket.Days814 => (8, 15),
            AgeBucket.Days1530 => (15, 31),
            _ => (31, null),
        };
        return (hi is { } h ? asOf - TimeSpan.FromDays(h) + tick : null, lo is { } l ? asOf - TimeSpan.FromDays(l) + tick : null);
    }

    /// <summary>
    /// Cycle time per UTC month of the win: from first contact (the customer's first real follow-up if it came at or
    /// before the win, else the opportunity's creation) to the win.
    /// </summary>
    public static IReadOnlyList<CycleMonth> CycleTimes(IEnumerable<WonCycle> wins) =>
        wins.GroupBy(w => w.WonAt.UtcDateTime.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture), StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g =>
            {
                static DateTimeOffset Start(WonCycle w) => w.CustomerFirstFollowUpAt is { } first && first <= w.WonAt ? first : w.CreatedAt;
                var (won, median, stddev) = Spread(g.Select(w => w.WonAt - Start(w)));
                var (paid, paidMedian, paidStddev) = Spread(g.Where(w => w.FirstPaidAt is not null).Select(w => w.FirstPaidAt!.Value - Start(w)));
                return new CycleMonth(g.Key, won, median, stddev, paid, paidMedian, paidStddev);
            })
            .ToList();

    /// <summary>How many durations, their median and population standard deviation in days (2 decimals); zeros for none.</summary>
    private static (long Count, decimal MedianDays, decimal StdDevDays) Spread(IEnumerable<TimeSpan> durations)
    {
        var days = durations.Select(d => (decimal)d.Ticks / TimeSpan.TicksPerDay).Order().ToList();
        var n = days.Count;
        if (n == 0)
        {
            return (0, 0m, 0m);
        }
        var median = n % 2 == 1 ? days[n / 2] : (days[(n / 2) - 1] + days[n / 2]) / 2m;
        var mean = days.Sum() / n;
        var variance = days.Sum(d => (d - mean) * (d - mean)) / n;
        return (n, Round2(median), Round2((decimal)Math.Sqrt((double)variance)));
    }

    /// <summary>
    /// Journey penetration: per opportunity, the key actions (evidence kinds its pipeline version requires to enter or
    /// leave any stage) it has done, out of all of them; opportunities on a version requiring none are not measured.
    /// </summary>
    public static PenetrationFigures Penetration(
        IEnumerable<OpportunityEvidence> opportunities, IReadOnlyDictionary<(string Key, int Version), IReadOnlySet<string>> keyActions)
    {
        var figures = new List<PenetrationFigure>();
        var sum = 0m;
        foreach (var o in opportunities)
        {
            if (!keyActions.TryGetValue((o.PipelineKey, o.PipelineVersion), out var required) || required.Count == 0)
            {
                continue;
            }
            var done = required.Count(o.EvidenceKinds.Contains);
            sum += done * 100m / required.Count;
            figures.Add(new PenetrationFigure(o.OpportunityId, o.OwnerId, new Share(done, required.Count)));
        }
        var lowest = figures.OrderBy(f => f.Penetration.Numerator * 100m / f.Penetration.Denominator)
            .ThenBy(f => f.OpportunityId, StringComparer.Ordinal).Take(LowestListed).ToList();
        return new PenetrationFigures(figures.Count, figures.Count == 0 ? 0m : Round2(sum / figures.Count), lowest);
    }

    /// <summary>A pipeline version's key actions: the distinct evidence kinds any of its stages requires to enter or leave.</summary>
    public static IReadOnlySet<string> KeyActionsOf(Domain.Pipeline.PipelineDefinition definition) =>
        definition.Stages.SelectMany(s => s.RequiredEvidenceToEnter.Concat(s.RequiredEvidenceToLeave)).ToHashSet(StringComparer.Ordinal);

    public static decimal Round2(decimal value) => Math.Round(value, 2, MidpointRounding.AwayFromZero);

    private static bool IsLater(StageFact fact, IReadOnlyList<string> order) =>
        IndexOf(order, fact.ToStage) > IndexOf(order, fact.Stage);

    private static int IndexOf(IReadOnlyList<string> order, string stage)
    {
        for (var i = 0; i < order.Count; i++)
        {
            if (order[i] == stage)
            {
                return i;
            }
        }
        return -1;
    }
}
