using ActorSales.Grains.Abstractions.Events;
using ActorSales.ReadModel.InMemory;
using ActorSales.ReadModel.Projecting;

namespace ActorSales.ReadModel.Tests;

/// <summary>An event log the test fills directly (positions as given), with a settable trim mark.</summary>
public sealed class ListEventLog : IEventLog
{
    private readonly Lock _gate = new();
    private readonly List<StoredEvent> _events = [];
    private TaskCompletionSource _appended = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public long TrimmedThrough { get; set; }

    public void Add(IEnumerable<StoredEvent> events)
    {
        TaskCompletionSource signal;
        lock (_gate)
        {
            _events.AddRange(events);
            signal = _appended;
            _appended = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        signal.TrySetResult();
    }

    public Task<EventPage> ReadAsync(long afterPosition, EventFilter filter, int max, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            var page = _events.Where(e => e.Position > afterPosition && e.Position > TrimmedThrough).Take(max).ToList();
            var head = _events.Count > 0 ? _events[^1].Position : 0;
            return Task.FromResult(new EventPage(page, page.Count < max ? Math.Max(head, afterPosition) : page[^1].Position, TrimmedThrough));
        }
    }

    public Task<EventLogBounds> GetBoundsAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult(new EventLogBounds(TrimmedThrough, null, _events.Count > 0 ? _events[^1].Position : 0));
        }
    }

    public async Task WaitForAppendAsync(long afterPosition, CancellationToken cancellationToken)
    {
        Task signal;
        lock (_gate)
        {
            if (_events.Count > 0 && _events[^1].Position > afterPosition)
            {
                return;
            }
            signal = _appended.Task;
        }
        await signal.WaitAsync(cancellationToken);
    }

    public Task<IReadOnlyList<LoggedEvent>> AppendAsync(IReadOnlyList<LoggedEvent> events, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("the test adds stored events directly");

    public Task<long> PositionBeforeAsync(DateTimeOffset time, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<int> TrimAsync(DateTimeOffset cutoff, CancellationToken cancellationToken = default) => throw new NotSupportedException();
}

/// <summary>The in-memory store with a hook before each apply (to fail it, or hold it while the test looks).</summary>
public sealed class HookedStore(Func<IReadOnlyList<StoredEvent>, Task>? beforeApply = null) : IReadModelStore
{
    private readonly InMemoryReadModelStore _inner = new();

    public Func<IReadOnlyList<StoredEvent>, Task>? BeforeApply { get; set; } = beforeApply;

    public InMemoryReadModelStore Inner => _inner;

    public async Task ApplyAsync(IReadOnlyList<StoredEvent> events, long through, CancellationToken cancellationToken = default)
    {
        if (BeforeApply is { } hook)
        {
            await hook(events);
        }
        await _inner.ApplyAsync(events, through, cancellationToken);
    }

    public Task RebuildAsync(CancellationToken cancellationToken = default) => _inner.RebuildAsync(cancellationToken);
    public Task<ResultPage<Contracts.V1.Customer>> SearchCustomersAsync(CustomerSearch query, CancellationToken cancellationToken = default) => _inner.SearchCustomersAsync(query, cancellationToken);
    public Task<ResultPage<Contracts.V1.Customer>> ListCustomersAsync(CustomerQuery query, CancellationToken cancellationToken = default) => _inner.ListCustomersAsync(query, cancellationToken);
    public Task<ResultPage<Contracts.V1.Opportunity>> ListOpportunitiesAsync(OpportunityQuery query, CancellationToken cancellationToken = default) => _inner.ListOpportunitiesAsync(query, cancellationToken);
    public Task<ResultPage<Contracts.V1.Team>> ListTeamsAsync(TeamQuery query, CancellationToken cancellationToken = default) => _inner.ListTeamsAsync(query, cancellationToken);
    public Task<ResultPage<Contracts.V1.Salesperson>> ListSalespeopleAsync(SalespersonQuery query, CancellationToken cancellationToken = default) => _inner.ListSalespeopleAsync(query, cancellationToken);
    public Task<ResultPage<Contracts.V1.DomainEvent>> TimelineAsync(TimelineQuery query, CancellationToken cancellationToken = default) => _inner.TimelineAsync(query, cancellationToken);
    public Task<long> ProjectedVersionAsync(Contracts.V1.EntityType entityType, string entityId, CancellationToken cancellationToken = default) => _inner.ProjectedVersionAsync(entityType, entityId, cancellationToken);
    public Task<long> CheckpointAsync(CancellationToken cancellationToken = default) => _inner.CheckpointAsync(cancellationToken);
    public Task<IReadOnlyList<Analytics.StageFact>> StageEntriesAsync(Analytics.AnalyticsFilter filter, string pipelineKey, Analytics.Period period, CancellationToken cancellationToken = default) => _inner.StageEntriesAsync(filter, pipelineKey, period, cancellationToken);
    public Task<IReadOnlyList<Contracts.V1.Opportunity>> OpportunitiesAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken = default) => _inner.OpportunitiesAsync(ids, cancellationToken);
    public Task<IReadOnlyList<Analytics.OpenCount>> OpenCountsAsync(Analytics.AnalyticsFilter filter, string? pipelineKey, DateTimeOffset asOf, CancellationToken cancellationToken = default) => _inner.OpenCountsAsync(filter, pipelineKey, asOf, cancellationToken);
    public Task<IReadOnlyList<Analytics.WonCycle>> WonCyclesAsync(Analytics.AnalyticsFilter filter, Analytics.Period period, CancellationToken cancellationToken = default) => _inner.WonCyclesAsync(filter, period, cancellationToken);
    public Task<IReadOnlyList<Analytics.OpportunityEvidence>> CreatedOpportunitiesAsync(Analytics.AnalyticsFilter filter, Analytics.Period period, CancellationToken cancellationToken = default) => _inner.CreatedOpportunitiesAsync(filter, period, cancellationToken);
    public Task<Analytics.FollowUpCounts> NewCustomerFollowUpAsync(Analytics.AnalyticsFilter filter, Analytics.Period period, CancellationToken cancellationToken = default) => _inner.NewCustomerFollowUpAsync(filter, period, cancellationToken);
    public Task<IReadOnlyList<Analytics.VisitCount>> VisitsAsync(Analytics.AnalyticsFilter filter, Analytics.Period period, CancellationToken cancellationToken = default) => _inner.VisitsAsync(filter, period, cancellationToken);
    public Task<Analytics.Completeness> CompletenessAsync(Analytics.AnalyticsFilter filter, Analytics.CustomerField required, CancellationToken cancellationToken = default) => _inner.CompletenessAsync(filter, required, cancellationToken);
    public Task<Analytics.LateUpdates> LateUpdatesAsync(Analytics.AnalyticsFilter filter, DateTimeOffset cutoff, CancellationToken cancellationToken = default) => _inner.LateUpdatesAsync(filter, cutoff, cancellationToken);
    public Task<IReadOnlyList<ActorSales.Contracts.V1.Goal>> GoalsAsync(Analytics.AnalyticsFilter filter, Analytics.Period period, CancellationToken cancellationToken = default) => _inner.GoalsAsync(filter, period, cancellationToken);

    public Task<long> RefusalsAsync(Analytics.AnalyticsFilter filter, Analytics.Period period, CancellationToken cancellationToken = default) => _inner.RefusalsAsync(filter, period, cancellationToken);

    public Task<Analytics.TopList<ActorSales.Contracts.V1.Opportunity>> InterventionsAsync(Analytics.AnalyticsFilter filter, int limit, CancellationToken cancellationToken = default) => _inner.InterventionsAsync(filter, limit, cancellationToken);

    public Task<Analytics.TopList<ActorSales.Contracts.V1.Customer>> AboutToReleaseAsync(Analytics.AnalyticsFilter filter, int limit, CancellationToken cancellationToken = default) => _inner.AboutToReleaseAsync(filter, limit, cancellationToken);

    public Task<ResultPage<ActorSales.Contracts.V1.Order>> ListOrdersAsync(OrderQuery query, CancellationToken cancellationToken = default) => _inner.ListOrdersAsync(query, cancellationToken);
    public Task<ResultPage<ActorSales.Contracts.V1.Lead>> ListLeadsAsync(LeadQuery query, CancellationToken cancellationToken = default) => _inner.ListLeadsAsync(query, cancellationToken);
    public Task<IReadOnlyList<LeadFact>> LeadFactsAsync(ActorSales.Domain.Identity.ReadScope scope, string? teamId, DateTimeOffset arrivedFrom, DateTimeOffset arrivedTo, CancellationToken cancellationToken = default) => _inner.LeadFactsAsync(scope, teamId, arrivedFrom, arrivedTo, cancellationToken);
    public Task<int> UnsubscribedLeadsAsync(ActorSales.Domain.Identity.ReadScope scope, string? teamId, CancellationToken cancellationToken = default) => _inner.UnsubscribedLeadsAsync(scope, teamId, cancellationToken);

    public Task<IReadOnlyList<ActorSales.Domain.Pipeline.ForecastPart>> ForecastPartsAsync(Analytics.AnalyticsFilter filter, DateTimeOffset? closeBefore, CancellationToken cancellationToken = default) =>
        _inner.ForecastPartsAsync(filter, closeBefore, cancellationToken);

    public Task<ResultPage<ActorSales.Contracts.V1.Anomaly>> AnomaliesAsync(Analytics.AnomalyQuery query, CancellationToken cancellationToken = default) => _inner.AnomaliesAsync(query, cancellationToken);

    public Task<IReadOnlyList<ActorSales.Contracts.V1.ForecastWeek>> ForecastHistoryAsync(Analytics.AnalyticsFilter filter, Analytics.Period period, CancellationToken cancellationToken = default) =>
        _inner.ForecastHistoryAsync(filter, period, cancellationToken);

    public Task<IReadOnlyList<ActorSales.Contracts.V1.Order>> OrdersByIdAsync(IReadOnlyCollection<string> orderIds, CancellationToken cancellationToken = default) =>
        _inner.OrdersByIdAsync(orderIds, cancellationToken);

    public Task<IReadOnlyList<Analytics.PaymentFact>> PaymentsAsync(Analytics.AnalyticsFilter filter, Analytics.Period received, CancellationToken cancellationToken = default) =>
        _inner.PaymentsAsync(filter, received, cancellationToken);

    public Task<IReadOnlyList<Analytics.PaymentFact>> PaymentsChangedAsync(Analytics.AnalyticsFilter filter, Analytics.Period changed, CancellationToken cancellationToken = default) =>
        _inner.PaymentsChangedAsync(filter, changed, cancellationToken);

    public Task<IReadOnlyList<Analytics.ReceivableFact>> ReceivablesAsync(Analytics.AnalyticsFilter filter, CancellationToken cancellationToken = default) =>
        _inner.ReceivablesAsync(filter, cancellationToken);

    public Task<IReadOnlyList<Analytics.OrderTotals>> OrderTotalsAsync(Analytics.AnalyticsFilter filter, Analytics.Period period, CancellationToken cancellationToken = default) =>
        _inner.OrderTotalsAsync(filter, period, cancellationToken);
}

/// <summary>A lease the test grants or withholds.</summary>
public sealed class SwitchLease : IProjectionLease
{
    private int _attempts;

    public volatile bool Grant;

    public int Attempts => Volatile.Read(ref _attempts);

    public bool Held { get; private set; }

    public Task<bool> TryAcquireAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _attempts);
        Held = Grant;
        return Task.FromResult(Held);
    }

    public Task ReleaseAsync(CancellationToken cancellationToken)
    {
        Held = false;
        return Task.CompletedTask;
    }
}

/// <summary>Waiting for the projector, which works on its own task: poll with a bound, never sleep.</summary>
public static class Eventually
{
    public static async Task<T> Until<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan? bound = null)
    {
        using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(10));
        var deadline = TimeProvider.System.GetTimestamp() + (long)((bound ?? TimeSpan.FromSeconds(10)).TotalSeconds * TimeProvider.System.TimestampFrequency);
        var value = await read();
        while (!done(value) && TimeProvider.System.GetTimestamp() < deadline)
        {
            await poll.WaitForNextTickAsync();
            value = await read();
        }
        return value;
    }

    public static Task<bool> Until(Func<bool> done, TimeSpan? bound = null) => Until(() => Task.FromResult(done()), d => d, bound);
}
