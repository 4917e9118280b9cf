using ActorSales.Contracts.V1;
using ActorSales.Testing;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace ActorSales.FunctionalTests;

/// <summary>
/// Field work that proves itself, through gRPC: a customer's location, visit check-ins measured against it (500 m by
/// default), effective visits, call durations, the reporting window of occurred_at, the qualification by confirming the
/// tier, and a win's key factor. Refusals name the request field.
/// </summary>
[Collection(HostCollection.Name)]
public sealed class FieldWorkApiTests(HostFixture fixture)
{
    // The Brandenburg Gate, a point 280.0 m from it and one 749.5 m from it (haversine on the mean-radius sphere).
    private static readonly GeoPoint Gate = new() { Latitude = 52.516275, Longitude = 13.377704 };
    private static readonly GeoPoint Near = new() { Latitude = 52.518620, Longitude = 13.376198 };
    private static readonly GeoPoint Far = new() { Latitude = 52.5206, Longitude = 13.3862 };

    private TestHost Host => fixture.Host;

    private OpportunitiesService.OpportunitiesServiceClient Opportunities => new(Host.Channel);

    private static Timestamp Now(double hours = 0) => Timestamp.FromDateTime(DateTime.UtcNow.AddHours(hours));

    private async Task<Customer> CreateAsync(ApiTeam team, GeoPoint? location = null, CustomerTier tier = CustomerTier.B) =>
        (await Host.Customers.CreateCustomerAsync(new CreateCustomerRequest
        {
            Name = "Charité", Company = $"Charité {Guid.NewGuid():N}", Tier = tier, SourceChannel = SourceChannel.Referral, Location = location,
        }, team.Rep)).Customer;

    private static LogActivityRequest Visit(string customerId, GeoPoint at, string photo = "photo-42", string summary = "Met the head of cardiology about the trial") => new()
    {
        CustomerId = customerId, Kind = ActivityKind.Visit, OccurredAt = Now(), Summary = summary,
        CheckIn = new VisitCheckIn { Location = at, CheckedInAt = Now(), PhotoReference = photo },
    };

    private static async Task<RpcException> Fails(Func<Task> call) => await Assert.ThrowsAsync<RpcException>(call);

    [Fact]
    public async Task A_visit_checked_in_within_the_radius_with_a_photo_and_a_summary_is_effective_one_farther_is_recorded_off_site()
    {
        var team = await Host.CreateTeamAsync();
        var customer = await CreateAsync(team, Gate);

        var near = (await Host.Customers.LogActivityAsync(Visit(customer.CustomerId, Near), team.Rep)).Activity;
        var far = (await Host.Customers.LogActivityAsync(Visit(customer.CustomerId, Far), team.Rep)).Activity;
        var noPhoto = (await Host.Customers.LogActivityAsync(Visit(customer.CustomerId, Near, photo: ""), team.Rep)).Activity;
        var shortSummary = (await Host.Customers.LogActivityAsync(Visit(customer.CustomerId, Near, summary: "quick hello"), team.Rep)).Activity;
        var listed = (await Host.Customers.ListActivitiesAsync(new ListActivitiesRequest { CustomerId = customer.CustomerId }, team.Rep)).Activities;

        Assert.Equal(Gate, customer.Location);
        Assert.Equal((280.0, false, true), (near.DistanceMeters, near.OffSite, near.Effective));
        Assert.Equal("photo-42", near.CheckIn.PhotoReference);
        Assert.Equal((749.5, true, false), (far.DistanceMeters, far.OffSite, far.Effective)); // recorded, flagged
        Assert.False(noPhoto.Effective);
        Assert.False(shortSummary.Effective);
        Assert.Equal([false, false, false, true], listed.Select(a => a.Effective)); // newest first: short summary, no photo, off-site, in range
        Assert.Equal(near, listed[^1]);
    }

