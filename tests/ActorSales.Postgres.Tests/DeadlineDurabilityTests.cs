using ActorSales.Contracts.V1;
using Notification = ActorSales.Domain.Deadlines.Notification;
using ActorSales.Grains.Abstractions.Notifications;
using ActorSales.Testing;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.Runtime;
using Orleans.TestingHost;
using Caller = ActorSales.Domain.Identity.Caller;
using DomainRole = ActorSales.Domain.Identity.Role;

namespace ActorSales.Postgres.Tests;

/// <summary>A deadline armed before a shutdown fires exactly once after the host comes back, woken by its durable reminder.</summary>
[Collection(PostgresCollection.Name)]
public sealed class DeadlineDurabilityTests(PostgresServerFixture postgres)
{
    private static readonly string SigningKey = new('d', 48);

    /// <summary>The Postgres profile on a fresh database, migrated at start, with a cluster id of its own.</summary>
    private static string[] Settings(string database, string cluster) =>
    [
        "--ActorSales:Profile=Postgres", $"--ConnectionStrings:Postgres={database}", $"--ActorSales:ClusterId={cluster}-{Guid.NewGuid():N}",
        "--ActorSales:MigrateOnStart=true", $"--ActorSales:Auth:SigningKey={SigningKey}",
    ];

    /// <summary>Reminder ticks come on the reminder period: moves the clock in small steps until <paramref name="read"/> finds something.</summary>
    private static async Task<List<Notification>> AdvanceUntilNoticedAsync(FakeTimeProvider clock, Func<Task<List<Notification>>> read)
    {
        List<Notification> notices = [];
        for (var step = 0; step < 72 && notices.Count == 0; step++)
        {
            clock.Advance(TimeSpan.FromSeconds(10));
            notices = await ClusterPolling.EventuallyAsync(read, n => n.Count > 0, TimeSpan.FromMilliseconds(200));
        }
        return notices;
    }

    [Fact]
    public async Task A_stall_deadline_that_fell_due_while_the_host_was_down_fires_once_after_restart()
    {
        var database = await postgres.CreateDatabaseAsync();
        var settings = Settings(database, "durable");
        ApiTeam team;
        await using (var first = await TestHost.StartAsync(settings))
        {
            team = await first.CreateTeamAsync();
            var customer = await first.Customers.CreateCustomerAsync(new CreateCustomerRequest
            {
                Name = "Clinic", Company = $"Clinic {Guid.NewGuid():N}", Tier = CustomerTier.B, SourceChannel = SourceChannel.Outbound,
            }, team.Rep);
            await new OpportunitiesService.OpportunitiesServiceClient(first.Channel).CreateOpportunityAsync(new CreateOpportunityRequest
            {
                CustomerId = customer.Customer.CustomerId, Title = "Monitors", Value = new Money { Amount = "1000", Currency = "EUR" },
                ExpectedCloseAt = Timestamp.FromDateTime(DateTime.UtcNow.AddDays(30)),
            }, team.Rep);
        }

        // Eight days later (the stage warns after seven) for the grains and the reminder service; membership and the
        // other background loops stay on real time, or the silo would judge itself long dead.
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow.AddDays(8));
        await using var second = await TestHost.StartAsync(builder => ClusterPolling.UseFakeClock(builder, clock), settings);
        var grains = second.Services.GetRequiredService<IGrainFactory>();
        var rep = new Caller(team.RepId, DomainRole.Rep, team.TeamId, Domain.People.SalespersonStatus.Active);
        var inbox = grains.GetGrain<INotificationInboxGrain>(team.RepId);

        var notices = await AdvanceUntilNoticedAsync(clock, async () => (await inbox.List(rep, 50, null, false)).Items.Where(n => n.Kind == "stage_stall").ToList());
        clock.Advance(TimeSpan.FromMinutes(10));
        var later = (await inbox.List(rep, 50, null, false)).Items.Where(n => n.Kind == "stage_stall").ToList();

