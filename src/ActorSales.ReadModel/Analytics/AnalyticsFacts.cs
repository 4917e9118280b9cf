using ActorSales.Contracts.V1;

namespace ActorSales.ReadModel.Analytics;

// The facts the analytics read, derived by pure functions of the projected rows and events, so the in-memory and the
// PostgreSQL store hold the same facts and a rebuild gives the live ones. Scope columns: TeamId and OwnerId, matched
// like the rows' (InMemoryReadModelStore.InScope).

/// <summary>What became of one stay in a stage.</summary>
public enum StageOutcome
{
    /// <summary>Still in the stage.</summary>
    Open = 0,

    /// <summary>Left for another stage (<see cref="StageFact.ToStage"/>).</summary>
    Changed = 1,

    /// <summary>Won from this stage.</summary>
    Won = 2,

    /// <summary>Lost in this stage.</summary>
    Lost = 3,
}

/// <summary>
/// One stay of an opportunity in a stage: entry <see cref="Entry"/> (0: the stage it opened in) of its history. Owner
/// and team are the opportunity's current ones, <see cref="FinalStatus"/> its status now.
/// </summary>
public sealed record StageFact(
    string OpportunityId,
    int Entry,
    string CustomerId,
    string OwnerId,
    string TeamId,
    string PipelineKey,
    int PipelineVersion,
    string Stage,
    DateTimeOffset EnteredAt,
    DateTimeOffset? LeftAt,
    StageOutcome Outcome,
    string ToStage,
    string LostReason,
    OpportunityStatus FinalStatus);

/// <summary>One logged activity. Owner is the salesperson who logged it; team the customer's team when it was logged.</summary>
public sealed record ActivityFact(
    string CustomerId,
    long Sequence,
    ActivityKind Kind,
    DateTimeOffset OccurredAt,
    bool Effective,
    string ActorId,
    string TeamId);

/// <summary>A registration refused as a duplicate: the attempt's id, for the intended owner and team.</summary>
public sealed record RefusalFact(string AttemptId, long Sequence, DateTimeOffset OccurredAt, string TeamId, string OwnerId);

/// <summary>Customer fields the data-health completeness checks; each is present or not (a bit of a mask).</summary>
[Flags]
public enum CustomerField
{
    None = 0,
    Industry = 1,
    Phone = 2,
    ContactName = 4,
    Email = 8,
    Company = 16,
    Address = 32,
}

public static class AnalyticsFacts
{
    /// <summary>The field names the options and the API use, with their bits.</summary>
    public static IReadOnlyList<(string Name, CustomerField Field)> CustomerFields { get; } =
    [
        ("industry", CustomerField.Industry),
        ("phone", CustomerField.Phone),
        ("contact_name", CustomerField.ContactName),
        ("email", CustomerField.Email),
        ("company", CustomerField.Company),
        ("address", CustomerField.Address),
    ];

    /// <summary>Which checked fields a customer has: a contact's phone, name, email; an address with a street or a city.</summary>
    public static CustomerField Present(Customer doc)
    {
        var present = CustomerField.None;
        if (!string.IsNullOrWhiteSpace(doc.Industry))
        {
            present |= CustomerField.Industry;
        }
        if (doc.Contacts.Any(c => !string.IsNullOrWhiteSpace(c.Phone)))
        {
            present |= CustomerField.Phone;
        }
        if (doc.Contacts.Any(c => !string.IsNullOrWhiteSpace(c.Name)))
        {
            present |= CustomerField.ContactName;
        }
        if (doc.Contacts.Any(c => !string.IsNullOrWhiteSpace(c.Email)))
        {
            present |= CustomerField.Email;
        }
        if (!string.IsNullOrWhiteSpace(doc.Company))
        {
            present |= CustomerField.Company;
        }
        if (doc.Address is { } a && (!string.IsNullOrWhiteSpace(a.Street) || !string.IsNullOrWhiteSpace(a.City)))
        {
            present |= CustomerField.Address;
        }
        return present;
    }

