using ActorSales.Contracts.V1;
using ActorSales.Grains.Abstractions.Events;
using Google.Protobuf.WellKnownTypes;

namespace ActorSales.ReadModel.Tests;

/// <summary>
/// Builds the events the grains publish, with the real contract messages: per-entity sequences from 1, log positions
/// from 1, envelope team and owner as the grain stamps them (after the change). <see cref="All"/> is the log so far.
/// </summary>
public sealed class EventBuilder
{
    private readonly Dictionary<(EntityType, string), long> _sequences = [];
    private readonly Dictionary<string, Customer> _customers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Opportunity> _opportunities = new(StringComparer.Ordinal);

    public EventBuilder(DateTimeOffset? start = null, long firstPosition = 1)
    {
        Now = start ?? new DateTimeOffset(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);
        NextPosition = firstPosition;
    }

    /// <summary>The time the next event occurs at; tests move it.</summary>
    public DateTimeOffset Now { get; set; }

    public long NextPosition { get; set; }

    public List<StoredEvent> All { get; } = [];

    public StoredEvent Event(EntityType type, string id, string teamId, string ownerId, Action<DomainEvent> change, string actorId = "tester")
    {
        var sequence = _sequences[(type, id)] = _sequences.GetValueOrDefault((type, id)) + 1;
        var e = new DomainEvent
        {
            EventId = $"{type}/{id}/{sequence}",
            EntityType = type,
            EntityId = id,
            Sequence = sequence,
            OccurredAt = Timestamp.FromDateTimeOffset(Now),
            ActorId = actorId,
            TeamId = teamId,
            OwnerId = ownerId,
        };
        change(e);
        var stored = new StoredEvent(NextPosition++, LoggedEvent.From(e));
        All.Add(stored);
        return stored;
    }

    public StoredEvent Team(string teamId, string name, string region, string managerId = "", params string[] members)
    {
        var team = new Team { TeamId = teamId, Name = name, Region = region, ManagerId = managerId, TimeZone = "Asia/Shanghai", CreatedAt = Timestamp.FromDateTimeOffset(Now) };
        team.MemberIds.AddRange(members.Order(StringComparer.Ordinal));
        return Event(EntityType.Team, teamId, teamId, string.Empty, e => e.TeamCreated = new TeamCreated { Team = team });
    }

    public StoredEvent MemberJoined(string teamId, string salespersonId) =>
        Event(EntityType.Team, teamId, teamId, string.Empty, e => e.TeamMemberJoined = new TeamMemberJoined { SalespersonId = salespersonId });

    public StoredEvent MemberLeft(string teamId, string salespersonId) =>
        Event(EntityType.Team, teamId, teamId, string.Empty, e => e.TeamMemberLeft = new TeamMemberLeft { SalespersonId = salespersonId });

    public StoredEvent Salesperson(string id, string name, Role role, string teamId) =>
        Event(EntityType.Salesperson, id, teamId, id, e => e.SalespersonCreated = new SalespersonCreated
        {
            Salesperson = new Salesperson
            {
                SalespersonId = id, Name = name, Email = $"{id}@example.com", Role = role, TeamId = teamId,
                Status = SalespersonStatus.Active, CreatedAt = Timestamp.FromDateTimeOffset(Now),
            },
        });

    public StoredEvent DepartureStarted(string id, string teamId) =>
        Event(EntityType.Salesperson, id, teamId, id, e => e.SalespersonDepartureStarted = new SalespersonDepartureStarted { SalespersonId = id, HandoverId = id });

    public StoredEvent Departed(string id, string teamId) =>
        Event(EntityType.Salesperson, id, teamId, id, e => e.SalespersonDeparted = new SalespersonDeparted { SalespersonId = id, TeamId = teamId });

    /// <summary>Registers a customer; <paramref name="contacts"/> are (name, phone, email).</summary>
    public StoredEvent Customer(
        string id, string name, string teamId, string ownerId, CustomerTier tier = CustomerTier.B, string industry = "",
        SourceChannel source = SourceChannel.Referral, string company = "", params (string Name, string Phone, string Email)[] contacts)
    {
        var customer = new Customer
        {
            CustomerId = id, Name = name, Company = company.Length > 0 ? company : name, Industry = industry, Tier = tier,
            SourceChannel = source, OwnerId = ownerId, OwnerTeamId = teamId, CreatedAt = Timestamp.FromDateTimeOffset(Now),
            UpdatedAt = Timestamp.FromDateTimeOffset(Now), Version = 1,
        };
        customer.Contacts.AddRange(contacts.Select(c => new Contact { Name = c.Name, Phone = c.Phone, Email = c.Email }));
        _customers[id] = customer;
        return Event(EntityType.Customer, id, teamId, ownerId, e => e.CustomerRegistered = new CustomerRegistered { Customer = customer.Clone() });
    }

