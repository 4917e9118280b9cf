using ActorSales.Contracts.V1;
using ActorSales.Grains.Abstractions.Notifications;
using ActorSales.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Caller = ActorSales.Domain.Identity.Caller;
using DomainRole = ActorSales.Domain.Identity.Role;
using Notification = ActorSales.Domain.Deadlines.Notification;

namespace ActorSales.Postgres.Tests;

/// <summary>An approval left pending while the host was down is reminded and escalated exactly once after it comes back.</summary>
[Collection(PostgresCollection.Name)]
public sealed class ApprovalEscalationDurabilityTests(PostgresServerFixture postgres)
{
    private static readonly string SigningKey = new('e', 48);

    [Fact]
    public async Task An_approval_pending_past_72_hours_while_the_host_was_down_is_escalated_once_after_restart()
    {
        var database = await postgres.CreateDatabaseAsync();
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var (approver, head) = ($"approver-{suffix}", $"head-{suffix}");
        string[] settings =
        [
            "--ActorSales:Profile=Postgres", $"--ConnectionStrings:Postgres={database}", $"--ActorSales:ClusterId=approvals-{Guid.NewGuid():N}",
            "--ActorSales:MigrateOnStart=true", $"--ActorSales:Auth:SigningKey={SigningKey}",
            $"--ActorSales:Opportunities:Approval:DefaultApproverId={approver}", $"--ActorSales:Opportunities:Approval:EscalationApproverId={head}",
        ];
        string deal;
        await using (var first = await TestHost.StartAsync(settings))
        {
            var team = await first.CreateTeamAsync();
            (_, deal) = await first.CreateDealAsync(team.Rep, DateTimeOffset.UtcNow.AddDays(30), amount: "600000", win: false);
            await first.WalkToContractApprovalAsync(team.Rep, deal);
            var pending = await new OpportunitiesService.OpportunitiesServiceClient(first.Channel).GetOpportunityAsync(
                new GetOpportunityRequest { OpportunityId = deal }, team.Rep);
            Assert.NotEmpty(pending.Opportunity.PendingApprovalId);
        }

        // Four days later: both the 24 h reminder and the 72 h escalation fell due while the host was down.
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow.AddDays(4));
        await using var second = await TestHost.StartAsync(builder => ClusterPolling.UseFakeClock(builder, clock), settings);
        var grains = second.Services.GetRequiredService<IGrainFactory>();
        async Task<List<Notification>> Notices(string userId) =>
            (await grains.GetGrain<INotificationInboxGrain>(userId).List(new Caller(userId, DomainRole.Director, null, Domain.People.SalespersonStatus.Active), 50, null, false))
                .Items.Where(n => n.Kind == "approval_follow_through" && n.EntityId == deal).ToList();

        List<Notification> escalated = [];
        for (var step = 0; step < 72 && escalated.Count == 0; step++)
        {
            clock.Advance(TimeSpan.FromSeconds(10));
            escalated = await ClusterPolling.EventuallyAsync(() => Notices(head), n => n.Count > 0, TimeSpan.FromMilliseconds(200));
        }
        clock.Advance(TimeSpan.FromMinutes(10));
        var later = await Notices(head);
        var approverNotices = await Notices(approver);

        Assert.Contains("was escalated to you", Assert.Single(escalated).Message, StringComparison.Ordinal);
        Assert.Single(later);
        // The reminder and the word of the escalation, each once.
        Assert.Equal(2, approverNotices.Count);
    }
}
