using System.Globalization;
using ActorSales.Domain.Common;
using ActorSales.Domain.Errors;
using ActorSales.Domain.Pipeline;

namespace ActorSales.Domain.Orders;

/// <summary>
/// Pure rules of orders: validation, line and order totals (to the cent, half away from zero, per line), the instalment
/// plan of each payment term, and which instalments the payments cover (oldest due first).
/// </summary>
public static class OrderRules
{
    public const int MaxLines = 200;
    public const int MaxInstalments = 60;
    public const decimal MaxQuantity = 1_000_000m;

    /// <summary>Money rounds to the cent, half away from zero: every line, every instalment, every payment.</summary>
    public static decimal Round(decimal value) => Math.Round(value, 2, MidpointRounding.AwayFromZero);

    /// <summary>Checks the lines and the plan; returns the lines as stored, the order's total and its instalments.</summary>
    public static (IReadOnlyList<OrderLine> Lines, decimal Total, IReadOnlyList<Instalment> Plan) Validate(OrderDraft draft, DateTimeOffset orderedAt)
    {
        var currency = Guard.Currency(draft.Currency, "currency");
        if (draft.Lines.Count == 0 || draft.Lines.Count > MaxLines)
        {
            throw new ValidationException("lines", $"must hold 1 to {MaxLines} lines");
        }
        var lines = new List<OrderLine>(draft.Lines.Count);
        for (var i = 0; i < draft.Lines.Count; i++)
        {
            var line = draft.Lines[i];
            var at = $"lines[{i}]";
            var name = Guard.Required(line.Name, at + ".name");
            var productLine = Guard.Optional(line.ProductLine, at + ".product_line") ?? string.Empty;
            if (line.Quantity <= 0 || line.Quantity > MaxQuantity || decimal.Round(line.Quantity, 4) != line.Quantity)
            {
                throw new ValidationException(at + ".quantity", $"must be greater than 0 and at most {MaxQuantity:0}, with at most 4 decimals");
            }
            if (line.UnitPrice < 0 || line.UnitPrice > OpportunityRules.MaxAmount || decimal.Round(line.UnitPrice, 2) != line.UnitPrice)
            {
                throw new ValidationException(at + ".unit_price", $"must be 0 to {OpportunityRules.MaxAmount:0} with at most 2 decimals");
            }
            if (line.DiscountPercent < 0 || line.DiscountPercent > 100 || decimal.Round(line.DiscountPercent, 2) != line.DiscountPercent)
            {
                throw new ValidationException(at + ".discount_percent", "must be 0 to 100 with at most 2 decimals");
            }
            lines.Add(line with { Name = name, ProductLine = productLine });
        }
        var total = lines.Sum(l => l.Total);
        if (total <= 0 || total > OpportunityRules.MaxAmount)
        {
            throw new ValidationException("lines", $"must add up to more than 0 and at most {OpportunityRules.MaxAmount:0}");
        }
        var plan = Guard.Enum(draft.Terms, "terms") switch
        {
            PaymentTerms.CashOnDelivery => [new Instalment(1, orderedAt, total)],
            PaymentTerms.Net30 => [new Instalment(1, orderedAt.AddDays(30), total)],
            PaymentTerms.Net60 => [new Instalment(1, orderedAt.AddDays(60), total)],
            _ => CustomPlan(draft.Plan, total, orderedAt),
        };
        if (draft.Terms != PaymentTerms.Custom && draft.Plan.Count > 0)
        {
            throw new ValidationException("instalments", "are only for terms PAYMENT_TERMS_CUSTOM");
        }
        return (lines, total, plan);
    }

    private static IReadOnlyList<Instalment> CustomPlan(IReadOnlyList<PlannedInstalment> planned, decimal total, DateTimeOffset orderedAt)
    {
        if (planned.Count == 0 || planned.Count > MaxInstalments)
        {
            throw new ValidationException("instalments", $"must hold 1 to {MaxInstalments} instalments for custom terms");
        }
        var plan = new List<Instalment>(planned.Count);
        for (var i = 0; i < planned.Count; i++)
        {
            var at = $"instalments[{i}]";
            var amount = ParseAmount(planned[i].Amount, at + ".amount");
            var due = Guard.Timestamp(planned[i].DueAt, at + ".due_at", Limits.LatestTimestamp);
            if (due < orderedAt.AddDays(-1))
            {
                throw new ValidationException(at + ".due_at", "must not be before the order");
            }
            if (i > 0 && due <= plan[^1].DueAt)
            {
                throw new ValidationException(at + ".due_at", "must be after the previous instalment's");
            }
            plan.Add(new Instalment(i + 1, due, amount));
        }
        var sum = plan.Sum(p => p.Amount);
        if (sum != total)
        {
            throw new ValidationException("instalments", $"add up to {Text(sum)} but the order's total is {Text(total)}");
        }
        return plan;
    }

    /// <summary>A positive amount with at most 2 decimals, at most the largest amount.</summary>
    public static decimal ParseAmount(string? text, string field)
    {
        if (string.IsNullOrWhiteSpace(text) || text.Length > 32
            || !decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
        {
            throw new ValidationException(field, "must be a decimal number such as \"1250.50\"");
        }
        if (value <= 0 || value > OpportunityRules.MaxAmount || decimal.Round(value, 2) != value)
        {
            throw new ValidationException(field, $"must be greater than 0 and at most {OpportunityRules.MaxAmount:0}, with at most 2 decimals");
        }
        return value;
    }

    /// <summary>What the payments (not reversed) have paid of each instalment, filling the oldest due first.</summary>
    public static IReadOnlyList<decimal> PaidPerInstalment(IReadOnlyList<Instalment> plan, decimal paid)
    {
        var result = new decimal[plan.Count];
        var left = paid;
        for (var i = 0; i < plan.Count; i++)
        {
            result[i] = Math.Min(left, plan[i].Amount);
            left -= result[i];
        }
        return result;
    }

    /// <summary>An amount as text with 2 decimals.</summary>
    public static string Text(decimal value) => value.ToString("0.00", CultureInfo.InvariantCulture);
}
