using System.Globalization;
using ActorSales.Contracts.V1;
using ActorSales.Grains.Abstractions.Events;
using Google.Protobuf.WellKnownTypes;

namespace ActorSales.Benchmarks.Infrastructure;

/// <summary>
/// The read-model scenarios' synthetic book: <c>teams</c> teams of <c>repsPerTeam</c> reps, customers spread evenly over
/// the teams (team 0 is the real team made through the API, whose manager the scenario signs in as), each customer with
/// <c>opportunitiesPerCustomer</c> deals. Half the customers have Chinese names (hospitals, pharma and device firms
/// in 40 cities), half English ones; two contacts with mobile numbers and emails; tiers, industries, channels, follow-up
/// and creation times spread at random (seeded, so every run builds the same book). Deals carry their stage history
/// (opened in the first stage, one entry per stage reached, a closing entry when won or lost); a quarter of them moved
/// within the current UTC month (the board's default funnel period); one open deal in 20 needs intervention. One
/// customer in 20 has been warned of its release to the pool. Events are the registrations, openings and release
/// warnings a real write path would log, at consecutive log positions, so the store applies them through its own
/// projection.
/// </summary>
public sealed class ReadModelDataset(int customers, int opportunitiesPerCustomer, int teams, int repsPerTeam, string firstTeamId, DateTimeOffset now)
{
    private static readonly string[] Cities =
    [
        "杭州", "上海", "北京", "广州", "深圳", "成都", "武汉", "南京", "西安", "重庆", "天津", "苏州", "郑州", "长沙", "沈阳", "青岛",
        "宁波", "无锡", "合肥", "福州", "厦门", "济南", "大连", "昆明", "哈尔滨", "长春", "石家庄", "南宁", "贵阳", "南昌", "太原", "兰州",
        "温州", "佛山", "东莞", "泉州", "烟台", "徐州", "常州", "绍兴",
    ];

    private static readonly string[] ChineseKinds = ["第一中心医院", "第二人民医院", "中医院", "妇幼保健院", "制药有限公司", "医疗器械有限公司", "肿瘤医院", "儿童医院"];

    private static readonly string[] EnglishFirst = ["Northwind", "Contoso", "Fabrikam", "Tailspin", "Woodgrove", "Litware", "Adatum", "Proseware", "Lucerne", "Wingtip", "Coho", "Margie"];

    private static readonly string[] EnglishKinds = ["Medical Center", "General Hospital", "Pharma", "Diagnostics", "Clinic Group", "Health Systems", "Biotech", "Care Homes"];

    private static readonly string[] ContactNames = ["王伟", "李娜", "张敏", "刘洋", "陈静", "Anna Berg", "Jonas Weber", "Maria Rossi", "David Chen", "Sara Lind", "Tom Baker", "Lena Koch"];

    private static readonly string[] Industries = ["Healthcare", "Pharmaceuticals", "Medical devices", "Biotech", "Public sector", "Education"];

    private static readonly string[] Stages = ["NeedsConfirmed", "ProposalSubmitted", "PriceNegotiation", "ContractApproval"];

    private static readonly string[] LossReasons = ["price", "competitor", "budget", "timing"];

    private readonly DateTimeOffset _monthStart = new(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero);

    public int Customers => customers;

    public int Teams => teams;

    public int Opportunities => customers * opportunitiesPerCustomer;

    /// <summary>Customers with a release warning.</summary>
    public int ReleaseWarned => Enumerable.Range(0, customers).Count(IsReleaseWarned);

    public int Events => Customers + Opportunities + ReleaseWarned;

    /// <summary>Whether customer <paramref name="i"/> has been warned of its release to the pool: one in 20 of every team.</summary>
    public bool IsReleaseWarned(int i) => i / teams % 20 == 3;

    public string TeamId(int team) => team == 0 ? firstTeamId : $"bench-rm-team-{team:D3}";

    public static string RepId(int team, int rep) => $"bench-rm-rep-{team:D3}-{rep:D2}";

    public static string CustomerId(int i) => $"bench-rm-c-{i:D7}";

    /// <summary>Customers of team 0 (those the manager sees): every <c>teams</c>-th customer.</summary>
    public int TeamOf(int customer) => customer % teams;

