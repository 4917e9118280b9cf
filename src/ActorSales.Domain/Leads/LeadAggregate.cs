using ActorSales.Domain.Common;
using ActorSales.Domain.Customers;
using ActorSales.Domain.Deadlines;
using ActorSales.Domain.Errors;

namespace ActorSales.Domain.Leads;

/// <summary>What a lead aggregate decides over: the persisted state's domain fields.</summary>
public interface ILeadState
{
    bool Created { get; set; }
    string TeamId { get; set; }
    string OwnerId { get; set; }
    string? TimeZone { get; set; }
    SourceChannel SourceChannel { get; set; }
    DateTimeOffset ArrivedAt { get; set; }
    string Name { get; set; }
    string Company { get; set; }
    List<string> Phones { get; set; }
    string Email { get; set; }
    string Notes { get; set; }
    LeadStatus Status { get; set; }
    LeadDisqualifyReason DisqualifyReason { get; set; }
    DateTimeOffset? BasicsRecordedAt { get; set; }
    DateTimeOffset? FirstContactAt { get; set; }
    DateTimeOffset? QualifiedAt { get; set; }
    string CustomerId { get; set; }
    bool LinkedToExisting { get; set; }
    bool Unsubscribed { get; set; }
    List<string> MissedRules { get; set; }
    int ContactCount { get; set; }
    DateTimeOffset CreatedAt { get; set; }
    long Version { get; set; }
    List<string> DedupKeys { get; set; }

    /// <summary>Firing keys of the 3-2-1 deadlines already acted on (exactly once per rule and due time).</summary>
    HashSet<string> Fired { get; }
}

/// <summary>What happened to a lead; each becomes one published event.</summary>
public abstract record LeadEvent
{
    public sealed record Created : LeadEvent;

    public sealed record Assigned(string PreviousOwnerId, bool Claimed) : LeadEvent;

    public sealed record BasicsRecorded(IReadOnlyList<string> ChangedFields) : LeadEvent;

    public sealed record Contacted(LeadContactDraft Contact, bool RealContact) : LeadEvent;

    public sealed record Qualified(LeadQualificationDraft Tag) : LeadEvent;

    public sealed record Converted(string CustomerId, bool LinkedToExisting) : LeadEvent;

    public sealed record DeadlineMissed(string Rule, DateTimeOffset DueAt) : LeadEvent;

    public sealed record UnsubscribedChanged : LeadEvent;
}

/// <summary>Who must be told of a missed lead deadline.</summary>
public abstract record LeadFollowUp
{
    public sealed record Notify(string RecipientId, Notification Notification) : LeadFollowUp;

    /// <summary>Whoever manages the team when it runs (the effect looks the manager up), unless that is <paramref name="ExceptUserId"/>.</summary>
    public sealed record NotifyTeamManager(string TeamId, string? ExceptUserId, string KeyPrefix, Notification Template) : LeadFollowUp;
}

/// <summary>
/// A lead's decisions: recorded from a channel, owned (assigned or claimed), its basics recorded, contacts logged (real
/// contact by the customers' rule), tagged, converted, unsubscribed; and its 3-2-1 deadlines, each acted on once.
/// Every check comes before the first change.
/// </summary>
public sealed class LeadAggregate(string id, ILeadState state, LeadOptions options, FieldWorkOptions fieldWork) : Aggregate<LeadEvent, LeadFollowUp>
{
    public const string Entity = "lead";
    public const string Basics = "lead-basics";
    public const string FirstContact = "lead-first-contact";
    public const string Qualification = "lead-qualification";

    protected override long Version { get => state.Version; set => state.Version = value; }

    public void EnsureCreated()
    {
        if (!state.Created)
        {
            throw new NotFoundException(Entity, id);
        }
    }

    /// <summary>Records a validated lead for <paramref name="teamId"/> (owner empty: the team's pool).</summary>
    public void Create(LeadInput valid, string teamId, string ownerId, string? timeZone, IReadOnlyList<string> keys, DateTimeOffset now)
    {
        if (state.Created)
        {
            throw new AlreadyExistsException($"lead '{id}' already exists", id, state.OwnerId);
        }
        state.Created = true;
        (state.TeamId, state.OwnerId, state.TimeZone) = (teamId, ownerId, timeZone);
        (state.SourceChannel, state.ArrivedAt) = (valid.SourceChannel, valid.ArrivedAt);
        (state.Name, state.Company, state.Phones, state.Email, state.Notes) = (valid.Name, valid.Company, [.. valid.Phones], valid.Email, valid.Notes);
        (state.Status, state.CreatedAt, state.DedupKeys) = (LeadStatus.New, now, [.. keys]);
        Raise(new LeadEvent.Created());
    }

    /// <summary>A new owner (the grain checked they are an active member of the team); the same owner again changes nothing.</summary>
    public void Assign(string ownerId, bool claimed)
    {
        EnsureOpen();
        if (claimed && state.OwnerId.Length > 0 && state.OwnerId != ownerId)
        {
            throw new PreconditionFailedException($"lead '{id}' is no longer in the lead pool");
        }
        if (state.OwnerId == ownerId)
        {
            return;
        }
        var previous = state.OwnerId;
        state.OwnerId = ownerId;
        Raise(new LeadEvent.Assigned(previous, claimed));
    }