        Assert.Single(notices);
        Assert.Single(later);
    }

    [Fact]
    public async Task A_next_action_that_fell_due_while_the_host_was_down_reminds_its_owner_once_after_restart()
    {
        var database = await postgres.CreateDatabaseAsync();
        var settings = Settings(database, "next");
        ApiTeam team;
        await using (var first = await TestHost.StartAsync(settings))
        {
            team = await first.CreateTeamAsync();
            var customer = await first.Customers.CreateCustomerAsync(new CreateCustomerRequest
            {
                Name = "Clinic", Company = $"Clinic {Guid.NewGuid():N}", Tier = CustomerTier.B, SourceChannel = SourceChannel.Outbound,
            }, team.Rep);
            await first.Customers.LogActivityAsync(new LogActivityRequest
            {
                CustomerId = customer.Customer.CustomerId, Kind = ActivityKind.Note, OccurredAt = Timestamp.FromDateTime(DateTime.UtcNow), Summary = "promised a quote",
                NextAction = "send the quote", NextActionDueAt = Timestamp.FromDateTime(DateTime.UtcNow.AddHours(2)),
            }, team.Rep);
        }

        // A day later: the next action fell due while the host was down (the manager is asked only 48 h after the due time).
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow.AddDays(1));
        await using var second = await TestHost.StartAsync(builder => ClusterPolling.UseFakeClock(builder, clock), settings);
        var inbox = second.Services.GetRequiredService<IGrainFactory>().GetGrain<INotificationInboxGrain>(team.RepId);
        var rep = new Caller(team.RepId, DomainRole.Rep, team.TeamId, Domain.People.SalespersonStatus.Active);
        async Task<List<Notification>> Reminders() => (await inbox.List(rep, 50, null, false)).Items.Where(n => n.Kind == "next_action_follow_through").ToList();
        var notices = await AdvanceUntilNoticedAsync(clock, Reminders);
        clock.Advance(TimeSpan.FromMinutes(10));
        var later = await Reminders();

        Assert.Contains("'send the quote'", Assert.Single(notices).Message, StringComparison.Ordinal);
        Assert.Single(later);
    }

    [Fact]
    public async Task An_instalment_that_fell_due_while_the_host_was_down_is_overdue_once_after_restart_and_payment_ends_it()
    {
        var database = await postgres.CreateDatabaseAsync();
        var settings = Settings(database, "orders");
        ApiTeam team;
        string deal;
        await using (var first = await TestHost.StartAsync(settings))
        {
            team = await first.CreateTeamAsync();
            var customer = await first.Customers.CreateCustomerAsync(new CreateCustomerRequest
            {
                Name = "Clinic", Company = $"Clinic {Guid.NewGuid():N}", Tier = CustomerTier.B, SourceChannel = SourceChannel.Outbound,
            }, team.Rep);
            var opportunities = new OpportunitiesService.OpportunitiesServiceClient(first.Channel);
            deal = (await opportunities.CreateOpportunityAsync(new CreateOpportunityRequest
            {
                CustomerId = customer.Customer.CustomerId, Title = "Monitors", Value = new Money { Amount = "1000", Currency = "EUR" },
                ExpectedCloseAt = Timestamp.FromDateTime(DateTime.UtcNow.AddDays(30)),
            }, team.Rep)).Opportunity.OpportunityId;
            foreach (var (kind, next) in new[] { ("meeting_minutes", "ProposalSubmitted"), ("proposal_document", "PriceNegotiation"), ("quote", "ContractApproval") })
            {
                await opportunities.AddEvidenceAsync(new AddEvidenceRequest { OpportunityId = deal, Kind = kind, Reference = "DOC-" + kind }, team.Rep);
                await opportunities.ChangeStageAsync(new ChangeStageRequest { OpportunityId = deal, ToStage = next }, team.Rep);
            }
            await opportunities.AddEvidenceAsync(new AddEvidenceRequest { OpportunityId = deal, Kind = "signed_contract", Reference = "DOC-s" }, team.Rep);
            await opportunities.WinOpportunityAsync(new WinOpportunityRequest { OpportunityId = deal, WinFactor = "product_fit" }, team.Rep);
            await new OrdersService.OrdersServiceClient(first.Channel).CreateOrderAsync(new CreateOrderRequest
            {
                OpportunityId = deal, Currency = "EUR", Terms = PaymentTerms.Net30, Lines = { new OrderLine { Name = "Monitor", Quantity = "2", UnitPrice = "500" } },
            }, team.Rep);
        }

        // 31 days later: net 30 fell due while the host was down; the order's reminder wakes it.
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow.AddDays(31));
        await using var second = await TestHost.StartAsync(builder => ClusterPolling.UseFakeClock(builder, clock), settings);
        var inbox = second.Services.GetRequiredService<IGrainFactory>().GetGrain<INotificationInboxGrain>(team.RepId);
        var rep = new Caller(team.RepId, DomainRole.Rep, team.TeamId, Domain.People.SalespersonStatus.Active);
        async Task<List<Notification>> Orders() => (await inbox.List(rep, 50, null, false)).Items.Where(n => n.EntityType == "order").ToList();
        var notices = await AdvanceUntilNoticedAsync(clock, Orders);
        Assert.Equal("instalment-overdue", Assert.Single(notices).Kind);

        // Paid in full: the escalation 14 days on never comes, and the overdue notice is not repeated.
        await new OrdersService.OrdersServiceClient(second.Channel).RecordPaymentAsync(new RecordPaymentRequest
        {
            OrderId = deal, Amount = "1000", BankReference = "B-1", EvidenceReference = "DOC-slip", TermType = PaymentTerms.Net30,
        }, second.As("finance-1", "finance"));
        for (var step = 0; step < 20; step++)
        {
            clock.Advance(TimeSpan.FromDays(1));
        }
        Assert.Single(await ClusterPolling.EventuallyAsync(Orders, n => n.Count > 1, TimeSpan.FromSeconds(2)));
    }

    [Fact]
    public async Task A_90_day_stage_limit_past_the_timer_limit_is_kept_by_its_reminder_across_a_restart_and_fires_once()
    {
        var database = await postgres.CreateDatabaseAsync();
        string[] settings =
        [
            "--ActorSales:Profile=Postgres", $"--ConnectionStrings:Postgres={database}", $"--ActorSales:ClusterId=long-{Guid.NewGuid():N}",
            "--ActorSales:MigrateOnStart=true", $"--ActorSales:Auth:SigningKey={SigningKey}",
        ];
        ApiTeam team;
        string dealId;
        await using (var first = await TestHost.StartAsync(settings))
        {
            team = await first.CreateTeamAsync();
            var customer = (await first.Customers.CreateCustomerAsync(new CreateCustomerRequest
            {
                Name = "Clinic", Company = $"Clinic {Guid.NewGuid():N}", Tier = CustomerTier.B, SourceChannel = SourceChannel.Outbound,
            }, team.Rep)).Customer;
            await first.Customers.SetCustomerLockAsync(new SetCustomerLockRequest { CustomerId = customer.CustomerId, Locked = true }, team.Manager);
            var opportunities = new OpportunitiesService.OpportunitiesServiceClient(first.Channel);
            dealId = (await opportunities.CreateOpportunityAsync(new CreateOpportunityRequest
            {
                CustomerId = customer.CustomerId, Title = "Monitors", PipelineKey = "hospital-device", Value = new Money { Amount = "1000", Currency = "EUR" },
                ExpectedCloseAt = Timestamp.FromDateTime(DateTime.UtcNow.AddDays(300)),
            }, team.Rep)).Opportunity.OpportunityId;
            // Into ProcurementStarted, whose 90-day limit no grain timer can hold.
            foreach (var (kinds, to) in new[]
            {
                (new[] { "meeting_minutes" }, "NeedsScreening"), (["needs_assessment"], "DepartmentAccess"),
                (["department_contact", "trial_agreement", "trial_period"], "ClinicalTrialArranged"), (["trial_report"], "ProcurementStarted"),
            })
            {
                foreach (var kind in kinds)
                {
                    await opportunities.AddEvidenceAsync(new AddEvidenceRequest { OpportunityId = dealId, Kind = kind, Reference = $"DOC-{kind}" }, team.Rep);
                }
                await opportunities.ChangeStageAsync(new ChangeStageRequest { OpportunityId = dealId, ToStage = to }, team.Rep);
            }
        }

        // 91 days later for the grains and the reminder service: both the 30-day warning and the 90-day limit are overdue.
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow.AddDays(91));
        await using var second = await TestHost.StartAsync(builder => ClusterPolling.UseFakeClock(builder, clock), settings);
        var rep = new Caller(team.RepId, DomainRole.Rep, team.TeamId, Domain.People.SalespersonStatus.Active);
        var inbox = second.Services.GetRequiredService<IGrainFactory>().GetGrain<INotificationInboxGrain>(team.RepId);
        IReadOnlyList<Notification> notices = [];
        for (var step = 0; step < 72 && notices.Count < 2; step++)
        {
            clock.Advance(TimeSpan.FromSeconds(10));
            notices = await ClusterPolling.EventuallyAsync(
                async () => (await inbox.List(rep, 50, null, false)).Items.Where(n => n.Kind == "stage_stall" && n.EntityId == dealId).ToList(),
                n => n.Count >= 2, TimeSpan.FromMilliseconds(200));
        }
        clock.Advance(TimeSpan.FromMinutes(10));
        var later = (await inbox.List(rep, 50, null, false)).Items.Where(n => n.Kind == "stage_stall" && n.EntityId == dealId).ToList();
        var deal = (await new OpportunitiesService.OpportunitiesServiceClient(second.Channel)
            .GetOpportunityAsync(new GetOpportunityRequest { OpportunityId = dealId }, team.Rep)).Opportunity;

        Assert.Equal(2, notices.Count); // the warning and the limit, once each
        Assert.Equal(2, later.Count);
        Assert.Equal(("ProcurementStarted", StallLevel.Red), (deal.Stage, deal.StallLevel));
    }
}

