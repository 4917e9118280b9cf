using ActorSales.Contracts.V1;
using ActorSales.Testing;
using Google.Protobuf.WellKnownTypes;
using DomainRole = ActorSales.Domain.Identity.Role;

namespace ActorSales.Postgres.Tests;

/// <summary>
/// A lead left untouched while the host was down: after the restart its missed 3-2-1 deadlines (basic information within
/// 3 working hours, first contact within 2 working days) each notify the owner and the manager exactly once.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class LeadDeadlineDurabilityTests(PostgresServerFixture postgres)
{
    [Fact]
    public async Task A_lead_whose_deadlines_passed_while_the_host_was_down_is_reported_once_per_rule_after_restart()
    {
        var downtime = new Downtime(postgres, "leads");
        var (team, leadId) = await downtime.BeforeAsync(async first =>
        {
            var team = await first.CreateTeamAsync();
            var lead = (await new LeadsService.LeadsServiceClient(first.Channel).CreateLeadAsync(new CreateLeadRequest
            {
                TeamId = team.TeamId,
                Lead = new LeadInput
                {
                    SourceChannel = SourceChannel.MarketingEvent, ArrivedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddMinutes(-1)),
                    Name = "Lea Lang", Company = "Labs", Phones = { $"+49 30 {Random.Shared.Next(10_000_000, 99_999_999)}" },
                },
            }, team.Rep)).Lead;
            return (team, lead.LeadId);
        });

        // A week later (at least two working days whatever today is): both deadlines fell due while the host was down.
        var (second, clock) = await downtime.AfterAsync(TimeSpan.FromDays(7));
        await using var _ = second;
        var (owner, ownerLater) = await Downtime.StepUntilAsync(clock,
            () => Downtime.NoticesAsync(second, team.RepId, DomainRole.Rep, team.TeamId, "lead_sla", leadId), count: 2);
        // The manager's notices are delivered by their own effects, a moment after the owner's: wait for them (bounded).
        var manager = await ClusterPolling.EventuallyAsync(
            () => Downtime.NoticesAsync(second, team.ManagerId, DomainRole.Manager, team.TeamId, "lead_sla", leadId), n => n.Count >= 2, TimeSpan.FromSeconds(20));
        var lead = (await new LeadsService.LeadsServiceClient(second.Channel).GetLeadAsync(new GetLeadRequest { LeadId = leadId }, team.Rep)).Lead;

        Assert.Equal(2, owner.Count);
        Assert.Equal(2, ownerLater.Count); // nothing fired twice after the restart
        Assert.Equal(2, manager.Count);
        Assert.Equal(["lead-basics", "lead-first-contact"], lead.MissedRules.Order(StringComparer.Ordinal));
    }
}
