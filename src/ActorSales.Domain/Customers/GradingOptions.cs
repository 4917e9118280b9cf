namespace ActorSales.Domain.Customers;

/// <summary>
/// Customer grading (section "ActorSales:Grading"). Five factors, each scored 0..100, weighted (weights are relative:
/// the total is the weighted mean); the total's thresholds give the grade. The payment record counts only for customers
/// with an instalment due (otherwise its weight is 0 for that customer).
/// </summary>
public sealed class GradingOptions
{
    /// <summary>Every customer is regraded this long after its previous scheduled regrade (its own deadline).</summary>
    public TimeSpan RecomputeEvery { get; set; } = TimeSpan.FromHours(72);

    /// <summary>Weight of purchase potential: open deals plus deals won within <see cref="WonCountsFor"/>.</summary>
    public int PurchasePotentialWeight { get; set; } = 30;

    /// <summary>Weight of the cooperation stage: the furthest the customer has come (open deal, its signal, a win).</summary>
    public int CooperationStageWeight { get; set; } = 30;

    /// <summary>Weight of decision-chain completeness: L3 decision makers and key contacts named.</summary>
    public int DecisionChainWeight { get; set; } = 20;

    /// <summary>Weight of interaction frequency: real follow-ups within <see cref="InteractionWindow"/>.</summary>
    public int InteractionFrequencyWeight { get; set; } = 20;

    /// <summary>Weight of the payment record: instalments due that were paid on time (once the customer has one due).</summary>
    public int PaymentRecordWeight { get; set; } = 20;

    /// <summary>A total score at or above this is A+.</summary>
    public int APlusFrom { get; set; } = 85;

    /// <summary>A total score at or above this (below A+) is A.</summary>
    public int AFrom { get; set; } = 70;

    /// <summary>A total score at or above this (below A) is B; below it, C (the intervention list).</summary>
    public int BFrom { get; set; } = 50;

    /// <summary>
    /// Potential scores 100 at this amount in the deal's currency (like the approval threshold, there is no exchange
    /// rate); amounts in several currencies add their shares.
    /// </summary>
    public decimal FullPotentialAmount { get; set; } = 500_000m;

    /// <summary>Per-currency overrides of <see cref="FullPotentialAmount"/> (ISO code -> amount), e.g. "CNY": 3500000.</summary>
    public Dictionary<string, decimal> FullPotentialAmountByCurrency { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>A win this recent counts for potential and as a current customer; older wins count as a former customer.</summary>
    public TimeSpan WonCountsFor { get; set; } = TimeSpan.FromDays(365);

    /// <summary>Cooperation points: an open deal without a signal, each signal level, a recent win, an older win.</summary>
    public int OpenDealPoints { get; set; } = 25;
    public int SignalL1Points { get; set; } = 35;
    public int SignalL2Points { get; set; } = 50;
    public int SignalL3Points { get; set; } = 65;
    public int SignalL4Points { get; set; } = 80;
    public int WonRecentlyPoints { get; set; } = 100;
    public int WonEarlierPoints { get; set; } = 60;

    /// <summary>
    /// People a complete decision chain names (user, purchaser, budget holder): distinct decision makers of the
    /// customer's deals (the L3 evidence) and key contacts with a title and a phone or email.
    /// </summary>
    public int CompleteDecisionChain { get; set; } = 3;

    /// <summary>Real follow-ups (visit, call or meeting with a summary) are counted over this window.</summary>
    public TimeSpan InteractionWindow { get; set; } = TimeSpan.FromDays(30);

    /// <summary>This many real follow-ups within the window score 100.</summary>
    public int FullInteractionCount { get; set; } = 4;

    /// <summary>The grade changes kept in the customer's state (the read model's history keeps every one).</summary>
    public int HistoryKept { get; set; } = 20;

    /// <summary>What is wrong with these settings (empty: valid), naming each key.</summary>
    public IEnumerable<string> Validate()
    {
        const string S = "ActorSales:Grading:";
        if (RecomputeEvery < TimeSpan.FromMinutes(1) || RecomputeEvery > TimeSpan.FromDays(3650))
        {
            yield return S + "RecomputeEvery must be between 1 minute and 10 years";
        }
        var weights = new[] { PurchasePotentialWeight, CooperationStageWeight, DecisionChainWeight, InteractionFrequencyWeight };
        if (weights.Append(PaymentRecordWeight).Any(w => w < 0 || w > 1000) || weights.Sum() == 0)
        {
            yield return S + "weights must be 0..1000 and not all 0 besides PaymentRecordWeight";
        }
        if (!(0 <= BFrom && BFrom <= AFrom && AFrom <= APlusFrom && APlusFrom <= 100))
        {
            yield return S + "thresholds must satisfy 0 <= BFrom <= AFrom <= APlusFrom <= 100";
        }
        if (FullPotentialAmount <= 0 || FullPotentialAmountByCurrency.Values.Any(v => v <= 0))
        {
            yield return S + "FullPotentialAmount (and each per-currency amount) must be positive";
        }
        var points = new[] { OpenDealPoints, SignalL1Points, SignalL2Points, SignalL3Points, SignalL4Points, WonRecentlyPoints, WonEarlierPoints };
        if (points.Any(p => p < 0 || p > 100))
        {
            yield return S + "cooperation points must be 0..100";
        }
        if (CompleteDecisionChain < 1 || FullInteractionCount < 1)
        {
            yield return S + "CompleteDecisionChain and FullInteractionCount must be at least 1";
        }
        if (InteractionWindow <= TimeSpan.Zero || WonCountsFor <= TimeSpan.Zero)
        {
            yield return S + "InteractionWindow and WonCountsFor must be positive";
        }
        if (HistoryKept < 1 || HistoryKept > 1000)
        {
            yield return S + "HistoryKept must be 1..1000";
        }
    }

    /// <summary>The amount that scores full potential in <paramref name="currency"/>.</summary>
    public decimal FullPotentialIn(string currency) =>
        FullPotentialAmountByCurrency.TryGetValue(currency, out var amount) ? amount : FullPotentialAmount;
}