    /// <summary>The events of customers [from, to) and their deals, at positions from <paramref name="firstPosition"/> on.</summary>
    public List<StoredEvent> Batch(int from, int to, long firstPosition)
    {
        var events = new List<StoredEvent>((to - from) * (1 + opportunitiesPerCustomer));
        var position = firstPosition;
        for (var i = from; i < to; i++)
        {
            var random = new Random(i);
            var team = TeamOf(i);
            var owner = RepId(team, random.Next(repsPerTeam));
            var customer = Customer(i, random, TeamId(team), owner);
            events.Add(new StoredEvent(position++, LoggedEvent.From(Event(EntityType.Customer, customer.CustomerId, customer.CreatedAt, customer.OwnerTeamId, owner,
                e => e.CustomerRegistered = new CustomerRegistered { Customer = customer }))));
            if (IsReleaseWarned(i))
            {
                var due = Timestamp.FromDateTimeOffset(now - TimeSpan.FromMinutes(random.Next(7 * 24 * 60)));
                events.Add(new StoredEvent(position++, LoggedEvent.From(Event(EntityType.Customer, customer.CustomerId, due, customer.OwnerTeamId, owner,
                    e => e.CustomerFollowUpOverdue = new CustomerFollowUpOverdue { CustomerId = customer.CustomerId, Rule = "release-warning", DueAt = due }, sequence: 2))));
            }
            for (var o = 0; o < opportunitiesPerCustomer; o++)
            {
                var deal = Opportunity(customer, o, random);
                events.Add(new StoredEvent(position++, LoggedEvent.From(Event(EntityType.Opportunity, deal.OpportunityId, deal.CreatedAt, deal.OwnerTeamId, owner,
                    e => e.OpportunityOpened = new OpportunityOpened { Opportunity = deal }))));
            }
        }
        return events;
    }

    /// <summary>A phone of customer <paramref name="i"/>'s first contact (what a search by digits looks for).</summary>
    public static string Phone(int i, int contact) => string.Create(CultureInfo.InvariantCulture, $"+86 13{contact + 8} {i / 10_000 % 10_000:D4} {i % 10_000:D4}");

    private Customer Customer(int i, Random random, string teamId, string owner)
    {
        var chinese = i % 2 == 0;
        var name = chinese
            ? $"{Cities[random.Next(Cities.Length)]}市{ChineseKinds[random.Next(ChineseKinds.Length)]}{i}"
            : $"{EnglishFirst[random.Next(EnglishFirst.Length)]} {EnglishKinds[random.Next(EnglishKinds.Length)]} {i}";
        var created = now - TimeSpan.FromMinutes(random.Next(2 * 365 * 24 * 60));
        var customer = new Customer
        {
            CustomerId = CustomerId(i),
            Name = name,
            Company = chinese ? name + "集团" : name + " Group",
            Industry = Industries[random.Next(Industries.Length)],
            Tier = (CustomerTier)(1 + random.Next(3)),
            SourceChannel = (SourceChannel)(1 + random.Next(3)),
            OwnerId = owner,
            OwnerTeamId = teamId,
            CreatedAt = Timestamp.FromDateTimeOffset(created),
            UpdatedAt = Timestamp.FromDateTimeOffset(created),
            Address = new Address { Street = "1 Main Road", City = chinese ? "Hangzhou" : "Berlin", Country = chinese ? "CN" : "DE", PostalCode = "310000" },
        };
        for (var c = 0; c < 2; c++)
        {
            var contact = ContactNames[random.Next(ContactNames.Length)];
            customer.Contacts.Add(new Contact
            {
                Name = contact,
                Title = c == 0 ? "Head of purchasing" : "Chief physician",
                Phone = Phone(i, c),
                Email = string.Create(CultureInfo.InvariantCulture, $"contact{c}.{i}@customer{i}.example.com"),
                Key = c == 0,
            });
        }
        if (random.Next(10) != 0)
        {
            customer.LastFollowUpAt = Timestamp.FromDateTimeOffset(now - TimeSpan.FromMinutes(random.Next(60 * 24 * 60)));
        }
        return customer;
    }

