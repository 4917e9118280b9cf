using ActorSales.Domain.Common;
using ActorSales.Domain.Errors;

namespace ActorSales.Domain.Commission;

/// <summary>What a rep's commission account decides over: the stored (approved, final) statements and what final ones settled.</summary>
public interface ICommissionAccountState
{
    /// <summary>Approved and final statements by period ("2026-03"); drafts are never stored.</summary>
    Dictionary<string, CommissionStatement> Statements { get; }

    /// <summary>Per payment id, what the latest final statement that touched it paid on it.</summary>
    Dictionary<string, SettledPayment> Settled { get; }

    CommissionPeriod? FirstFinal { get; set; }

    CommissionPeriod? LastFinal { get; set; }

    long Version { get; set; }
}

/// <summary>What happened to a statement.</summary>
public abstract record StatementEvent
{
    public sealed record Approved(CommissionStatement Statement) : StatementEvent;

    public sealed record Finalised(CommissionStatement Statement) : StatementEvent;
}

/// <summary>The period index learns a statement's status and payable.</summary>
public sealed record IndexStatement(CommissionStatement Statement);

/// <summary>
/// A rep's commission statements (key: the salesperson id): draft -> approved (frozen lines) -> final (never changes).
/// Statements are approved and finalised in period order, from the first one ever approved: the next open period is the
/// one after the latest final statement, and it alone takes the adjustments of the finalised periods, so no change to a
/// payment is ever settled twice or lost. A period is approved only once it has ended.
/// </summary>
public sealed class CommissionAccountAggregate(string id, ICommissionAccountState state) : Aggregate<StatementEvent, IndexStatement>
{
    protected override long Version { get => state.Version; set => state.Version = value; }

    /// <summary>The stored statement of the period, or null (a draft is computed).</summary>
    public CommissionStatement? Stored(CommissionPeriod period) => state.Statements.GetValueOrDefault(period.ToString());

    /// <summary>Whether a draft of <paramref name="period"/> takes adjustments: it is the next open period.</summary>
    public bool IsNextOpen(CommissionPeriod period) => state.LastFinal is { } last && period == last.Next();

    /// <summary>When the latest final statement's lines were frozen: changes since then are the next open period's adjustments.</summary>
    public DateTimeOffset? FrozenSince => state.LastFinal is { } last ? state.Statements[last.ToString()].ComputedAt : null;

    /// <summary>Freezes the draft as computed now; <paramref name="etag"/>, if given, must be the draft's (what the approver saw).</summary>
    public CommissionStatement Approve(CommissionStatement draft, string etag, string actorId, DateTimeOffset now)
    {
        var period = draft.Period;
        EnsureApprovable(period, now);
        if (etag.Length > 0 && etag != draft.Figures.Etag())
        {
            throw new ConcurrencyConflictException($"etag: the statement changed since it was read (now {draft.Figures.Etag()}); read it again");
        }
        var approved = draft with { Status = StatementStatus.Approved, ApprovedBy = actorId, ApprovedAt = now };
        state.Statements[period.ToString()] = approved;
        Raise(new StatementEvent.Approved(approved));
        Then(new IndexStatement(approved));
        return approved;
    }

    /// <summary>Whether the period's draft may be approved now: not stored yet, ended, and the next in order.</summary>
    public void EnsureApprovable(CommissionPeriod period, DateTimeOffset now)
    {
        EnsureNotStored(period);
        if (now < period.End())
        {
            throw new PreconditionFailedException($"period: {period} has not ended; its statement can be approved from {period.End():yyyy-MM-dd}");
        }
        if (state.LastFinal is { } last && period != last.Next())
        {
            throw new PreconditionFailedException($"period: statements are approved in order; the next open period is {last.Next()}");
        }
        if (state.Statements.Values.FirstOrDefault(s => s.Status == StatementStatus.Approved) is { } waiting)
        {
            throw new PreconditionFailedException($"period: the statement of {waiting.Period} is approved and not final yet; finance finalises it first");
        }
    }

    public CommissionStatement Finalise(CommissionPeriod period, string actorId, DateTimeOffset now)
    {
        var stored = Stored(period);
        if (stored is null)
        {
            throw new PreconditionFailedException($"period: the statement of {period} is not approved yet; the rep's manager approves it first");
        }
        if (stored.Status == StatementStatus.Final)
        {
            throw new PreconditionFailedException($"period: the statement of {period} is final and never changes; later changes land in the next open period");
        }
        var final = stored with { Status = StatementStatus.Final, FinalisedBy = actorId, FinalisedAt = now };
        state.Statements[period.ToString()] = final;
        foreach (var (paymentId, settled) in CommissionCalculator.Settlements(final.Figures, period))
        {
            state.Settled[paymentId] = settled;
        }
        state.FirstFinal ??= period;
        state.LastFinal = period;
        Raise(new StatementEvent.Finalised(final));
        Then(new IndexStatement(final));
        return final;
    }

    private void EnsureNotStored(CommissionPeriod period)
    {
        switch (Stored(period)?.Status)
        {
            case StatementStatus.Final:
                throw new PreconditionFailedException($"period: the statement of {period} is final and never changes; later changes land in the next open period");
            case StatementStatus.Approved:
                throw new PreconditionFailedException($"period: the statement of {period} is approved already; finance finalises it");
        }
        if (state.Statements.Values.Any(s => s.Period > period))
        {
            throw new PreconditionFailedException($"period: statements are approved in order; a later period of {id} is approved already");
        }
    }
}
