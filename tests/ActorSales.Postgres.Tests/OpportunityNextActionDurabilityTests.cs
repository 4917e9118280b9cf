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
/// A deal's next action left undone while the host was down: after the restart the owner's reminder, the manager's
/// confirmation request and the escalation (to the manager: the team has no director) each come exactly once.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class OpportunityNextActionDurabilityTests(PostgresServerFixture postgres)
{
    private static readonly string SigningKey = new('n', 48);

    [Fact]
    public async Task A_next_action_overdue_while_the_host_was_down_is_followed_through_once_per_rule_after_restart()
    {
        var database = await postgres.CreateDatabaseAsync();
        string[] settings =
        [
            "--ActorSales:Profile=Postgres", $"--ConnectionStrings:Postgres={database}", $"--ActorSales:ClusterId=next-{Guid.NewGuid():N}",
            "--ActorSales:MigrateOnStart=true", $"--ActorSales:Auth:SigningKey={SigningKey}",
        ];
        ApiTeam team;
        string deal;
        await using (var first = await TestHost.StartAsync(settings))
        {
            team = await first.CreateTeamAsync();
            (_, deal) = await first.CreateDealAsync(team.Rep, DateTimeOffset.UtcNow.AddDays(60), amount: "12000", win: false);
            await new OpportunitiesService.OpportunitiesServiceClient(first.Channel).SetNextActionAsync(new SetNextActionRequest
            {
                OpportunityId = deal, NextAction = "send the revised quote", DueAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddHours(1)),
            }, team.Rep);
        }

        // Five days later: due (+1 h), confirm (+49 h) and escalate (+97 h) all fell due while the host was down.
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow.AddDays(5));
        await using var second = await TestHost.StartAsync(builder => ClusterPolling.UseFakeClock(builder, clock), settings);
        var grains = second.Services.GetRequiredService<IGrainFactory>();
        async Task<List<Notification>> Notices(string userId, DomainRole role) =>
            (await grains.GetGrain<INotificationInboxGrain>(userId).List(new Caller(userId, role, team.TeamId, Domain.People.SalespersonStatus.Active), 50, null, false))
                .Items.Where(n => n.Kind == "next_action_follow_through" && n.EntityId == deal).ToList();

        List<Notification> manager = [];
        for (var step = 0; step < 90 && manager.Count < 2; step++)
        {
            clock.Advance(TimeSpan.FromSeconds(10));
            manager = await ClusterPolling.EventuallyAsync(() => Notices(team.ManagerId, DomainRole.Manager), n => n.Count >= 2, TimeSpan.FromMilliseconds(200));
        }
        clock.Advance(TimeSpan.FromMinutes(10));
        var managerLater = await Notices(team.ManagerId, DomainRole.Manager);
        var owner = await Notices(team.RepId, DomainRole.Rep);

        Assert.Equal(2, manager.Count); // asked to confirm, then the escalation
        Assert.Equal(2, managerLater.Count); // nothing fired twice after the restart
        Assert.Single(owner); // the reminder at the due time
    }
}
