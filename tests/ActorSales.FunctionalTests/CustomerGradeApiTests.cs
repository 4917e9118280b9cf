using ActorSales.Contracts.V1;
using ActorSales.Testing;
using Grpc.Core;

namespace ActorSales.FunctionalTests;

/// <summary>GetCustomerGrade over gRPC: the factor breakdown beside the tier, access per role, hostile input, and the intervention list.</summary>
[Collection(HostCollection.Name)]
public sealed class CustomerGradeApiTests(HostFixture fixture)
{
    private TestHost host => fixture.Host;

    private static CreateCustomerRequest KeyContactCustomer() => new()
    {
        Name = "Central Hospital",
        Company = $"Hospital {Guid.NewGuid():N}",
        Tier = CustomerTier.A,
        SourceChannel = SourceChannel.Referral,
        Contacts = { new Contact { Name = "Anna Berg", Title = "Head of Cardiology", Phone = $"+49 30 {Random.Shared.Next(1_000_000, 9_999_999)}", Key = true } },
    };

    private static async Task<RpcException> Fails(Func<Task> call) => await Assert.ThrowsAsync<RpcException>(call);

    private async Task<Metadata> DirectorAsync(string teamId)
    {
        var id = $"dir-{Guid.NewGuid():N}"[..16];
        await host.Salespeople.CreateSalespersonAsync(new CreateSalespersonRequest { SalespersonId = id, Name = id, Email = $"{id}@example.com", Role = Role.Director, TeamId = teamId }, host.Admin);
        return host.As(id, "director");
    }

    [Fact]
    public async Task The_grade_shows_each_factor_beside_the_hand_set_tier_and_a_C_grade_is_on_the_intervention_list()
    {
        var team = await host.CreateTeamAsync();
        var created = await host.Customers.CreateCustomerAsync(KeyContactCustomer(), team.Rep);
        var id = created.Customer.CustomerId;

        var grade = await host.Customers.GetCustomerGradeAsync(new GetCustomerGradeRequest { CustomerId = id }, team.Rep);
        var listed = await host.Customers.ListCustomersAsync(
            new ListCustomersRequest { PageSize = 50, TeamId = team.TeamId, Grade = CustomerGrade.C, ConsistencyToken = created.ConsistencyToken }, team.Manager);
        var notA = await host.Customers.ListCustomersAsync(
            new ListCustomersRequest { PageSize = 50, TeamId = team.TeamId, Grade = CustomerGrade.A, ConsistencyToken = created.ConsistencyToken }, team.Manager);

        // One key contact with a title and a phone: decision chain 1 of 3 = 33 x 20 / 100 = 6.6; nothing else yet.
        Assert.Equal((id, CustomerGrade.C, 6.6, CustomerTier.A, "registered"), (grade.CustomerId, grade.Grade, grade.Score, grade.Tier, grade.Trigger));
        Assert.Equal(
            [("purchase_potential", 0.0, 0, 30, 0.0), ("cooperation_stage", 0.0, 0, 30, 0.0), ("decision_chain", 1.0, 33, 20, 6.6), ("interaction_frequency", 0.0, 0, 20, 0.0), ("payment_record", 0.0, 0, 0, 0.0)],
            grade.Factors.Select(f => (f.Factor, f.RawValue, f.Score, f.Weight, f.Contribution)));
        Assert.Equal("1 of 3 decision makers named", grade.Factors[2].Detail);
        Assert.Equal(grade.ComputedAt.ToDateTimeOffset().AddHours(72), grade.NextRecomputeAt.ToDateTimeOffset());
        var first = Assert.Single(grade.History);
        Assert.Equal((CustomerGrade.Unspecified, CustomerGrade.C, "registered"), (first.PreviousGrade, first.Grade, first.Trigger));
        Assert.Equal(CustomerGrade.C, created.Customer.Grade);
        Assert.Equal([id], listed.Customers.Select(c => c.CustomerId));
        Assert.Equal((CustomerTier.A, CustomerGrade.C), (listed.Customers[0].Tier, listed.Customers[0].Grade));
        Assert.Empty(notA.Customers);
    }

