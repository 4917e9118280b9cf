using ActorSales.Contracts.V1;
using ActorSales.ReadModel.Analytics;

namespace ActorSales.ReadModel.InMemory;

// Orders' payments and receivables: scans of the order rows with the filters the PostgreSQL store applies in SQL.
public sealed partial class InMemoryReadModelStore
{
    public Task<IReadOnlyList<Order>> OrdersByIdAsync(IReadOnlyCollection<string> orderIds, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            IReadOnlyList<Order> found = orderIds.Distinct(StringComparer.Ordinal)
                .Select(id => _orders.GetValueOrDefault(id)?.Clone()).OfType<Order>().ToList();
            return Task.FromResult(found);
        }
    }

    public Task<IReadOnlyList<PaymentFact>> PaymentsAsync(AnalyticsFilter filter, Period received, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<PaymentFact>>(OrdersIn(filter).SelectMany(CollectionFacts.PaymentsOf).Where(p => received.Contains(p.ReceivedAt)).ToList());

    public Task<IReadOnlyList<PaymentFact>> PaymentsChangedAsync(AnalyticsFilter filter, Period changed, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<PaymentFact>>(OrdersIn(filter).SelectMany(CollectionFacts.PaymentsOf)
            .Where(p => changed.Contains(p.RecordedAt) || (p.ReversedAt is { } reversed && changed.Contains(reversed))).ToList());

    public Task<IReadOnlyList<ReceivableFact>> ReceivablesAsync(AnalyticsFilter filter, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<ReceivableFact>>(OrdersIn(filter).SelectMany(CollectionFacts.ReceivablesOf).ToList());

    public Task<IReadOnlyList<OrderTotals>> OrderTotalsAsync(AnalyticsFilter filter, Period period, CancellationToken cancellationToken = default) =>
        Task.FromResult(CollectionFacts.TotalsOf(OrdersIn(filter), period));

    private List<Order> OrdersIn(AnalyticsFilter filter)
    {
        var match = Matcher(filter);
        lock (_gate)
        {
            return _orders.Values.Where(o => match(o.TeamId, o.OwnerId)).ToList();
        }
    }
}
