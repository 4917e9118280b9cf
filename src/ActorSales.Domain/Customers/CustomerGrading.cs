using System.Globalization;
using ActorSales.Domain.Deadlines;
using ActorSales.Domain.Pipeline;

namespace ActorSales.Domain.Customers;

/// <summary>
/// The grading rule: a pure function of the customer's record, the options and the time. Each factor scores 0..100
/// (rounded half away from zero); the total is the weighted mean of the scores (one decimal); the thresholds turn the
/// total into A+ / A / B / C. What each factor reads:
/// <list type="bullet">
/// <item>purchase potential: the value of open deals plus deals won within <see cref="GradingOptions.WonCountsFor"/>,
/// as a share of <see cref="GradingOptions.FullPotentialAmount"/> per currency (shares of several currencies add up);</item>
/// <item>cooperation stage: the furthest point reached: a recent win, an older win, the best signal of an open deal,
/// an open deal without a signal, or nothing;</item>
/// <item>decision chain: distinct people named as decision makers on the deals (L3) or as key contacts with a title
/// and a phone or email, against <see cref="GradingOptions.CompleteDecisionChain"/>;</item>
/// <item>interaction frequency: real follow-ups within <see cref="GradingOptions.InteractionWindow"/> against
/// <see cref="GradingOptions.FullInteractionCount"/>;</item>
/// <item>payment record: of the instalments of the customer's orders due by now, the share paid on time; a customer with
/// none due is not judged by it (its weight counts as 0 for them).</item>
/// </list>
/// </summary>
public static class CustomerGrading
{
    /// <summary>The deadline rule of the scheduled regrade.</summary>
    public const string RecomputeRule = "grade-recompute";

    /// <summary>Grades <paramref name="s"/> at <paramref name="now"/>.</summary>
    public static GradeResult Compute(ICustomerRecord s, GradingOptions o, DateTimeOffset now, string trigger)
    {
        var measured = new (string Factor, decimal Raw, string Detail, int Score, int Weight)[]
        {
            Measure(GradeFactors.PurchasePotential, PurchasePotential(s, o, now), o.PurchasePotentialWeight),
            Measure(GradeFactors.CooperationStage, CooperationStage(s, o, now), o.CooperationStageWeight),
            Measure(GradeFactors.DecisionChain, DecisionChain(s, o), o.DecisionChainWeight),
            Measure(GradeFactors.InteractionFrequency, InteractionFrequency(s, o, now), o.InteractionFrequencyWeight),
            PaymentRecordMeasure(s, o, now),
        };
        var totalWeight = measured.Sum(m => m.Weight);
        var factors = measured.Select(m => new GradeFactorScore(m.Factor, m.Raw, m.Detail, m.Score, m.Weight,
            totalWeight == 0 ? 0m : Math.Round((decimal)m.Score * m.Weight / totalWeight, 2, MidpointRounding.AwayFromZero))).ToList();
        var score = totalWeight == 0 ? 0m
            : Math.Round(measured.Sum(m => (decimal)m.Score * m.Weight) / totalWeight, 1, MidpointRounding.AwayFromZero);
        return new GradeResult(GradeFor(score, o), score, factors, now, trigger);
    }

    /// <summary>The grade of a total score: at or above a threshold reaches its grade.</summary>
    public static CustomerGrade GradeFor(decimal score, GradingOptions o) =>
        score >= o.APlusFrom ? CustomerGrade.APlus
        : score >= o.AFrom ? CustomerGrade.A
        : score >= o.BFrom ? CustomerGrade.B
        : CustomerGrade.C;

