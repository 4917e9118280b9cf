using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace ActorSales.Domain.Commission;

/// <summary>Where a statement stands (numbers as in commission.proto's StatementStatus).</summary>
public enum StatementStatus
{
    Unspecified = 0,
    /// <summary>Computed from the read model on every read; nothing stored.</summary>
    Draft = 1,
    /// <summary>Approved by the rep's manager: the lines are frozen.</summary>
    Approved = 2,
    /// <summary>Finalised by finance: never changes again; later changes land in the next open period.</summary>
    Final = 3,
}

/// <summary>What a statement line belongs to (numbers as in commission.proto's StatementComponent).</summary>
public enum StatementComponent
{
    Unspecified = 0,
    /// <summary>Commission on money collected in the period.</summary>
    Collection = 1,
    /// <summary>The process share of the variable pay, by process metric.</summary>
    Process = 2,
    /// <summary>The cap or floor of the period's collection + process.</summary>
    Limit = 3,
    /// <summary>Corrections of finalised periods: late payments and reversals.</summary>
    Adjustment = 4,
    /// <summary>Owed to channel partners on their customers' payments; not part of the rep's payable.</summary>
    Rebate = 5,
}

/// <summary>
/// One line of a statement: which rule, on what base, at what rate, with what result (base x rate / 100, rounded to the
/// currency's minor unit, half away from zero). Cap, floor and reversal lines have no rate: their result is stated.
/// </summary>
[GenerateSerializer, Immutable, Alias("actorsales.StatementLine")]
public sealed record StatementLine(
    [property: Id(0)] StatementComponent Component,
    [property: Id(1)] string Rule,
    [property: Id(2)] string PaymentId,
    [property: Id(3)] string OrderId,
    [property: Id(4)] string ProductLine,
    [property: Id(5)] string Currency,
    [property: Id(6)] decimal BaseAmount,
    [property: Id(7)] decimal? RatePercent,
    [property: Id(8)] decimal Result,
    [property: Id(9)] string Detail,
    [property: Id(10)] bool Hypothetical = false);

/// <summary>A component's total in one currency.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.ComponentTotal")]
public sealed record ComponentTotal([property: Id(0)] StatementComponent Component, [property: Id(1)] string Currency, [property: Id(2)] decimal Amount);

/// <summary>An amount in a currency.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.CurrencyAmount")]
public sealed record CurrencyAmount([property: Id(0)] string Currency, [property: Id(1)] decimal Amount);

/// <summary>The lines of a statement with their totals, as the calculator made them.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.StatementFigures")]
public sealed record StatementFigures(
    [property: Id(0)] string PlanId,
    [property: Id(1)] int PlanVersion,
    [property: Id(2)] IReadOnlyList<StatementLine> Lines,
    [property: Id(3)] IReadOnlyList<ComponentTotal> Totals,
    [property: Id(4)] IReadOnlyList<CurrencyAmount> Payable)
{
    /// <summary>A fingerprint of the lines and plan: what a manager saw is what they approve.</summary>
    public string Etag()
    {
        var text = new StringBuilder().Append(PlanId).Append('/').Append(PlanVersion.ToString(CultureInfo.InvariantCulture));
        foreach (var l in Lines)
        {
            text.Append('|').Append((int)l.Component).Append(';').Append(l.Rule).Append(';').Append(l.PaymentId).Append(';').Append(l.Currency)
                .Append(';').Append(l.BaseAmount.ToString(CultureInfo.InvariantCulture)).Append(';')
                .Append(l.RatePercent?.ToString(CultureInfo.InvariantCulture)).Append(';').Append(l.Result.ToString(CultureInfo.InvariantCulture));
        }
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..16];
    }
}

/// <summary>A rep's statement for a period: a draft computed now, or an approved / final one as stored.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.CommissionStatement")]
public sealed record CommissionStatement(
    [property: Id(0)] string SalespersonId,
    [property: Id(1)] string TeamId,
    [property: Id(2)] CommissionPeriod Period,
    [property: Id(3)] StatementStatus Status,
    [property: Id(4)] StatementFigures Figures,
    [property: Id(5)] DateTimeOffset ComputedAt,
    [property: Id(6)] string? ApprovedBy = null,
    [property: Id(7)] DateTimeOffset? ApprovedAt = null,
    [property: Id(8)] string? FinalisedBy = null,
    [property: Id(9)] DateTimeOffset? FinalisedAt = null);

/// <summary>What a final statement paid on a payment (its lines' results, pre-cap), so a later reversal takes back exactly that.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.SettledPayment")]
public sealed record SettledPayment(
    [property: Id(0)] CommissionPeriod SettledIn,
    [property: Id(1)] string Currency,
    [property: Id(2)] decimal Result,
    [property: Id(3)] bool Reversed);
