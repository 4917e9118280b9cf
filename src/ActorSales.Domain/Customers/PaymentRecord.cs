namespace ActorSales.Domain.Customers;

/// <summary>An instalment of an order: when it is due and how much.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.InstalmentDue")]
public sealed record InstalmentDue([property: Id(0)] DateTimeOffset DueAt, [property: Id(1)] decimal Amount);

/// <summary>A payment still standing (not reversed): when the money arrived and how much.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.PaymentReceived")]
public sealed record PaymentReceived([property: Id(0)] DateTimeOffset ReceivedAt, [property: Id(1)] decimal Amount);

/// <summary>
/// What a customer knows of one of its orders, as the order last reported it (order -> customer, the allowed direction):
/// the instalment plan, the payments still standing, whether it was cancelled, and the order's version at the report (an
/// older report never overwrites a newer one). Grading's payment record reads it.
/// </summary>
[GenerateSerializer, Immutable, Alias("actorsales.OrderPaymentFacts")]
public sealed record OrderPaymentFacts(
    [property: Id(0)] bool Cancelled,
    [property: Id(1)] IReadOnlyList<InstalmentDue> Instalments,
    [property: Id(2)] IReadOnlyList<PaymentReceived> Payments,
    [property: Id(3)] long Version)
{
    public bool Equals(OrderPaymentFacts? other) =>
        other is not null && Cancelled == other.Cancelled && Version == other.Version
        && Instalments.SequenceEqual(other.Instalments) && Payments.SequenceEqual(other.Payments);

    public override int GetHashCode() => HashCode.Combine(Cancelled, Version, Instalments.Count, Payments.Count);

    /// <summary>
    /// The instalments due by <paramref name="now"/> and how many of them were paid on time: by its due time, the payments
    /// received cover it and every instalment before it (payments fill the earliest due first). A cancelled order counts
    /// for nothing.
    /// </summary>
    public (int Due, int OnTime) Punctuality(DateTimeOffset now)
    {
        if (Cancelled)
        {
            return (0, 0);
        }
        var (due, onTime, owed) = (0, 0, 0m);
        foreach (var instalment in Instalments.OrderBy(i => i.DueAt))
        {
            owed += instalment.Amount;
            if (instalment.DueAt > now)
            {
                break;
            }
            due++;
            if (Payments.Where(p => p.ReceivedAt <= instalment.DueAt).Sum(p => p.Amount) >= owed)
            {
                onTime++;
            }
        }
        return (due, onTime);
    }
}