    [Fact]
    public async Task A_customer_without_a_location_gets_it_by_update_and_its_visits_are_measured_from_then_on()
    {
        var team = await Host.CreateTeamAsync();
        var customer = await CreateAsync(team);

        var unmeasured = (await Host.Customers.LogActivityAsync(Visit(customer.CustomerId, Near), team.Rep)).Activity;
        var located = (await Host.Customers.UpdateCustomerAsync(new UpdateCustomerRequest
        {
            CustomerId = customer.CustomerId, Location = Gate, UpdatePaths = { "location" },
        }, team.Rep)).Customer;
        var measured = (await Host.Customers.LogActivityAsync(Visit(customer.CustomerId, Near), team.Rep)).Activity;

        Assert.Null(customer.Location);
        Assert.False(unmeasured.HasDistanceMeters);
        Assert.False(unmeasured.Effective); // nothing to measure against: not proven
        Assert.Equal(Gate, located.Location);
        Assert.True(measured.Effective);
    }

    [Fact]
    public async Task Reports_outside_the_window_and_points_off_the_earth_are_refused_naming_the_field()
    {
        var team = await Host.CreateTeamAsync();
        var customer = await CreateAsync(team, Gate);
        var stale = Visit(customer.CustomerId, Near);
        stale.OccurredAt = Now(-49);
        var future = Visit(customer.CustomerId, Near);
        future.OccurredAt = Now(1);
        var lateCheckIn = Visit(customer.CustomerId, Near);
        lateCheckIn.CheckIn.CheckedInAt = Now(-72);
        var offEarth = Visit(customer.CustomerId, new GeoPoint { Latitude = 91, Longitude = 0 });
        var noPoint = Visit(customer.CustomerId, Near);
        noPoint.CheckIn.Location = null;
        var onACall = Visit(customer.CustomerId, Near);
        onACall.Kind = ActivityKind.Call;
        onACall.DurationSeconds = 300;

        var refusals = new List<(string Name, RpcException Error)>();
        foreach (var (name, request) in new[] { ("stale", stale), ("future", future), ("late check-in", lateCheckIn), ("off earth", offEarth), ("no point", noPoint), ("call", onACall) })
        {
            refusals.Add((name, await Fails(async () => await Host.Customers.LogActivityAsync(request, team.Rep))));
        }
        var badLocation = await Fails(async () => await Host.Customers.CreateCustomerAsync(new CreateCustomerRequest
        {
            Name = "Nowhere", Tier = CustomerTier.C, SourceChannel = SourceChannel.Outbound, Location = new GeoPoint { Latitude = 0, Longitude = -181 },
        }, team.Rep));

        Assert.All(refusals, r => Assert.Equal(StatusCode.InvalidArgument, r.Error.StatusCode));
        Assert.Equal(
            ["occurred_at: must be within the last 48 hours", "occurred_at: must be within the last 48 hours", "check_in.checked_in_at: must be within the last 48 hours",
             "check_in.location.latitude: must be within -90..90 degrees", "check_in.location: is required", "check_in: only a visit has a check-in"],
            refusals.Select(r => r.Error.Status.Detail.Split(" and at most")[0]));
        Assert.Equal((StatusCode.InvalidArgument, "location.longitude: must be within -180..180 degrees"), (badLocation.StatusCode, badLocation.Status.Detail));
        Assert.Equal(0, (await Host.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = customer.CustomerId }, team.Rep)).Customer.ActivityCount);
    }

    [Fact]
    public async Task A_call_needs_its_duration_and_one_under_a_minute_is_logged_but_is_no_real_contact()
    {
        var team = await Host.CreateTeamAsync();
        var customer = await CreateAsync(team);
        LogActivityRequest Call(int? seconds)
        {
            var call = new LogActivityRequest { CustomerId = customer.CustomerId, Kind = ActivityKind.Call, OccurredAt = Now(), Summary = "Talked about the trial" };
            if (seconds is { } s)
            {
                call.DurationSeconds = s;
            }
            return call;
        }

        var missing = await Fails(async () => await Host.Customers.LogActivityAsync(Call(null), team.Rep));
        var negative = await Fails(async () => await Host.Customers.LogActivityAsync(Call(-5), team.Rep));
        var brief = await Host.Customers.LogActivityAsync(Call(45), team.Rep);
        var real = await Host.Customers.LogActivityAsync(Call(60), team.Rep);

        Assert.Equal((StatusCode.InvalidArgument, "duration_seconds: is required for a call (0 for a call nobody answered)"), (missing.StatusCode, missing.Status.Detail));
        Assert.StartsWith("duration_seconds:", negative.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(45, brief.Activity.DurationSeconds);
        Assert.Null(brief.Customer.LastFollowUpAt); // logged, but not a real contact for the SLAs
        Assert.Equal(real.Activity.OccurredAt, real.Customer.LastFollowUpAt);
    }

    [Fact]
    public async Task Confirming_the_current_tier_is_the_qualification_once_and_an_event()
    {
        var team = await Host.CreateTeamAsync();
        var customer = await CreateAsync(team, tier: CustomerTier.B);
        var confirm = new UpdateCustomerRequest { CustomerId = customer.CustomerId, Tier = CustomerTier.B, UpdatePaths = { "tier" } };

        var first = await Host.Customers.UpdateCustomerAsync(confirm, team.Rep);
        var again = (await Host.Customers.UpdateCustomerAsync(confirm, team.Rep)).Customer;
        var timeline = await new TimelineService.TimelineServiceClient(Host.Channel).GetTimelineAsync(
            new GetTimelineRequest { CustomerId = customer.CustomerId, PageSize = 10, ConsistencyToken = first.ConsistencyToken }, team.Rep);

        Assert.Equal((CustomerTier.B, 2L), (first.Customer.Tier, first.Customer.Version));
        Assert.Equal(2, again.Version); // already qualified by this owner: nothing more
        var newest = timeline.Events[0];
        Assert.Equal((DomainEvent.ChangeOneofCase.CustomerTierConfirmed, CustomerTier.B, 2L), (newest.ChangeCase, newest.CustomerTierConfirmed.Tier, newest.Sequence));
    }

    [Fact]
    public async Task A_won_deal_names_its_key_factor_from_the_configured_list()
    {
        var team = await Host.CreateTeamAsync();
        var customer = await CreateAsync(team);
        var deal = (await Opportunities.CreateOpportunityAsync(new CreateOpportunityRequest
        {
            CustomerId = customer.CustomerId, Title = "Cath lab", Value = new Money { Amount = "9000", Currency = "EUR" },
            ExpectedCloseAt = Timestamp.FromDateTime(DateTime.UtcNow.AddMonths(2)),
        }, team.Rep)).Opportunity.OpportunityId;
        foreach (var (kind, next) in new[] { ("meeting_minutes", "ProposalSubmitted"), ("proposal_document", "PriceNegotiation"), ("quote", "ContractApproval") })
        {
            await Opportunities.AddEvidenceAsync(new AddEvidenceRequest { OpportunityId = deal, Kind = kind, Reference = "DOC-" + kind }, team.Rep);
            await Opportunities.ChangeStageAsync(new ChangeStageRequest { OpportunityId = deal, ToStage = next }, team.Rep);
        }
        await Opportunities.AddEvidenceAsync(new AddEvidenceRequest { OpportunityId = deal, Kind = "signed_contract", Reference = "DOC-s" }, team.Rep);

        var missing = await Fails(async () => await Opportunities.WinOpportunityAsync(new WinOpportunityRequest { OpportunityId = deal }, team.Rep));
        var unknown = await Fails(async () => await Opportunities.WinOpportunityAsync(new WinOpportunityRequest { OpportunityId = deal, WinFactor = "luck" }, team.Rep));
        var won = (await Opportunities.WinOpportunityAsync(new WinOpportunityRequest { OpportunityId = deal, WinFactor = "relationship", WinNote = "ten years of service" }, team.Rep)).Opportunity;

        Assert.Equal(StatusCode.InvalidArgument, missing.StatusCode);
        Assert.StartsWith("win_factor: must be one of: product_fit, price, relationship", missing.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.InvalidArgument, unknown.StatusCode);
        Assert.Equal((OpportunityStatus.Won, "relationship", "ten years of service"), (won.Status, won.WinFactor, won.WinNote));
    }
}
