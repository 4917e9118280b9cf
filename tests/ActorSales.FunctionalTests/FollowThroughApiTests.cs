using ActorSales.Contracts.V1;
using ActorSales.Testing;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace ActorSales.FunctionalTests;

/// <summary>
/// Through the real host: a deal's ConfirmNextAction, and a department's lead and one-member changes, per role, with
/// request ids and hostile input.
/// </summary>
[Collection(HostCollection.Name)]
public sealed class FollowThroughApiTests(HostFixture fixture)
{
    private TestHost host => fixture.Host;

    private OpportunitiesService.OpportunitiesServiceClient Opportunities => new(host.Channel);

    private DepartmentsService.DepartmentsServiceClient Departments => new(host.Channel);

    private async Task<string> CreateDirectorAsync(ApiTeam team)
    {
        var directorId = $"dir-{Guid.NewGuid():N}"[..16];
        await host.Salespeople.CreateSalespersonAsync(new CreateSalespersonRequest
        {
            SalespersonId = directorId, Name = "Dora Director", Email = $"{directorId}@example.com", Role = Role.Director, TeamId = team.TeamId,
        }, host.Admin);
        await host.Teams.UpdateTeamAsync(new UpdateTeamRequest { TeamId = team.TeamId, DirectorId = directorId }, host.Admin);
        return directorId;
    }

    private async Task<string> OpenDealAsync(ApiTeam team)
    {
        var customer = await host.Customers.CreateCustomerAsync(new CreateCustomerRequest
        {
            Name = "Clinic", Company = $"Clinic {Guid.NewGuid():N}", Tier = CustomerTier.B, SourceChannel = SourceChannel.Referral,
        }, team.Rep);
        return (await Opportunities.CreateOpportunityAsync(new CreateOpportunityRequest
        {
            CustomerId = customer.Customer.CustomerId, Title = "Fleet", Value = new Money { Amount = "1000", Currency = "EUR" },
            ExpectedCloseAt = Timestamp.FromDateTime(DateTime.UtcNow.AddDays(30)),
        }, team.Rep)).Opportunity.OpportunityId;
    }

    private static async Task<StatusCode> StatusOf(Func<Task> call)
    {
        try
        {
            await call();
            return StatusCode.OK;
        }
        catch (RpcException e)
        {
            return e.StatusCode;
        }
    }

    [Fact]
    public async Task The_owners_manager_confirms_a_deals_next_action_once_others_are_denied_and_a_retry_changes_nothing()
    {
        var team = await host.CreateTeamAsync();
        var other = await host.CreateTeamAsync();
        var directorId = await CreateDirectorAsync(team);
        var dealId = await OpenDealAsync(team);
        var unplannedId = await OpenDealAsync(team);
        await Opportunities.SetNextActionAsync(new SetNextActionRequest
        {
            OpportunityId = dealId, NextAction = "send the contract", DueAt = Timestamp.FromDateTime(DateTime.UtcNow.AddDays(1)),
        }, team.Rep);
        OpportunitiesServiceConfirmNextActionRequest Confirm(string id, string requestId = "") => new() { OpportunityId = id, RequestId = requestId };

        var denied = new List<StatusCode>();
        foreach (var caller in new[] { team.Rep, other.Manager, other.Rep, host.As("billing-sync", "service") })
        {
            denied.Add(await StatusOf(async () => await Opportunities.ConfirmNextActionAsync(Confirm(dealId), caller)));
        }
        var first = await Opportunities.ConfirmNextActionAsync(Confirm(dealId, "confirm-1"), team.Manager);
        var retried = await Opportunities.ConfirmNextActionAsync(Confirm(dealId, "confirm-1"), team.Manager);
        var byDirector = await Opportunities.ConfirmNextActionAsync(Confirm(dealId), host.As(directorId, "director"));
        var byAdmin = await Opportunities.ConfirmNextActionAsync(Confirm(dealId), host.Admin);
        var nothingToConfirm = await Assert.ThrowsAsync<RpcException>(async () => await Opportunities.ConfirmNextActionAsync(Confirm(unplannedId), team.Manager));
        var noId = await Assert.ThrowsAsync<RpcException>(async () => await Opportunities.ConfirmNextActionAsync(Confirm(""), team.Manager));
        var hostileId = await Assert.ThrowsAsync<RpcException>(async () => await Opportunities.ConfirmNextActionAsync(Confirm(new string('x', 100_000)), team.Manager));
        var missing = await StatusOf(async () => await Opportunities.ConfirmNextActionAsync(Confirm("opp-missing"), team.Manager));

        Assert.All(denied, status => Assert.Equal(StatusCode.PermissionDenied, status));
        Assert.Equal(first.Opportunity, retried.Opportunity);
        Assert.Equal(first.Opportunity.Version, byDirector.Opportunity.Version); // confirmed once per plan
        Assert.Equal(first.Opportunity.Version, byAdmin.Opportunity.Version);
        Assert.Equal(StatusCode.FailedPrecondition, nothingToConfirm.StatusCode);
        Assert.Contains("no open next action", nothingToConfirm.Status.Detail, StringComparison.Ordinal);
        Assert.Equal((StatusCode.InvalidArgument, StatusCode.InvalidArgument), (noId.StatusCode, hostileId.StatusCode));
        Assert.StartsWith("opportunity_id", noId.Status.Detail, StringComparison.Ordinal);
        Assert.StartsWith("opportunity_id", hostileId.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.NotFound, missing);
    }

