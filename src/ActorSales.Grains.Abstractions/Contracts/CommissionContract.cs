using System.Globalization;
using ActorSales.Domain.Commission;
using Google.Protobuf.WellKnownTypes;
using V1 = ActorSales.Contracts.V1;

namespace ActorSales.Grains.Abstractions.Contracts;

/// <summary>Commission plans and statements in their published form (commission.proto).</summary>
public static class CommissionContract
{
    /// <summary>An amount with exactly the currency's minor unit of decimals ("1250.50", "1250" for JPY).</summary>
    public static string Amount(decimal value, string currency) =>
        CommissionRules.Round(value, currency).ToString("F" + CommissionRules.MinorUnits(currency).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    /// <summary>A rate or plain figure without trailing zeros ("2.5", "100").</summary>
    public static string Figure(decimal value) => value.ToString("0.####", CultureInfo.InvariantCulture);

    public static V1.CommissionPlan ToContract(this CommissionPlan plan)
    {
        var contract = new V1.CommissionPlan
        {
            PlanId = plan.PlanId,
            Version = plan.Version,
            Name = plan.Name,
            EffectiveFrom = plan.EffectiveFrom.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            DefinedBy = plan.DefinedBy,
            DefinedAt = Timestamp.FromDateTimeOffset(plan.DefinedAt),
        };
        foreach (var s in plan.Schedules)
        {
            var schedule = new V1.CurrencySchedule
            {
                Currency = s.Currency,
                Cap = s.Cap is { } cap ? Amount(cap, s.Currency) : string.Empty,
                Floor = s.Floor is { } floor ? Amount(floor, s.Currency) : string.Empty,
                ProcessAmount = s.ProcessAmount > 0 ? Amount(s.ProcessAmount, s.Currency) : string.Empty,
            };
            schedule.Tiers.AddRange(s.Tiers.Select(t => new V1.CommissionTier { From = Amount(t.From, s.Currency), RatePercent = Figure(t.RatePercent) }));
            schedule.RebateTiers.AddRange(s.RebateTiers.Select(t => new V1.CommissionTier { From = Amount(t.From, s.Currency), RatePercent = Figure(t.RatePercent) }));
            contract.Schedules.Add(schedule);
        }
        contract.ProductLineRates.AddRange(plan.ProductLineRates.Select(r => new V1.ProductLineRate { ProductLine = r.ProductLine, RatePercent = Figure(r.RatePercent) }));
        contract.ProcessMetrics.AddRange(plan.ProcessMetrics.Select(m => new V1.ProcessMetricTerm
        {
            Metric = (V1.ProcessMetric)m.Metric, WeightPercent = Figure(m.WeightPercent), Target = Figure(m.Target),
        }));
        return contract;
    }

    public static V1.CommissionStatement ToContract(this CommissionStatement statement)
    {
        var figures = statement.Figures;
        var contract = new V1.CommissionStatement
        {
            SalespersonId = statement.SalespersonId,
            TeamId = statement.TeamId,
            Period = statement.Period.ToString(),
            Status = (V1.StatementStatus)statement.Status,
            PlanId = figures.PlanId,
            PlanVersion = figures.PlanVersion,
            ComputedAt = Timestamp.FromDateTimeOffset(statement.ComputedAt),
            Etag = figures.Etag(),
            ApprovedBy = statement.ApprovedBy ?? string.Empty,
            ApprovedAt = statement.ApprovedAt is { } approved ? Timestamp.FromDateTimeOffset(approved) : null,
            FinalisedBy = statement.FinalisedBy ?? string.Empty,
            FinalisedAt = statement.FinalisedAt is { } finalised ? Timestamp.FromDateTimeOffset(finalised) : null,
        };
        contract.Lines.AddRange(figures.Lines.Select(l => new V1.StatementLine
        {
            Component = (V1.StatementComponent)l.Component,
            Rule = l.Rule,
            PaymentId = l.PaymentId,
            OrderId = l.OrderId,
            ProductLine = l.ProductLine,
            Currency = l.Currency,
            BaseAmount = Amount(l.BaseAmount, l.Currency),
            RatePercent = l.RatePercent is { } rate ? Figure(rate) : string.Empty,
            Result = Amount(l.Result, l.Currency),
            Detail = l.Detail,
            Hypothetical = l.Hypothetical,
        }));
        contract.Totals.AddRange(figures.Totals.Select(t => new V1.ComponentTotal { Component = (V1.StatementComponent)t.Component, Amount = Money(t.Currency, t.Amount) }));
        contract.Payable.AddRange(figures.Payable.Select(p => Money(p.Currency, p.Amount)));
        return contract;
    }

    public static V1.CommissionMoney Money(string currency, decimal amount) => new() { Amount = Amount(amount, currency), Currency = currency };
}
