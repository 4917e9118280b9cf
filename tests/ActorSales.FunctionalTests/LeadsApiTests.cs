using ActorSales.Contracts.V1;
using ActorSales.Testing;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.TestingHost;

namespace ActorSales.FunctionalTests;

/// <summary>
/// Leads through gRPC on fake time: a 5,000-row import with in-batch duplicates, duplicates of customers and bad rows,
/// re-sent without creating anything twice; conversion with and without a duplicate customer; access per role;
/// hostile input; lead health figures; the unsubscribed rule.
/// </summary>
public sealed class LeadsApiTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _clock = new(Start);
    private TestHost _host = null!;

    public async ValueTask InitializeAsync() => _host = await TestHost.StartAsync(
        builder =>
        {
            builder.Services.AddSingleton<TimeProvider>(_clock);
            builder.Services.UseTimeProviderForBackgroundAreas(TimeProvider.System);
        },
        "--ActorSales:Profile=Local", $"--ActorSales:ClusterId=leads-{Guid.NewGuid():N}");

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    private LeadsService.LeadsServiceClient Leads => new(_host.Channel);

    private Timestamp Now => Timestamp.FromDateTimeOffset(_clock.GetUtcNow());

    private static string Phone() => $"+49 30 {Random.Shared.Next(10_000_000, 99_999_999)}";

    private LeadInput Input(string? phone = null, string email = "", SourceChannel channel = SourceChannel.MarketingEvent) => new()
    {
        SourceChannel = channel, ArrivedAt = Now, Name = "Lea Lang", Company = "Labs", Phones = { phone ?? Phone() }, Email = email,
    };

    private async Task<Lead> CreateAsync(ApiTeam team, Metadata who, LeadInput? input = null) =>
        (await Leads.CreateLeadAsync(new CreateLeadRequest { TeamId = team.TeamId, Lead = input ?? Input() }, who)).Lead;

    private async Task<ImportLeadsResponse> ImportAsync(Metadata who, IEnumerable<ImportLeadsRequest> rows)
    {
        using var call = Leads.ImportLeads(who);
        foreach (var row in rows)
        {
            await call.RequestStream.WriteAsync(row);
        }
        await call.RequestStream.CompleteAsync();
        return await call;
    }

    [Fact]
    public async Task Importing_5000_rows_answers_each_and_a_resend_creates_nothing_twice()
    {
        var team = await _host.CreateTeamAsync();
        var customerPhone = Phone();
        var customer = (await _host.Customers.CreateCustomerAsync(new CreateCustomerRequest
        {
            Name = "Existing", Company = $"Existing {Guid.NewGuid():N}", Tier = CustomerTier.B, SourceChannel = SourceChannel.Referral,
            Contacts = { new Contact { Name = "Eva", Phone = customerPhone } },
        }, team.Rep)).Customer;
        var batch = $"fair-{Guid.NewGuid():N}"[..12];
        var rows = new List<ImportLeadsRequest>();
        for (var i = 0; i < 5000; i++)
        {
            var input = Input($"+86 21 5{i:D7}", $"visitor{i}@{batch}.example");
            if (i % 100 == 1)
            {
                input.Phones[0] = $"+86 21 5{i - 1:D7}"; // the row before's phone: a duplicate within the batch
            }
            if (i % 250 == 2)
            {
                input.Phones[0] = customerPhone; // an existing customer's phone
            }
            if (i % 500 == 3)
            {
                input.SourceChannel = (SourceChannel)99; // unknown channel
            }
            if (i % 1000 == 4)
            {
                input.ArrivedAt = Timestamp.FromDateTimeOffset(_clock.GetUtcNow().AddDays(2)); // from the future
            }
            rows.Add(new ImportLeadsRequest { TeamId = team.TeamId, Lead = input, RequestId = $"{batch}-{i}" });
        }

        var first = await ImportAsync(team.Manager, rows);
        var again = await ImportAsync(team.Manager, rows);

        Assert.Equal(5000, first.Results.Count);
        // 50 rows repeat the row before; of the 20 rows with the customer's phone the first duplicates the customer, the
        // other 19 that first row.
        Assert.Equal(50 + 19, first.Results.Count(r => r.Outcome == ImportOutcome.Duplicate && r.DuplicateOfKind == "row"));
        var ofCustomer = first.Results.Where(r => r.DuplicateOfKind == "customer").ToList();
        Assert.Single(ofCustomer);
        Assert.All(ofCustomer, r => Assert.Equal((customer.CustomerId, team.RepId), (r.DuplicateOfId, r.DuplicateOfOwnerId)));
        Assert.Equal(10, first.Results.Count(r => r.Outcome == ImportOutcome.Invalid && r.Field == "lead.source_channel"));
        Assert.Equal(5, first.Results.Count(r => r.Outcome == ImportOutcome.Invalid && r.Field == "lead.arrived_at"));
        Assert.Equal(5000 - 69 - 1 - 10 - 5, first.Created);
        Assert.Equal(first.Results.Select(r => (r.Outcome, r.LeadId, r.DuplicateOfId)), again.Results.Select(r => (r.Outcome, r.LeadId, r.DuplicateOfId)));
        var listed = await Polling.EventuallyAsync(() => CountAsync(team), n => n >= first.Created, TimeSpan.FromSeconds(60));
        Assert.Equal(first.Created, listed); // nothing twice
    }

    private async Task<int> CountAsync(ApiTeam team)
    {
        var (count, token) = (0, "");
        do
        {
            var page = await Leads.ListLeadsAsync(new ListLeadsRequest { TeamId = team.TeamId, PageSize = 500, PageToken = token }, team.Manager);
            count += page.Leads.Count;
            token = page.NextPageToken;
        }
        while (token.Length > 0);
        return count;
    }

    [Fact]
    public async Task A_qualified_lead_becomes_a_customer_whose_clock_starts_at_the_arrival_or_links_to_the_existing_customer()
    {
        var team = await _host.CreateTeamAsync();
        var lead = await CreateAsync(team, team.Rep);
        _clock.Advance(TimeSpan.FromHours(1));
        await Leads.LogLeadContactAsync(new LogLeadContactRequest { LeadId = lead.LeadId, Kind = ActivityKind.Meeting, OccurredAt = Now, Summary = "demo" }, team.Rep);
        await Leads.QualifyLeadAsync(new QualifyLeadRequest { LeadId = lead.LeadId, Qualification = LeadQualification.Qualified }, team.Rep);
        var converted = await Leads.ConvertLeadAsync(new ConvertLeadRequest { LeadId = lead.LeadId, Tier = CustomerTier.B, RequestId = "convert-1" }, team.Rep);
        var retried = await Leads.ConvertLeadAsync(new ConvertLeadRequest { LeadId = lead.LeadId, Tier = CustomerTier.B, RequestId = "convert-1" }, team.Rep);
        var customer = (await _host.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = converted.CustomerId }, team.Rep)).Customer;

        var twinPhone = Phone();
        var existing = (await _host.Customers.CreateCustomerAsync(new CreateCustomerRequest
        {
            Name = "Twin", Company = $"Twin {Guid.NewGuid():N}", Tier = CustomerTier.C, SourceChannel = SourceChannel.Referral,
        }, team.OtherRep)).Customer;
        var twin = await CreateAsync(team, team.Rep, Input(twinPhone) is var i ? new LeadInput(i) { Company = existing.Company } : null);
        await Leads.QualifyLeadAsync(new QualifyLeadRequest { LeadId = twin.LeadId, Qualification = LeadQualification.Qualified }, team.Rep);
        var linked = await Leads.ConvertLeadAsync(new ConvertLeadRequest { LeadId = twin.LeadId, Tier = CustomerTier.B }, team.Rep);

        Assert.False(converted.LinkedToExisting);
        Assert.Equal(converted.CustomerId, retried.CustomerId);
        Assert.Equal(LeadStatus.Converted, converted.Lead.Status);
        Assert.Equal(lead.LeadId, customer.OriginLeadId);
        Assert.Equal(Start.AddHours(1), customer.LastFollowUpAt.ToDateTimeOffset()); // the lead's first contact
        Assert.True(linked.LinkedToExisting);
        Assert.Equal((existing.CustomerId, team.OtherRepId), (linked.CustomerId, linked.ExistingOwnerId));
        Assert.Equal(existing.CustomerId, linked.Lead.CustomerId);
    }

    [Fact]
    public async Task An_unsubscribed_lead_becomes_a_customer_no_one_may_reach_out_to_until_the_flag_is_lifted()
    {
        var team = await _host.CreateTeamAsync();
        var lead = await CreateAsync(team, team.Rep);
        await Leads.LogLeadContactAsync(new LogLeadContactRequest { LeadId = lead.LeadId, Kind = ActivityKind.Meeting, OccurredAt = Now, Summary = "fair stand" }, team.Rep);
        await Leads.QualifyLeadAsync(new QualifyLeadRequest { LeadId = lead.LeadId, Qualification = LeadQualification.Qualified }, team.Rep);
        await Leads.SetLeadUnsubscribedAsync(new SetLeadUnsubscribedRequest { LeadId = lead.LeadId, Unsubscribed = true }, team.Rep);
        var customerId = (await Leads.ConvertLeadAsync(new ConvertLeadRequest { LeadId = lead.LeadId, Tier = CustomerTier.B }, team.Rep)).CustomerId;
        LogActivityRequest Activity(ActivityKind kind) => new()
        {
            CustomerId = customerId, Kind = kind, OccurredAt = Now, Summary = "about the offer",
            DurationSeconds = kind == ActivityKind.Call ? 300 : 0,
        };

        var customer = (await _host.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = customerId }, team.Rep)).Customer;
        var refusals = new List<RpcException>();
        foreach (var kind in new[] { ActivityKind.Call, ActivityKind.Email, ActivityKind.Visit })
        {
            refusals.Add(await Assert.ThrowsAsync<RpcException>(async () => await _host.Customers.LogActivityAsync(Activity(kind), team.Rep)));
        }
        var note = await _host.Customers.LogActivityAsync(Activity(ActivityKind.Note), team.Rep);
        var lifted = await _host.Customers.UpdateCustomerAsync(new UpdateCustomerRequest
        {
            CustomerId = customerId, UpdatePaths = { "unsubscribed" }, Unsubscribed = false,
        }, team.Manager);
        var call = await _host.Customers.LogActivityAsync(Activity(ActivityKind.Call), team.Rep);

        Assert.True(customer.Unsubscribed);
        Assert.All(refusals, r => Assert.Equal(StatusCode.FailedPrecondition, r.StatusCode));
        Assert.All(refusals, r => Assert.Contains("rule 'unsubscribed'", r.Status.Detail, StringComparison.Ordinal));
        Assert.Equal(ActivityKind.Note, note.Activity.Kind);
        Assert.False(lifted.Customer.Unsubscribed);
        Assert.Equal(ActivityKind.Call, call.Activity.Kind);
    }

    [Fact]
    public async Task Each_role_reaches_only_its_own_leads_and_a_rep_claims_from_their_team_pool()
    {
        var team = await _host.CreateTeamAsync();
        var other = await _host.CreateTeamAsync();
        var mine = await CreateAsync(team, team.Rep);
        var pooled = await CreateAsync(team, team.Manager);

        var otherRepGet = await Assert.ThrowsAsync<RpcException>(async () => await Leads.GetLeadAsync(new GetLeadRequest { LeadId = mine.LeadId }, team.OtherRep));
        var outsiderGet = await Assert.ThrowsAsync<RpcException>(async () => await Leads.GetLeadAsync(new GetLeadRequest { LeadId = mine.LeadId }, other.Manager));
        var outsiderClaim = await Assert.ThrowsAsync<RpcException>(async () => await Leads.ClaimLeadAsync(new ClaimLeadRequest { LeadId = pooled.LeadId }, other.Rep));
        var service = await Assert.ThrowsAsync<RpcException>(async () => await Leads.ClaimLeadAsync(new ClaimLeadRequest { LeadId = pooled.LeadId }, _host.As("svc", "service")));
        var pool = await Leads.ListLeadsAsync(new ListLeadsRequest { PoolOnly = true, PageSize = 10, ConsistencyToken = "" }, team.OtherRep);
        var claimed = await Leads.ClaimLeadAsync(new ClaimLeadRequest { LeadId = pooled.LeadId }, team.OtherRep);
        var secondClaim = await Assert.ThrowsAsync<RpcException>(async () => await Leads.ClaimLeadAsync(new ClaimLeadRequest { LeadId = pooled.LeadId }, team.Rep));
        var byManager = await Leads.GetLeadAsync(new GetLeadRequest { LeadId = mine.LeadId }, team.Manager);
        var byAdmin = await Leads.AssignLeadAsync(new AssignLeadRequest { LeadId = mine.LeadId, OwnerId = team.OtherRepId }, _host.Admin);
        var repAssigns = await Assert.ThrowsAsync<RpcException>(async () => await Leads.AssignLeadAsync(new AssignLeadRequest { LeadId = mine.LeadId, OwnerId = team.RepId }, team.Rep));

        Assert.Equal(StatusCode.PermissionDenied, otherRepGet.StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, outsiderGet.StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, outsiderClaim.StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, service.StatusCode);
        Assert.DoesNotContain(team.RepId, outsiderGet.Status.Detail, StringComparison.Ordinal);
        Assert.All(pool.Leads, l => Assert.Equal(string.Empty, l.OwnerId));
        Assert.Equal(team.OtherRepId, claimed.Lead.OwnerId);
        Assert.Equal(StatusCode.FailedPrecondition, secondClaim.StatusCode);
        Assert.Equal(mine.LeadId, byManager.Lead.LeadId);
        Assert.Equal(team.OtherRepId, byAdmin.Lead.OwnerId);
        Assert.Equal(StatusCode.PermissionDenied, repAssigns.StatusCode);
    }

    [Fact]
    public async Task Hostile_input_is_refused_naming_the_field()
    {
        var team = await _host.CreateTeamAsync();
        var lead = await CreateAsync(team, team.Rep);
        var huge = new string('x', 100_000);
        var cases = new (string Field, Func<Task> Call)[]
        {
            ("lead.arrived_at", () => Leads.CreateLeadAsync(new CreateLeadRequest { TeamId = team.TeamId, Lead = new LeadInput(Input()) { ArrivedAt = null } }, team.Rep).ResponseAsync),
            ("lead.arrived_at", () => Leads.CreateLeadAsync(new CreateLeadRequest { TeamId = team.TeamId, Lead = new LeadInput(Input()) { ArrivedAt = Timestamp.FromDateTimeOffset(Start.AddYears(-30)) } }, team.Rep).ResponseAsync),
            ("lead.arrived_at", () => Leads.CreateLeadAsync(new CreateLeadRequest { TeamId = team.TeamId, Lead = new LeadInput(Input()) { ArrivedAt = Timestamp.FromDateTimeOffset(Start.AddHours(1)) } }, team.Rep).ResponseAsync),
            ("lead.arrived_at", () => Leads.CreateLeadAsync(new CreateLeadRequest { TeamId = team.TeamId, Lead = new LeadInput(Input()) { ArrivedAt = new Timestamp { Seconds = long.MaxValue } } }, team.Rep).ResponseAsync),
            ("lead.name", () => Leads.CreateLeadAsync(new CreateLeadRequest { TeamId = team.TeamId, Lead = new LeadInput(Input()) { Name = huge } }, team.Rep).ResponseAsync),
            ("lead.source_channel", () => Leads.CreateLeadAsync(new CreateLeadRequest { TeamId = team.TeamId, Lead = new LeadInput(Input()) { SourceChannel = (SourceChannel)77 } }, team.Rep).ResponseAsync),
            ("lead.phones", () => Leads.CreateLeadAsync(new CreateLeadRequest { TeamId = team.TeamId, Lead = WithPhones(2000) }, team.Rep).ResponseAsync),
            ("lead.phones", () => Leads.CreateLeadAsync(new CreateLeadRequest { TeamId = team.TeamId, Lead = new LeadInput(Input()) { Phones = { }, Email = "" } is var l ? ClearPhones(l) : null }, team.Rep).ResponseAsync),
            ("lead.email", () => Leads.CreateLeadAsync(new CreateLeadRequest { TeamId = team.TeamId, Lead = new LeadInput(Input()) { Email = "not an address" } }, team.Rep).ResponseAsync),
            ("lead_id", () => Leads.GetLeadAsync(new GetLeadRequest { LeadId = "../../etc" }, team.Rep).ResponseAsync),
            ("lead_id", () => Leads.GetLeadAsync(new GetLeadRequest { LeadId = huge }, team.Rep).ResponseAsync),
            ("qualification", () => Leads.QualifyLeadAsync(new QualifyLeadRequest { LeadId = lead.LeadId, Qualification = (LeadQualification)42 }, team.Rep).ResponseAsync),
            ("reason", () => Leads.QualifyLeadAsync(new QualifyLeadRequest { LeadId = lead.LeadId, Qualification = LeadQualification.NotQualified }, team.Rep).ResponseAsync),
            ("update_paths", () => Leads.RecordLeadBasicsAsync(new RecordLeadBasicsRequest { LeadId = lead.LeadId, UpdatePaths = { Enumerable.Repeat("name", 2000) } }, team.Rep).ResponseAsync),
            ("occurred_at", () => Leads.LogLeadContactAsync(new LogLeadContactRequest { LeadId = lead.LeadId, Kind = ActivityKind.Call, OccurredAt = Timestamp.FromDateTimeOffset(Start.AddDays(3)), DurationSeconds = 90 }, team.Rep).ResponseAsync),
            ("page_size", () => Leads.ListLeadsAsync(new ListLeadsRequest { PageSize = 501 }, team.Rep).ResponseAsync),
            ("page_token", () => Leads.ListLeadsAsync(new ListLeadsRequest { PageSize = 5, PageToken = "garbage" }, team.Rep).ResponseAsync),
            ("to", () => Leads.GetLeadHealthAsync(new GetLeadHealthRequest { From = Now, To = Now }, team.Manager).ResponseAsync),
        };
        var wrong = new List<string>();
        foreach (var (field, call) in cases)
        {
            try
            {
                await call();
                wrong.Add($"{field}: accepted");
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.InvalidArgument && e.Status.Detail.StartsWith(field + ":", StringComparison.Ordinal))
            {
            }
            catch (RpcException e)
            {
                wrong.Add($"{field}: {e.StatusCode} \"{e.Status.Detail[..Math.Min(120, e.Status.Detail.Length)]}\"");
            }
        }
        Assert.True(wrong.Count == 0, string.Join(Environment.NewLine, wrong));

        LeadInput WithPhones(int n)
        {
            var input = Input();
            input.Phones.Clear();
            input.Phones.AddRange(Enumerable.Range(0, n).Select(k => $"+49 30 {k:D8}"));
            return input;
        }

        static LeadInput ClearPhones(LeadInput input)
        {
            input.Phones.Clear();
            return input;
        }
    }

    [Fact]
    public async Task Lead_health_counts_invalid_leads_per_channel_flags_a_failing_channel_and_unsubscribed_contacts_block_outreach()
    {
        var team = await _host.CreateTeamAsync();
        var fair = new List<Lead>();
        for (var i = 0; i < 10; i++)
        {
            fair.Add(await CreateAsync(team, team.Rep, Input(channel: SourceChannel.MarketingEvent)));
        }
        var web = new List<Lead>();
        for (var i = 0; i < 4; i++)
        {
            web.Add(await CreateAsync(team, team.Rep, Input(channel: SourceChannel.InboundWebForm)));
        }
        foreach (var lead in fair.Take(6))
        {
            await Leads.QualifyLeadAsync(new QualifyLeadRequest { LeadId = lead.LeadId, Qualification = LeadQualification.NotQualified, Reason = LeadDisqualifyReason.InvalidContact }, team.Rep);
        }
        await Leads.QualifyLeadAsync(new QualifyLeadRequest { LeadId = fair[6].LeadId, Qualification = LeadQualification.NotQualified, Reason = LeadDisqualifyReason.NoBudget }, team.Rep);
        await Leads.QualifyLeadAsync(new QualifyLeadRequest { LeadId = web[0].LeadId, Qualification = LeadQualification.NotQualified, Reason = LeadDisqualifyReason.Spam }, team.Rep);
        var unsubscribed = await Leads.SetLeadUnsubscribedAsync(new SetLeadUnsubscribedRequest { LeadId = web[1].LeadId, Unsubscribed = true }, team.Rep);
        var call = await Assert.ThrowsAsync<RpcException>(async () => await Leads.LogLeadContactAsync(new LogLeadContactRequest
        {
            LeadId = web[1].LeadId, Kind = ActivityKind.Call, OccurredAt = Now, DurationSeconds = 120, Summary = "cold call",
        }, team.Rep));
        var note = await Leads.LogLeadContactAsync(new LogLeadContactRequest { LeadId = web[1].LeadId, Kind = ActivityKind.Note, OccurredAt = Now, Summary = "asked not to be called" }, team.Rep);
        var reimport = await ImportAsync(team.Manager, [new ImportLeadsRequest { TeamId = team.TeamId, Lead = new LeadInput(Input(web[1].Phones[0])), RequestId = "again-1" }]);

        var request = new GetLeadHealthRequest { TeamId = team.TeamId, From = Timestamp.FromDateTimeOffset(Start.AddDays(-1)), To = Timestamp.FromDateTimeOffset(Start.AddDays(1)) };
        var health = await Polling.EventuallyAsync(() => Leads.GetLeadHealthAsync(request, team.Manager).ResponseAsync,
            h => h.Unsubscribed == 1 && h.Channels.Sum(c => c.Invalid) == 7, TimeSpan.FromSeconds(30));

        Assert.Equal(StatusCode.FailedPrecondition, call.StatusCode);
        Assert.StartsWith("rule 'unsubscribed':", call.Status.Detail, StringComparison.Ordinal);
        Assert.False(note.RealContact);
        Assert.True(unsubscribed.Lead.Unsubscribed);
        Assert.Equal(ImportOutcome.Duplicate, reimport.Results[0].Outcome);
        Assert.True((await Leads.GetLeadAsync(new GetLeadRequest { LeadId = web[1].LeadId }, team.Rep)).Lead.Unsubscribed); // a re-import never clears it
        var byChannel = health.Channels.ToDictionary(c => c.SourceChannel);
        Assert.Equal((10, 6, 0.6, 10, 6, true), (byChannel[SourceChannel.MarketingEvent].Leads, byChannel[SourceChannel.MarketingEvent].Invalid,
            byChannel[SourceChannel.MarketingEvent].InvalidRatio, byChannel[SourceChannel.MarketingEvent].RecentLeads, byChannel[SourceChannel.MarketingEvent].RecentInvalid,
            byChannel[SourceChannel.MarketingEvent].Failing));
        Assert.Equal((4, 1, 0.25, false), (byChannel[SourceChannel.InboundWebForm].Leads, byChannel[SourceChannel.InboundWebForm].Invalid,
            byChannel[SourceChannel.InboundWebForm].InvalidRatio, byChannel[SourceChannel.InboundWebForm].Failing)); // 4 recent leads: too few to fail
        Assert.Equal(2, health.Channels.Count);
        Assert.Equal(1, health.Unsubscribed);
    }
}