    [Fact]
    public async Task Admins_name_the_lead_who_with_admins_adds_and_removes_members_and_everyone_else_is_denied()
    {
        var department = $"dept-{Guid.NewGuid():N}"[..16];
        var team = await host.CreateTeamAsync();
        var outsider = await host.CreateTeamAsync();
        var directorId = await CreateDirectorAsync(team);
        var lead = team.OtherRep;
        await Departments.SetDepartmentMembersAsync(new SetDepartmentMembersRequest { Department = department, MemberIds = { team.RepId, team.OtherRepId } }, host.Admin);
        AddDepartmentMemberRequest Add(string member, string requestId = "") => new() { Department = department, MemberId = member, RequestId = requestId };
        RemoveDepartmentMemberRequest Remove(string member) => new() { Department = department, MemberId = member };

        var notMemberLead = await Assert.ThrowsAsync<RpcException>(async () => await Departments.SetDepartmentLeadAsync(
            new SetDepartmentLeadRequest { Department = department, LeadId = outsider.RepId }, host.Admin));
        var leadByNonAdmin = new List<StatusCode>();
        foreach (var caller in new[] { lead, team.Manager, host.As(directorId, "director") })
        {
            leadByNonAdmin.Add(await StatusOf(async () => await Departments.SetDepartmentLeadAsync(
                new SetDepartmentLeadRequest { Department = department, LeadId = team.OtherRepId }, caller)));
        }
        var led = (await Departments.SetDepartmentLeadAsync(new SetDepartmentLeadRequest { Department = department, LeadId = team.OtherRepId }, host.Admin)).Department;
        var added = (await Departments.AddDepartmentMemberAsync(Add(team.ManagerId, "add-1"), lead)).Department;
        var retried = (await Departments.AddDepartmentMemberAsync(Add(team.ManagerId, "add-1"), lead)).Department;
        var reused = await StatusOf(async () => await Departments.AddDepartmentMemberAsync(Add(outsider.ManagerId, "add-1"), lead));
        var removed = (await Departments.RemoveDepartmentMemberAsync(Remove(team.RepId), lead)).Department;
        var byAdmin = (await Departments.AddDepartmentMemberAsync(Add(team.RepId), host.Admin)).Department;
        var leadRemoved = await Assert.ThrowsAsync<RpcException>(async () => await Departments.RemoveDepartmentMemberAsync(Remove(team.OtherRepId), host.Admin));
        var stale = await Assert.ThrowsAsync<RpcException>(async () => await Departments.AddDepartmentMemberAsync(
            new AddDepartmentMemberRequest { Department = department, MemberId = outsider.RepId, ExpectedVersion = led.Version }, lead));
        var denied = new List<string>();
        var nonLeads = new[] { ("member", team.Rep), ("manager member", team.Manager), ("director", host.As(directorId, "director")), ("non-member", outsider.Rep),
            ("service", host.As("billing-sync", "service")) };
        foreach (var (who, caller) in nonLeads)
        {
            denied.Add($"{who} add {await StatusOf(async () => await Departments.AddDepartmentMemberAsync(Add(outsider.RepId), caller))}");
            denied.Add($"{who} remove {await StatusOf(async () => await Departments.RemoveDepartmentMemberAsync(Remove(team.RepId), caller))}");
        }
        var hostile = new List<(StatusCode, string)>();
        foreach (var request in new[] { Add(""), Add("../x"), Add(new string('x', 100_000)), new AddDepartmentMemberRequest { Department = "../x", MemberId = "a" } })
        {
            var e = await Assert.ThrowsAsync<RpcException>(async () => await Departments.AddDepartmentMemberAsync(request, host.Admin));
            hostile.Add((e.StatusCode, e.Status.Detail.Split(':')[0]));
        }
        var badLead = await Assert.ThrowsAsync<RpcException>(async () => await Departments.SetDepartmentLeadAsync(
            new SetDepartmentLeadRequest { Department = department, LeadId = "../x" }, host.Admin));
        var read = (await Departments.GetDepartmentAsync(new GetDepartmentRequest { Department = department }, team.Manager)).Department;

        Assert.Equal(StatusCode.FailedPrecondition, notMemberLead.StatusCode);
        Assert.StartsWith("lead_id", notMemberLead.Status.Detail, StringComparison.Ordinal);
        Assert.All(leadByNonAdmin, status => Assert.Equal(StatusCode.PermissionDenied, status));
        Assert.Equal(team.OtherRepId, led.LeadId);
        Assert.Equal(added, retried);
        Assert.Contains(team.ManagerId, added.MemberIds);
        Assert.Equal(StatusCode.FailedPrecondition, reused);
        Assert.DoesNotContain(team.RepId, removed.MemberIds);
        Assert.Contains(team.RepId, byAdmin.MemberIds);
        Assert.Equal(StatusCode.FailedPrecondition, leadRemoved.StatusCode);
        Assert.StartsWith("member_id", leadRemoved.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.Aborted, stale.StatusCode);
        Assert.All(denied, line => Assert.EndsWith("PermissionDenied", line, StringComparison.Ordinal));
        Assert.Equal([(StatusCode.InvalidArgument, "member_id"), (StatusCode.InvalidArgument, "member_id"), (StatusCode.InvalidArgument, "member_id"),
            (StatusCode.InvalidArgument, "department")], hostile);
        Assert.Equal((StatusCode.InvalidArgument, "lead_id"), (badLead.StatusCode, badLead.Status.Detail.Split(':')[0]));
        Assert.Equal(byAdmin, read);
    }

