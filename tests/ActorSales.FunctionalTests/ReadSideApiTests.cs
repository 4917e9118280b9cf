using ActorSales.Contracts.V1;
using ActorSales.Testing;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace ActorSales.FunctionalTests;

/// <summary>
/// The query RPCs answered from the read model, per role, on data made through the API. Each test passes the
/// consistency token of its last write: the projector applies the log in order, so once that change shows, every
/// earlier one does too.
/// </summary>
[Collection(HostCollection.Name)]
public sealed class ReadSideApiTests(HostFixture fixture)
{
    private TestHost host => fixture.Host;

    private OpportunitiesService.OpportunitiesServiceClient Opportunities => new(host.Channel);

    private TimelineService.TimelineServiceClient Timeline => new(host.Channel);

    /// <summary>Two teams in a region of their own, with customers of three reps and the token of the last write.</summary>
    private sealed record Dataset(
        ApiTeam A, ApiTeam B, Metadata Director, string DirectorId, string Region, Customer Own, Customer Colleagues, Customer OtherTeams, string OwnPhoneDigits, string Token);

    private async Task<Dataset> BuildAsync()
    {
        var a = await host.CreateTeamAsync();
        var b = await host.CreateTeamAsync();
        var region = $"Region-{Guid.NewGuid():N}"[..20];
        foreach (var team in new[] { a, b })
        {
            await host.Teams.UpdateTeamAsync(new UpdateTeamRequest { TeamId = team.TeamId, Region = region }, host.Admin);
        }
        var directorId = $"dir-{Guid.NewGuid():N}"[..16];
        await host.Salespeople.CreateSalespersonAsync(new CreateSalespersonRequest
        {
            SalespersonId = directorId, Name = directorId, Email = $"{directorId}@example.com", Role = Role.Director, TeamId = a.TeamId,
        }, host.Admin);
        var digits = Random.Shared.Next(1000, 9999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var more = Random.Shared.Next(1000, 9999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var own = (await host.Customers.CreateCustomerAsync(ReadSideRefusalTests.NewCustomer("杭州市第一中心医院", $"+86 138 {digits} {more}"), a.Rep)).Customer;
        var colleagues = (await host.Customers.CreateCustomerAsync(ReadSideRefusalTests.NewCustomer("宁波市中心医院"), a.OtherRep)).Customer;
        var last = await host.Customers.CreateCustomerAsync(ReadSideRefusalTests.NewCustomer("上海中心医院"), b.Rep);
        return new Dataset(a, b, host.As(directorId, "director"), directorId, region, own, colleagues, last.Customer, $"138{digits}", last.ConsistencyToken);
    }

    [Fact]
    public async Task Search_finds_chinese_names_and_phone_fragments_only_within_the_callers_book()
    {
        var d = await BuildAsync();
        var ours = new[] { d.Own.CustomerId, d.Colleagues.CustomerId, d.OtherTeams.CustomerId };

        async Task<string[]> Found(string text, Metadata caller) =>
            (await host.Customers.SearchCustomersAsync(new SearchCustomersRequest { Text = text, PageSize = 500, ConsistencyToken = d.Token }, caller))
                .Customers.Select(c => c.CustomerId).Where(ours.Contains).Order().ToArray();

        Assert.Equal([d.Own.CustomerId], await Found("中心医院", d.A.Rep));
        Assert.Equal(new[] { d.Own.CustomerId, d.Colleagues.CustomerId }.Order(), await Found("中心医院", d.A.Manager));
        Assert.Equal([d.OtherTeams.CustomerId], await Found("中心医院", d.B.Rep));
        foreach (var everything in new[] { d.Director, host.Admin, host.As("svc-search", "service") })
        {
            Assert.Equal(ours.Order(), await Found("中心医院", everything));
        }
        Assert.Equal([d.Own.CustomerId], await Found("第一中心", d.A.Manager));
        // A fragment of digits finds "+86 138 dddd dddd" however it was typed; another rep's search finds nothing of it.
        Assert.Equal([d.Own.CustomerId], await Found(d.OwnPhoneDigits, d.A.Rep));
        Assert.Empty(await Found(d.OwnPhoneDigits, d.A.OtherRep));
        Assert.Empty(await Found(d.OwnPhoneDigits, d.B.Manager));
        // SQL-shaped text is only text.
        Assert.Empty(await Found("'; DROP TABLE customers; --", host.Admin));
        Assert.Equal(ours.Order(), await Found("中心医院", host.Admin));
    }

    [Fact]
    public async Task Listing_customers_applies_each_filter_within_the_callers_scope()
    {
        var d = await BuildAsync();
        var a = d.A;
        var start = DateTime.UtcNow.AddMinutes(-1);
        var pharma = $"Pharma-{Guid.NewGuid():N}"[..16];
        var tierA = (await host.Customers.CreateCustomerAsync(new CreateCustomerRequest
        {
            Name = "Alpha Labs", Company = $"Alpha {Guid.NewGuid():N}", Industry = pharma, Tier = CustomerTier.A, SourceChannel = SourceChannel.Outbound,
        }, a.Rep)).Customer;
        await host.Customers.SetCustomerLockAsync(new SetCustomerLockRequest { CustomerId = tierA.CustomerId, Locked = true }, a.Manager);
        var logged = await host.Customers.LogActivityAsync(new LogActivityRequest
        {
            CustomerId = tierA.CustomerId, Kind = ActivityKind.Visit, OccurredAt = Timestamp.FromDateTime(DateTime.UtcNow), Summary = "visited the lab",
        }, a.Rep);
        var token = logged.ConsistencyToken;
        var team = new[] { d.Own.CustomerId, d.Colleagues.CustomerId, tierA.CustomerId };

        async Task<string[]> Listed(ListCustomersRequest request, Metadata caller)
        {
            request.PageSize = 500;
            request.ConsistencyToken = token;
            return (await host.Customers.ListCustomersAsync(request, caller)).Customers.Select(c => c.CustomerId).ToArray();
        }
        string[] Set(params Customer[] customers) => customers.Select(c => c.CustomerId).Order().ToArray();
        async Task<string[]> Team(ListCustomersRequest request, Metadata caller) => (await Listed(request, caller)).Order().ToArray();

        // Scope: a rep their own book, a manager the team, the org-wide roles everything (narrowed to the team here).
        Assert.Equal(Set(d.Own, tierA), await Team(new ListCustomersRequest(), a.Rep));
        Assert.Equal(Set(d.Own, tierA), await Team(new ListCustomersRequest { TeamId = a.TeamId }, a.Rep));
        Assert.Equal(team.Order(), await Team(new ListCustomersRequest(), a.Manager));
        Assert.DoesNotContain(d.OtherTeams.CustomerId, await Listed(new ListCustomersRequest(), a.Manager));
        foreach (var everything in new[] { d.Director, host.Admin, host.As("svc-list", "service") })
        {
            Assert.Equal(team.Order(), await Team(new ListCustomersRequest { TeamId = a.TeamId }, everything));
            Assert.Equal([d.OtherTeams.CustomerId], await Team(new ListCustomersRequest { TeamId = d.B.TeamId }, everything));
        }

        // Each filter, by the manager over the team.
        var m = a.Manager;
        Assert.Equal(Set(d.Own, tierA), await Team(new ListCustomersRequest { OwnerId = a.RepId }, m));
        Assert.Equal(Set(tierA), await Team(new ListCustomersRequest { Tier = CustomerTier.A }, m));
        Assert.Equal(Set(tierA), await Team(new ListCustomersRequest { Industry = pharma }, m));
        Assert.Equal(Set(tierA), await Team(new ListCustomersRequest { SourceChannel = SourceChannel.Outbound }, m));
        Assert.Equal(Set(tierA), await Team(new ListCustomersRequest { Locked = true }, m));
        Assert.Equal(Set(d.Own, d.Colleagues), await Team(new ListCustomersRequest { Locked = false }, m));
        Assert.Equal(team.Order(), await Team(new ListCustomersRequest { InPool = false }, m));
        Assert.Empty(await Team(new ListCustomersRequest { InPool = true }, m));
        Assert.Empty(await Team(new ListCustomersRequest { ReleaseWarned = true }, m));
        Assert.Equal(team.Order(), await Team(new ListCustomersRequest { ReleaseWarned = false }, m));
        Assert.Equal(Set(tierA), await Team(new ListCustomersRequest { FollowedUpAfter = Timestamp.FromDateTime(start) }, m));
        // Never followed up counts as "before": the "no real follow-up for 14 days" screen.
        Assert.Equal(Set(d.Own, d.Colleagues), await Team(new ListCustomersRequest { FollowedUpBefore = Timestamp.FromDateTime(start) }, m));
        Assert.Equal(Set(tierA), await Team(new ListCustomersRequest { CreatedFrom = tierA.CreatedAt }, m));
        Assert.Equal(Set(d.Own, d.Colleagues), await Team(new ListCustomersRequest { CreatedFrom = Timestamp.FromDateTime(start), CreatedTo = tierA.CreatedAt }, m));

        // Sorts and directions.
        Assert.Equal([tierA.CustomerId, d.Colleagues.CustomerId, d.Own.CustomerId], await Listed(new ListCustomersRequest { Sort = CustomerSortField.Created }, m));
        Assert.Equal([d.Own.CustomerId, d.Colleagues.CustomerId, tierA.CustomerId], await Listed(new ListCustomersRequest { Sort = CustomerSortField.Created, Direction = SortDirection.Ascending }, m));
        // Latin before CJK in every collation.
        Assert.Equal(tierA.CustomerId, (await Listed(new ListCustomersRequest { Sort = CustomerSortField.Name }, m))[0]);
        Assert.Equal(tierA.CustomerId, (await Listed(new ListCustomersRequest { Sort = CustomerSortField.Name, Direction = SortDirection.Descending }, m))[^1]);
        Assert.Equal(tierA.CustomerId, (await Listed(new ListCustomersRequest { Sort = CustomerSortField.LastFollowUp, Direction = SortDirection.Descending }, m))[0]);

        // Pages: two of two, then one, and the pages together are the list.
        var first = await host.Customers.ListCustomersAsync(new ListCustomersRequest { PageSize = 2, Sort = CustomerSortField.Created, ConsistencyToken = token }, m);
        var second = await host.Customers.ListCustomersAsync(new ListCustomersRequest { PageSize = 2, Sort = CustomerSortField.Created, PageToken = first.NextPageToken }, m);
        Assert.Equal([tierA.CustomerId, d.Colleagues.CustomerId, d.Own.CustomerId], first.Customers.Concat(second.Customers).Select(c => c.CustomerId));
        Assert.Empty(second.NextPageToken);
    }

    [Fact]
    public async Task Querying_opportunities_applies_each_filter_within_the_callers_scope()
    {
        var d = await BuildAsync();
        var close = DateTime.UtcNow.Date.AddDays(30);
        async Task<Opportunity> Open(Customer customer, Metadata owner, string amount, string currency, int days) =>
            (await Opportunities.CreateOpportunityAsync(new CreateOpportunityRequest
            {
                CustomerId = customer.CustomerId, Title = "Fleet", Value = new Money { Amount = amount, Currency = currency },
                ExpectedCloseAt = Timestamp.FromDateTime(close.AddDays(days)),
            }, owner)).Opportunity;
        var small = await Open(d.Own, d.A.Rep, "1000", "EUR", 0);
        var large = await Open(d.Own, d.A.Rep, "50000", "EUR", 10);
        var colleagues = await Open(d.Colleagues, d.A.OtherRep, "2000", "USD", 20);
        var otherTeams = await Open(d.OtherTeams, d.B.Rep, "3000", "EUR", 5);
        var lost = await Opportunities.LoseOpportunityAsync(new LoseOpportunityRequest { OpportunityId = large.OpportunityId, Reason = "price" }, d.A.Rep);
        var token = lost.ConsistencyToken;

        async Task<string[]> Found(QueryOpportunitiesRequest request, Metadata caller, bool ordered = false)
        {
            request.PageSize = 500;
            request.ConsistencyToken = token;
            var ids = (await Opportunities.QueryOpportunitiesAsync(request, caller)).Opportunities.Select(o => o.OpportunityId).ToArray();
            return ordered ? ids : ids.Order().ToArray();
        }
        string[] Set(params Opportunity[] deals) => deals.Select(o => o.OpportunityId).Order().ToArray();

        Assert.Equal(Set(small, large), await Found(new QueryOpportunitiesRequest(), d.A.Rep));
        Assert.Equal(Set(small, large, colleagues), await Found(new QueryOpportunitiesRequest { TeamId = d.A.TeamId }, d.A.Manager));
        Assert.Equal(Set(small, large, colleagues, otherTeams), await Found(new QueryOpportunitiesRequest { Region = d.Region }, d.Director));
        Assert.Equal(Set(small, large, colleagues, otherTeams), await Found(new QueryOpportunitiesRequest { Region = d.Region }, host.Admin));
        Assert.Equal(Set(small, large, colleagues, otherTeams), await Found(new QueryOpportunitiesRequest { Region = d.Region }, host.As("svc-deals", "service")));
        Assert.Equal(Set(otherTeams), await Found(new QueryOpportunitiesRequest { Region = d.Region }, d.B.Rep));

        var m = d.A.Manager;
        Assert.Equal(Set(small, large), await Found(new QueryOpportunitiesRequest { CustomerId = d.Own.CustomerId }, m));
        Assert.Equal(Set(colleagues), await Found(new QueryOpportunitiesRequest { OwnerId = d.A.OtherRepId }, m));
        Assert.Equal(Set(small, colleagues), await Found(new QueryOpportunitiesRequest { PipelineKey = small.PipelineKey, Stage = small.Stage, Status = OpportunityStatus.Open }, m));
        Assert.Equal(Set(large), await Found(new QueryOpportunitiesRequest { Status = OpportunityStatus.Lost }, m));
        Assert.Empty(await Found(new QueryOpportunitiesRequest { Status = OpportunityStatus.Won }, m));
        Assert.Equal(Set(small, colleagues), await Found(new QueryOpportunitiesRequest { Status = OpportunityStatus.Open, StallLevel = StallLevel.Unspecified }, m));
        Assert.Empty(await Found(new QueryOpportunitiesRequest { StallLevel = StallLevel.Red }, m));
        Assert.Equal(Set(small, large, colleagues), await Found(new QueryOpportunitiesRequest { Signal = ForecastSignal.Unspecified }, m));
        Assert.Empty(await Found(new QueryOpportunitiesRequest { Signal = ForecastSignal.L2 }, m));
        Assert.Equal(Set(small), await Found(new QueryOpportunitiesRequest { Currency = "EUR", AmountMin = "500", AmountMax = "1000.00" }, m));
        Assert.Equal(Set(colleagues), await Found(new QueryOpportunitiesRequest { Currency = "usd" }, m));
        Assert.Equal(Set(small, colleagues), await Found(new QueryOpportunitiesRequest
        {
            ExpectedCloseFrom = Timestamp.FromDateTime(close), ExpectedCloseTo = Timestamp.FromDateTime(close.AddDays(21)), Status = OpportunityStatus.Open,
        }, m));

        Assert.Equal([large.OpportunityId, small.OpportunityId], await Found(new QueryOpportunitiesRequest { Currency = "EUR", Sort = OpportunitySortField.Amount }, m, ordered: true));
        Assert.Equal([small.OpportunityId, large.OpportunityId], await Found(new QueryOpportunitiesRequest { Currency = "EUR", Sort = OpportunitySortField.Amount, Direction = SortDirection.Ascending }, m, ordered: true));
        Assert.Equal([small.OpportunityId, large.OpportunityId, colleagues.OpportunityId], await Found(new QueryOpportunitiesRequest { Sort = OpportunitySortField.ExpectedClose }, m, ordered: true));
        Assert.Equal(3, (await Found(new QueryOpportunitiesRequest { Sort = OpportunitySortField.TimeInStage }, m, ordered: true)).Length);
    }

    [Fact]
    public async Task Teams_and_salespeople_are_listed_within_the_callers_scope()
    {
        var d = await BuildAsync();
        var token = (await host.Teams.UpdateTeamAsync(new UpdateTeamRequest { TeamId = d.B.TeamId, Name = "Team B renamed" }, host.Admin)).ConsistencyToken;

        async Task<string[]> Teams(Metadata caller) => (await host.Teams.ListTeamsAsync(new ListTeamsRequest { PageSize = 500, Region = d.Region, ConsistencyToken = token }, caller))
            .Teams.Select(t => t.TeamId).Order().ToArray();
        async Task<string[]> People(ListSalespeopleRequest request, Metadata caller)
        {
            request.PageSize = 500;
            request.ConsistencyToken = token;
            return (await host.Salespeople.ListSalespeopleAsync(request, caller)).Salespeople.Select(p => p.SalespersonId).Order().ToArray();
        }

        Assert.Equal([d.A.TeamId], await Teams(d.A.Rep));
        Assert.Equal([d.A.TeamId], await Teams(d.A.Manager));
        Assert.Equal(new[] { d.A.TeamId, d.B.TeamId }.Order(), await Teams(d.Director));
        Assert.Equal(new[] { d.A.TeamId, d.B.TeamId }.Order(), await Teams(host.Admin));
        Assert.Equal(new[] { d.A.TeamId, d.B.TeamId }.Order(), await Teams(host.As("svc-teams", "service")));
        Assert.Equal("Team B renamed", (await host.Teams.ListTeamsAsync(new ListTeamsRequest { PageSize = 500, Region = d.Region, ConsistencyToken = token }, d.B.Manager)).Teams.Single().Name);

        var teamA = new[] { d.A.ManagerId, d.A.RepId, d.A.OtherRepId, d.DirectorId }.Order().ToArray(); // the director is in team A
        Assert.Equal([d.A.RepId], await People(new ListSalespeopleRequest { TeamId = d.A.TeamId }, d.A.Rep));
        Assert.Equal(teamA, await People(new ListSalespeopleRequest { TeamId = d.A.TeamId }, d.A.Manager));
        Assert.Equal(new[] { d.A.RepId, d.A.OtherRepId }.Order(), await People(new ListSalespeopleRequest { TeamId = d.A.TeamId, Role = Role.Rep }, d.A.Manager));
        Assert.Equal(teamA, await People(new ListSalespeopleRequest { TeamId = d.A.TeamId, Status = SalespersonStatus.Active }, host.Admin));
        Assert.Empty(await People(new ListSalespeopleRequest { TeamId = d.A.TeamId, Status = SalespersonStatus.Departed }, host.Admin));
        Assert.Equal(new[] { d.B.ManagerId, d.B.RepId, d.B.OtherRepId }.Order(), await People(new ListSalespeopleRequest { TeamId = d.B.TeamId }, host.As("svc-people", "service")));
    }

    [Fact]
    public async Task A_customers_timeline_holds_every_change_newest_first_with_its_deals_and_the_acting_user()
    {
        var d = await BuildAsync();
        var customerId = d.Own.CustomerId;
        await host.Customers.LogActivityAsync(new LogActivityRequest
        {
            CustomerId = customerId, Kind = ActivityKind.Call, DurationSeconds = 120, OccurredAt = Timestamp.FromDateTime(DateTime.UtcNow), Summary = "first call",
        }, d.A.Rep);
        var deal = (await Opportunities.CreateOpportunityAsync(new CreateOpportunityRequest
        {
            CustomerId = customerId, Title = "Scanner", Value = new Money { Amount = "1000", Currency = "EUR" },
            ExpectedCloseAt = Timestamp.FromDateTime(DateTime.UtcNow.AddDays(30)),
        }, d.A.Rep)).Opportunity;
        var token = (await Opportunities.AddEvidenceAsync(new AddEvidenceRequest { OpportunityId = deal.OpportunityId, Kind = "meeting_minutes", Reference = "DOC-1" }, d.A.Manager)).ConsistencyToken;

        var customerEvents = (await Timeline.GetTimelineAsync(new GetTimelineRequest { CustomerId = customerId, PageSize = 500, ConsistencyToken = token }, d.A.Rep)).Events;
        var dealEvents = (await Timeline.GetTimelineAsync(new GetTimelineRequest { OpportunityId = deal.OpportunityId, PageSize = 500, ConsistencyToken = token }, d.A.Manager)).Events;

        DomainEvent.ChangeOneofCase[] made =
        [
            DomainEvent.ChangeOneofCase.EvidenceAdded, DomainEvent.ChangeOneofCase.OpportunityOpened,
            DomainEvent.ChangeOneofCase.ActivityLogged, DomainEvent.ChangeOneofCase.CustomerRegistered,
        ];
        // Follow-ups the system records (deadlines, stall levels) may sit between them; the changes made are all there, in order.
        var changes = customerEvents.Where(e => made.Contains(e.ChangeCase)).ToList();
        Assert.Equal(made, changes.Select(e => e.ChangeCase));
        Assert.Equal([d.A.ManagerId, d.A.RepId, d.A.RepId, d.A.RepId], changes.Select(e => e.ActorId));
        Assert.All(customerEvents, e => Assert.Contains(e.EntityId, new[] { customerId, deal.OpportunityId }));
        Assert.Equal(customerEvents.Select(e => e.OccurredAt.ToDateTimeOffset()).OrderDescending(), customerEvents.Select(e => e.OccurredAt.ToDateTimeOffset()));
        Assert.Equal(made[..2], dealEvents.Select(e => e.ChangeCase).Where(made.Contains));
        Assert.All(dealEvents, e => Assert.Equal(deal.OpportunityId, e.EntityId));

        // Paged newest first: one page of one, then the rest.
        var first = await Timeline.GetTimelineAsync(new GetTimelineRequest { CustomerId = customerId, PageSize = 1 }, d.A.Rep);
        var rest = await Timeline.GetTimelineAsync(new GetTimelineRequest { CustomerId = customerId, PageSize = 500, PageToken = first.NextPageToken }, d.A.Rep);
        Assert.Equal(customerEvents.Select(e => e.EventId), first.Events.Concat(rest.Events).Select(e => e.EventId));
    }

    [Fact]
    public async Task A_query_given_a_changes_token_sees_that_change()
    {
        var team = await host.CreateTeamAsync();
        var created = await host.Customers.CreateCustomerAsync(ReadSideRefusalTests.NewCustomer("Read Your Writes Clinic"), team.Rep);

        var listed = await host.Customers.ListCustomersAsync(new ListCustomersRequest { PageSize = 500, ConsistencyToken = created.ConsistencyToken }, team.Rep);
        Assert.Contains(created.Customer.CustomerId, listed.Customers.Select(c => c.CustomerId));

        var renamed = await host.Customers.UpdateCustomerAsync(new UpdateCustomerRequest
        {
            CustomerId = created.Customer.CustomerId, Name = $"Renamed {Guid.NewGuid():N}", UpdatePaths = { "name" },
        }, team.Rep);
        var found = await host.Customers.SearchCustomersAsync(new SearchCustomersRequest { Text = renamed.Customer.Name, PageSize = 10, ConsistencyToken = renamed.ConsistencyToken }, team.Rep);
        Assert.Equal((renamed.Customer.CustomerId, renamed.Customer.Name), found.Customers.Select(c => (c.CustomerId, c.Name)).Single());
    }

    [Fact]
    public async Task A_token_the_read_model_does_not_reach_is_unavailable_with_a_clear_message()
    {
        var team = await host.CreateTeamAsync();
        var created = await host.Customers.CreateCustomerAsync(ReadSideRefusalTests.NewCustomer(), team.Rep);
        var ahead = ActorSales.Gateway.ReadSide.ConsistencyToken.For(EntityType.Customer, created.Customer.CustomerId, created.Customer.Version + 1_000);

        var refused = await Assert.ThrowsAsync<RpcException>(async () =>
            await host.Customers.ListCustomersAsync(new ListCustomersRequest { PageSize = 10, ConsistencyToken = ahead }, team.Rep));

        Assert.Equal(StatusCode.Unavailable, refused.StatusCode);
        Assert.Equal("the read model has not caught up with your change yet; retry", refused.Status.Detail);
    }

    [Fact]
    public async Task A_token_naming_a_record_the_caller_may_not_read_is_ignored_like_one_naming_no_record()
    {
        var team = await host.CreateTeamAsync();
        var theirs = await host.Customers.CreateCustomerAsync(ReadSideRefusalTests.NewCustomer(), team.OtherRep);
        var probe = ActorSales.Gateway.ReadSide.ConsistencyToken.For(EntityType.Customer, theirs.Customer.CustomerId, theirs.Customer.Version + 1_000);
        var nothing = ActorSales.Gateway.ReadSide.ConsistencyToken.For(EntityType.Customer, $"cus_{Guid.NewGuid():N}", 1_000);

        // Neither waits for the read model (which never reaches either version): both answer at once, alike.
        var probed = await host.Customers.ListCustomersAsync(new ListCustomersRequest { PageSize = 10, ConsistencyToken = probe }, team.Rep);
        var none = await host.Customers.ListCustomersAsync(new ListCustomersRequest { PageSize = 10, ConsistencyToken = nothing }, team.Rep);

        Assert.Empty(probed.Customers);
        Assert.Empty(none.Customers);
    }
}
