using ActorSales.Contracts.V1;
using ActorSales.Grains.Abstractions.Notifications;
using ActorSales.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Caller = ActorSales.Domain.Identity.Caller;
using DomainRole = ActorSales.Domain.Identity.Role;
using Notification = ActorSales.Domain.Deadlines.Notification;

namespace ActorSales.Postgres.Tests;

/// <summary>A department task that passed its due time while the host was down tells the department's lead exactly once after the restart.</summary>
[Collection(PostgresCollection.Name)]
public sealed class DepartmentTaskOverdueDurabilityTests(PostgresServerFixture postgres)
{
    private static readonly string SigningKey = new('t', 48);

    [Fact]
    public async Task A_task_overdue_while_the_host_was_down_tells_the_department_lead_once_after_restart()
    {
        var database = await postgres.CreateDatabaseAsync();
        string[] settings =
        [
            "--ActorSales:Profile=Postgres", $"--ConnectionStrings:Postgres={database}", $"--ActorSales:ClusterId=tasks-{Guid.NewGuid():N}",
            "--ActorSales:MigrateOnStart=true", $"--ActorSales:Auth:SigningKey={SigningKey}",
        ];
        ApiTeam team;
        await using (var first = await TestHost.StartAsync(settings))
        {
            team = await first.CreateTeamAsync();
            var departments = new DepartmentsService.DepartmentsServiceClient(first.Channel);
            await departments.SetDepartmentMembersAsync(new SetDepartmentMembersRequest { Department = "legal", MemberIds = { team.OtherRepId } }, first.Admin);
            await departments.SetDepartmentLeadAsync(new SetDepartmentLeadRequest { Department = "legal", LeadId = team.OtherRepId }, first.Admin);
            var (_, deal) = await first.CreateDealAsync(team.Rep, DateTimeOffset.UtcNow.AddDays(60), amount: "12000", win: false);
            await first.WalkToContractApprovalAsync(team.Rep, deal); // entering ContractApproval makes legal's task, due in 2 days
        }

        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow.AddDays(3));
        await using var second = await TestHost.StartAsync(builder => ClusterPolling.UseFakeClock(builder, clock), settings);
        var inbox = second.Services.GetRequiredService<IGrainFactory>().GetGrain<INotificationInboxGrain>(team.OtherRepId);
        var lead = new Caller(team.OtherRepId, DomainRole.Rep, team.TeamId, Domain.People.SalespersonStatus.Active);
        async Task<List<Notification>> Notices() => (await inbox.List(lead, 50, null, false)).Items.Where(n => n.Kind == "department_task_overdue").ToList();

        List<Notification> told = [];
        for (var step = 0; step < 90 && told.Count == 0; step++)
        {
            clock.Advance(TimeSpan.FromSeconds(10));
            told = await ClusterPolling.EventuallyAsync(Notices, n => n.Count > 0, TimeSpan.FromMilliseconds(200));
        }
        clock.Advance(TimeSpan.FromMinutes(10));
        var later = await Notices();

        Assert.Single(told);
        Assert.Single(later); // nothing fired twice after the restart
    }
}
