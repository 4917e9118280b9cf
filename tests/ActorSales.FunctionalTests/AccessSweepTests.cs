using ActorSales.Contracts.V1;
using ActorSales.Testing;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace ActorSales.FunctionalTests;

/// <summary>
/// Access is decided before anything about a record is revealed. Every RPC of every service is called by callers who
/// may not act on team A's records (a rep and a manager of team B; for changes also a service and a frozen leaver),
/// with requests built to probe the record's state: stale versions, the current owner as new owner, a decided
/// approval, a started departure, an existing id. Each must answer PERMISSION_DENIED or NOT_FOUND, and the message must
/// name nothing of the record (owner, approver, stage, version, status). An RPC added to protos/ fails the sweep until
/// it is listed here or, if it reaches no one else's record, among the caller-scoped ones.
/// </summary>
[Collection(HostCollection.Name)]
public sealed class AccessSweepTests(HostFixture fixture)
{
    private TestHost host => fixture.Host;

    /// <summary>RPCs that address only the caller's own data or shared configuration: no one else's record to reach.</summary>
    private static readonly Dictionary<string, string> CallerScoped = new(StringComparer.Ordinal)
    {
        ["actorsales.v1.ApprovalsService.ListMyApprovals"] = "lists the caller's own approvals",
        ["actorsales.v1.NotificationsService.ListNotifications"] = "the caller's own inbox",
        ["actorsales.v1.NotificationsService.MarkNotificationsRead"] = "the caller's own inbox; other ids are ignored",
        ["actorsales.v1.NotificationsService.WatchNotifications"] = "the caller's own inbox",
        ["actorsales.v1.HandoverService.ListMyHandoverPackages"] = "packages addressed to the caller",
        ["actorsales.v1.PipelinesService.GetPipeline"] = "pipelines are shared configuration every user works with",
        ["actorsales.v1.PipelinesService.ListPipelines"] = "pipelines are shared configuration every user works with",
        ["actorsales.v1.CustomersService.SearchCustomers"] = "names no record: the caller's read scope decides every row",
        ["actorsales.v1.TeamsService.ListTeams"] = "names no team: the caller's read scope decides every row",
        ["actorsales.v1.CommissionService.GetPlan"] = "commission plans are shared configuration every salesperson is paid by",
        ["actorsales.v1.LeadsService.ImportLeads"] = "client streaming: each row into a team the caller may not manage is answered invalid (team_id) and creates nothing (LeadsApiTests)",
    };

    /// <summary>Team A's records, in states that used to leak through errors; team B's people and other callers.</summary>
    private sealed record World(
        ApiTeam A, ApiTeam B, string DirectorId, string LeaverId, string CustomerId, long CustomerVersion, string DealId,
        string WonDealId, string ApprovalId, string DecidedApprovalId, string TaskId, string LeadId = "")
    {
        public IEnumerable<string> Secrets => [A.RepId, A.OtherRepId, DirectorId, LeaverId, "ContractApproval", "PriceNegotiation", "version", "already", "pending", "approved", "won"];
    }

