using System.Globalization;
using System.Text;
using ActorSales.Contracts.V1;
using Google.Protobuf;

namespace ActorSales.Infrastructure.Postgres.ReadModel;

/// <summary>A query row: the contract message as the events left it, plus what the message does not carry.</summary>
internal abstract record ReadRow(string Id, long Version);

internal sealed record CustomerRow(Customer Customer, bool ReleaseWarned) : ReadRow(Customer.CustomerId, Customer.Version);

internal sealed record OpportunityRow(Opportunity Opportunity) : ReadRow(Opportunity.OpportunityId, Opportunity.Version);

internal sealed record TeamRow(Team Team) : ReadRow(Team.TeamId, Team.Version);

internal sealed record SalespersonRow(Salesperson Salesperson) : ReadRow(Salesperson.SalespersonId, Salesperson.Version);

/// <summary>
/// The one place this store turns (current row, event) into the new row. Events that carry the whole contract message
/// replace the row; the others patch it. A pure function; meant to be replaced by the shared projection of
/// ActorSales.ReadModel once that exists, without touching the SQL around it.
/// </summary>
internal static class RowProjection
{
    /// <summary>The row after <paramref name="e"/>; null when the event makes no row (or needs one that is missing).</summary>
    public static ReadRow? Apply(ReadRow? current, DomainEvent e)
    {
        if (current is not null && e.Sequence <= current.Version)
        {
            return current; // already applied (a replayed event): rows are idempotent per entity sequence
        }
        return e.EntityType switch
        {
            EntityType.Customer => ApplyCustomer(current as CustomerRow, e),
            EntityType.Opportunity => ApplyOpportunity(current as OpportunityRow, e),
            EntityType.Team => ApplyTeam(current as TeamRow, e),
            EntityType.Salesperson => ApplySalesperson(current as SalespersonRow, e),
            _ => null,
        };
    }

    private static CustomerRow? ApplyCustomer(CustomerRow? row, DomainEvent e)
    {
        if (e.ChangeCase == DomainEvent.ChangeOneofCase.CustomerRegistered)
        {
            return new CustomerRow(Versioned(e.CustomerRegistered.Customer, e), false);
        }
        if (e.ChangeCase == DomainEvent.ChangeOneofCase.CustomerUpdated)
        {
            return new CustomerRow(Versioned(e.CustomerUpdated.Customer, e), row?.ReleaseWarned ?? false);
        }
        if (row is null)
        {
            return null;
        }
        var customer = row.Customer.Clone();
        var warned = row.ReleaseWarned;
        switch (e.ChangeCase)
        {
            case DomainEvent.ChangeOneofCase.ActivityLogged:
                var activity = e.ActivityLogged.Activity;
                customer.ActivityCount = Math.Max(customer.ActivityCount, activity.Sequence);
                if (e.ActivityLogged.IsFollowUp && activity.OccurredAt is not null
                    && (customer.LastFollowUpAt is null || activity.OccurredAt.ToDateTimeOffset() > customer.LastFollowUpAt.ToDateTimeOffset()))
                {
                    customer.LastFollowUpAt = activity.OccurredAt;
                    warned = false; // real follow-up restarts the release clock
                }
                break;
            case DomainEvent.ChangeOneofCase.CustomerOwnerChanged:
                customer.OwnerId = e.CustomerOwnerChanged.NewOwnerId;
                customer.OwnerTeamId = e.CustomerOwnerChanged.NewOwnerTeamId;
                warned = false; // the new owner's clocks start now
                break;
            case DomainEvent.ChangeOneofCase.CustomerFollowUpOverdue:
                warned |= e.CustomerFollowUpOverdue.Rule == Domain.Deadlines.ReleaseRules.Warning;
                break;
            case DomainEvent.ChangeOneofCase.CustomerReleased:
                customer.OwnerId = string.Empty;
                customer.OwnerTeamId = e.CustomerReleased.PoolTeamId;
                customer.InPool = true;
                warned = false;
                break;
            case DomainEvent.ChangeOneofCase.CustomerClaimed:
                customer.OwnerId = e.CustomerClaimed.OwnerId;
                if (!string.IsNullOrEmpty(e.TeamId))
                {
                    customer.OwnerTeamId = e.TeamId;
                }
                customer.InPool = false;
                warned = false;
                break;
        }
        customer.UpdatedAt = e.OccurredAt;
        return new CustomerRow(Versioned(customer, e), warned);
    }

