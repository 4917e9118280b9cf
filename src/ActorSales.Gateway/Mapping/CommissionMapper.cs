using ActorSales.Domain.Commission;
using ActorSales.Domain.Errors;
using V1 = ActorSales.Contracts.V1;

namespace ActorSales.Gateway.Mapping;

/// <summary>commission.proto to domain drafts; amounts stay strings for the domain's rules to parse and name.</summary>
public static class CommissionMapper
{
    public static CommissionPlanDraft ToDraft(V1.CommissionPlan? plan)
    {
        if (plan is null)
        {
            throw new ValidationException("plan", "is required");
        }
        return new CommissionPlanDraft(
            plan.Name,
            plan.EffectiveFrom,
            plan.Schedules.Select(s => new CurrencyScheduleDraft(
                s.Currency, s.Tiers.Select(Tier).ToList(), s.Cap, s.Floor, s.ProcessAmount, s.RebateTiers.Select(Tier).ToList())).ToList(),
            plan.ProductLineRates.Select(r => new RateDraft(r.ProductLine, r.RatePercent)).ToList(),
            plan.ProcessMetrics.Select(m => new ProcessMetricDraft((ProcessMetric)m.Metric, m.WeightPercent, m.Target)).ToList());
    }

    public static IReadOnlyList<HypotheticalPaymentDraft> ToDrafts(IEnumerable<V1.HypotheticalPayment> payments) =>
        payments.Select((p, i) => new HypotheticalPaymentDraft(
            p.Amount, p.Currency, p.ProductLine, p.ChannelPartner, RequestMapper.OptionalTimestamp(p.ReceivedAt, $"payments[{i}].received_at"))).ToList();

    public static V1.StatementSummary ToSummary(string period, Grains.Abstractions.Commission.StatementEntry entry)
    {
        var summary = new V1.StatementSummary
        {
            SalespersonId = entry.SalespersonId,
            TeamId = entry.TeamId,
            Period = period,
            Status = (V1.StatementStatus)entry.Status,
            ApprovedBy = entry.ApprovedBy,
            FinalisedBy = entry.FinalisedBy,
        };
        summary.Payable.AddRange(entry.Payable.Select(p => Grains.Abstractions.Contracts.CommissionContract.Money(p.Currency, p.Amount)));
        return summary;
    }

    private static TierDraft Tier(V1.CommissionTier tier) => new(tier.From, tier.RatePercent);
}