    /// <summary>A full-record update, as the grain publishes it (the lock is one).</summary>
    public StoredEvent UpdateCustomer(string id, Action<Customer> change, params string[] fields)
    {
        var customer = _customers[id];
        change(customer);
        customer.UpdatedAt = Timestamp.FromDateTimeOffset(Now);
        var updated = new CustomerUpdated { Customer = customer.Clone() };
        updated.ChangedFields.AddRange(fields);
        return Event(EntityType.Customer, id, customer.OwnerTeamId, customer.OwnerId, e => e.CustomerUpdated = updated);
    }

    public StoredEvent Lock(string id, bool locked = true) => UpdateCustomer(id, c => c.Locked = locked, "locked");

    public StoredEvent Activity(string id, ActivityKind kind, string summary, bool isFollowUp)
    {
        var customer = _customers[id];
        customer.ActivityCount++;
        if (isFollowUp)
        {
            customer.LastFollowUpAt = Timestamp.FromDateTimeOffset(Now);
        }
        var activity = new Activity
        {
            Sequence = customer.ActivityCount, Kind = kind, Summary = summary, OccurredAt = Timestamp.FromDateTimeOffset(Now),
            LoggedAt = Timestamp.FromDateTimeOffset(Now), LoggedBy = customer.OwnerId,
        };
        return Event(EntityType.Customer, id, customer.OwnerTeamId, customer.OwnerId,
            e => e.ActivityLogged = new ActivityLogged { Activity = activity, IsFollowUp = isFollowUp }, customer.OwnerId);
    }

    /// <summary>The customer's computed grade changed (the grain raises it after a change of an input or its scheduled regrade).</summary>
    public StoredEvent Graded(string id, CustomerGrade grade, double score = 40)
    {
        var customer = _customers[id];
        var previous = customer.Grade;
        customer.Grade = grade;
        return Event(EntityType.Customer, id, customer.OwnerTeamId, customer.OwnerId, e => e.CustomerGradeChanged = new CustomerGradeChanged
        {
            CustomerId = id, PreviousGrade = previous, Grade = grade, Score = score, Trigger = "scheduled",
        }, "system");
    }

    public StoredEvent ReleaseWarning(string id) => Overdue(id, "release-warning");

    public StoredEvent Overdue(string id, string rule)
    {
        var customer = _customers[id];
        return Event(EntityType.Customer, id, customer.OwnerTeamId, customer.OwnerId,
            e => e.CustomerFollowUpOverdue = new CustomerFollowUpOverdue { CustomerId = id, Rule = rule, DueAt = Timestamp.FromDateTimeOffset(Now) }, "system");
    }

    public StoredEvent Transfer(string id, string newOwnerId, string newTeamId)
    {
        var customer = _customers[id];
        var previous = customer.OwnerId;
        (customer.OwnerId, customer.OwnerTeamId, customer.InPool) = (newOwnerId, newTeamId, false);
        return Event(EntityType.Customer, id, newTeamId, newOwnerId, e => e.CustomerOwnerChanged = new CustomerOwnerChanged
        {
            PreviousOwnerId = previous, NewOwnerId = newOwnerId, NewOwnerTeamId = newTeamId, Reason = "transfer",
        });
    }

    public StoredEvent Release(string id)
    {
        var customer = _customers[id];
        var previous = customer.OwnerId;
        (customer.OwnerId, customer.InPool) = (string.Empty, true);
        return Event(EntityType.Customer, id, customer.OwnerTeamId, string.Empty, e => e.CustomerReleased = new CustomerReleased
        {
            CustomerId = id, PreviousOwnerId = previous, PoolTeamId = customer.OwnerTeamId,
        }, "system");
    }

    public StoredEvent Claim(string id, string ownerId)
    {
        var customer = _customers[id];
        (customer.OwnerId, customer.InPool) = (ownerId, false);
        return Event(EntityType.Customer, id, customer.OwnerTeamId, ownerId, e => e.CustomerClaimed = new CustomerClaimed { CustomerId = id, OwnerId = ownerId }, ownerId);
    }

    public StoredEvent Opportunity(
        string id, string customerId, decimal amount, string currency, DateTimeOffset expectedClose, string pipeline = "default", string stage = "NeedsConfirmed")
    {
        var customer = _customers[customerId];
        var opportunity = new Opportunity
        {
            OpportunityId = id, CustomerId = customerId, OwnerId = customer.OwnerId, OwnerTeamId = customer.OwnerTeamId, Title = $"Deal {id}",
            Value = Money(amount, currency), ExpectedCloseAt = Timestamp.FromDateTimeOffset(expectedClose), PipelineKey = pipeline, PipelineVersion = 1,
            Stage = stage, StageEnteredAt = Timestamp.FromDateTimeOffset(Now), Status = OpportunityStatus.Open, WeightedValue = Money(0, currency),
            CreatedAt = Timestamp.FromDateTimeOffset(Now), Version = 1,
        };
        opportunity.History.Add(new StageChange { ToStage = stage, At = Timestamp.FromDateTimeOffset(Now), By = customer.OwnerId, Reason = "opened" });
        _opportunities[id] = opportunity;
        return Event(EntityType.Opportunity, id, opportunity.OwnerTeamId, opportunity.OwnerId, e => e.OpportunityOpened = new OpportunityOpened { Opportunity = opportunity.Clone() });
    }

