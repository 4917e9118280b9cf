using ActorSales.Contracts.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

using ActorSales.Testing;

namespace ActorSales.FunctionalTests;

[Collection(HostCollection.Name)]
public sealed class CustomersApiTests(HostFixture fixture)
{
    private TestHost host => fixture.Host;

    private static CreateCustomerRequest NewCustomer(string? company = null, string? phone = null) => new()
    {
        Name = "Central Hospital",
        Company = company ?? $"Hospital {Guid.NewGuid():N}",
        Industry = "Healthcare",
        Tier = CustomerTier.A,
        SourceChannel = SourceChannel.Referral,
        Contacts = { new Contact { Name = "Anna Berg", Title = "Head of Cardiology", Phone = phone ?? $"+49 30 {Random.Shared.Next(1_000_000, 9_999_999)}", Email = $"{Guid.NewGuid():N}@example.com" } },
    };

    private static async Task<RpcException> Fails(Func<Task> call) => await Assert.ThrowsAsync<RpcException>(call);

    [Fact]
    public async Task A_rep_creates_reads_and_updates_their_own_customer()
    {
        var team = await host.CreateTeamAsync();

        var created = (await host.Customers.CreateCustomerAsync(NewCustomer(), team.Rep)).Customer;
        var read = (await host.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = created.CustomerId }, team.Rep)).Customer;
        var updated = (await host.Customers.UpdateCustomerAsync(new UpdateCustomerRequest
        {
            CustomerId = created.CustomerId, Industry = "Medical devices", UpdatePaths = { "industry" }, ExpectedVersion = read.Version,
        }, team.Rep)).Customer;

        Assert.Equal(team.RepId, created.OwnerId);
        Assert.Equal(created, read);
        Assert.Equal("Medical devices", updated.Industry);
        Assert.Equal(2, updated.Version);
    }

    [Fact]
    public async Task Calls_without_a_valid_token_are_unauthenticated()
    {
        var noToken = await Fails(async () => await host.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = "cus_x" }));
        var forged = await Fails(async () => await host.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = "cus_x" },
            TestHost.Bearer(TestHost.Token(host.SigningKey, "admin", "admin")[..^4] + "AAAA")));

        Assert.Equal(StatusCode.Unauthenticated, noToken.StatusCode);
        Assert.Equal(StatusCode.Unauthenticated, forged.StatusCode);
    }

    [Fact]
    public async Task Reps_see_only_their_own_book_managers_their_teams_and_directors_everything()
    {
        var team = await host.CreateTeamAsync();
        var other = await host.CreateTeamAsync();
        var id = (await host.Customers.CreateCustomerAsync(NewCustomer(), team.Rep)).Customer.CustomerId;
        var request = new GetCustomerRequest { CustomerId = id };

        var otherRep = await Fails(async () => await host.Customers.GetCustomerAsync(request, team.OtherRep));
        var otherManager = await Fails(async () => await host.Customers.GetCustomerAsync(request, other.Manager));
        var otherRepWrite = await Fails(async () => await host.Customers.LogActivityAsync(new LogActivityRequest
        {
            CustomerId = id, Kind = ActivityKind.Call, DurationSeconds = 120, OccurredAt = Timestamp.FromDateTime(DateTime.UtcNow), Summary = "hello",
        }, team.OtherRep));

        Assert.Equal(StatusCode.PermissionDenied, otherRep.StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, otherManager.StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, otherRepWrite.StatusCode);
        Assert.Equal(team.RepId, (await host.Customers.GetCustomerAsync(request, team.Manager)).Customer.OwnerId);
        Assert.Equal(team.RepId, (await host.Customers.GetCustomerAsync(request, host.Admin)).Customer.OwnerId);
    }

    [Fact]
    public async Task A_user_without_a_salesperson_profile_or_with_a_stale_role_is_denied()
    {
        var team = await host.CreateTeamAsync();

        var unknown = await Fails(async () => await host.Customers.ListMyCustomersAsync(new ListMyCustomersRequest(), host.As("ghost", "rep")));
        var staleRole = await Fails(async () => await host.Customers.ListMyCustomersAsync(new ListMyCustomersRequest(), host.As(team.RepId, "manager")));
        var badRole = await Fails(async () => await host.Customers.ListMyCustomersAsync(new ListMyCustomersRequest(), host.As(team.RepId, "emperor")));

        Assert.Equal(StatusCode.PermissionDenied, unknown.StatusCode);
        Assert.Contains("no salesperson profile", unknown.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.PermissionDenied, staleRole.StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, badRole.StatusCode);
    }

    [Fact]
    public async Task A_duplicate_customer_is_already_exists_naming_the_customer_and_owner()
    {
        var team = await host.CreateTeamAsync();
        var first = NewCustomer();
        var existing = (await host.Customers.CreateCustomerAsync(first, team.Rep)).Customer;

        var error = await Fails(async () => await host.Customers.CreateCustomerAsync(NewCustomer(phone: first.Contacts[0].Phone), team.OtherRep));

        Assert.Equal(StatusCode.AlreadyExists, error.StatusCode);
        Assert.Equal($"a customer with the same phone already exists: customer_id={existing.CustomerId}, owner_id={team.RepId}", error.Status.Detail);
    }

    public static TheoryData<string, string> HostileRequests => new()
    {
        { "empty name", "name" },
        { "100 kB name", "name" },
        { "unknown tier", "tier" },
        { "2,000 contacts", "contacts" },
        { "bad email", "contacts[0].email" },
        { "100 kB owner id", "owner_id" },
    };

    [Theory]
    [MemberData(nameof(HostileRequests))]
    public async Task Hostile_create_requests_are_invalid_argument_naming_the_field(string what, string field)
    {
        var team = await host.CreateTeamAsync();
        var request = NewCustomer();
        switch (what)
        {
            case "empty name": request.Name = ""; break;
            case "100 kB name": request.Name = new string('x', 100_000); break;
            case "unknown tier": request.Tier = (CustomerTier)99; break;
            case "2,000 contacts": request.Contacts.AddRange(Enumerable.Range(0, 2_000).Select(i => new Contact { Name = $"c{i}" })); break;
            case "bad email": request.Contacts[0].Email = "not-an-email"; break;
            case "100 kB owner id": request.OwnerId = new string('o', 100_000); break;
        }

        var error = await Fails(async () => await host.Customers.CreateCustomerAsync(request, team.Rep));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.StartsWith(field + ":", error.Status.Detail, StringComparison.Ordinal);
        var book = await host.Customers.ListMyCustomersAsync(new ListMyCustomersRequest(), team.Rep);
        Assert.Equal(0, book.TotalCount);
    }

    [Fact]
    public async Task Out_of_range_timestamps_page_sizes_and_tokens_are_invalid_argument()
    {
        var team = await host.CreateTeamAsync();
        var id = (await host.Customers.CreateCustomerAsync(NewCustomer(), team.Rep)).Customer.CustomerId;

        var farFuture = await Fails(async () => await host.Customers.LogActivityAsync(new LogActivityRequest
        {
            CustomerId = id, Kind = ActivityKind.Call, DurationSeconds = 120, OccurredAt = new Timestamp { Seconds = 1_000_000_000_000 }, Summary = "x",
        }, team.Rep));
        var missing = await Fails(async () => await host.Customers.LogActivityAsync(new LogActivityRequest { CustomerId = id, Kind = ActivityKind.Call }, team.Rep));
        var badNanos = await Fails(async () => await host.Customers.LogActivityAsync(new LogActivityRequest
        {
            CustomerId = id, Kind = ActivityKind.Call, DurationSeconds = 120, OccurredAt = new Timestamp { Seconds = 1, Nanos = -5 },
        }, team.Rep));
        var pageSize = await Fails(async () => await host.Customers.ListActivitiesAsync(new ListActivitiesRequest { CustomerId = id, PageSize = 501 }, team.Rep));
        var pageToken = await Fails(async () => await host.Customers.ListActivitiesAsync(new ListActivitiesRequest { CustomerId = id, PageToken = "garbage" }, team.Rep));
        var unknownKind = await Fails(async () => await host.Customers.LogActivityAsync(new LogActivityRequest
        {
            CustomerId = id, Kind = (ActivityKind)77, OccurredAt = Timestamp.FromDateTime(DateTime.UtcNow),
        }, team.Rep));

        Assert.All(new[] { farFuture, missing, badNanos, pageSize, pageToken, unknownKind }, e => Assert.Equal(StatusCode.InvalidArgument, e.StatusCode));
        Assert.StartsWith("occurred_at:", farFuture.Status.Detail, StringComparison.Ordinal);
        Assert.Equal("occurred_at: is required", missing.Status.Detail);
        Assert.StartsWith("page_size:", pageSize.Status.Detail, StringComparison.Ordinal);
        Assert.StartsWith("page_token:", pageToken.Status.Detail, StringComparison.Ordinal);
        Assert.StartsWith("kind:", unknownKind.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(0, (await host.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = id }, team.Rep)).Customer.ActivityCount);
    }

    [Fact]
    public async Task Unknown_ids_are_not_found_and_malformed_ids_invalid_argument()
    {
        var team = await host.CreateTeamAsync();

        var unknown = await Fails(async () => await host.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = "cus_doesnotexist" }, team.Rep));
        var malformed = await Fails(async () => await host.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = "../../etc/passwd" }, team.Rep));
        var empty = await Fails(async () => await host.Customers.GetCustomerAsync(new GetCustomerRequest(), team.Rep));

        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("customer 'cus_doesnotexist' was not found", unknown.Status.Detail);
        Assert.Equal(StatusCode.InvalidArgument, malformed.StatusCode);
        Assert.Equal("customer_id: is required", empty.Status.Detail);
    }

    [Fact]
    public async Task A_stale_expected_version_is_aborted_and_changes_nothing()
    {
        var team = await host.CreateTeamAsync();
        var customer = (await host.Customers.CreateCustomerAsync(NewCustomer(), team.Rep)).Customer;
        await host.Customers.UpdateCustomerAsync(new UpdateCustomerRequest { CustomerId = customer.CustomerId, Name = "First", UpdatePaths = { "name" }, ExpectedVersion = 1 }, team.Rep);

        var stale = await Fails(async () => await host.Customers.UpdateCustomerAsync(
            new UpdateCustomerRequest { CustomerId = customer.CustomerId, Name = "Second", UpdatePaths = { "name" }, ExpectedVersion = 1 }, team.Rep));

        Assert.Equal(StatusCode.Aborted, stale.StatusCode);
        Assert.Equal("First", (await host.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = customer.CustomerId }, team.Rep)).Customer.Name);
    }

    [Fact]
    public async Task Transfers_are_for_managers_and_refuse_a_pointless_move()
    {
        var team = await host.CreateTeamAsync();
        var id = (await host.Customers.CreateCustomerAsync(NewCustomer(), team.Rep)).Customer.CustomerId;

        var byRep = await Fails(async () => await host.Customers.TransferCustomerAsync(new TransferCustomerRequest { CustomerId = id, NewOwnerId = team.OtherRepId }, team.Rep));
        var toOwner = await Fails(async () => await host.Customers.TransferCustomerAsync(new TransferCustomerRequest { CustomerId = id, NewOwnerId = team.RepId }, team.Manager));
        var toNobody = await Fails(async () => await host.Customers.TransferCustomerAsync(new TransferCustomerRequest { CustomerId = id, NewOwnerId = "nobody" }, team.Manager));
        var moved = (await host.Customers.TransferCustomerAsync(new TransferCustomerRequest { CustomerId = id, NewOwnerId = team.OtherRepId, Reason = "cover" }, team.Manager)).Customer;

        Assert.Equal(StatusCode.PermissionDenied, byRep.StatusCode);
        Assert.Equal(StatusCode.FailedPrecondition, toOwner.StatusCode);
        Assert.Equal(StatusCode.NotFound, toNobody.StatusCode);
        Assert.Equal(team.OtherRepId, moved.OwnerId);
    }

    [Fact]
    public async Task Books_and_activity_logs_page_through_opaque_tokens()
    {
        var team = await host.CreateTeamAsync();
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add((await host.Customers.CreateCustomerAsync(NewCustomer(), team.Rep)).Customer.CustomerId);
        }
        for (var i = 1; i <= 7; i++)
        {
            await host.Customers.LogActivityAsync(new LogActivityRequest
            {
                CustomerId = ids[0], Kind = ActivityKind.Meeting, OccurredAt = Timestamp.FromDateTime(DateTime.UtcNow.AddMinutes(-i)), Summary = $"meeting {i}",
            }, team.Rep);
        }

        var listed = new List<string>();
        var token = "";
        do
        {
            var page = await host.Customers.ListMyCustomersAsync(new ListMyCustomersRequest { PageSize = 2, PageToken = token }, team.Rep);
            listed.AddRange(page.Customers.Select(c => c.CustomerId));
            token = page.NextPageToken;
        }
        while (token.Length > 0);
        var firstPage = await host.Customers.ListActivitiesAsync(new ListActivitiesRequest { CustomerId = ids[0], PageSize = 4 }, team.Rep);
        var secondPage = await host.Customers.ListActivitiesAsync(new ListActivitiesRequest { CustomerId = ids[0], PageSize = 4, PageToken = firstPage.NextPageToken }, team.Rep);
        var managerView = await host.Customers.ListMyCustomersAsync(new ListMyCustomersRequest { OwnerId = team.RepId }, team.Manager);

        Assert.Equal(ids.Order(StringComparer.Ordinal), listed);
        Assert.Equal([7L, 6L, 5L, 4L], firstPage.Activities.Select(a => a.Sequence));
        Assert.Equal([3L, 2L, 1L], secondPage.Activities.Select(a => a.Sequence));
        Assert.Equal("", secondPage.NextPageToken);
        Assert.Equal(5, managerView.TotalCount);
    }
}