    private Opportunity Opportunity(Customer customer, int o, Random random)
    {
        var created = customer.CreatedAt.ToDateTimeOffset() + TimeSpan.FromMinutes(random.Next(60 * 24 * 30));
        var status = random.Next(10) switch { < 7 => OpportunityStatus.Open, < 9 => OpportunityStatus.Won, _ => OpportunityStatus.Lost };
        var stage = random.Next(Stages.Length);
        var deal = new Opportunity
        {
            OpportunityId = $"{customer.CustomerId}-o{o}",
            CustomerId = customer.CustomerId,
            OwnerId = customer.OwnerId,
            OwnerTeamId = customer.OwnerTeamId,
            Title = $"Deal {o} with {customer.Name}",
            Value = new Money { Amount = (random.Next(1_000, 5_000_000) * 10).ToString(CultureInfo.InvariantCulture), Currency = random.Next(4) == 0 ? "EUR" : "CNY" },
            ExpectedCloseAt = Timestamp.FromDateTimeOffset(now + TimeSpan.FromDays(random.Next(-90, 270))),
            PipelineKey = "b2b",
            PipelineVersion = 1,
            Stage = Stages[stage],
            Signal = (ForecastSignal)random.Next(4),
            Status = status,
            StallLevel = status == OpportunityStatus.Open ? (StallLevel)(random.Next(6) switch { 0 => 1, 1 => 2, _ => 0 }) : StallLevel.Unspecified,
        };
        // The history: opened in the first stage, one entry per stage reached, then the closing entry of a won or lost
        // deal. The last move (entering its stage, or closing) lies in the last 40 days (closing: 20), or, for a deal that
        // moved this month, since the 1st; earlier moves in the 60 days before it (this month's: since the 1st too).
        var thisMonth = random.Next(4) == 0 && now > _monthStart;
        var closed = status != OpportunityStatus.Open;
        var last = thisMonth
            ? _monthStart + ((now - _monthStart) * random.NextDouble())
            : now - TimeSpan.FromMinutes(random.Next(60 * 24 * (closed ? 20 : 40)));
        var earliest = thisMonth ? _monthStart : last - TimeSpan.FromDays(60);
        var moves = stage + (closed ? 1 : 0);
        var times = Enumerable.Range(0, Math.Max(0, moves - 1)).Select(_ => earliest + ((last - earliest) * random.NextDouble())).Order().ToList();
        if (moves > 0)
        {
            times.Add(last);
        }
        created = moves == 0 ? last : Min(created, times[0] - TimeSpan.FromMinutes(1 + random.Next(60 * 24 * 30)));
        deal.CreatedAt = Timestamp.FromDateTimeOffset(created);
        deal.History.Add(new StageChange { ToStage = Stages[0], At = deal.CreatedAt, By = customer.OwnerId, Reason = "opened" });
        for (var s = 1; s <= stage; s++)
        {
            deal.History.Add(new StageChange { FromStage = Stages[s - 1], ToStage = Stages[s], At = Timestamp.FromDateTimeOffset(times[s - 1]), By = customer.OwnerId, Reason = "progress" });
        }
        deal.StageEnteredAt = deal.History[^1].At;
        if (closed)
        {
            var won = status == OpportunityStatus.Won;
            deal.LostReason = won ? string.Empty : LossReasons[random.Next(LossReasons.Length)];
            deal.History.Add(new StageChange { FromStage = deal.Stage, ToStage = won ? "won" : "lost", At = Timestamp.FromDateTimeOffset(last), By = customer.OwnerId, Reason = deal.LostReason });
        }
        deal.NeedsIntervention = status == OpportunityStatus.Open && random.Next(20) == 0;
        return deal;
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private static DomainEvent Event(EntityType type, string id, Timestamp at, string teamId, string ownerId, Action<DomainEvent> change, long sequence = 1)
    {
        var e = new DomainEvent
        {
            EventId = string.Create(CultureInfo.InvariantCulture, $"{id}:{sequence}"),
            EntityType = type,
            EntityId = id,
            Sequence = sequence,
            OccurredAt = at,
            ActorId = ownerId,
            TeamId = teamId,
            OwnerId = ownerId,
        };
        change(e);
        return e;
    }
}
