namespace ActorSales.Domain.Orders;

/// <summary>How an order is paid (numbers as in orders.proto's PaymentTerms).</summary>
public enum PaymentTerms
{
    Unspecified = 0,
    /// <summary>All of it when the order is placed (现结).</summary>
    CashOnDelivery = 1,
    /// <summary>All of it 30 days after the order.</summary>
    Net30 = 2,
    /// <summary>All of it 60 days after the order.</summary>
    Net60 = 3,
    /// <summary>A plan of instalments with dates and amounts adding up to the total.</summary>
    Custom = 4,
}

/// <summary>Where an order stands (numbers as in orders.proto's OrderStatus).</summary>
public enum OrderStatus
{
    Unspecified = 0,
    /// <summary>Something is still to be collected.</summary>
    Open = 1,
    /// <summary>Collected in full.</summary>
    Paid = 2,
    /// <summary>Cancelled before any payment; takes no payments.</summary>
    Cancelled = 3,
}

/// <summary>One line of an order: what, how many, at what price, less a discount (percent).</summary>
[GenerateSerializer, Immutable, Alias("actorsales.OrderLine")]
public sealed record OrderLine(
    [property: Id(0)] string Name,
    [property: Id(1)] string ProductLine,
    [property: Id(2)] decimal Quantity,
    [property: Id(3)] decimal UnitPrice,
    [property: Id(4)] decimal DiscountPercent)
{
    /// <summary>quantity x unit price x (1 - discount / 100), rounded to the cent, half away from zero.</summary>
    public decimal Total => OrderRules.Round(Quantity * UnitPrice * (1 - (DiscountPercent / 100)));
}

/// <summary>One instalment of the plan: its number (1-based), when it is due, how much.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.Instalment")]
public sealed record Instalment(
    [property: Id(0)] int Number,
    [property: Id(1)] DateTimeOffset DueAt,
    [property: Id(2)] decimal Amount);

/// <summary>
/// A payment received against an order (never deleted: a reversal marks it, with a reason). The evidence is a document
/// reference to the bank slip; the term type is what the payer's bank slip was booked as.
/// </summary>
[GenerateSerializer, Immutable, Alias("actorsales.Payment")]
public sealed record Payment(
    [property: Id(0)] string PaymentId,
    [property: Id(1)] decimal Amount,
    [property: Id(2)] DateTimeOffset ReceivedAt,
    [property: Id(3)] string BankReference,
    [property: Id(4)] string EvidenceReference,
    [property: Id(5)] PaymentTerms TermType,
    [property: Id(6)] string RecordedBy,
    [property: Id(7)] DateTimeOffset RecordedAt,
    [property: Id(8)] string? ReversedBy = null,
    [property: Id(9)] DateTimeOffset? ReversedAt = null,
    [property: Id(10)] string? ReversalReason = null)
{
    public bool Reversed => ReversedAt is not null;
}

/// <summary>An order as requested, before validation: lines, currency, terms and (custom terms) the instalment plan.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.OrderDraft")]
public sealed record OrderDraft(
    [property: Id(0)] IReadOnlyList<OrderLine> Lines,
    [property: Id(1)] string Currency,
    [property: Id(2)] PaymentTerms Terms,
    [property: Id(3)] IReadOnlyList<PlannedInstalment> Plan);

/// <summary>One instalment of a custom plan as requested.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.PlannedInstalment")]
public sealed record PlannedInstalment([property: Id(0)] DateTimeOffset DueAt, [property: Id(1)] string Amount);

/// <summary>A payment as requested, before validation.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.PaymentDraft")]
public sealed record PaymentDraft(
    [property: Id(0)] string PaymentId,
    [property: Id(1)] string Amount,
    [property: Id(2)] string Currency,
    [property: Id(3)] DateTimeOffset? ReceivedAt,
    [property: Id(4)] string BankReference,
    [property: Id(5)] string EvidenceReference,
    [property: Id(6)] PaymentTerms TermType);

/// <summary>Instalment deadline settings (section "ActorSales:Orders").</summary>
public sealed class OrderOptions
{
    public const string Section = "ActorSales:Orders";

    /// <summary>The owner is reminded this long before an instalment is due.</summary>
    public TimeSpan ReminderBefore { get; set; } = TimeSpan.FromDays(7);

    /// <summary>An instalment overdue this long is escalated to the team's director.</summary>
    public TimeSpan EscalateAfter { get; set; } = TimeSpan.FromDays(14);

    public IEnumerable<string> Validate()
    {
        if (ReminderBefore < TimeSpan.Zero || ReminderBefore > TimeSpan.FromDays(90))
        {
            yield return $"{Section}:ReminderBefore: must be between 0 and 90 days";
        }
        if (EscalateAfter <= TimeSpan.Zero || EscalateAfter > TimeSpan.FromDays(365))
        {
            yield return $"{Section}:EscalateAfter: must be more than 0 and at most 365 days";
        }
    }
}