    /// <summary>
    /// Records the basic information. Afterwards the lead must have a name, a company and a phone or an email: that is
    /// "basic information recorded" (the 3 of 3-2-1), stamped the first time it holds.
    /// </summary>
    public void RecordBasics(LeadBasics basics, DateTimeOffset now)
    {
        EnsureOpen();
        var paths = basics.Paths.Distinct(StringComparer.Ordinal).ToList();
        if (paths.Count == 0)
        {
            throw new ValidationException("update_paths", $"name at least one of {string.Join(", ", LeadRules.BasicsPaths)}");
        }
        if (paths.FirstOrDefault(p => !LeadRules.BasicsPaths.Contains(p)) is { } unknown)
        {
            throw new ValidationException("update_paths", $"'{(unknown.Length > 40 ? unknown[..40] : unknown)}' is not one of {string.Join(", ", LeadRules.BasicsPaths)}");
        }
        var (name, company, phones, email, notes) = LeadRules.Contact(
            paths.Contains("name") ? basics.Name : state.Name,
            paths.Contains("company") ? basics.Company : state.Company,
            paths.Contains("phones") ? basics.Phones : state.Phones,
            paths.Contains("email") ? basics.Email : state.Email,
            paths.Contains("notes") ? basics.Notes : state.Notes);
        if (name.Length == 0)
        {
            throw new ValidationException("name", "is required for the basic information");
        }
        if (company.Length == 0)
        {
            throw new ValidationException("company", "is required for the basic information");
        }
        if (phones.Count == 0 && email.Length == 0)
        {
            throw new ValidationException("phones", "a phone or an email is required");
        }
        var changed = new List<string>();
        if (name != state.Name) changed.Add("name");
        if (company != state.Company) changed.Add("company");
        if (!phones.SequenceEqual(state.Phones, StringComparer.Ordinal)) changed.Add("phones");
        if (email != state.Email) changed.Add("email");
        if (notes != state.Notes) changed.Add("notes");
        if (changed.Count == 0 && state.BasicsRecordedAt is not null)
        {
            return;
        }
        (state.Name, state.Company, state.Phones, state.Email, state.Notes) = (name, company, [.. phones], email, notes);
        state.DedupKeys = [.. LeadRules.KeysFor(phones, email)];
        state.BasicsRecordedAt ??= now;
        Raise(new LeadEvent.BasicsRecorded(changed));
    }

    /// <summary>
    /// Logs a contact. Outreach (call, email, visit) to an unsubscribed contact is refused; a real contact (the
    /// customers' rule: calls of at least the minimum duration, visits, meetings, emails with a summary) is the first
    /// contact once. Returns whether it was real contact.
    /// </summary>
    public bool LogContact(LeadContactDraft draft, DateTimeOffset now)
    {
        EnsureOpen();
        var valid = CustomerRules.Validate(new ActivityDraft(draft.Kind, draft.OccurredAt, draft.Summary, null, null, null, null, draft.DurationSeconds), now, fieldWork);
        CustomerRules.EnsureMayReach(state.Unsubscribed, valid.Kind, $"lead '{id}'");
        var real = FieldWorkRules.IsRealContact(valid.Kind, valid.Summary, valid.DurationSeconds, fieldWork);
        state.ContactCount++;
        if (real && state.FirstContactAt is null)
        {
            state.FirstContactAt = valid.OccurredAt;
            if (state.Status == LeadStatus.New)
            {
                state.Status = LeadStatus.Contacted;
            }
        }
        Raise(new LeadEvent.Contacted(new LeadContactDraft(valid.Kind, valid.OccurredAt, valid.Summary, valid.DurationSeconds), real));
        return real;
    }

    /// <summary>Tags the lead (again, if the tag changes); not qualified needs a reason.</summary>
    public void Qualify(LeadQualificationDraft draft, DateTimeOffset now)
    {
        EnsureOpen();
        var tag = Guard.Enum(draft.Qualification, "qualification");
        var reason = Guard.OptionalEnum(draft.Reason, "reason");
        if (tag == LeadQualification.NotQualified && reason == LeadDisqualifyReason.Unspecified)
        {
            throw new ValidationException("reason", "is required when the lead is not qualified");
        }
        if (tag != LeadQualification.NotQualified)
        {
            reason = LeadDisqualifyReason.Unspecified;
        }
        var note = Guard.Optional(draft.Note, "note", Limits.SummaryMaxLength);
        var status = tag switch
        {
            LeadQualification.Qualified => LeadStatus.Qualified,
            LeadQualification.NotQualified => LeadStatus.NotQualified,
            _ => LeadStatus.Nurturing,
        };
        if (status == state.Status && reason == state.DisqualifyReason)
        {
            return;
        }
        (state.Status, state.DisqualifyReason, state.QualifiedAt) = (status, reason, now);
        Raise(new LeadEvent.Qualified(new LeadQualificationDraft(tag, reason, note)));
    }