    [Fact]
    public async Task A_frozen_lead_may_no_longer_change_the_members()
    {
        var department = $"dept-{Guid.NewGuid():N}"[..16];
        var team = await host.CreateTeamAsync();
        await Departments.SetDepartmentMembersAsync(new SetDepartmentMembersRequest { Department = department, MemberIds = { team.OtherRepId } }, host.Admin);
        await Departments.SetDepartmentLeadAsync(new SetDepartmentLeadRequest { Department = department, LeadId = team.OtherRepId }, host.Admin);
        var before = await Departments.AddDepartmentMemberAsync(new AddDepartmentMemberRequest { Department = department, MemberId = team.RepId }, team.OtherRep);
        await new HandoverService.HandoverServiceClient(host.Channel).StartDepartureAsync(
            new StartDepartureRequest { SalespersonId = team.OtherRepId, DefaultReceiverId = team.RepId }, team.Manager);

        var frozen = await Assert.ThrowsAsync<RpcException>(async () => await Departments.RemoveDepartmentMemberAsync(
            new RemoveDepartmentMemberRequest { Department = department, MemberId = team.RepId }, team.OtherRep));

        Assert.Contains(team.RepId, before.Department.MemberIds);
        Assert.Equal(StatusCode.PermissionDenied, frozen.StatusCode);
    }
}
