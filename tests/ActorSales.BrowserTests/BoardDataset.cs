using ActorSales.Contracts.V1;
using ActorSales.Testing;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace ActorSales.BrowserTests;

/// <summary>
/// What a manager's board looks like after a few weeks of use, made through the public API only: a Berlin team with
/// monthly goals, customers and deals registered on 2 March 2026, then 8 and 9 days of (fake) time in which deals
/// stall, forecast signals decay, two customers near their release and reps fall behind their goals; and a second team
/// in another region for the director. Everything after that runs on real pace (see <see cref="FlowingClock"/>).
/// </summary>
public sealed class BoardDataset
{
    /// <summary>Monday 2 March 2026, 09:00 in Berlin.</summary>
    public static readonly DateTimeOffset Start = new(2026, 3, 2, 8, 0, 0, TimeSpan.Zero);

    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    private readonly TestHost _host;
    private readonly FlowingClock _clock;

    private BoardDataset(TestHost host, FlowingClock clock, ApiTeam team, ApiTeam shanghai, string directorId)
    {
        _host = host;
        _clock = clock;
        Team = team;
        Shanghai = shanghai;
        DirectorId = directorId;
    }

    /// <summary>The Berlin team (region EMEA) the board is about.</summary>
    public ApiTeam Team { get; }

    /// <summary>A second team, in region APAC, with one deal of its own.</summary>
    public ApiTeam Shanghai { get; }

    public string DirectorId { get; }

    public Metadata Director => _host.As(DirectorId, "director");

    private AnalyticsService.AnalyticsServiceClient Analytics => new(_host.Channel);

    private OpportunitiesService.OpportunitiesServiceClient Opportunities => new(_host.Channel);

    public static async Task<BoardDataset> CreateAsync(TestHost host, FlowingClock clock)
    {
        var team = await host.CreateTeamAsync();
        var shanghai = await CreateTeamAsync(host, "APAC", "Asia/Shanghai");
        var directorId = $"dir-{Guid.NewGuid():N}"[..16];
        await host.Salespeople.CreateSalespersonAsync(new CreateSalespersonRequest
        {
            SalespersonId = directorId, Name = directorId, Email = $"{directorId}@example.com", Role = Role.Director, TeamId = team.TeamId,
        }, host.Admin);
        var dataset = new BoardDataset(host, clock, team, shanghai, directorId);
        await dataset.BuildAsync();
        return dataset;
    }

    private async Task BuildAsync()
    {
        // Day 0 (Monday): goals for March, three customers, three deals.
        foreach (var (owner, metric, target) in new[]
        {
            (Team.RepId, GoalMetric.NewCustomers, "40"), (Team.OtherRepId, GoalMetric.NewCustomers, "40"),
            (Team.RepId, GoalMetric.EffectiveVisits, "30"), (string.Empty, GoalMetric.OpportunitiesCreated, "12"),
        })
        {
            await Analytics.SetGoalAsync(new SetGoalRequest
            {
                TeamId = Team.TeamId, OwnerId = owner, Metric = metric, PeriodKind = GoalPeriodKind.Month, PeriodStart = "2026-03-01", Target = target,
            }, Team.Manager);
        }
        var central = await CustomerAsync(Team.Rep, "Central Hospital", CustomerTier.A);
        var riverside = await CustomerAsync(Team.Rep, "Riverside Clinic", CustomerTier.B);
        var harbour = await CustomerAsync(Team.OtherRep, "Harbour Medical", CustomerTier.B);
        await _host.Customers.LogActivityAsync(new LogActivityRequest
        {
            CustomerId = central, Kind = ActivityKind.Visit, Summary = "Met the head of cardiology", OccurredAt = Timestamp.FromDateTimeOffset(_clock.Now),
        }, Team.Rep);
        var cathLab = await DealAsync(Team.Rep, central, "Cath lab", "120000", "EUR");
        await SignalAsync(Team.Rep, cathLab, ForecastSignal.L1);
        await DealAsync(Team.Rep, riverside, "MRI service contract", "45000", "EUR");
        await DealAsync(Team.OtherRep, harbour, "Ultrasound fleet", "30000", "EUR");
        var apac = await CustomerAsync(Shanghai.Rep, "Pudong Medical Center", CustomerTier.A);
        await DealAsync(Shanghai.Rep, apac, "Imaging suite", "1800000", "CNY");

        // Day 8 (Tuesday 10 March): the first deals are past their warning age, the L1 signal has decayed.
        await JumpAsync(TimeSpan.FromDays(8), Team.Manager, r => r.Opportunities.Count(o => o.StallLevel == StallLevel.Yellow) >= 3);
        var dialysis = await DealAsync(Team.Rep, central, "Dialysis unit", "80000", "EUR");
        await MoveAsync(Team.Rep, dialysis, "meeting_minutes", "ProposalSubmitted");
        var lab = await DealAsync(Team.OtherRep, harbour, "Lab automation", "600000", "CNY");
        await SignalAsync(Team.OtherRep, lab, ForecastSignal.L1);

        // Day 17 (Thursday 19 March): three deals over their limit, two past their warning, one fresh.
        await JumpAsync(TimeSpan.FromDays(9), Team.Manager, r => r.Opportunities.Count(o => o.StallLevel == StallLevel.Red) >= 3);
        await DealAsync(Team.Rep, central, "Infusion pumps", "15000", "EUR");
        await Polling.EventuallyAsync(
            async () => await Analytics.ListAnomaliesAsync(new ListAnomaliesRequest { Scope = new AnalyticsScope { TeamId = Team.TeamId }, Status = AnomalyStatus.Active, PageSize = 50 }, Team.Manager),
            r => r.Anomalies.Count >= 2, Bound);
    }

