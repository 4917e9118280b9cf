using ActorSales.Contracts.V1;
using ActorSales.Gateway.ReadSide;
using ActorSales.Testing;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace ActorSales.FunctionalTests;

/// <summary>
/// What the query RPCs refuse before the read model is asked: hostile fields (each named in the error), filters reaching
/// another book, a timeline of a subject the caller may not get. None of these needs the projector.
/// </summary>
[Collection(HostCollection.Name)]
public sealed class ReadSideRefusalTests(HostFixture fixture)
{
    private TestHost host => fixture.Host;

    private OpportunitiesService.OpportunitiesServiceClient Opportunities => new(host.Channel);

    private TimelineService.TimelineServiceClient Timeline => new(host.Channel);

    private static readonly Timestamp Now = Timestamp.FromDateTime(DateTime.UtcNow);

    private static readonly Timestamp Later = Timestamp.FromDateTime(DateTime.UtcNow.AddDays(1));

    public static TheoryData<string, string> HostileQueries() => new()
    {
        { "search 100 kB", "text" },
        { "search control characters in SQL", "text" },
        { "search blank", "text" },
        { "search page size 0", "page_size" },
        { "search page size 100000", "page_size" },
        { "search bad page token", "page_token" },
        { "search page token of another list", "page_token" },
        { "search bad consistency token", "consistency_token" },
        { "list customers unknown tier", "tier" },
        { "list customers unknown source channel", "source_channel" },
        { "list customers unknown sort", "sort" },
        { "list customers unknown direction", "direction" },
        { "list customers inverted created range", "created_to" },
        { "list customers inverted follow-up range", "followed_up_after" },
        { "list customers out-of-range timestamp", "created_from" },
        { "list customers 100 kB industry", "industry" },
        { "list customers bad owner id", "owner_id" },
        { "query opportunities inverted amounts", "amount_max" },
        { "query opportunities amount without currency", "currency" },
        { "query opportunities amount too large", "amount_min" },
        { "query opportunities amount with 3 decimals", "amount_max" },
        { "query opportunities negative amount", "amount_min" },
        { "query opportunities bad currency", "currency" },
        { "query opportunities unknown stall level", "stall_level" },
        { "query opportunities unknown signal", "signal" },
        { "query opportunities unknown status", "status" },
        { "query opportunities inverted close range", "expected_close_to" },
        { "query opportunities out-of-range close", "expected_close_from" },
        { "list teams page size 100000", "page_size" },
        { "list teams 100 kB region", "region" },
        { "list salespeople unknown role", "role" },
        { "list salespeople unknown status", "status" },
        { "timeline without subject", "subject" },
        { "timeline page size 0", "page_size" },
        { "timeline bad consistency token", "consistency_token" },
    };

