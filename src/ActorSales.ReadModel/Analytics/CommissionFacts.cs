using System.Globalization;
using ActorSales.Domain.Commission;
using ActorSales.Grains.Abstractions.Commission;
using PipelineDefinition = ActorSales.Domain.Pipeline.PipelineDefinition;
using ReadScope = ActorSales.Domain.Identity.ReadScope;
using SourceChannel = ActorSales.Contracts.V1.SourceChannel;

namespace ActorSales.ReadModel.Analytics;

/// <summary>
/// <see cref="ICommissionFacts"/> on the read model: a rep's payments (never from the order grains) with their orders'
/// lines and whether the customer came through a channel partner, and the process metrics with the same definitions as
/// GetProcessHealth. A customer counts as a channel partner's if it is one of the rep's customers with that source channel.
/// </summary>
public sealed class ReadModelCommissionFacts(IReadModelQueries queries) : ICommissionFacts
{
    public async Task<IReadOnlyList<CollectedPayment>> PaymentsReceivedAsync(string ownerId, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default) =>
        await CollectedAsync(ownerId, await queries.PaymentsAsync(Filter(ownerId), new Period(from, to), cancellationToken), cancellationToken);

    public async Task<IReadOnlyList<CollectedPayment>> PaymentsChangedAsync(string ownerId, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default) =>
        await CollectedAsync(ownerId, await queries.PaymentsChangedAsync(Filter(ownerId), new Period(from, to), cancellationToken), cancellationToken);

    public async Task<ProcessActuals> ProcessAsync(
        string ownerId, DateTimeOffset from, DateTimeOffset to, Func<string, int, Task<PipelineDefinition?>> pipelines, CancellationToken cancellationToken = default)
    {
        var period = new Period(from, to);
        var visits = (await queries.VisitsAsync(Filter(ownerId), period, cancellationToken)).Sum(v => v.Effective);
        var created = await queries.CreatedOpportunitiesAsync(Filter(ownerId), period, cancellationToken);
        var keyActions = new Dictionary<(string Key, int Version), IReadOnlySet<string>>();
        foreach (var version in created.Select(o => (o.PipelineKey, o.PipelineVersion)).Distinct())
        {
            if (await pipelines(version.PipelineKey, version.PipelineVersion) is { } definition)
            {
                keyActions[version] = AnalyticsFigures.KeyActionsOf(definition);
            }
        }
        return new ProcessActuals(visits, AnalyticsFigures.Penetration(created, keyActions).AveragePercent);
    }

    private static AnalyticsFilter Filter(string ownerId) => new(ReadScope.Everything, OwnerId: ownerId);

    private async Task<IReadOnlyList<CollectedPayment>> CollectedAsync(string ownerId, IReadOnlyList<PaymentFact> facts, CancellationToken cancellationToken)
    {
        if (facts.Count == 0)
        {
            return [];
        }
        var orders = (await queries.OrdersByIdAsync(facts.Select(f => f.OrderId).Distinct().ToList(), cancellationToken)).ToDictionary(o => o.OrderId);
        var partners = await PartnerCustomersAsync(ownerId, cancellationToken);
        return facts.Select(f => new CollectedPayment(
            f.PaymentId, f.OrderId, f.CustomerId, f.Currency, f.Amount, f.ReceivedAt, f.RecordedAt, f.Reversed ? f.ReversedAt ?? f.RecordedAt : null,
            orders.TryGetValue(f.OrderId, out var order)
                ? order.Lines.Select(l => new OrderLineShare(l.ProductLine, decimal.Parse(l.Total, CultureInfo.InvariantCulture))).ToList()
                : [],
            partners.Contains(f.CustomerId))).ToList();
    }

    private async Task<HashSet<string>> PartnerCustomersAsync(string ownerId, CancellationToken cancellationToken)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        string? token = null;
        do
        {
            var page = await queries.ListCustomersAsync(
                new CustomerQuery(ReadScope.Everything, ReadModelLimits.MaxPageSize, token, OwnerId: ownerId, SourceChannel: SourceChannel.ChannelPartner), cancellationToken);
            ids.UnionWith(page.Items.Select(c => c.CustomerId));
            token = page.NextPageToken;
        }
        while (token is not null);
        return ids;
    }
}