    private async Task<World> BuildWorldAsync()
    {
        var a = await host.CreateTeamAsync();
        var b = await host.CreateTeamAsync();
        var directorId = $"dir-{Guid.NewGuid():N}"[..16];
        var leaverId = $"leaver-{Guid.NewGuid():N}"[..16];
        foreach (var (id, role) in new[] { (directorId, Role.Director), (leaverId, Role.Rep) })
        {
            await host.Salespeople.CreateSalespersonAsync(new CreateSalespersonRequest { SalespersonId = id, Name = id, Email = $"{id}@example.com", Role = role, TeamId = a.TeamId }, host.Admin);
        }
        await host.Teams.UpdateTeamAsync(new UpdateTeamRequest { TeamId = a.TeamId, DirectorId = directorId }, host.Admin);

        var customer = (await host.Customers.CreateCustomerAsync(NewCustomer(), a.Rep)).Customer;
        customer = (await host.Customers.UpdateCustomerAsync(new UpdateCustomerRequest { CustomerId = customer.CustomerId, Industry = "Pharma", UpdatePaths = { "industry" } }, a.Rep)).Customer;
        await host.Customers.CreateCustomerAsync(NewCustomer(), host.As(leaverId, "rep"));
        var deal = await DealInApprovalAsync(a, customer.CustomerId, "600000");
        var decided = await DealInApprovalAsync(a, customer.CustomerId, "700000");
        var approvals = new ApprovalsService.ApprovalsServiceClient(host.Channel);
        await approvals.ApproveRequestAsync(new ApproveRequestRequest { ApprovalId = decided.ApprovalId, Comment = "fine" }, host.As(directorId, "director"));
        var opportunities = new OpportunitiesService.OpportunitiesServiceClient(host.Channel);
        await opportunities.AddEvidenceAsync(new AddEvidenceRequest { OpportunityId = decided.DealId, Kind = "signed_contract", Reference = "DOC-c" }, a.Rep);
        await opportunities.WinOpportunityAsync(new WinOpportunityRequest { OpportunityId = decided.DealId, WinFactor = "product_fit" }, a.Rep);
        await new OrdersService.OrdersServiceClient(host.Channel).CreateOrderAsync(new CreateOrderRequest
        {
            OpportunityId = decided.DealId, Currency = "EUR", Terms = PaymentTerms.Net30, Lines = { new OrderLine { Name = "Fleet", Quantity = "1", UnitPrice = "700000" } },
        }, a.Rep);
        var tasks = await new TasksService.TasksServiceClient(host.Channel).ListOpportunityTasksAsync(new ListOpportunityTasksRequest { OpportunityId = deal.DealId }, host.Admin);
        await new HandoverService.HandoverServiceClient(host.Channel).StartDepartureAsync(
            new StartDepartureRequest { SalespersonId = leaverId, DefaultReceiverId = a.RepId }, a.Manager);
        var lead = (await new LeadsService.LeadsServiceClient(host.Channel).CreateLeadAsync(new CreateLeadRequest
        {
            TeamId = a.TeamId,
            Lead = new LeadInput { SourceChannel = SourceChannel.InboundWebForm, ArrivedAt = Timestamp.FromDateTime(DateTime.UtcNow), Name = "Lea", Phones = { $"+49 30 {Random.Shared.Next(1_000_000, 9_999_999)}" } },
        }, a.Rep)).Lead;
        return new World(a, b, directorId, leaverId, customer.CustomerId, customer.Version, deal.DealId, decided.DealId, deal.ApprovalId,
            decided.ApprovalId, tasks.Tasks[0].TaskId, lead.LeadId);
    }

    private static CreateCustomerRequest NewCustomer() => new()
    {
        Name = "Clinic", Company = $"Clinic {Guid.NewGuid():N}", Tier = CustomerTier.A, SourceChannel = SourceChannel.Referral,
    };

    private async Task<(string DealId, string ApprovalId)> DealInApprovalAsync(ApiTeam team, string customerId, string amount)
    {
        var opportunities = new OpportunitiesService.OpportunitiesServiceClient(host.Channel);
        var id = (await opportunities.CreateOpportunityAsync(new CreateOpportunityRequest
        {
            CustomerId = customerId, Title = "Fleet", Value = new Money { Amount = amount, Currency = "EUR" },
            ExpectedCloseAt = Timestamp.FromDateTime(DateTime.UtcNow.AddDays(30)),
        }, team.Rep)).Opportunity.OpportunityId;
        Opportunity view = null!;
        foreach (var (kind, next) in new[] { ("meeting_minutes", "ProposalSubmitted"), ("proposal_document", "PriceNegotiation"), ("quote", "ContractApproval") })
        {
            await opportunities.AddEvidenceAsync(new AddEvidenceRequest { OpportunityId = id, Kind = kind, Reference = "DOC-1" }, team.Rep);
            view = (await opportunities.ChangeStageAsync(new ChangeStageRequest { OpportunityId = id, ToStage = next }, team.Rep)).Opportunity;
        }
        return (id, view.PendingApprovalId);
    }

