using ActorSales.Contracts.V1;
using ReadScope = ActorSales.Domain.Identity.ReadScope;

namespace ActorSales.ReadModel.InMemory;

// Leads: scans of the lead rows with the filters and order the PostgreSQL store applies in SQL.
public sealed partial class InMemoryReadModelStore
{
    private const string LeadShape = "leads";

    public Task<ResultPage<Lead>> ListLeadsAsync(LeadQuery q, CancellationToken cancellationToken = default)
    {
        var size = PageTokens.CheckPageSize(q.PageSize);
        var after = PageTokens.Decode(LeadShape, q.PageToken);
        var keyed = LeadsIn(q.Scope, q.TeamId)
            .Where(l => (q.OwnerId is null || l.OwnerId == q.OwnerId)
                && (q.Status is null || l.Status == q.Status)
                && (q.SourceChannel is null || l.SourceChannel == q.SourceChannel)
                && (!q.PoolOnly || l.OwnerId.Length == 0))
            .Select(l => (Row: l, Key: LeadKey(l)));
        return Task.FromResult(Page(LeadShape, keyed, false, after, size, l => l.Clone()));
    }

    public Task<IReadOnlyList<LeadFact>> LeadFactsAsync(ReadScope scope, string? teamId, DateTimeOffset arrivedFrom, DateTimeOffset arrivedTo, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<LeadFact>>(LeadsIn(scope, teamId)
            .Select(LeadFacts.FactOf)
            .Where(f => f.ArrivedAt >= arrivedFrom && f.ArrivedAt < arrivedTo)
            .ToList());

    public Task<int> UnsubscribedLeadsAsync(ReadScope scope, string? teamId, CancellationToken cancellationToken = default) =>
        Task.FromResult(LeadsIn(scope, teamId).Count(l => l.Unsubscribed));

    private List<Lead> LeadsIn(ReadScope scope, string? teamId)
    {
        lock (_gate)
        {
            return _leads.Values.Where(l => InScope(scope, l.TeamId, l.OwnerId) && (teamId is null || l.TeamId == teamId)).ToList();
        }
    }

    private static void PutLead(Dictionary<string, Lead> leads, DomainEvent e)
    {
        if (LeadFacts.LeadOf(e) is { } lead)
        {
            var row = lead.Clone();
            row.Version = e.Sequence;
            leads[row.LeadId] = row;
        }
    }

    /// <summary>Newest arrival first: the negated arrival time, then the id (the PostgreSQL store's ORDER BY).</summary>
    internal static SortKey LeadKey(Lead lead) => new(-LeadFacts.ArrivedAt(lead).UtcTicks, string.Empty, lead.LeadId);
}
