using ActorSales.Contracts.V1;
using ActorSales.Testing;
using Google.Protobuf.WellKnownTypes;
using DomainRole = ActorSales.Domain.Identity.Role;

namespace ActorSales.Postgres.Tests;

/// <summary>
/// A deal's next action left undone while the host was down: after the restart the owner's reminder, the manager's
/// confirmation request and the escalation (to the manager: the team has no director) each come exactly once.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class OpportunityNextActionDurabilityTests(PostgresServerFixture postgres)
{
    [Fact]
    public async Task A_next_action_overdue_while_the_host_was_down_is_followed_through_once_per_rule_after_restart()
    {
        var downtime = new Downtime(postgres, "next");
        var (team, deal) = await downtime.BeforeAsync(async first =>
        {
            var team = await first.CreateTeamAsync();
            var (_, deal) = await first.CreateDealAsync(team.Rep, DateTimeOffset.UtcNow.AddDays(60), amount: "12000", win: false);
            await new OpportunitiesService.OpportunitiesServiceClient(first.Channel).SetNextActionAsync(new SetNextActionRequest
            {
                OpportunityId = deal, NextAction = "send the revised quote", DueAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddHours(1)),
            }, team.Rep);
            return (team, deal);
        });

        // Five days later: due (+1 h), confirm (+49 h) and escalate (+97 h) all fell due while the host was down.
        var (second, clock) = await downtime.AfterAsync(TimeSpan.FromDays(5));
        await using var _ = second;
        const string Kind = "next_action_follow_through";
        var (manager, managerLater) = await Downtime.StepUntilAsync(clock,
            () => Downtime.NoticesAsync(second, team.ManagerId, DomainRole.Manager, team.TeamId, Kind, deal), count: 2);
        var owner = await ClusterPolling.EventuallyAsync(
            () => Downtime.NoticesAsync(second, team.RepId, DomainRole.Rep, team.TeamId, Kind, deal), n => n.Count >= 1, TimeSpan.FromSeconds(20));

        Assert.Equal(2, manager.Count); // asked to confirm, then the escalation
        Assert.Equal(2, managerLater.Count); // nothing fired twice after the restart
        Assert.Single(owner); // the reminder at the due time
    }
}
