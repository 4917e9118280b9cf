using System.Globalization;
using ActorSales.Domain.Common;
using ActorSales.Domain.Errors;
using ActorSales.Domain.Pipeline;

namespace ActorSales.Domain.Commission;

/// <summary>
/// Pure rules of commission plans and periods: validating a plan version, the month a period is, and money rounding to a
/// currency's minor unit, half away from zero (every statement line is rounded on its own).
/// </summary>
public static class CommissionRules
{
    public const int MaxSchedules = 20;
    public const int MaxTiers = 20;
    public const int MaxProductLineRates = 200;
    public const int MaxHypotheticalPayments = 100;

    /// <summary>ISO 4217 currencies whose minor unit is not the cent; every other currency has 2 decimals.</summary>
    private static readonly Dictionary<string, int> MinorUnitExceptions = new(StringComparer.Ordinal)
    {
        ["JPY"] = 0, ["KRW"] = 0, ["VND"] = 0, ["CLP"] = 0, ["ISK"] = 0, ["UGX"] = 0, ["PYG"] = 0, ["XAF"] = 0, ["XOF"] = 0,
        ["BHD"] = 3, ["IQD"] = 3, ["JOD"] = 3, ["KWD"] = 3, ["LYD"] = 3, ["OMR"] = 3, ["TND"] = 3,
    };

    public static int MinorUnits(string currency) => MinorUnitExceptions.GetValueOrDefault(currency, 2);

    /// <summary>Rounds to the currency's minor unit, half away from zero.</summary>
    public static decimal Round(decimal value, string currency) => Math.Round(value, MinorUnits(currency), MidpointRounding.AwayFromZero);

    /// <summary>Rates and attainments are shown and applied with 2 decimals, half away from zero.</summary>
    public static decimal RoundRate(decimal value) => Math.Round(value, 2, MidpointRounding.AwayFromZero);

    /// <summary>Validates a plan version as requested (field paths under DefinePlanRequest.plan).</summary>
    public static CommissionPlan Validate(string planId, CommissionPlanDraft draft, string actorId, DateTimeOffset now)
    {
        const string at = "plan";
        var name = Guard.Required(draft.Name, at + ".name");
        var effectiveFrom = ParseDate(draft.EffectiveFrom, at + ".effective_from");
        if (draft.Schedules.Count == 0 || draft.Schedules.Count > MaxSchedules)
        {
            throw new ValidationException(at + ".schedules", $"must hold 1 to {MaxSchedules} currency schedules");
        }
        var schedules = new List<CurrencySchedule>();
        for (var i = 0; i < draft.Schedules.Count; i++)
        {
            var schedule = Schedule(draft.Schedules[i], $"{at}.schedules[{i}]");
            if (schedules.Any(s => s.Currency == schedule.Currency))
            {
                throw new ValidationException($"{at}.schedules[{i}].currency", $"{schedule.Currency} has a schedule already: one per currency");
            }
            schedules.Add(schedule);
        }
        if (draft.ProductLineRates.Count > MaxProductLineRates)
        {
            throw new ValidationException(at + ".product_line_rates", $"must hold at most {MaxProductLineRates} rates");
        }
        var rates = new List<ProductLineRate>();
        for (var i = 0; i < draft.ProductLineRates.Count; i++)
        {
            var path = $"{at}.product_line_rates[{i}]";
            var line = Guard.Required(draft.ProductLineRates[i].ProductLine, path + ".product_line");
            if (rates.Any(r => string.Equals(r.ProductLine, line, StringComparison.OrdinalIgnoreCase)))
            {
                throw new ValidationException(path + ".product_line", "is listed twice");
            }
            rates.Add(new ProductLineRate(line, Rate(draft.ProductLineRates[i].RatePercent, path + ".rate_percent")));
        }
        var metrics = new List<ProcessMetricTerm>();
        if (draft.ProcessMetrics.Count > Enum.GetValues<ProcessMetric>().Length - 1)
        {
            throw new ValidationException(at + ".process_metrics", "lists each metric at most once");
        }
        for (var i = 0; i < draft.ProcessMetrics.Count; i++)
        {
            var path = $"{at}.process_metrics[{i}]";
            var metric = Guard.Enum(draft.ProcessMetrics[i].Metric, path + ".metric");
            if (metrics.Any(m => m.Metric == metric))
            {
                throw new ValidationException(path + ".metric", "is listed twice");
            }
            var weight = Rate(draft.ProcessMetrics[i].WeightPercent, path + ".weight_percent");
            var target = Amount(draft.ProcessMetrics[i].Target, path + ".target", positive: true);
            metrics.Add(new ProcessMetricTerm(metric, weight, target));
        }
        if (metrics.Count > 0 && metrics.Sum(m => m.WeightPercent) != 100)
        {
            throw new ValidationException(at + ".process_metrics", $"weights add up to {Text(metrics.Sum(m => m.WeightPercent))}, not 100");
        }
        var withProcess = schedules.FindIndex(s => s.ProcessAmount > 0);
        if (metrics.Count == 0 && withProcess >= 0)
        {
            throw new ValidationException($"{at}.schedules[{withProcess}].process_amount", "needs process_metrics to be paid by");
        }
        return new CommissionPlan(planId, 0, name, effectiveFrom, schedules, rates, metrics, actorId, now);
    }