    [Theory]
    [MemberData(nameof(HostileQueries))]
    public async Task A_hostile_query_field_is_invalid_argument_naming_it(string which, string field)
    {
        var huge = new string('x', 100_000);
        var status = which switch
        {
            "search 100 kB" => await Search(new SearchCustomersRequest { Text = huge, PageSize = 10 }),
            "search control characters in SQL" => await Search(new SearchCustomersRequest { Text = "\u0000'; DROP TABLE customers; --", PageSize = 10 }),
            "search blank" => await Search(new SearchCustomersRequest { Text = "   ", PageSize = 10 }),
            "search page size 0" => await Search(new SearchCustomersRequest { Text = "clinic" }),
            "search page size 100000" => await Search(new SearchCustomersRequest { Text = "clinic", PageSize = 100_000 }),
            "search bad page token" => await Search(new SearchCustomersRequest { Text = "clinic", PageSize = 10, PageToken = "not-a-token!" }),
            "search page token of another list" => await Search(new SearchCustomersRequest { Text = "clinic", PageSize = 10, PageToken = ActorSales.Domain.Common.Paging.EncodeToken("customer-list", "x") }),
            "search bad consistency token" => await Search(new SearchCustomersRequest { Text = "clinic", PageSize = 10, ConsistencyToken = "AAAA" }),
            "list customers unknown tier" => await List(new ListCustomersRequest { PageSize = 10, Tier = (CustomerTier)99 }),
            "list customers unknown source channel" => await List(new ListCustomersRequest { PageSize = 10, SourceChannel = (SourceChannel)99 }),
            "list customers unknown sort" => await List(new ListCustomersRequest { PageSize = 10, Sort = (CustomerSortField)99 }),
            "list customers unknown direction" => await List(new ListCustomersRequest { PageSize = 10, Direction = (SortDirection)99 }),
            "list customers inverted created range" => await List(new ListCustomersRequest { PageSize = 10, CreatedFrom = Later, CreatedTo = Now }),
            "list customers inverted follow-up range" => await List(new ListCustomersRequest { PageSize = 10, FollowedUpAfter = Later, FollowedUpBefore = Now }),
            "list customers out-of-range timestamp" => await List(new ListCustomersRequest { PageSize = 10, CreatedFrom = new Timestamp { Seconds = long.MaxValue } }),
            "list customers 100 kB industry" => await List(new ListCustomersRequest { PageSize = 10, Industry = huge }),
            "list customers bad owner id" => await List(new ListCustomersRequest { PageSize = 10, OwnerId = "'; DROP TABLE customers; --" }),
            "query opportunities inverted amounts" => await Query(new QueryOpportunitiesRequest { PageSize = 10, Currency = "EUR", AmountMin = "500", AmountMax = "100" }),
            "query opportunities amount without currency" => await Query(new QueryOpportunitiesRequest { PageSize = 10, AmountMin = "500" }),
            "query opportunities amount too large" => await Query(new QueryOpportunitiesRequest { PageSize = 10, Currency = "EUR", AmountMin = "79228162514264337593543950335" }),
            "query opportunities amount with 3 decimals" => await Query(new QueryOpportunitiesRequest { PageSize = 10, Currency = "EUR", AmountMax = "1.005" }),
            "query opportunities negative amount" => await Query(new QueryOpportunitiesRequest { PageSize = 10, Currency = "EUR", AmountMin = "-1" }),
            "query opportunities bad currency" => await Query(new QueryOpportunitiesRequest { PageSize = 10, Currency = "E1" }),
            "query opportunities unknown stall level" => await Query(new QueryOpportunitiesRequest { PageSize = 10, StallLevel = (StallLevel)99 }),
            "query opportunities unknown signal" => await Query(new QueryOpportunitiesRequest { PageSize = 10, Signal = (ForecastSignal)99 }),
            "query opportunities unknown status" => await Query(new QueryOpportunitiesRequest { PageSize = 10, Status = (OpportunityStatus)99 }),
            "query opportunities inverted close range" => await Query(new QueryOpportunitiesRequest { PageSize = 10, ExpectedCloseFrom = Later, ExpectedCloseTo = Now }),
            "query opportunities out-of-range close" => await Query(new QueryOpportunitiesRequest { PageSize = 10, ExpectedCloseFrom = new Timestamp { Seconds = 0, Nanos = -1 } }),
            "list teams page size 100000" => await Outcome(host.Teams.ListTeamsAsync(new ListTeamsRequest { PageSize = 100_000 }, host.Admin)),
            "list teams 100 kB region" => await Outcome(host.Teams.ListTeamsAsync(new ListTeamsRequest { PageSize = 10, Region = huge }, host.Admin)),
            "list salespeople unknown role" => await Outcome(host.Salespeople.ListSalespeopleAsync(new ListSalespeopleRequest { PageSize = 10, Role = (Role)99 }, host.Admin)),
            "list salespeople unknown status" => await Outcome(host.Salespeople.ListSalespeopleAsync(new ListSalespeopleRequest { PageSize = 10, Status = (SalespersonStatus)99 }, host.Admin)),
            "timeline without subject" => await Outcome(Timeline.GetTimelineAsync(new GetTimelineRequest { PageSize = 10 }, host.Admin)),
            "timeline page size 0" => await Outcome(Timeline.GetTimelineAsync(new GetTimelineRequest { CustomerId = "c-1" }, host.Admin)),
            "timeline bad consistency token" => await Outcome(Timeline.GetTimelineAsync(new GetTimelineRequest { CustomerId = "c-1", PageSize = 10, ConsistencyToken = ConsistencyToken.For(EntityType.Customer, "c-1", 1)[..^2] + "!!" }, host.Admin)),
            _ => throw new ArgumentOutOfRangeException(nameof(which)),
        };

        Assert.Equal(StatusCode.InvalidArgument, status.StatusCode);
        Assert.StartsWith(field + ":", status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_filter_reaching_another_book_is_permission_denied_and_names_nothing_of_it()
    {
        var a = await host.CreateTeamAsync();
        var b = await host.CreateTeamAsync();
        var customer = (await host.Customers.CreateCustomerAsync(NewCustomer(), a.Rep)).Customer;

        var refusals = new List<Status>
        {
            // A rep may name only themselves; a manager only their own team and its members.
            await List(new ListCustomersRequest { PageSize = 10, OwnerId = a.OtherRepId }, a.Rep),
            await List(new ListCustomersRequest { PageSize = 10, TeamId = b.TeamId }, a.Manager),
            await List(new ListCustomersRequest { PageSize = 10, OwnerId = b.RepId }, a.Manager),
            await List(new ListCustomersRequest { PageSize = 10, OwnerId = "nobody-at-all" }, a.Manager),
            await Query(new QueryOpportunitiesRequest { PageSize = 10, OwnerId = a.RepId }, b.Rep),
            await Query(new QueryOpportunitiesRequest { PageSize = 10, TeamId = a.TeamId }, b.Manager),
            await Query(new QueryOpportunitiesRequest { PageSize = 10, CustomerId = customer.CustomerId }, a.OtherRep),
            await Query(new QueryOpportunitiesRequest { PageSize = 10, CustomerId = customer.CustomerId }, b.Manager),
            await Outcome(host.Salespeople.ListSalespeopleAsync(new ListSalespeopleRequest { PageSize = 10, TeamId = a.TeamId }, b.Manager)),
            await Outcome(host.Salespeople.ListSalespeopleAsync(new ListSalespeopleRequest { PageSize = 10, TeamId = a.TeamId }, b.Rep)),
            await Outcome(Timeline.GetTimelineAsync(new GetTimelineRequest { PageSize = 10, CustomerId = customer.CustomerId }, a.OtherRep)),
            await Outcome(Timeline.GetTimelineAsync(new GetTimelineRequest { PageSize = 10, CustomerId = customer.CustomerId }, b.Manager)),
        };

        Assert.All(refusals, s => Assert.Equal(StatusCode.PermissionDenied, s.StatusCode));
        Assert.All(refusals, s => Assert.DoesNotContain(a.RepId, s.Detail, StringComparison.Ordinal));
        Assert.All(refusals, s => Assert.DoesNotContain(customer.CustomerId, s.Detail, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_timeline_or_customer_filter_of_an_unknown_subject_is_not_found_as_its_get_answers()
    {
        var getCustomer = await Outcome(host.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = "no-such-customer" }, host.Admin));
        var getDeal = await Outcome(Opportunities.GetOpportunityAsync(new GetOpportunityRequest { OpportunityId = "no-such-deal" }, host.Admin));

        var timeline = await Outcome(Timeline.GetTimelineAsync(new GetTimelineRequest { PageSize = 10, CustomerId = "no-such-customer" }, host.Admin));
        var dealTimeline = await Outcome(Timeline.GetTimelineAsync(new GetTimelineRequest { PageSize = 10, OpportunityId = "no-such-deal" }, host.Admin));
        var filter = await Query(new QueryOpportunitiesRequest { PageSize = 10, CustomerId = "no-such-customer" }, host.Admin);

        Assert.Equal(StatusCode.NotFound, getCustomer.StatusCode);
        Assert.Equal(getCustomer, timeline);
        Assert.Equal(getCustomer, filter);
        Assert.Equal(StatusCode.NotFound, getDeal.StatusCode);
        Assert.Equal(getDeal, dealTimeline);
    }

    [Fact]
    public void Every_changing_rpc_that_answers_an_entity_answers_a_consistency_token()
    {
        string[] entities = ["actorsales.v1.Customer", "actorsales.v1.Opportunity", "actorsales.v1.Team", "actorsales.v1.Salesperson"];
        var missing = ApiSurface.UnaryMethods()
            .Where(m => !ApiSurface.IsRead(m))
            .Where(m => m.OutputType.Fields.InDeclarationOrder().Any(f => !f.IsRepeated && f.FieldType == FieldType.Message && entities.Contains(f.MessageType.FullName)))
            .Where(m => m.OutputType.FindFieldByName("consistency_token") is null)
            .Select(m => m.FullName)
            .ToList();
        var queriesWithout = ApiSurface.UnaryMethods()
            .Where(m => m.Service.Name == "TimelineService" || m.Name is "SearchCustomers" or "ListCustomers" or "QueryOpportunities" or "ListTeams" or "ListSalespeople")
            .Where(m => m.InputType.FindFieldByName("consistency_token") is null)
            .Select(m => m.FullName)
            .ToList();

        Assert.True(missing.Count == 0, $"changing RPCs without a consistency_token: {string.Join(", ", missing)}");
        Assert.True(queriesWithout.Count == 0, $"queries that cannot take a consistency_token: {string.Join(", ", queriesWithout)}");
    }

    [Fact]
    public async Task A_change_answers_the_token_of_the_version_it_wrote()
    {
        var team = await host.CreateTeamAsync();
        var created = await host.Customers.CreateCustomerAsync(NewCustomer(), team.Rep);
        var updated = await host.Customers.UpdateCustomerAsync(
            new UpdateCustomerRequest { CustomerId = created.Customer.CustomerId, Industry = "Logistics", UpdatePaths = { "industry" } }, team.Rep);
        var logged = await host.Customers.LogActivityAsync(new LogActivityRequest
        {
            CustomerId = created.Customer.CustomerId, Kind = ActivityKind.Call, DurationSeconds = 120, OccurredAt = Timestamp.FromDateTime(DateTime.UtcNow), Summary = "called",
        }, team.Rep);

        Assert.Equal(new ConsistencyToken(EntityType.Customer, created.Customer.CustomerId, created.Customer.Version), ConsistencyToken.Parse(created.ConsistencyToken));
        Assert.Equal(new ConsistencyToken(EntityType.Customer, created.Customer.CustomerId, updated.Customer.Version), ConsistencyToken.Parse(updated.ConsistencyToken));
        Assert.Equal(new ConsistencyToken(EntityType.Customer, created.Customer.CustomerId, logged.Customer.Version), ConsistencyToken.Parse(logged.ConsistencyToken));
        Assert.True(logged.Customer.Version > updated.Customer.Version && updated.Customer.Version > created.Customer.Version);
    }

    internal static CreateCustomerRequest NewCustomer(string? name = null, string? phone = null) => new()
    {
        Name = name ?? "Clinic", Company = $"Clinic {Guid.NewGuid():N}", Tier = CustomerTier.B, SourceChannel = SourceChannel.Referral,
        Contacts = { new Contact { Name = "Dr. Wang", Phone = phone ?? string.Empty } },
    };

    private Task<Status> Search(SearchCustomersRequest request) => Outcome(host.Customers.SearchCustomersAsync(request, host.Admin));

    private Task<Status> List(ListCustomersRequest request, Metadata? caller = null) => Outcome(host.Customers.ListCustomersAsync(request, caller ?? host.Admin));

    private Task<Status> Query(QueryOpportunitiesRequest request, Metadata? caller = null) => Outcome(Opportunities.QueryOpportunitiesAsync(request, caller ?? host.Admin));

    /// <summary>The status a call ends with (OK if it answers).</summary>
    private static async Task<Status> Outcome<T>(AsyncUnaryCall<T> call)
    {
        try
        {
            await call;
            return Status.DefaultSuccess;
        }
        catch (RpcException exception)
        {
            return exception.Status;
        }
        finally
        {
            call.Dispose();
        }
    }
}