    private static OpportunityRow? ApplyOpportunity(OpportunityRow? row, DomainEvent e)
    {
        var whole = e.ChangeCase switch
        {
            DomainEvent.ChangeOneofCase.OpportunityOpened => e.OpportunityOpened.Opportunity,
            DomainEvent.ChangeOneofCase.OpportunityTermsChanged => e.OpportunityTermsChanged.Opportunity,
            DomainEvent.ChangeOneofCase.OpportunityWon => e.OpportunityWon.Opportunity,
            DomainEvent.ChangeOneofCase.OpportunityLost => e.OpportunityLost.Opportunity,
            _ => null,
        };
        if (whole is not null)
        {
            return new OpportunityRow(Versioned(whole, e));
        }
        if (row is null)
        {
            return null;
        }
        var opportunity = row.Opportunity.Clone();
        switch (e.ChangeCase)
        {
            case DomainEvent.ChangeOneofCase.EvidenceAdded:
                opportunity.Evidence.Add(e.EvidenceAdded.Evidence);
                break;
            case DomainEvent.ChangeOneofCase.OpportunityStageChanged:
                var change = e.OpportunityStageChanged.Change;
                opportunity.Stage = change.ToStage;
                opportunity.StageEnteredAt = change.At ?? e.OccurredAt;
                opportunity.History.Add(change);
                break;
            case DomainEvent.ChangeOneofCase.ForecastSignalChanged:
                opportunity.Signal = e.ForecastSignalChanged.Current;
                opportunity.SignalChangedAt = e.OccurredAt;
                break;
            case DomainEvent.ChangeOneofCase.ApprovalRequested:
                opportunity.PendingApprovalId = e.ApprovalRequested.Approval.ApprovalId;
                break;
            case DomainEvent.ChangeOneofCase.ApprovalDecided:
                if (opportunity.PendingApprovalId == e.ApprovalDecided.Approval.ApprovalId)
                {
                    opportunity.PendingApprovalId = string.Empty;
                }
                break;
            case DomainEvent.ChangeOneofCase.NextActionPlanned:
                opportunity.NextAction = e.NextActionPlanned.NextAction;
                opportunity.NextActionDueAt = e.NextActionPlanned.DueAt;
                break;
            case DomainEvent.ChangeOneofCase.OpportunityStallChanged:
                opportunity.StallLevel = e.OpportunityStallChanged.Current;
                break;
            case DomainEvent.ChangeOneofCase.OpportunityInterventionChanged:
                opportunity.NeedsIntervention = e.OpportunityInterventionChanged.NeedsIntervention;
                break;
            case DomainEvent.ChangeOneofCase.OpportunityOwnerChanged:
                opportunity.OwnerId = e.OpportunityOwnerChanged.NewOwnerId;
                opportunity.OwnerTeamId = e.OpportunityOwnerChanged.NewOwnerTeamId;
                break;
        }
        return new OpportunityRow(Versioned(opportunity, e));
    }

    private static TeamRow? ApplyTeam(TeamRow? row, DomainEvent e)
    {
        switch (e.ChangeCase)
        {
            case DomainEvent.ChangeOneofCase.TeamCreated:
                return new TeamRow(Versioned(e.TeamCreated.Team, e));
            case DomainEvent.ChangeOneofCase.TeamUpdated:
                return new TeamRow(Versioned(e.TeamUpdated.Team, e));
        }
        if (row is null)
        {
            return null;
        }
        var team = row.Team.Clone();
        if (e.ChangeCase == DomainEvent.ChangeOneofCase.TeamMemberJoined && !team.MemberIds.Contains(e.TeamMemberJoined.SalespersonId))
        {
            team.MemberIds.Add(e.TeamMemberJoined.SalespersonId);
        }
        else if (e.ChangeCase == DomainEvent.ChangeOneofCase.TeamMemberLeft)
        {
            team.MemberIds.Remove(e.TeamMemberLeft.SalespersonId);
        }
        return new TeamRow(Versioned(team, e));
    }

    private static SalespersonRow? ApplySalesperson(SalespersonRow? row, DomainEvent e)
    {
        switch (e.ChangeCase)
        {
            case DomainEvent.ChangeOneofCase.SalespersonCreated:
                return new SalespersonRow(Versioned(e.SalespersonCreated.Salesperson, e));
            case DomainEvent.ChangeOneofCase.SalespersonUpdated:
                return new SalespersonRow(Versioned(e.SalespersonUpdated.Salesperson, e));
        }
        if (row is null)
        {
            return null;
        }
        var salesperson = row.Salesperson.Clone();
        if (e.ChangeCase == DomainEvent.ChangeOneofCase.SalespersonDepartureStarted)
        {
            salesperson.Status = SalespersonStatus.Departing;
        }
        else if (e.ChangeCase == DomainEvent.ChangeOneofCase.SalespersonDeparted)
        {
            salesperson.Status = SalespersonStatus.Departed;
        }
        return new SalespersonRow(Versioned(salesperson, e));
    }