    /// <summary>Checks that the lead may be converted (qualified and owned), before the grain registers the customer.</summary>
    public void EnsureConvertible()
    {
        EnsureCreated();
        if (state.Status == LeadStatus.Converted)
        {
            return;
        }
        if (state.Status != LeadStatus.Qualified)
        {
            throw new PreconditionFailedException($"lead '{id}' is not qualified; only a qualified lead becomes a customer");
        }
        if (state.OwnerId.Length == 0)
        {
            throw new PreconditionFailedException($"lead '{id}' is in the lead pool; assign or claim it before converting");
        }
    }

    /// <summary>What the new customer carries from the lead.</summary>
    public LeadOrigin Origin() => new(id, state.ArrivedAt, state.FirstContactAt, state.QualifiedAt);

    public void Converted(string customerId, bool linkedToExisting)
    {
        if (state.Status == LeadStatus.Converted)
        {
            return;
        }
        (state.Status, state.CustomerId, state.LinkedToExisting) = (LeadStatus.Converted, customerId, linkedToExisting);
        Raise(new LeadEvent.Converted(customerId, linkedToExisting));
    }

    public void SetUnsubscribed(bool unsubscribed)
    {
        EnsureCreated();
        if (state.Unsubscribed == unsubscribed)
        {
            return;
        }
        state.Unsubscribed = unsubscribed;
        Raise(new LeadEvent.UnsubscribedChanged());
    }

    /// <summary>
    /// The 3-2-1 deadlines still to act on, in the team's working calendar: basics within the working hours after
    /// arrival, first real contact by the end of the 2nd working day after arrival, a tag by the end of the 1st working
    /// day after the first contact. None once tagged or converted.
    /// </summary>
    public List<Deadline> WantedDeadlines(IReadOnlySet<DateOnly> holidays)
    {
        if (!state.Created || state.QualifiedAt is not null || state.Status is LeadStatus.Converted or LeadStatus.NotQualified or LeadStatus.Nurturing)
        {
            return [];
        }
        var calendar = Calendar(holidays);
        var wanted = new List<Deadline>(3);
        if (state.BasicsRecordedAt is null)
        {
            wanted.Add(new Deadline(Basics, calendar.AddWorkingHours(state.ArrivedAt, options.BasicsWithin, options.WorkingDayStart, options.WorkingDayEnd)));
        }
        if (state.FirstContactAt is not { } contacted)
        {
            wanted.Add(new Deadline(FirstContact, calendar.EndOfWorkingDaysAfter(state.ArrivedAt, options.FirstContactWorkingDays)));
        }
        else
        {
            wanted.Add(new Deadline(Qualification, calendar.EndOfWorkingDaysAfter(contacted, options.QualificationWorkingDays)));
        }
        return wanted.Where(d => !state.Fired.Contains(d.FiringKey(id))).ToList();
    }

    /// <summary>The team's working calendar (UTC if the team's zone is unknown).</summary>
    public WorkingCalendar Calendar(IReadOnlySet<DateOnly> holidays)
    {
        var zone = state.TimeZone is { } zoneId && TimeZoneInfo.TryFindSystemTimeZoneById(zoneId, out var found) ? found : TimeZoneInfo.Utc;
        return new WorkingCalendar(zone, holidays);
    }

    /// <summary>A due 3-2-1 deadline (the grain checked it is still wanted): one event, owner and manager told, once.</summary>
    public void DeadlineDue(Deadline deadline)
    {
        EnsureCreated();
        var key = deadline.FiringKey(id);
        if (!state.Fired.Add(key))
        {
            return;
        }
        if (!state.MissedRules.Contains(deadline.Rule))
        {
            state.MissedRules.Add(deadline.Rule);
        }
        Raise(new LeadEvent.DeadlineMissed(deadline.Rule, deadline.DueAt));
        var who = state.Name.Length > 0 ? $"'{state.Name}'" : $"from {state.SourceChannel}";
        var text = deadline.Rule switch
        {
            Basics => $"Lead {who} ({id}): basic information not recorded within {options.BasicsWithin.TotalHours:0.#} working hours of its arrival",
            FirstContact => $"Lead {who} ({id}): no first real contact within {options.FirstContactWorkingDays} working days of its arrival",
            _ => $"Lead {who} ({id}): not tagged within {options.QualificationWorkingDays} working day(s) of the first contact",
        };
        Notification Notice(string recipient) => new($"{key}:{recipient}", "lead_sla", NotificationSeverity.Warning, Entity, id, text, deadline.DueAt);
        if (state.OwnerId.Length > 0)
        {
            Then(new LeadFollowUp.Notify(state.OwnerId, Notice(state.OwnerId)));
        }
        Then(new LeadFollowUp.NotifyTeamManager(state.TeamId, state.OwnerId.Length > 0 ? state.OwnerId : null, key, Notice("manager")));
    }

    private void EnsureOpen()
    {
        EnsureCreated();
        if (state.Status == LeadStatus.Converted)
        {
            throw new PreconditionFailedException($"lead '{id}' was converted to customer '{state.CustomerId}'; work on the customer");
        }
    }
}