    /// <summary>For each RPC, the requests that probe team A's records; none may be answered from their state.</summary>
    private static Dictionary<string, IMessage[]> Probes(World w)
    {
        var stale = w.CustomerVersion + 7;
        return new Dictionary<string, IMessage[]>(StringComparer.Ordinal)
        {
            ["actorsales.v1.ApprovalsService.GetApproval"] = [new GetApprovalRequest { ApprovalId = w.ApprovalId }, new GetApprovalRequest { ApprovalId = w.DecidedApprovalId }],
            ["actorsales.v1.ApprovalsService.ApproveRequest"] = [new ApproveRequestRequest { ApprovalId = w.ApprovalId }, new ApproveRequestRequest { ApprovalId = w.DecidedApprovalId }],
            ["actorsales.v1.ApprovalsService.RejectRequest"] = [new RejectRequestRequest { ApprovalId = w.ApprovalId, Comment = "no" }, new RejectRequestRequest { ApprovalId = w.DecidedApprovalId, Comment = "no" }],
            ["actorsales.v1.ApprovalsService.SetDelegate"] =
            [
                new SetDelegateRequest { ApproverId = w.DirectorId, DelegateId = w.A.RepId, From = Timestamp.FromDateTime(DateTime.UtcNow), Until = Timestamp.FromDateTime(DateTime.UtcNow.AddDays(3)) },
                new SetDelegateRequest { ApproverId = w.DirectorId },
            ],
            ["actorsales.v1.CustomersService.CreateCustomer"] = [WithOwner(w.A.RepId), WithOwner(w.LeaverId)],
            ["actorsales.v1.CustomersService.GetCustomer"] = [new GetCustomerRequest { CustomerId = w.CustomerId }],
            ["actorsales.v1.CustomersService.GetCustomerGrade"] = [new GetCustomerGradeRequest { CustomerId = w.CustomerId }],
            ["actorsales.v1.CustomersService.UpdateCustomer"] =
            [
                new UpdateCustomerRequest { CustomerId = w.CustomerId, Name = "X", UpdatePaths = { "name" }, ExpectedVersion = stale },
                new UpdateCustomerRequest { CustomerId = w.CustomerId, UpdatePaths = { "nonsense" } },
            ],
            ["actorsales.v1.CustomersService.ListMyCustomers"] = [new ListMyCustomersRequest { OwnerId = w.A.RepId }, new ListMyCustomersRequest { OwnerId = w.LeaverId }],
            ["actorsales.v1.CustomersService.LogActivity"] = [new LogActivityRequest { CustomerId = w.CustomerId, Kind = ActivityKind.Call, DurationSeconds = 120, OccurredAt = Timestamp.FromDateTime(DateTime.UtcNow), Summary = "x" }],
            ["actorsales.v1.CustomersService.ListActivities"] = [new ListActivitiesRequest { CustomerId = w.CustomerId }],
            ["actorsales.v1.CustomersService.TransferCustomer"] =
            [
                new TransferCustomerRequest { CustomerId = w.CustomerId, NewOwnerId = w.A.RepId },
                new TransferCustomerRequest { CustomerId = w.CustomerId, NewOwnerId = w.A.OtherRepId, ExpectedVersion = stale },
                new TransferCustomerRequest { CustomerId = w.CustomerId, NewOwnerId = w.LeaverId },
            ],
            ["actorsales.v1.CustomersService.ListCustomers"] =
            [
                new ListCustomersRequest { PageSize = 10, OwnerId = w.A.RepId }, new ListCustomersRequest { PageSize = 10, TeamId = w.A.TeamId },
                new ListCustomersRequest { PageSize = 10, OwnerId = w.LeaverId, Tier = CustomerTier.A },
                new ListCustomersRequest { PageSize = 10, TeamId = w.A.TeamId, Grade = CustomerGrade.C },
            ],
            ["actorsales.v1.CustomersService.SetCustomerLock"] = [new SetCustomerLockRequest { CustomerId = w.CustomerId, Locked = true }],
            ["actorsales.v1.CustomersService.ConfirmNextAction"] = [new ConfirmNextActionRequest { CustomerId = w.CustomerId }],
            ["actorsales.v1.OpportunitiesService.ConfirmNextAction"] =
            [
                new OpportunitiesServiceConfirmNextActionRequest { OpportunityId = w.DealId },
                new OpportunitiesServiceConfirmNextActionRequest { OpportunityId = w.WonDealId },
            ],
            ["actorsales.v1.EventsService.Subscribe"] = [new SubscribeRequest { TeamId = w.A.TeamId, AfterPosition = 0 }],
            ["actorsales.v1.HandoverService.StartDeparture"] =
            [
                new StartDepartureRequest { SalespersonId = w.LeaverId, DefaultReceiverId = w.A.RepId },
                new StartDepartureRequest { SalespersonId = w.A.OtherRepId },
            ],
            ["actorsales.v1.HandoverService.GetHandover"] = [new GetHandoverRequest { HandoverId = w.LeaverId }],
            ["actorsales.v1.HandoverService.GetHandoverPackage"] =
            [
                new GetHandoverPackageRequest { HandoverId = w.LeaverId, ReceiverId = w.A.RepId },
                new GetHandoverPackageRequest { HandoverId = w.LeaverId, Pool = true },
            ],
            ["actorsales.v1.HandoverService.AcceptHandoverPackage"] = [new AcceptHandoverPackageRequest { HandoverId = w.LeaverId }],
            ["actorsales.v1.HandoverService.RejectHandoverPackage"] = [new RejectHandoverPackageRequest { HandoverId = w.LeaverId, Reason = "no" }],
            ["actorsales.v1.HandoverService.ReassignHandoverItems"] =
            [
                new ReassignHandoverItemsRequest { HandoverId = w.LeaverId, FromReceiverId = w.A.RepId, ToReceiverId = w.A.OtherRepId },
                new ReassignHandoverItemsRequest { HandoverId = w.LeaverId, FromReceiverId = w.A.RepId, ToReceiverId = w.A.RepId },
            ],
            ["actorsales.v1.OpportunitiesService.CreateOpportunity"] =
            [
                new CreateOpportunityRequest { CustomerId = w.CustomerId, Title = "X", Value = new Money { Amount = "1", Currency = "EUR" }, ExpectedCloseAt = Timestamp.FromDateTime(DateTime.UtcNow.AddDays(9)) },
            ],
            ["actorsales.v1.OpportunitiesService.GetOpportunity"] = [new GetOpportunityRequest { OpportunityId = w.DealId }, new GetOpportunityRequest { OpportunityId = w.WonDealId }],
            ["actorsales.v1.OpportunitiesService.AddEvidence"] =
            [
                new AddEvidenceRequest { OpportunityId = w.DealId, Kind = "quote", Reference = "DOC-2" },
                new AddEvidenceRequest { OpportunityId = w.WonDealId, Kind = "quote", Reference = "DOC-2" },
            ],
            ["actorsales.v1.OpportunitiesService.ChangeStage"] =
            [
                new ChangeStageRequest { OpportunityId = w.DealId, ToStage = "PriceNegotiation", Reason = "x", ExpectedVersion = stale },
                new ChangeStageRequest { OpportunityId = w.WonDealId, ToStage = "ContractApproval" },
            ],
            ["actorsales.v1.OpportunitiesService.SetSignal"] =
            [
                new SetSignalRequest { OpportunityId = w.DealId, Signal = ForecastSignal.L4, ExpectedVersion = stale },
                new SetSignalRequest { OpportunityId = w.WonDealId, Signal = ForecastSignal.L1 },
            ],
            ["actorsales.v1.OpportunitiesService.UpdateTerms"] =
            [
                new UpdateTermsRequest { OpportunityId = w.DealId, Value = new Money { Amount = "1", Currency = "EUR" } },
                new UpdateTermsRequest { OpportunityId = w.WonDealId, Title = "X", ExpectedVersion = stale },
            ],
            ["actorsales.v1.OpportunitiesService.WinOpportunity"] = [new WinOpportunityRequest { OpportunityId = w.DealId, WinFactor = "product_fit" }, new WinOpportunityRequest { OpportunityId = w.WonDealId, WinFactor = "product_fit" }],
            ["actorsales.v1.OpportunitiesService.LoseOpportunity"] =
            [
                new LoseOpportunityRequest { OpportunityId = w.DealId, Reason = "price", ExpectedVersion = stale },
                new LoseOpportunityRequest { OpportunityId = w.WonDealId, Reason = "price" },
            ],
            ["actorsales.v1.OpportunitiesService.ListOpportunities"] =
            [
                new ListOpportunitiesRequest { OwnerId = w.A.RepId }, new ListOpportunitiesRequest { TeamId = w.A.TeamId },
                new ListOpportunitiesRequest { OwnerId = w.A.RepId, Stage = "ContractApproval" },
            ],
            ["actorsales.v1.OpportunitiesService.GetForecast"] =
            [
                new GetForecastRequest { OwnerId = w.A.RepId }, new GetForecastRequest { TeamId = w.A.TeamId }, new GetForecastRequest { Region = "EMEA" },
            ],
            ["actorsales.v1.OpportunitiesService.SetNextAction"] =
            [
                new SetNextActionRequest { OpportunityId = w.DealId, NextAction = "call", DueAt = Timestamp.FromDateTime(DateTime.UtcNow.AddDays(1)) },
                new SetNextActionRequest { OpportunityId = w.WonDealId },
            ],
            ["actorsales.v1.OpportunitiesService.QueryOpportunities"] =
            [
                new QueryOpportunitiesRequest { PageSize = 10, CustomerId = w.CustomerId }, new QueryOpportunitiesRequest { PageSize = 10, OwnerId = w.A.RepId },
                new QueryOpportunitiesRequest { PageSize = 10, TeamId = w.A.TeamId, Status = OpportunityStatus.Won },
            ],
            ["actorsales.v1.OpportunitiesService.ListStalledOpportunities"] = [new ListStalledOpportunitiesRequest { TeamId = w.A.TeamId }],
            ["actorsales.v1.OpportunitiesService.ListInterventions"] = [new ListInterventionsRequest { TeamId = w.A.TeamId }],
            ["actorsales.v1.PipelinesService.DefinePipeline"] =
            [
                new DefinePipelineRequest { Pipeline = new Pipeline { Key = "b2b", Name = "Mine", Stages = { new PipelineStage { Key = "Only", DisplayName = "Only", WarningAge = Duration.FromTimeSpan(TimeSpan.FromDays(1)), LimitAge = Duration.FromTimeSpan(TimeSpan.FromDays(2)) } } } },
            ],
            ["actorsales.v1.PoolService.ListPool"] = [new ListPoolRequest { TeamId = w.A.TeamId }],
            ["actorsales.v1.PoolService.ClaimCustomer"] = [new ClaimCustomerRequest { TeamId = w.A.TeamId, CustomerId = w.CustomerId }],
            ["actorsales.v1.PoolService.AssignPoolCustomer"] = [new AssignPoolCustomerRequest { TeamId = w.A.TeamId, CustomerId = w.CustomerId, OwnerId = w.A.RepId }],
            ["actorsales.v1.PoolService.ListAboutToRelease"] = [new ListAboutToReleaseRequest { TeamId = w.A.TeamId }],
            ["actorsales.v1.SalespeopleService.CreateSalesperson"] =
            [
                new CreateSalespersonRequest { SalespersonId = w.A.RepId, Name = "X", Email = "x@example.com", Role = Role.Rep, TeamId = w.A.TeamId },
            ],
            ["actorsales.v1.SalespeopleService.GetSalesperson"] = [new GetSalespersonRequest { SalespersonId = w.A.RepId }, new GetSalespersonRequest { SalespersonId = w.LeaverId }],
            ["actorsales.v1.SalespeopleService.ListSalespeople"] = [new ListSalespeopleRequest { PageSize = 10, TeamId = w.A.TeamId, Role = Role.Rep }],
            ["actorsales.v1.SalespeopleService.UpdateSalesperson"] = [new UpdateSalespersonRequest { SalespersonId = w.A.RepId, Name = "X", ExpectedVersion = stale }],
            ["actorsales.v1.TasksService.ListDepartmentTasks"] = [new ListDepartmentTasksRequest { Department = "legal" }],
            ["actorsales.v1.TasksService.ListOpportunityTasks"] = [new ListOpportunityTasksRequest { OpportunityId = w.DealId }],
            ["actorsales.v1.TasksService.ClaimTask"] = [new ClaimTaskRequest { TaskId = w.TaskId }],
            ["actorsales.v1.TasksService.CompleteTask"] = [new CompleteTaskRequest { TaskId = w.TaskId, Note = "done" }],
            ["actorsales.v1.DepartmentsService.GetDepartment"] = [new GetDepartmentRequest { Department = "legal" }],
            ["actorsales.v1.DepartmentsService.SetDepartmentMembers"] =
            [
                new SetDepartmentMembersRequest { Department = "legal", MemberIds = { w.B.RepId } },
                new SetDepartmentMembersRequest { Department = "legal", ExpectedVersion = stale },
            ],
            ["actorsales.v1.DepartmentsService.SetDepartmentLead"] =
            [
                new SetDepartmentLeadRequest { Department = "legal", LeadId = w.B.RepId },
                new SetDepartmentLeadRequest { Department = "legal", ExpectedVersion = stale },
            ],
            ["actorsales.v1.DepartmentsService.AddDepartmentMember"] =
            [
                new AddDepartmentMemberRequest { Department = "legal", MemberId = w.B.RepId },
                new AddDepartmentMemberRequest { Department = "legal", MemberId = w.A.RepId, ExpectedVersion = stale },
            ],
            ["actorsales.v1.DepartmentsService.RemoveDepartmentMember"] =
            [
                new RemoveDepartmentMemberRequest { Department = "legal", MemberId = w.A.RepId },
                new RemoveDepartmentMemberRequest { Department = "legal", MemberId = w.B.RepId, ExpectedVersion = stale },
            ],
            ["actorsales.v1.TeamsService.CreateTeam"] = [new CreateTeamRequest { TeamId = w.A.TeamId, Name = "X", Region = "EMEA", TimeZone = "Europe/Berlin" }],
            ["actorsales.v1.TeamsService.GetTeam"] = [new GetTeamRequest { TeamId = w.A.TeamId }],
            ["actorsales.v1.TimelineService.GetTimeline"] =
            [
                new GetTimelineRequest { PageSize = 10, CustomerId = w.CustomerId }, new GetTimelineRequest { PageSize = 10, OpportunityId = w.DealId },
                new GetTimelineRequest { PageSize = 10, OpportunityId = w.WonDealId },
            ],
            ["actorsales.v1.TeamsService.UpdateTeam"] = [new UpdateTeamRequest { TeamId = w.A.TeamId, Name = "X", ExpectedVersion = stale }],
            ["actorsales.v1.AnalyticsService.GetFunnel"] = [.. Scopes(w).Select(s => new GetFunnelRequest { Scope = s, Period = Period() })],
            ["actorsales.v1.AnalyticsService.ListFunnelOpportunities"] =
                [.. Scopes(w).Select(s => new ListFunnelOpportunitiesRequest { Scope = s, Period = Period(), Stage = "NeedsConfirmed", Cell = FunnelCell.Entered, PageSize = 10 })],
            ["actorsales.v1.AnalyticsService.GetStallHeatmap"] = [.. Scopes(w).Select(s => new GetStallHeatmapRequest { Scope = s })],
            ["actorsales.v1.AnalyticsService.ListStallHeatmapOpportunities"] =
                [.. Scopes(w).Select(s => new ListStallHeatmapOpportunitiesRequest { Scope = s, PipelineKey = "b2b", Stage = "ContractApproval", AgeBucket = AgeBucket.Days07, PageSize = 10 })],
            ["actorsales.v1.AnalyticsService.GetCycleTimes"] = [.. Scopes(w).Select(s => new GetCycleTimesRequest { Scope = s, Period = Period() })],
            ["actorsales.v1.AnalyticsService.GetProcessHealth"] = [.. Scopes(w).Select(s => new GetProcessHealthRequest { Scope = s, Period = Period() })],
            ["actorsales.v1.AnalyticsService.GetDataHealth"] = [.. Scopes(w).Select(s => new GetDataHealthRequest { Scope = s, Period = Period() })],
            ["actorsales.v1.AnalyticsService.WatchBoard"] = [.. Scopes(w).Select(s => new WatchBoardRequest { Scope = s, Period = Period() })],
            ["actorsales.v1.AnalyticsService.SetGoal"] =
            [
                new SetGoalRequest { TeamId = w.A.TeamId, OwnerId = w.A.RepId, Metric = GoalMetric.NewCustomers, PeriodKind = GoalPeriodKind.Month, PeriodStart = "2026-01-01", Target = "5" },
                new SetGoalRequest { TeamId = w.A.TeamId, Metric = GoalMetric.WonAmount, PeriodKind = GoalPeriodKind.Week, PeriodStart = "2026-01-05", Target = "100", Currency = "EUR" },
            ],
            ["actorsales.v1.AnalyticsService.ListGoals"] = [.. Scopes(w).Select(s => new ListGoalsRequest { Scope = s, Period = Period() })],
            ["actorsales.v1.AnalyticsService.GetGoalProgress"] = [.. Scopes(w).Select(s => new GetGoalProgressRequest { Scope = s, Period = Period() })],
            ["actorsales.v1.OrdersService.CreateOrder"] =
                [new CreateOrderRequest { OpportunityId = w.WonDealId, Currency = "EUR", Terms = PaymentTerms.Net30, Lines = { new OrderLine { Name = "X", Quantity = "1", UnitPrice = "1" } } }],
            ["actorsales.v1.OrdersService.GetOrder"] = [new GetOrderRequest { OrderId = w.WonDealId }],
            ["actorsales.v1.LeadsService.CreateLead"] =
                [new CreateLeadRequest { TeamId = w.A.TeamId, Lead = new LeadInput { SourceChannel = SourceChannel.Referral, ArrivedAt = Timestamp.FromDateTime(DateTime.UtcNow), Email = "x@example.com" } }],
            ["actorsales.v1.LeadsService.GetLead"] = [new GetLeadRequest { LeadId = w.LeadId }],
            ["actorsales.v1.LeadsService.AssignLead"] = [new AssignLeadRequest { LeadId = w.LeadId, OwnerId = w.A.OtherRepId }],
            ["actorsales.v1.LeadsService.ClaimLead"] = [new ClaimLeadRequest { LeadId = w.LeadId }],
            ["actorsales.v1.LeadsService.RecordLeadBasics"] = [new RecordLeadBasicsRequest { LeadId = w.LeadId, UpdatePaths = { "company" }, Company = "X" }],
            ["actorsales.v1.LeadsService.LogLeadContact"] =
                [new LogLeadContactRequest { LeadId = w.LeadId, Kind = ActivityKind.Meeting, OccurredAt = Timestamp.FromDateTime(DateTime.UtcNow), Summary = "met" }],
            ["actorsales.v1.LeadsService.QualifyLead"] = [new QualifyLeadRequest { LeadId = w.LeadId, Qualification = LeadQualification.Qualified }],
            ["actorsales.v1.LeadsService.ConvertLead"] = [new ConvertLeadRequest { LeadId = w.LeadId, Tier = CustomerTier.B }],
            ["actorsales.v1.LeadsService.SetLeadUnsubscribed"] = [new SetLeadUnsubscribedRequest { LeadId = w.LeadId, Unsubscribed = true }],
            ["actorsales.v1.LeadsService.ListLeads"] =
                [new ListLeadsRequest { PageSize = 10, TeamId = w.A.TeamId }, new ListLeadsRequest { PageSize = 10, OwnerId = w.A.RepId }],
            ["actorsales.v1.LeadsService.GetLeadHealth"] =
                [new GetLeadHealthRequest { TeamId = w.A.TeamId, From = Timestamp.FromDateTime(DateTime.UtcNow.AddDays(-7)), To = Timestamp.FromDateTime(DateTime.UtcNow) }],
            ["actorsales.v1.OrdersService.ListOrders"] =
                [new ListOrdersRequest { PageSize = 10, TeamId = w.A.TeamId }, new ListOrdersRequest { PageSize = 10, OwnerId = w.A.RepId, OverdueOnly = true }],
            ["actorsales.v1.OrdersService.RecordPayment"] =
                [new RecordPaymentRequest { OrderId = w.WonDealId, Amount = "800000", BankReference = "B", EvidenceReference = "E", TermType = PaymentTerms.Net30 }],
            ["actorsales.v1.OrdersService.ReversePayment"] = [new ReversePaymentRequest { OrderId = w.WonDealId, PaymentId = "pay-x", Reason = "r" }],
            ["actorsales.v1.OrdersService.CancelOrder"] = [new CancelOrderRequest { OrderId = w.WonDealId, Reason = "r" }],
            ["actorsales.v1.CommissionService.DefinePlan"] = [new DefinePlanRequest { Plan = CommissionPlanOf(w.A.TeamId) }],
            ["actorsales.v1.CommissionService.CalculateCommission"] = [new CalculateCommissionRequest { SalespersonId = w.A.RepId, Period = "2026-01" }],
            ["actorsales.v1.CommissionService.WhatIfCommission"] =
                [new WhatIfCommissionRequest { SalespersonId = w.A.RepId, Period = "2026-01", Payments = { new HypotheticalPayment { Amount = "1", Currency = "EUR" } } }],
            ["actorsales.v1.CommissionService.ListStatements"] =
                [new ListStatementsRequest { Period = "2026-01", TeamId = w.A.TeamId }, new ListStatementsRequest { Period = "2026-01", SalespersonId = w.A.RepId }],
            ["actorsales.v1.CommissionService.ApproveStatement"] = [new ApproveStatementRequest { SalespersonId = w.A.RepId, Period = "2026-01" }],
            ["actorsales.v1.CommissionService.FinaliseStatement"] = [new FinaliseStatementRequest { SalespersonId = w.A.RepId, Period = "2026-01" }],
            ["actorsales.v1.AnalyticsService.ListAnomalies"] = [.. Scopes(w).Select(s => new ListAnomaliesRequest { Scope = s, PageSize = 10 })],
            ["actorsales.v1.AnalyticsService.GetForecastHistory"] = [.. Scopes(w).Select(s => new GetForecastHistoryRequest { Scope = s, Period = Period() })],
            ["actorsales.v1.AnalyticsService.GetCollection"] = [.. Scopes(w).Select(s => new GetCollectionRequest { Scope = s, Period = Period() })],
        };

        // Team A's figures, its rep's, its region's: none is an outsider's to read.
        static AnalyticsScope[] Scopes(World w) =>
            [new AnalyticsScope { TeamId = w.A.TeamId }, new AnalyticsScope { OwnerId = w.A.RepId }, new AnalyticsScope { Region = "EMEA" }];

        static AnalyticsPeriod Period() => new()
        {
            From = Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero)),
            To = Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 2, 1, 0, 0, 0, TimeSpan.Zero)),
        };

        static CommissionPlan CommissionPlanOf(string teamId)
        {
            var plan = CommissionApiTests.WorkedExamplePlan();
            plan.PlanId = teamId;
            return plan;
        }

        CreateCustomerRequest WithOwner(string ownerId)
        {
            var request = NewCustomer();
            request.OwnerId = ownerId;
            return request;
        }
    }

    [Fact]
    public void Every_rpc_is_probed_or_reaches_only_the_callers_own_data()
    {
        var nobody = new ApiTeam("", "", "", "", "");
        var probed = Probes(new World(nobody, nobody, "", "", "", 0, "", "", "", "", "")).Keys.ToHashSet(StringComparer.Ordinal);
        var all = ApiSurface.Files.SelectMany(f => f.Services).SelectMany(s => s.Methods).Select(m => m.FullName).ToList();

        var unlisted = all.Where(m => !probed.Contains(m) && !CallerScoped.ContainsKey(m)).ToList();
        var stale = probed.Concat(CallerScoped.Keys).Where(m => !all.Contains(m)).ToList(); // nothing stale in the lists

        Assert.True(unlisted.Count == 0, $"RPCs neither probed nor caller-scoped: {string.Join(", ", unlisted)}");
        Assert.True(stale.Count == 0, $"listed RPCs that no longer exist: {string.Join(", ", stale)}");
    }

    [Fact]
    public async Task A_caller_without_access_gets_permission_denied_or_not_found_and_learns_nothing_of_the_record()
    {
        var world = await BuildWorldAsync();
        List<(string Who, Metadata Token)> outsiders = [("rep of team B", world.B.Rep), ("manager of team B", world.B.Manager)];
        List<(string Who, Metadata Token)> forChanges = [.. outsiders, ("service", host.As("svc-sweep", "service")), ("frozen leaver", host.As(world.LeaverId, "rep"))];
        var failures = new List<string>();

        foreach (var (methodName, requests) in Probes(world))
        {
            var method = ApiSurface.Files.SelectMany(f => f.Services).SelectMany(s => s.Methods).Single(m => m.FullName == methodName);
            foreach (var (who, token) in ApiSurface.IsRead(method) ? outsiders : forChanges)
            {
                foreach (var request in requests)
                {
                    var (status, detail) = await CallAsync(method, request, token);
                    if (status is not (StatusCode.PermissionDenied or StatusCode.NotFound))
                    {
                        failures.Add($"{method.Name} by {who} ({request}): {status} \"{detail}\"");
                    }
                    else if (world.Secrets.FirstOrDefault(s => detail.Contains(s, StringComparison.OrdinalIgnoreCase)) is { } leaked)
                    {
                        failures.Add($"{method.Name} by {who}: the message names '{leaked}': \"{detail}\"");
                    }
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    [Fact]
    public async Task A_service_account_gets_permission_denied_from_every_changing_rpc_before_any_field_is_read()
    {
        var service = host.As("svc-readonly", "service");
        var answers = new List<string>();

        foreach (var method in ApiSurface.Files.SelectMany(f => f.Services).SelectMany(s => s.Methods).Where(m => !ApiSurface.IsRead(m)))
        {
            var (status, detail) = await CallAsync(method, (IMessage)Activator.CreateInstance(method.InputType.ClrType)!, service);
            if (status != StatusCode.PermissionDenied || detail != "a service account reads everything and changes nothing")
            {
                answers.Add($"{method.Name}: {status} \"{detail}\"");
            }
        }

        Assert.True(answers.Count == 0, string.Join(Environment.NewLine, answers));
    }

    private async Task<(StatusCode Status, string Detail)> CallAsync(MethodDescriptor method, IMessage request, Metadata token)
    {
        var marshaller = Marshallers.Create<IMessage>(m => m.ToByteArray(), bytes => method.OutputType.Parser.ParseFrom(bytes));
        var requestMarshaller = Marshallers.Create<IMessage>(m => m.ToByteArray(), bytes => method.InputType.Parser.ParseFrom(bytes));
        var invoker = host.Channel;
        try
        {
            if (method.IsServerStreaming)
            {
                var call = new Method<IMessage, IMessage>(MethodType.ServerStreaming, method.Service.FullName, method.Name, requestMarshaller, marshaller);
                using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                using var stream = invoker.AsyncServerStreamingCall(call, null, new CallOptions(token, cancellationToken: cancel.Token), request);
                await stream.ResponseStream.MoveNext(cancel.Token);
            }
            else
            {
                var call = new Method<IMessage, IMessage>(MethodType.Unary, method.Service.FullName, method.Name, requestMarshaller, marshaller);
                await invoker.AsyncUnaryCall(call, null, new CallOptions(token), request);
            }
            return (StatusCode.OK, "");
        }
        catch (RpcException exception)
        {
            return (exception.StatusCode, exception.Status.Detail);
        }
    }
}