    // The row's version is the entity's: the sequence of the last event applied.
    private static Customer Versioned(Customer c, DomainEvent e) => With(c, x => x.Version = e.Sequence);

    private static Opportunity Versioned(Opportunity o, DomainEvent e) => With(o, x => x.Version = e.Sequence);

    private static Team Versioned(Team t, DomainEvent e) => With(t, x => x.Version = e.Sequence);

    private static Salesperson Versioned(Salesperson s, DomainEvent e) => With(s, x => x.Version = e.Sequence);

    private static T With<T>(T message, Action<T> change)
        where T : IMessage<T>, IDeepCloneable<T>
    {
        var copy = message.Clone();
        change(copy);
        return copy;
    }

    /// <summary>A money amount as a number (0 when unset or unreadable).</summary>
    public static decimal Amount(Money? money) =>
        money is not null && decimal.TryParse(money.Amount, NumberStyles.Number, CultureInfo.InvariantCulture, out var amount) ? amount : 0m;
}

/// <summary>
/// Search normalisation, the same for rows and queries: lower-cased text with single spaces, phones as their digits,
/// and the unigrams and bigrams of every run of non-ASCII letters (CJK has no word breaks and, under the C locale,
/// no trigrams).
/// </summary>
internal static class SearchText
{
    /// <summary>The text a customer is found by, one field per line.</summary>
    public static string Of(Customer customer)
    {
        var lines = new List<string> { Text(customer.Name), Text(customer.Company) };
        foreach (var contact in customer.Contacts)
        {
            lines.Add(Text(contact.Name));
            lines.Add(Text(contact.Email));
            lines.Add(Digits(contact.Phone));
        }
        return string.Join('\n', lines.Where(l => l.Length > 0));
    }

    /// <summary>What a query searches for: the digits of a phone-shaped query, else the normalised text; null if nothing.</summary>
    public static string? Query(string text)
    {
        var trimmed = text.Trim();
        if (trimmed.Length == 0)
        {
            return null;
        }
        if (trimmed.Any(char.IsAsciiDigit) && trimmed.All(c => char.IsAsciiDigit(c) || c is ' ' or '+' or '-' or '(' or ')' or '.'))
        {
            return Digits(trimmed);
        }
        var normalised = Text(trimmed);
        return normalised.Length == 0 ? null : normalised;
    }

    /// <summary>Every unigram and bigram of the non-ASCII runs of a row's search text.</summary>
    public static string[] RowGrams(string searchText)
    {
        var grams = new HashSet<string>(StringComparer.Ordinal);
        foreach (var run in Runs(searchText))
        {
            for (var i = 0; i < run.Count; i++)
            {
                grams.Add(run[i]);
                if (i + 1 < run.Count)
                {
                    grams.Add(run[i] + run[i + 1]);
                }
            }
        }
        return [.. grams.Order(StringComparer.Ordinal)];
    }

    /// <summary>The grams a row must have to contain <paramref name="query"/>: bigrams of its runs, a lone character as itself.</summary>
    public static string[] QueryGrams(string query)
    {
        var grams = new HashSet<string>(StringComparer.Ordinal);
        foreach (var run in Runs(query))
        {
            if (run.Count == 1)
            {
                grams.Add(run[0]);
            }
            for (var i = 0; i + 1 < run.Count; i++)
            {
                grams.Add(run[i] + run[i + 1]);
            }
        }
        return [.. grams.Order(StringComparer.Ordinal)];
    }

    /// <summary>A LIKE pattern matching <paramref name="fragment"/> anywhere, its wildcards escaped (hostile text is data).</summary>
    public static string ContainsPattern(string fragment) =>
        "%" + fragment.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal) + "%";

    private static string Text(string value)
    {
        var builder = new StringBuilder(value.Length);
        var space = false;
        foreach (var c in value.Trim())
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c))
            {
                space = builder.Length > 0;
                continue;
            }
            if (space)
            {
                builder.Append(' ');
                space = false;
            }
            builder.Append(char.ToLowerInvariant(c));
        }
        return builder.ToString();
    }

    private static string Digits(string value) => new(value.Where(char.IsAsciiDigit).ToArray());

    private static IEnumerable<List<string>> Runs(string text)
    {
        var run = new List<string>();
        foreach (var rune in text.EnumerateRunes())
        {
            if (!rune.IsAscii && Rune.IsLetterOrDigit(rune))
            {
                run.Add(rune.ToString());
                continue;
            }
            if (run.Count > 0)
            {
                yield return run;
                run = [];
            }
        }
        if (run.Count > 0)
        {
            yield return run;
        }
    }
}