    [Fact]
    public async Task A_logged_visit_regrades_at_once()
    {
        var team = await host.CreateTeamAsync();
        var id = (await host.Customers.CreateCustomerAsync(KeyContactCustomer(), team.Rep)).Customer.CustomerId;

        await host.Customers.LogActivityAsync(new LogActivityRequest
        {
            CustomerId = id, Kind = ActivityKind.Visit, OccurredAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTime(DateTime.UtcNow), Summary = "met the head of cardiology",
        }, team.Rep);
        var grade = await host.Customers.GetCustomerGradeAsync(new GetCustomerGradeRequest { CustomerId = id }, team.Rep);

        Assert.Equal(("activity", 11.6), (grade.Trigger, grade.Score)); // + 1 of 4 follow-ups: 25 x 20 / 100
        Assert.Equal(1.0, grade.Factors.Single(f => f.Factor == "interaction_frequency").RawValue);
    }

    [Fact]
    public async Task Each_role_reads_the_grade_as_it_reads_the_customer()
    {
        var team = await host.CreateTeamAsync();
        var other = await host.CreateTeamAsync();
        var director = await DirectorAsync(other.TeamId);
        var id = (await host.Customers.CreateCustomerAsync(KeyContactCustomer(), team.Rep)).Customer.CustomerId;
        var request = new GetCustomerGradeRequest { CustomerId = id };

        foreach (var reader in new[] { team.Rep, team.Manager, director, host.Admin, host.As("svc-grade", "service") })
        {
            Assert.Equal(CustomerGrade.C, (await host.Customers.GetCustomerGradeAsync(request, reader)).Grade);
        }
        foreach (var stranger in new[] { team.OtherRep, other.Manager, other.Rep })
        {
            var refused = await Fails(async () => await host.Customers.GetCustomerGradeAsync(request, stranger));
            var asGet = await Fails(async () => await host.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = id }, stranger));
            Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
            Assert.Equal(asGet.Status.Detail, refused.Status.Detail);
        }
    }

    [Fact]
    public async Task A_leaver_past_the_last_working_day_reads_no_grade_not_even_their_own()
    {
        var team = await host.CreateTeamAsync();
        var id = (await host.Customers.CreateCustomerAsync(KeyContactCustomer(), team.Rep)).Customer.CustomerId;
        var yesterday = DateTime.UtcNow.AddDays(-2).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        await new HandoverService.HandoverServiceClient(host.Channel).StartDepartureAsync(
            new StartDepartureRequest { SalespersonId = team.RepId, LastWorkingDay = yesterday, DefaultReceiverId = team.OtherRepId }, team.Manager);

        var refused = await Fails(async () => await host.Customers.GetCustomerGradeAsync(new GetCustomerGradeRequest { CustomerId = id }, team.Rep));

        Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
    }

    [Fact]
    public async Task Hostile_ids_and_filters_are_refused_naming_the_field()
    {
        var team = await host.CreateTeamAsync();

        var empty = await Fails(async () => await host.Customers.GetCustomerGradeAsync(new GetCustomerGradeRequest(), team.Rep));
        var malformed = await Fails(async () => await host.Customers.GetCustomerGradeAsync(new GetCustomerGradeRequest { CustomerId = "../../etc/passwd" }, team.Rep));
        var huge = await Fails(async () => await host.Customers.GetCustomerGradeAsync(new GetCustomerGradeRequest { CustomerId = new string('x', 10_000) }, team.Rep));
        var unknown = await Fails(async () => await host.Customers.GetCustomerGradeAsync(new GetCustomerGradeRequest { CustomerId = "cus_nograde" }, team.Rep));
        var badGrade = await Fails(async () => await host.Customers.ListCustomersAsync(new ListCustomersRequest { PageSize = 10, Grade = (CustomerGrade)99 }, team.Manager));

        Assert.Equal((StatusCode.InvalidArgument, "customer_id: is required"), (empty.StatusCode, empty.Status.Detail));
        Assert.Equal(StatusCode.InvalidArgument, malformed.StatusCode);
        Assert.StartsWith("customer_id", malformed.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.InvalidArgument, huge.StatusCode);
        Assert.Equal((StatusCode.NotFound, "customer 'cus_nograde' was not found"), (unknown.StatusCode, unknown.Status.Detail));
        Assert.Equal(StatusCode.InvalidArgument, badGrade.StatusCode);
        Assert.StartsWith("grade", badGrade.Status.Detail, StringComparison.Ordinal);
    }
}
