using ActorSales.Contracts.V1;
using ActorSales.Testing;
using DomainRole = ActorSales.Domain.Identity.Role;

namespace ActorSales.Postgres.Tests;

/// <summary>A department task that passed its due time while the host was down tells the department's lead exactly once after the restart.</summary>
[Collection(PostgresCollection.Name)]
public sealed class DepartmentTaskOverdueDurabilityTests(PostgresServerFixture postgres)
{
    [Fact]
    public async Task A_task_overdue_while_the_host_was_down_tells_the_department_lead_once_after_restart()
    {
        var downtime = new Downtime(postgres, "tasks");
        var team = await downtime.BeforeAsync(async first =>
        {
            var team = await first.CreateTeamAsync();
            var departments = new DepartmentsService.DepartmentsServiceClient(first.Channel);
            await departments.SetDepartmentMembersAsync(new SetDepartmentMembersRequest { Department = "legal", MemberIds = { team.OtherRepId } }, first.Admin);
            await departments.SetDepartmentLeadAsync(new SetDepartmentLeadRequest { Department = "legal", LeadId = team.OtherRepId }, first.Admin);
            var (_, deal) = await first.CreateDealAsync(team.Rep, DateTimeOffset.UtcNow.AddDays(60), amount: "12000", win: false);
            await first.WalkToContractApprovalAsync(team.Rep, deal); // entering ContractApproval makes legal's task, due in 2 days
            return team;
        });

        var (second, clock) = await downtime.AfterAsync(TimeSpan.FromDays(3));
        await using var _ = second;
        var (told, later) = await Downtime.StepUntilAsync(clock,
            () => Downtime.NoticesAsync(second, team.OtherRepId, DomainRole.Rep, team.TeamId, "department_task_overdue"), count: 1);

        Assert.Single(told);
        Assert.Single(later); // nothing fired twice after the restart
    }
}
