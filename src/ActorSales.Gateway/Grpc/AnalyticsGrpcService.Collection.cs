using System.Globalization;
using ActorSales.Contracts.V1;
using ActorSales.Gateway.Mapping;
using ActorSales.ReadModel.Analytics;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace ActorSales.Gateway.Grpc;

// Collection figures: payments, receivables and order totals from the read model, turned into figures by CollectionRules.
public sealed partial class AnalyticsGrpcService
{
    public override async Task<GetCollectionResponse> GetCollection(GetCollectionRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        var subject = AnalyticsMapper.ToSubject(request.Scope);
        var period = AnalyticsMapper.ToPeriod(request.Period);
        var filter = await FilterAsync(caller, subject, request.ConsistencyToken, context);
        var cancel = context.CancellationToken;
        var asOf = clock.GetUtcNow();
        var queries = reads.Queries;
        var payments = await queries.PaymentsAsync(filter, period, cancel);
        var receivables = await queries.ReceivablesAsync(filter, cancel);
        var totals = await queries.OrderTotalsAsync(filter, period, cancel);
        // A rep's figures compare with the rep's own goals; anything wider with its teams' goals.
        var repOwner = filter.OwnerId ?? (filter.TeamId is null && filter.Region is null && filter.Reach.TeamId is null ? filter.Reach.OwnerId : null);
        var targets = CollectionRules.Targets(await queries.GoalsAsync(filter, period, cancel), period, repOwner);

        var response = new GetCollectionResponse { AsOf = Timestamp.FromDateTimeOffset(asOf) };
        foreach (var c in CollectionRules.Summarise(period, asOf, payments, receivables, totals, targets))
        {
            var figures = new CollectionFigures
            {
                Currency = c.Currency,
                Collected = Money(c.Collected),
                Payments = c.Payments,
                Target = c.Target is { } target ? Money(target) : string.Empty,
                CollectionRatePercent = c.CollectionRatePercent is { } rate ? Money(rate) : string.Empty,
                Outstanding = Money(c.Outstanding),
                Overdue = Money(c.Overdue),
                OverdueRatePercent = Money(c.OverdueRatePercent),
                Ordered = Money(c.Ordered),
                DaysSalesOutstanding = c.DaysSalesOutstanding is { } dso ? Money(dso) : string.Empty,
            };
            figures.Ageing.AddRange(c.Ageing.Select(a => new AgeingBucket { Band = a.Band, Amount = Money(a.Amount), Instalments = a.Instalments }));
            response.Currencies.Add(figures);
        }
        return response;
    }

    /// <summary>An amount, percentage or day figure with 2 places.</summary>
    private static string Money(decimal value) => value.ToString("0.00", CultureInfo.InvariantCulture);
}