    private static CurrencySchedule Schedule(CurrencyScheduleDraft draft, string at)
    {
        var currency = Guard.Currency(draft.Currency, at + ".currency");
        var tiers = Tiers(draft.Tiers, at + ".tiers", startAtZero: true, currency);
        var rebates = Tiers(draft.RebateTiers, at + ".rebate_tiers", startAtZero: false, currency);
        var cap = OptionalAmount(draft.Cap, at + ".cap", currency);
        var floor = OptionalAmount(draft.Floor, at + ".floor", currency);
        if (cap is { } c && floor is { } f && f > c)
        {
            throw new ValidationException(at + ".floor", $"must not be above the cap ({Text(c)})");
        }
        var process = OptionalAmount(draft.ProcessAmount, at + ".process_amount", currency) ?? 0m;
        return new CurrencySchedule(currency, tiers, cap, floor, process, rebates);
    }

    private static List<CommissionTier> Tiers(IReadOnlyList<TierDraft> drafts, string at, bool startAtZero, string currency)
    {
        if ((startAtZero && drafts.Count == 0) || drafts.Count > MaxTiers)
        {
            throw new ValidationException(at, $"must hold {(startAtZero ? 1 : 0)} to {MaxTiers} tiers");
        }
        var tiers = new List<CommissionTier>();
        for (var i = 0; i < drafts.Count; i++)
        {
            var tier = $"{at}[{i}]";
            var from = Amount(drafts[i].From, tier + ".from", positive: false, currency);
            if (i == 0 && startAtZero && from != 0)
            {
                throw new ValidationException(tier + ".from", "must be 0: the first tier starts at nothing collected");
            }
            if (i > 0 && from <= tiers[^1].From)
            {
                throw new ValidationException(tier + ".from", "must be above the previous tier's");
            }
            tiers.Add(new CommissionTier(from, Rate(drafts[i].RatePercent, tier + ".rate_percent")));
        }
        return tiers;
    }

    /// <summary>A rate in percent: 0 to 100, at most 4 decimals.</summary>
    public static decimal Rate(string? text, string field)
    {
        var value = Parse(text, field);
        if (value < 0 || value > 100 || decimal.Round(value, 4) != value)
        {
            throw new ValidationException(field, "must be a percentage from 0 to 100 with at most 4 decimals");
        }
        return value;
    }

    /// <summary>An amount: 0 (or above 0 if <paramref name="positive"/>) up to the largest amount, in the currency's minor unit.</summary>
    public static decimal Amount(string? text, string field, bool positive, string? currency = null)
    {
        var value = Parse(text, field);
        var decimals = currency is null ? 4 : MinorUnits(currency);
        if (value < 0 || (positive && value == 0) || value > OpportunityRules.MaxAmount || decimal.Round(value, decimals) != value)
        {
            throw new ValidationException(field, $"must be {(positive ? "greater than 0" : "0 or more")} and at most {OpportunityRules.MaxAmount:0}, with at most {decimals} decimals");
        }
        return value;
    }

    private static decimal? OptionalAmount(string? text, string field, string currency) =>
        string.IsNullOrWhiteSpace(text) ? null : Amount(text, field, positive: false, currency);

    private static decimal Parse(string? text, string field)
    {
        if (string.IsNullOrWhiteSpace(text) || text.Length > 32
            || !decimal.TryParse(text, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            throw new ValidationException(field, "must be a decimal number such as \"1250.50\"");
        }
        return value;
    }

    /// <summary>A calendar date "YYYY-MM-DD".</summary>
    public static DateOnly ParseDate(string? text, string field)
    {
        if (text is null || text.Length != 10
            || !DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            || date.Year < 2000 || date.Year > 2999)
        {
            throw new ValidationException(field, "must be a date such as \"2026-01-01\" (years 2000 to 2999)");
        }
        return date;
    }

    public static string Text(decimal value) => value.ToString("0.00##", CultureInfo.InvariantCulture);
}

/// <summary>A commission period: a calendar month in UTC, written "YYYY-MM".</summary>
[GenerateSerializer, Immutable, Alias("actorsales.CommissionPeriod")]
public readonly record struct CommissionPeriod([property: Id(0)] int Year, [property: Id(1)] int Month) : IComparable<CommissionPeriod>
{
    // Methods, not properties: a property of the struct's own type (Next) sends JSON serialisers into endless recursion.
    public DateTimeOffset Start() => new(Year, Month, 1, 0, 0, 0, TimeSpan.Zero);

    public DateTimeOffset End() => Start().AddMonths(1);

    public CommissionPeriod Next() => Of(End());

    public DateOnly FirstDay() => new(Year, Month, 1);

    public bool Contains(DateTimeOffset time) => time >= Start() && time < End();

    public static CommissionPeriod Of(DateTimeOffset time)
    {
        var utc = time.ToUniversalTime();
        return new CommissionPeriod(utc.Year, utc.Month);
    }

    public static CommissionPeriod Parse(string? text, string field)
    {
        if (text is null || text.Length != 7
            || !DateTime.TryParseExact(text, "yyyy-MM", CultureInfo.InvariantCulture, DateTimeStyles.None, out var month)
            || month.Year < 2000 || month.Year > 2999)
        {
            throw new ValidationException(field, "must be a month such as \"2026-03\" (years 2000 to 2999)");
        }
        return new CommissionPeriod(month.Year, month.Month);
    }

    public int CompareTo(CommissionPeriod other) => (Year * 12 + Month).CompareTo(other.Year * 12 + other.Month);

    public static bool operator <(CommissionPeriod a, CommissionPeriod b) => a.CompareTo(b) < 0;

    public static bool operator >(CommissionPeriod a, CommissionPeriod b) => a.CompareTo(b) > 0;

    public static bool operator <=(CommissionPeriod a, CommissionPeriod b) => a.CompareTo(b) <= 0;

    public static bool operator >=(CommissionPeriod a, CommissionPeriod b) => a.CompareTo(b) >= 0;

    public override string ToString() => $"{Year:0000}-{Month:00}";
}
