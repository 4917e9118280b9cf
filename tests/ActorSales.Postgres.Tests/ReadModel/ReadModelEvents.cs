using ActorSales.Contracts.V1;
using ActorSales.Grains.Abstractions.Events;
using Google.Protobuf.WellKnownTypes;

namespace ActorSales.Postgres.Tests.ReadModel;

/// <summary>Writes a stretch of event log by hand: positions in order (with gaps, as the log has), sequences per entity.</summary>
internal sealed class ReadModelEvents
{
    public static readonly DateTimeOffset Day0 = new(2025, 3, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly Dictionary<(EntityType, string), long> _sequences = [];
    private long _position;

    public List<StoredEvent> Log { get; } = [];

    public StoredEvent Add(EntityType type, string id, string teamId, string ownerId, DateTimeOffset at, Action<DomainEvent> change, string actor = "alice")
    {
        var key = (type, id);
        var sequence = _sequences.GetValueOrDefault(key) + 1;
        _sequences[key] = sequence;
        var e = new DomainEvent
        {
            EventId = $"{(int)type}/{id}/{sequence}",
            EntityType = type,
            EntityId = id,
            Sequence = sequence,
            OccurredAt = Timestamp.FromDateTimeOffset(at),
            ActorId = actor,
            TeamId = teamId,
            OwnerId = ownerId,
        };
        change(e);
        _position += Log.Count % 3 == 2 ? 2 : 1; // a gap now and then
        var stored = new StoredEvent(_position, LoggedEvent.From(e));
        Log.Add(stored);
        return stored;
    }

    public static Customer Customer(string id, string name, string team, string owner, int createdDay,
        CustomerTier tier = CustomerTier.B, string industry = "retail", SourceChannel source = SourceChannel.InboundWebForm, string company = "", params Contact[] contacts)
    {
        var customer = new Customer
        {
            CustomerId = id,
            Name = name,
            Company = company,
            Industry = industry,
            Tier = tier,
            SourceChannel = source,
            OwnerId = owner,
            OwnerTeamId = team,
            CreatedAt = Timestamp.FromDateTimeOffset(Day0.AddDays(createdDay)),
            UpdatedAt = Timestamp.FromDateTimeOffset(Day0.AddDays(createdDay)),
        };
        customer.Contacts.AddRange(contacts);
        return customer;
    }

    public StoredEvent Register(Customer customer) =>
        Add(EntityType.Customer, customer.CustomerId, customer.OwnerTeamId, customer.OwnerId, customer.CreatedAt.ToDateTimeOffset(),
            e => e.CustomerRegistered = new CustomerRegistered { Customer = customer });

    public StoredEvent Update(Customer customer, DateTimeOffset at, params string[] fields) =>
        Add(EntityType.Customer, customer.CustomerId, customer.OwnerTeamId, customer.OwnerId, at,
            e => e.CustomerUpdated = new CustomerUpdated { Customer = customer, ChangedFields = { fields } });

    public StoredEvent FollowUp(Customer customer, DateTimeOffset at, long activitySequence, bool isFollowUp = true) =>
        Add(EntityType.Customer, customer.CustomerId, customer.OwnerTeamId, customer.OwnerId, at, e => e.ActivityLogged = new ActivityLogged
        {
            Activity = new Activity { Sequence = activitySequence, Kind = ActivityKind.Visit, OccurredAt = Timestamp.FromDateTimeOffset(at), Summary = "visited" },
            IsFollowUp = isFollowUp,
        });

    public StoredEvent ReleaseWarning(Customer customer, DateTimeOffset at) =>
        Add(EntityType.Customer, customer.CustomerId, customer.OwnerTeamId, customer.OwnerId, at, e => e.CustomerFollowUpOverdue = new CustomerFollowUpOverdue
        {
            CustomerId = customer.CustomerId,
            Rule = "release-warning",
            DueAt = Timestamp.FromDateTimeOffset(at),
        }, actor: "system");

    public StoredEvent Release(Customer customer, DateTimeOffset at) =>
        Add(EntityType.Customer, customer.CustomerId, customer.OwnerTeamId, customer.OwnerId, at, e => e.CustomerReleased = new CustomerReleased
        {
            CustomerId = customer.CustomerId,
            PreviousOwnerId = customer.OwnerId,
            PoolTeamId = customer.OwnerTeamId,
        }, actor: "system");

    public StoredEvent Transfer(Customer customer, string newOwner, string newTeam, DateTimeOffset at) =>
        Add(EntityType.Customer, customer.CustomerId, newTeam, newOwner, at, e => e.CustomerOwnerChanged = new CustomerOwnerChanged
        {
            PreviousOwnerId = customer.OwnerId,
            NewOwnerId = newOwner,
            NewOwnerTeamId = newTeam,
            Reason = "transfer",
        });

    public static Opportunity Opportunity(string id, string customerId, string team, string owner, decimal amount, int? closeDay,
        string stage = "qualify", int enteredDay = 0, string currency = "CNY", string pipeline = "standard")
    {
        var opportunity = new Opportunity
        {
            OpportunityId = id,
            CustomerId = customerId,
            OwnerId = owner,
            OwnerTeamId = team,
            Title = id,
            Value = new Money { Amount = amount.ToString(System.Globalization.CultureInfo.InvariantCulture), Currency = currency },
            PipelineKey = pipeline,
            PipelineVersion = 1,
            Stage = stage,
            StageEnteredAt = Timestamp.FromDateTimeOffset(Day0.AddDays(enteredDay)),
            Status = OpportunityStatus.Open,
            CreatedAt = Timestamp.FromDateTimeOffset(Day0.AddDays(enteredDay)),
        };
        if (closeDay is { } day)
        {
            opportunity.ExpectedCloseAt = Timestamp.FromDateTimeOffset(Day0.AddDays(day));
        }
        return opportunity;
    }

    public StoredEvent Open(Opportunity o) =>
        Add(EntityType.Opportunity, o.OpportunityId, o.OwnerTeamId, o.OwnerId, o.CreatedAt.ToDateTimeOffset(),
            e => e.OpportunityOpened = new OpportunityOpened { Opportunity = o });

    public StoredEvent ChangeStage(Opportunity o, string to, DateTimeOffset at) =>
        Add(EntityType.Opportunity, o.OpportunityId, o.OwnerTeamId, o.OwnerId, at, e => e.OpportunityStageChanged = new OpportunityStageChanged
        {
            OpportunityId = o.OpportunityId,
            Change = new StageChange { FromStage = o.Stage, ToStage = to, At = Timestamp.FromDateTimeOffset(at), By = o.OwnerId },
        });

    public StoredEvent Stall(Opportunity o, StallLevel level, DateTimeOffset at) =>
        Add(EntityType.Opportunity, o.OpportunityId, o.OwnerTeamId, o.OwnerId, at, e => e.OpportunityStallChanged = new OpportunityStallChanged
        {
            OpportunityId = o.OpportunityId,
            Current = level,
        }, actor: "system");

    public StoredEvent Signal(Opportunity o, ForecastSignal signal, DateTimeOffset at) =>
        Add(EntityType.Opportunity, o.OpportunityId, o.OwnerTeamId, o.OwnerId, at, e => e.ForecastSignalChanged = new ForecastSignalChanged
        {
            OpportunityId = o.OpportunityId,
            Current = signal,
        });

    public StoredEvent Win(Opportunity o, DateTimeOffset at)
    {
        var won = o.Clone();
        won.Status = OpportunityStatus.Won;
        won.Stage = "won";
        won.StageEnteredAt = Timestamp.FromDateTimeOffset(at);
        return Add(EntityType.Opportunity, o.OpportunityId, o.OwnerTeamId, o.OwnerId, at, e => e.OpportunityWon = new OpportunityWon { Opportunity = won });
    }

    public StoredEvent Lose(Opportunity o, DateTimeOffset at)
    {
        var lost = o.Clone();
        lost.Status = OpportunityStatus.Lost;
        lost.LostReason = "price";
        return Add(EntityType.Opportunity, o.OpportunityId, o.OwnerTeamId, o.OwnerId, at, e => e.OpportunityLost = new OpportunityLost { Opportunity = lost });
    }

    public StoredEvent CreateTeam(string id, string region, string manager) =>
        Add(EntityType.Team, id, id, string.Empty, Day0, e => e.TeamCreated = new TeamCreated
        {
            Team = new Team { TeamId = id, Name = $"Team {id}", Region = region, ManagerId = manager, CreatedAt = Timestamp.FromDateTimeOffset(Day0) },
        }, actor: "admin");

    public StoredEvent UpdateTeamRegion(string id, string region, string manager) =>
        Add(EntityType.Team, id, id, string.Empty, Day0.AddDays(1), e => e.TeamUpdated = new TeamUpdated
        {
            Team = new Team { TeamId = id, Name = $"Team {id}", Region = region, ManagerId = manager, CreatedAt = Timestamp.FromDateTimeOffset(Day0) },
            ChangedFields = { "region" },
        }, actor: "admin");

    public StoredEvent JoinTeam(string teamId, string salespersonId) =>
        Add(EntityType.Team, teamId, teamId, string.Empty, Day0, e => e.TeamMemberJoined = new TeamMemberJoined { SalespersonId = salespersonId }, actor: "admin");

    public StoredEvent CreateSalesperson(string id, string team, Role role) =>
        Add(EntityType.Salesperson, id, team, id, Day0, e => e.SalespersonCreated = new SalespersonCreated
        {
            Salesperson = new Salesperson
            {
                SalespersonId = id, Name = id, Email = $"{id}@example.com", Role = role, TeamId = team, Status = SalespersonStatus.Active,
                CreatedAt = Timestamp.FromDateTimeOffset(Day0),
            },
        }, actor: "admin");

    public StoredEvent Depart(string id, string team) =>
        Add(EntityType.Salesperson, id, team, id, Day0.AddDays(2), e => e.SalespersonDepartureStarted = new SalespersonDepartureStarted
        {
            SalespersonId = id, HandoverId = id,
        }, actor: "admin");

    public StoredEvent Task(string id, string team) =>
        Add(EntityType.Task, id, team, string.Empty, Day0, e => e.DepartmentTaskChanged = new DepartmentTaskChanged { Task = new DepartmentTask { TaskId = id } });
}
