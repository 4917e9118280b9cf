using ActorSales.Contracts.V1;
using ActorSales.Grains.Abstractions.Notifications;
using ActorSales.Testing;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Caller = ActorSales.Domain.Identity.Caller;
using DomainRole = ActorSales.Domain.Identity.Role;
using Notification = ActorSales.Domain.Deadlines.Notification;

namespace ActorSales.Postgres.Tests;

/// <summary>
/// A lead left untouched while the host was down: after the restart its missed 3-2-1 deadlines (basic information within
/// 3 working hours, first contact within 2 working days) each notify the owner and the manager exactly once.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class LeadDeadlineDurabilityTests(PostgresServerFixture postgres)
{
    private static readonly string SigningKey = new('l', 48);

    [Fact]
    public async Task A_lead_whose_deadlines_passed_while_the_host_was_down_is_reported_once_per_rule_after_restart()
    {
        var database = await postgres.CreateDatabaseAsync();
        string[] settings =
        [
            "--ActorSales:Profile=Postgres", $"--ConnectionStrings:Postgres={database}", $"--ActorSales:ClusterId=leads-{Guid.NewGuid():N}",
            "--ActorSales:MigrateOnStart=true", $"--ActorSales:Auth:SigningKey={SigningKey}",
        ];
        ApiTeam team;
        string leadId;
        await using (var first = await TestHost.StartAsync(settings))
        {
            team = await first.CreateTeamAsync();
            leadId = (await new LeadsService.LeadsServiceClient(first.Channel).CreateLeadAsync(new CreateLeadRequest
            {
                TeamId = team.TeamId,
                Lead = new LeadInput
                {
                    SourceChannel = SourceChannel.MarketingEvent, ArrivedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddMinutes(-1)),
                    Name = "Lea Lang", Company = "Labs", Phones = { $"+49 30 {Random.Shared.Next(10_000_000, 99_999_999)}" },
                },
            }, team.Rep)).Lead.LeadId;
        }

        // A week later (at least two working days whatever today is): both deadlines fell due while the host was down.
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow.AddDays(7));
        await using var second = await TestHost.StartAsync(builder => ClusterPolling.UseFakeClock(builder, clock), settings);
        var grains = second.Services.GetRequiredService<IGrainFactory>();
        async Task<List<Notification>> Notices(string userId, DomainRole role) =>
            (await grains.GetGrain<INotificationInboxGrain>(userId).List(new Caller(userId, role, team.TeamId, Domain.People.SalespersonStatus.Active), 50, null, false))
                .Items.Where(n => n.Kind == "lead_sla" && n.EntityId == leadId).ToList();

        // The lead's reminder wakes it (Orleans' reminder period); step the clock until both notices arrived.
        List<Notification> owner = [];
        for (var step = 0; step < 90 && owner.Count < 2; step++)
        {
            clock.Advance(TimeSpan.FromSeconds(10));
            owner = await ClusterPolling.EventuallyAsync(() => Notices(team.RepId, DomainRole.Rep), n => n.Count >= 2, TimeSpan.FromMilliseconds(200));
        }
        clock.Advance(TimeSpan.FromMinutes(10));
        var ownerLater = await Notices(team.RepId, DomainRole.Rep);
        var manager = await Notices(team.ManagerId, DomainRole.Manager);
        var lead = (await new LeadsService.LeadsServiceClient(second.Channel).GetLeadAsync(new GetLeadRequest { LeadId = leadId }, team.Rep)).Lead;

        Assert.Equal(2, owner.Count);
        Assert.Equal(2, ownerLater.Count); // nothing fired twice after the restart
        Assert.Equal(2, manager.Count);
        Assert.Equal(["lead-basics", "lead-first-contact"], lead.MissedRules.Order(StringComparer.Ordinal));
    }
}