    /// <summary>A new deal of the team's rep in its first stage, shown by the read model; for tests that change it.</summary>
    public async Task<string> FreshDealAsync(string title)
    {
        var customer = await CustomerAsync(Team.Rep, title + " Clinic", CustomerTier.A);
        return await DealAsync(Team.Rep, customer, title, "5000", "EUR");
    }

    public async Task MoveAsync(Metadata who, string opportunityId, string evidence, string toStage)
    {
        await Opportunities.AddEvidenceAsync(new AddEvidenceRequest { OpportunityId = opportunityId, Kind = evidence, Reference = "DOC-" + evidence }, who);
        await Opportunities.ChangeStageAsync(new ChangeStageRequest { OpportunityId = opportunityId, ToStage = toStage }, who);
    }

    private static async Task<ApiTeam> CreateTeamAsync(TestHost host, string region, string timeZone)
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var teamId = $"team-{suffix}";
        await host.Teams.CreateTeamAsync(new CreateTeamRequest { TeamId = teamId, Name = $"Shanghai {suffix}", Region = region, TimeZone = timeZone }, host.Admin);
        foreach (var (id, role) in new[] { ($"mgr-{suffix}", Role.Manager), ($"rep-{suffix}", Role.Rep), ($"rep2-{suffix}", Role.Rep) })
        {
            await host.Salespeople.CreateSalespersonAsync(new CreateSalespersonRequest { SalespersonId = id, Name = id, Email = $"{id}@example.com", Role = role, TeamId = teamId }, host.Admin);
        }
        await host.Teams.UpdateTeamAsync(new UpdateTeamRequest { TeamId = teamId, ManagerId = $"mgr-{suffix}" }, host.Admin);
        return new ApiTeam(teamId, $"mgr-{suffix}", $"rep-{suffix}", $"rep2-{suffix}", host.SigningKey);
    }

    private async Task<string> CustomerAsync(Metadata who, string name, CustomerTier tier) =>
        (await _host.Customers.CreateCustomerAsync(new CreateCustomerRequest
        {
            Name = name, Company = $"{name} {Guid.NewGuid():N}"[..(name.Length + 9)], Industry = "Health", Tier = tier, SourceChannel = SourceChannel.Referral,
            Contacts = { new Contact { Name = "Anna Berg", Phone = $"+49 30 {Random.Shared.Next(1_000_000, 9_999_999)}" } },
        }, who)).Customer.CustomerId;

    private async Task<string> DealAsync(Metadata who, string customerId, string title, string amount, string currency)
    {
        var created = await Opportunities.CreateOpportunityAsync(new CreateOpportunityRequest
        {
            CustomerId = customerId, Title = title, Value = new Money { Amount = amount, Currency = currency },
            ExpectedCloseAt = Timestamp.FromDateTimeOffset(_clock.Now.AddMonths(3)),
        }, who);
        // Read-your-writes: the board and the tests' RPCs see the deal from here on.
        await Opportunities.QueryOpportunitiesAsync(new QueryOpportunitiesRequest { PageSize = 1, ConsistencyToken = created.ConsistencyToken }, who);
        return created.Opportunity.OpportunityId;
    }

    private async Task SignalAsync(Metadata who, string opportunityId, ForecastSignal signal)
    {
        await Opportunities.AddEvidenceAsync(new AddEvidenceRequest { OpportunityId = opportunityId, Kind = "price_request", Reference = "RFQ-1" }, who);
        await Opportunities.SetSignalAsync(new SetSignalRequest { OpportunityId = opportunityId, Signal = signal }, who);
    }

    /// <summary>Jumps the clock, then waits (real time, bounded) until the team's deals show what the deadlines did.</summary>
    private async Task JumpAsync(TimeSpan by, Metadata who, Func<QueryOpportunitiesResponse, bool> until)
    {
        _clock.Jump(by);
        var result = await Polling.EventuallyAsync(
            async () => await Opportunities.QueryOpportunitiesAsync(new QueryOpportunitiesRequest { PageSize = 100, TeamId = Team.TeamId }, who),
            until, Bound);
        if (!until(result))
        {
            throw new InvalidOperationException($"the dataset did not reach its state after a jump of {by}: {result}");
        }
    }
}