    public StoredEvent Stage(string id, string toStage)
    {
        var o = _opportunities[id];
        var change = new StageChange { FromStage = o.Stage, ToStage = toStage, At = Timestamp.FromDateTimeOffset(Now), By = o.OwnerId, Reason = "progress" };
        (o.Stage, o.StageEnteredAt) = (toStage, change.At);
        o.History.Add(change);
        return Event(EntityType.Opportunity, id, o.OwnerTeamId, o.OwnerId, e => e.OpportunityStageChanged = new OpportunityStageChanged { OpportunityId = id, Change = change });
    }

    public StoredEvent Signal(string id, ForecastSignal signal)
    {
        var o = _opportunities[id];
        var previous = o.Signal;
        o.Signal = signal;
        return Event(EntityType.Opportunity, id, o.OwnerTeamId, o.OwnerId,
            e => e.ForecastSignalChanged = new ForecastSignalChanged { OpportunityId = id, Previous = previous, Current = signal });
    }

    public StoredEvent Stall(string id, StallLevel level)
    {
        var o = _opportunities[id];
        var previous = o.StallLevel;
        o.StallLevel = level;
        return Event(EntityType.Opportunity, id, o.OwnerTeamId, o.OwnerId,
            e => e.OpportunityStallChanged = new OpportunityStallChanged { OpportunityId = id, Previous = previous, Current = level }, "system");
    }

    /// <summary>The deal's forecast signal stalled past the decay age (or moved again): the deadline engine's change.</summary>
    public StoredEvent Intervention(string id, bool needed = true)
    {
        var o = _opportunities[id];
        o.NeedsIntervention = needed;
        return Event(EntityType.Opportunity, id, o.OwnerTeamId, o.OwnerId,
            e => e.OpportunityInterventionChanged = new OpportunityInterventionChanged { OpportunityId = id, NeedsIntervention = needed }, "system");
    }

    public StoredEvent Won(string id)
    {
        var o = _opportunities[id];
        o.Status = OpportunityStatus.Won;
        o.History.Add(new StageChange { FromStage = o.Stage, ToStage = "won", At = Timestamp.FromDateTimeOffset(Now), By = o.OwnerId });
        return Event(EntityType.Opportunity, id, o.OwnerTeamId, o.OwnerId, e => e.OpportunityWon = new OpportunityWon { Opportunity = o.Clone() });
    }

    public StoredEvent Lost(string id, string reason = "price")
    {
        var o = _opportunities[id];
        (o.Status, o.LostReason) = (OpportunityStatus.Lost, reason);
        o.History.Add(new StageChange { FromStage = o.Stage, ToStage = "lost", At = Timestamp.FromDateTimeOffset(Now), By = o.OwnerId, Reason = reason });
        return Event(EntityType.Opportunity, id, o.OwnerTeamId, o.OwnerId, e => e.OpportunityLost = new OpportunityLost { Opportunity = o.Clone() });
    }

    public StoredEvent OpportunityOwner(string id, string newOwnerId, string newTeamId)
    {
        var o = _opportunities[id];
        var previous = o.OwnerId;
        (o.OwnerId, o.OwnerTeamId) = (newOwnerId, newTeamId);
        return Event(EntityType.Opportunity, id, newTeamId, newOwnerId, e => e.OpportunityOwnerChanged = new OpportunityOwnerChanged
        {
            OpportunityId = id, PreviousOwnerId = previous, NewOwnerId = newOwnerId, NewOwnerTeamId = newTeamId, Reason = "handover",
        });
    }

    public StoredEvent Evidence(string id, string kind)
    {
        var o = _opportunities[id];
        var item = new EvidenceItem { Kind = kind, Reference = "doc-" + kind, AddedBy = o.OwnerId, AddedAt = Timestamp.FromDateTimeOffset(Now) };
        o.Evidence.Add(item);
        return Event(EntityType.Opportunity, id, o.OwnerTeamId, o.OwnerId, e => e.EvidenceAdded = new EvidenceAdded { OpportunityId = id, Evidence = item });
    }

    /// <summary>A registration refused as a duplicate: an event of the attempt's (never registered) customer id.</summary>
    public StoredEvent Refused(string attemptId, string teamId, string ownerId, string existingId) =>
        Event(EntityType.Customer, attemptId, teamId, ownerId, e => e.CustomerRegistrationRefused = new CustomerRegistrationRefused
        {
            ExistingCustomerId = existingId, DuplicateKeyKind = "phone", IntendedOwnerId = ownerId,
        }, ownerId);

    public StoredEvent Task(string taskId, string opportunityId, string department = "legal")
    {
        var o = _opportunities[opportunityId];
        return Event(EntityType.Task, taskId, o.OwnerTeamId, string.Empty, e => e.DepartmentTaskChanged = new DepartmentTaskChanged
        {
            Task = new DepartmentTask { TaskId = taskId, Department = department, Title = "review", OpportunityId = opportunityId },
        }, "system");
    }

    public static Money Money(decimal amount, string currency) =>
        new() { Amount = amount.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture), Currency = currency };
}