/// <summary>Deadlines of grains that lived on a silo that went away still fire on the silo that remains.</summary>
[Collection(PostgresCollection.Name)]
public sealed class SiloLossTests(PostgresServerFixture postgres)
{
    [Fact]
    public async Task Deadlines_armed_on_a_lost_silo_fire_on_the_survivor()
    {
        var database = await postgres.CreateDatabaseAsync();
        var key = new string('s', 48);
        string[] settings =
        [
            "--ActorSales:Profile=Postgres", $"--ConnectionStrings:Postgres={database}", $"--ActorSales:ClusterId=loss-{Guid.NewGuid():N}",
            "--ActorSales:MigrateOnStart=true", $"--ActorSales:Auth:SigningKey={key}",
        ];
        // Both silos share one fake clock for grains and reminders; membership stays on real time.
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        void FakeTime(Microsoft.AspNetCore.Builder.WebApplicationBuilder builder) => ClusterPolling.UseFakeClock(builder, clock);
        await using var survivor = await TestHost.StartAsync(FakeTime, settings);
        var lost = await TestHost.StartAsync(FakeTime, settings);
        var team = await lost.CreateTeamAsync();
        var opportunities = new OpportunitiesService.OpportunitiesServiceClient(lost.Channel);
        var dealIds = new List<string>();
        for (var i = 0; i < 12; i++)
        {
            var customer = await lost.Customers.CreateCustomerAsync(new CreateCustomerRequest
            {
                Name = "Clinic", Company = $"Clinic {Guid.NewGuid():N}", Tier = CustomerTier.B, SourceChannel = SourceChannel.Outbound,
            }, team.Rep);
            dealIds.Add((await opportunities.CreateOpportunityAsync(new CreateOpportunityRequest
            {
                CustomerId = customer.Customer.CustomerId, Title = $"Deal {i}", Value = new Money { Amount = "1000", Currency = "EUR" },
                ExpectedCloseAt = Timestamp.FromDateTime(DateTime.UtcNow.AddDays(30)),
            }, team.Rep)).Opportunity.OpportunityId);
        }

        var lostSilo = lost.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress;
        var statistics = await survivor.Services.GetRequiredService<IGrainFactory>().GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics();
        var onLostSilo = statistics.Count(s => s.SiloAddress.Equals(lostSilo) && dealIds.Contains(s.GrainId.Key.ToString()!));
        Assert.True(onLostSilo > 0, "no deal lived on the silo that goes away; the test would prove nothing");

        await lost.KillAsync(); // the silo crashes: its activations are gone without deactivating
        clock.Advance(TimeSpan.FromDays(7));
        var grains = survivor.Services.GetRequiredService<IGrainFactory>();
        var rep = new Caller(team.RepId, DomainRole.Rep, team.TeamId, Domain.People.SalespersonStatus.Active);
        var inbox = grains.GetGrain<INotificationInboxGrain>(team.RepId);
        IReadOnlyList<Notification> notices = [];
        for (var step = 0; step < 90 && notices.Count < dealIds.Count; step++)
        {
            clock.Advance(TimeSpan.FromSeconds(10));
            notices = await ClusterPolling.EventuallyAsync(
                async () => (await inbox.List(rep, 100, null, false)).Items.Where(n => n.Kind == "stage_stall").ToList(),
                n => n.Count == dealIds.Count, TimeSpan.FromMilliseconds(200));
        }

        // Every deal warned its owner exactly once, whichever silo it had lived on.
        Assert.Equal(dealIds.Order(), notices.Select(n => n.EntityId).Order());
    }
}

internal static class ClusterPolling
{
    /// <summary>
    /// Grains and the reminder service on <paramref name="clock"/>; membership and Orleans' other background loops stay
    /// on real time, or the silo would judge itself long dead when the clock jumps.
    /// </summary>
    public static void UseFakeClock(Microsoft.AspNetCore.Builder.WebApplicationBuilder builder, FakeTimeProvider clock)
    {
        builder.Services.AddSingleton<TimeProvider>(clock);
        builder.Services.UseTimeProviderForBackgroundAreas(TimeProvider.System);
        builder.Services.AddKeyedSingleton<TimeProvider>(Orleans.Reminders.ReminderTimeProviderNames.Reminders, clock);
    }

    public static async Task<T> EventuallyAsync<T>(Func<Task<T>> read, Func<T, bool> until, TimeSpan bound)
    {
        using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(10));
        var deadline = TimeProvider.System.GetTimestamp() + (long)(bound.TotalSeconds * TimeProvider.System.TimestampFrequency);
        var value = await read();
        while (!until(value) && TimeProvider.System.GetTimestamp() < deadline)
        {
            await poll.WaitForNextTickAsync();
            value = await read();
        }
        return value;
    }
}
