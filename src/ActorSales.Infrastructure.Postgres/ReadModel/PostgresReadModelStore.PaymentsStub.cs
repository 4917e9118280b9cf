using ActorSales.Contracts.V1;
using ActorSales.ReadModel.Analytics;

namespace ActorSales.Infrastructure.Postgres.ReadModel;

// TEMPORARY (branch commission): replaced by the lead's implementation when main is merged.
public sealed partial class PostgresReadModelStore
{
    public Task<IReadOnlyList<PaymentFact>> PaymentsAsync(AnalyticsFilter filter, Period received, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("PaymentsAsync lands on main");

    public Task<IReadOnlyList<PaymentFact>> PaymentsChangedAsync(AnalyticsFilter filter, Period changed, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("PaymentsChangedAsync lands on main");

    public Task<IReadOnlyList<Order>> OrdersByIdAsync(IReadOnlyCollection<string> orderIds, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("OrdersByIdAsync lands on main");
}