    /// <summary>
    /// The stays of an opportunity, from its stage history (the opening entry, each change, and the closing "won"/"lost"
    /// entry of a closed one): each entry's stage is left at the next entry's time.
    /// </summary>
    public static IReadOnlyList<StageFact> StagesOf(OpportunityRow row)
    {
        var doc = row.Doc;
        var history = doc.History;
        var closed = doc.Status is OpportunityStatus.Won or OpportunityStatus.Lost;
        var stays = closed ? history.Count - 1 : history.Count;
        var facts = new List<StageFact>(Math.Max(stays, 0));
        for (var i = 0; i < stays; i++)
        {
            var entry = history[i];
            DateTimeOffset? left = null;
            var outcome = StageOutcome.Open;
            var to = string.Empty;
            var reason = string.Empty;
            if (i + 1 < history.Count)
            {
                left = history[i + 1].At?.ToDateTimeOffset();
                if (closed && i + 1 == history.Count - 1)
                {
                    outcome = doc.Status == OpportunityStatus.Won ? StageOutcome.Won : StageOutcome.Lost;
                    reason = outcome == StageOutcome.Lost ? doc.LostReason : string.Empty;
                }
                else
                {
                    outcome = StageOutcome.Changed;
                    to = history[i + 1].ToStage;
                }
            }
            facts.Add(new StageFact(row.Id, i, row.CustomerId, row.OwnerId, row.TeamId, doc.PipelineKey, doc.PipelineVersion, entry.ToStage,
                entry.At?.ToDateTimeOffset() ?? row.StageEnteredAt, left, outcome, to, reason, doc.Status));
        }
        return facts;
    }

    /// <summary>The activity an ActivityLogged event logged; null for any other event.</summary>
    public static ActivityFact? ActivityOf(DomainEvent e)
    {
        if (e.ChangeCase != DomainEvent.ChangeOneofCase.ActivityLogged || e.ActivityLogged.Activity is not { } activity)
        {
            return null;
        }
        var kind = activity.Kind;
        // The check-in decided it when the visit was logged; events published before check-ins existed carry no verdict
        // and keep the rule of their time (a visit with a summary).
        var effective = kind == ActivityKind.Visit &&
            (activity.HasEffective ? activity.Effective : !string.IsNullOrWhiteSpace(activity.Summary));
        return new ActivityFact(e.EntityId, activity.Sequence, kind, (activity.OccurredAt ?? e.OccurredAt)?.ToDateTimeOffset() ?? DateTimeOffset.UnixEpoch, effective,
            activity.LoggedBy is { Length: > 0 } by ? by : e.ActorId, e.TeamId);
    }

    /// <summary>The refusal a CustomerRegistrationRefused event records; null for any other event.</summary>
    public static RefusalFact? RefusalOf(DomainEvent e) =>
        e.ChangeCase == DomainEvent.ChangeOneofCase.CustomerRegistrationRefused
            ? new RefusalFact(e.EntityId, e.Sequence, e.OccurredAt?.ToDateTimeOffset() ?? DateTimeOffset.UnixEpoch, e.TeamId,
                e.CustomerRegistrationRefused.IntendedOwnerId is { Length: > 0 } owner ? owner : e.OwnerId)
            : null;

    /// <summary>The goal a GoalSet event stores (replacing the one with the same key); null for any other event.</summary>
    public static Goal? GoalOf(DomainEvent e) =>
        e.ChangeCase == DomainEvent.ChangeOneofCase.GoalSet && e.GoalSet.Goal is { } goal ? goal.Clone() : null;

    /// <summary>The anomaly an AnomalyDetected or AnomalyCleared event carries (its latest state); null for any other event.</summary>
    public static Anomaly? AnomalyOf(DomainEvent e) => e.ChangeCase switch
    {
        DomainEvent.ChangeOneofCase.AnomalyDetected => e.AnomalyDetected.Anomaly?.Clone(),
        DomainEvent.ChangeOneofCase.AnomalyCleared => e.AnomalyCleared.Anomaly?.Clone(),
        _ => null,
    };

    /// <summary>The rows a ForecastSnapshotTaken event records (none for any other event).</summary>
    public static IReadOnlyList<ForecastWeek> ForecastRowsOf(DomainEvent e) =>
        e.ChangeCase == DomainEvent.ChangeOneofCase.ForecastSnapshotTaken ? [.. e.ForecastSnapshotTaken.Rows.Select(r => r.Clone())] : [];

    /// <summary>A forecast row's identity: team, week, owner (empty for the team), currency.</summary>
    public static (string TeamId, string WeekStart, string OwnerId, string Currency) ForecastKey(ForecastWeek row) =>
        (row.TeamId, row.WeekStart, row.OwnerId, row.Currency);

    /// <summary>A goal's identity within its team: owner (empty for the team), metric, period kind and start.</summary>
    public static string GoalKey(Goal goal) => $"{goal.OwnerId}|{(int)goal.Metric}|{(int)goal.PeriodKind}|{goal.PeriodStart}";
}