    /// <summary>Open deals and recent wins as a percentage (uncapped) of the full-potential amount; the score caps it at 100.</summary>
    public static (decimal Raw, string Detail, int Score) PurchasePotential(ICustomerRecord s, GradingOptions o, DateTimeOffset now)
    {
        var counted = s.Deals.Values
            .Where(d => d.Status == OpportunityStatus.Open || (d.Status == OpportunityStatus.Won && d.ClosedAt is { } at && now - at <= o.WonCountsFor))
            .GroupBy(d => d.Value.Currency, StringComparer.OrdinalIgnoreCase)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (Currency: g.Key, Amount: g.Sum(d => d.Value.Amount)))
            .ToList();
        var percent = Math.Round(counted.Sum(c => c.Amount * 100m / o.FullPotentialIn(c.Currency)), 2, MidpointRounding.AwayFromZero);
        var detail = counted.Count == 0
            ? "no open deal and no win within the period"
            : string.Join(", ", counted.Select(c => $"{c.Amount.ToString("0.##", CultureInfo.InvariantCulture)} {c.Currency} of {o.FullPotentialIn(c.Currency).ToString("0.##", CultureInfo.InvariantCulture)}"))
              + " (open deals and recent wins)";
        return (percent, detail, Score(percent));
    }

    /// <summary>The points of the furthest stage reached (raw value = score).</summary>
    public static (decimal Raw, string Detail, int Score) CooperationStage(ICustomerRecord s, GradingOptions o, DateTimeOffset now)
    {
        var best = (Points: 0, Detail: "no deal yet");
        void Consider(int points, string detail)
        {
            if (points > best.Points)
            {
                best = (points, detail);
            }
        }
        var wins = s.Deals.Values.Where(d => d.Status == OpportunityStatus.Won).Select(d => d.ClosedAt).Append(s.LastWonAt).OfType<DateTimeOffset>().ToList();
        if (wins.Count > 0)
        {
            var latest = wins.Max();
            Consider(now - latest <= o.WonCountsFor ? o.WonRecentlyPoints : o.WonEarlierPoints,
                now - latest <= o.WonCountsFor ? "a deal won within the period" : "a deal won before the period");
        }
        foreach (var deal in s.Deals.Values.Where(d => d.Status == OpportunityStatus.Open))
        {
            Consider(SignalPoints(deal.Signal, o), deal.Signal == ForecastSignal.None ? "an open deal" : $"an open deal at signal {deal.Signal}");
        }
        // Deals opened before customers kept deal facts are known only as open ids.
        if (s.OpenOpportunityIds.Any(id => !s.Deals.ContainsKey(id)))
        {
            Consider(o.OpenDealPoints, "an open deal");
        }
        return (best.Points, best.Detail, Math.Clamp(best.Points, 0, 100));
    }

    /// <summary>Distinct people of the decision chain named so far.</summary>
    public static (decimal Raw, string Detail, int Score) DecisionChain(ICustomerRecord s, GradingOptions o)
    {
        var people = new HashSet<string>(StringComparer.Ordinal);
        foreach (var deal in s.Deals.Values.Where(d => d.Status != OpportunityStatus.Lost))
        {
            people.UnionWith(deal.DecisionMakerKeys);
        }
        foreach (var contact in s.Details?.Contacts ?? [])
        {
            if (contact.Key && !string.IsNullOrWhiteSpace(contact.Title)
                && (!string.IsNullOrWhiteSpace(contact.Phone) || !string.IsNullOrWhiteSpace(contact.Email)))
            {
                people.Add(DealFacts.PersonKey(contact.Name, contact.Email));
            }
        }
        return (people.Count, $"{people.Count} of {o.CompleteDecisionChain} decision makers named", Score(people.Count * 100m / o.CompleteDecisionChain));
    }

    /// <summary>Real follow-ups within the window ending now.</summary>
    public static (decimal Raw, string Detail, int Score) InteractionFrequency(ICustomerRecord s, GradingOptions o, DateTimeOffset now)
    {
        var since = now - o.InteractionWindow;
        var count = s.RecentFollowUps.Count(at => at > since && at <= now);
        // Rows from before follow-ups were kept know only the latest one.
        if (s.RecentFollowUps.Count == 0 && s.LastFollowUpAt is { } last && last > since && last <= now)
        {
            count = 1;
        }
        return (count, $"{count} real follow-ups in the last {o.InteractionWindow.TotalDays:0.#} days; {o.FullInteractionCount} score full",
            Score(count * 100m / o.FullInteractionCount));
    }

    /// <summary>Instalments due by now paid on time, as a percentage; null when none is due yet.</summary>
    public static (decimal Raw, string Detail, int Score)? PaymentRecord(ICustomerRecord s, DateTimeOffset now)
    {
        var (due, onTime) = s.Orders.Values.Select(o => o.Punctuality(now)).Aggregate((Due: 0, OnTime: 0), (sum, p) => (sum.Due + p.Due, sum.OnTime + p.OnTime));
        if (due == 0)
        {
            return null;
        }
        var percent = Math.Round(onTime * 100m / due, 2, MidpointRounding.AwayFromZero);
        return (percent, $"{onTime} of {due} instalments due paid on time", Score(percent));
    }

    private static (string, decimal, string, int, int) PaymentRecordMeasure(ICustomerRecord s, GradingOptions o, DateTimeOffset now) =>
        PaymentRecord(s, now) is { } measured
            ? Measure(GradeFactors.PaymentRecord, measured, o.PaymentRecordWeight)
            : (GradeFactors.PaymentRecord, 0m, "no instalment due yet: not counted", 0, 0);

    /// <summary>
    /// Keeps a real follow-up's time for <see cref="InteractionFrequency"/>: sorted, only those within the window of
    /// <paramref name="now"/>, at most 4 x the full count (more cannot raise the score).
    /// </summary>
    public static void NoteFollowUp(List<DateTimeOffset> recent, DateTimeOffset occurredAt, GradingOptions o, DateTimeOffset now)
    {
        recent.Add(occurredAt);
        recent.RemoveAll(at => at <= now - o.InteractionWindow);
        recent.Sort();
        var keep = Math.Max(o.FullInteractionCount * 4, 8);
        if (recent.Count > keep)
        {
            recent.RemoveRange(0, recent.Count - keep);
        }
    }

    /// <summary>The scheduled regrade of a customer whose previous one was due at <paramref name="dueAt"/>.</summary>
    public static Deadline RecomputeDeadline(DateTimeOffset dueAt) => new(RecomputeRule, dueAt);

    /// <summary>
    /// When the regrade after one due at <paramref name="dueAt"/> and run at <paramref name="now"/> is due: one period
    /// later, or one period from now if the grain was down for longer (periods missed are not caught up one by one).
    /// </summary>
    public static DateTimeOffset NextDue(DateTimeOffset dueAt, DateTimeOffset now, GradingOptions o) =>
        dueAt + o.RecomputeEvery > now ? dueAt + o.RecomputeEvery : now + o.RecomputeEvery;

    private static int SignalPoints(ForecastSignal signal, GradingOptions o) => signal switch
    {
        ForecastSignal.L1 => o.SignalL1Points,
        ForecastSignal.L2 => o.SignalL2Points,
        ForecastSignal.L3 => o.SignalL3Points,
        ForecastSignal.L4 => o.SignalL4Points,
        _ => o.OpenDealPoints,
    };

    private static int Score(decimal percent) => (int)Math.Clamp(Math.Round(percent, 0, MidpointRounding.AwayFromZero), 0m, 100m);

    private static (string, decimal, string, int, int) Measure(string factor, (decimal Raw, string Detail, int Score) m, int weight) =>
        (factor, m.Raw, m.Detail, m.Score, weight);
}
