using ActorSales.Contracts.V1;
using ActorSales.Testing;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.TestingHost;

namespace ActorSales.FunctionalTests;

/// <summary>
/// Every changing RPC, found by descriptor, is called with a <c>request_id</c> as a client would after an UNAVAILABLE:
/// the repeat answers exactly what the first call answered (same ids, same version, nothing applied twice), and the same
/// id with a different request is refused with FAILED_PRECONDITION. The walk is one realistic day of a team, on fake
/// time so a customer can be released to the pool; an RPC added to protos/ fails the coverage check until it is walked.
/// </summary>
public sealed class RetrySafeWritesTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private readonly HashSet<string> _walked = new(StringComparer.Ordinal);
    private TestHost _host = null!;

    public async ValueTask InitializeAsync() => _host = await TestHost.StartAsync(
        builder =>
        {
            builder.Services.AddSingleton<TimeProvider>(_clock);
            builder.Services.UseTimeProviderForBackgroundAreas(TimeProvider.System);
        },
        "--ActorSales:Profile=Local", $"--ActorSales:ClusterId=retries-{Guid.NewGuid():N}");

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    private OpportunitiesService.OpportunitiesServiceClient Opportunities => new(_host.Channel);

    [Fact]
    public async Task Every_changing_rpc_repeated_with_its_request_id_changes_nothing_and_answers_the_same()
    {
        var admin = _host.Admin;
        var team = await _host.CreateTeamAsync();
        var directorId = $"dir-{Guid.NewGuid():N}"[..16];
        var leaverId = $"leaver-{Guid.NewGuid():N}"[..16];
        var director = _host.As(directorId, "director");

        // Teams and people.
        var otherTeamId = $"team-{Guid.NewGuid():N}"[..16];
        await Retried("TeamsService.CreateTeam", admin,
            new CreateTeamRequest { TeamId = otherTeamId, Name = "North", Region = "EMEA", TimeZone = "Europe/Berlin" },
            r => r.Name = "South");
        await Retried("TeamsService.UpdateTeam", admin, new UpdateTeamRequest { TeamId = otherTeamId, Name = "North-East" }, r => r.Name = "West");
        await Retried("SalespeopleService.CreateSalesperson", admin,
            new CreateSalespersonRequest { SalespersonId = directorId, Name = "Dana", Email = $"{directorId}@example.com", Role = Role.Director, TeamId = team.TeamId },
            r => r.Name = "Other");
        await Retried("SalespeopleService.UpdateSalesperson", admin, new UpdateSalespersonRequest { SalespersonId = directorId, Name = "Dana Director" }, r => r.Name = "D.");
        await _host.Teams.UpdateTeamAsync(new UpdateTeamRequest { TeamId = team.TeamId, DirectorId = directorId }, admin);
        await _host.Salespeople.CreateSalespersonAsync(new CreateSalespersonRequest { SalespersonId = leaverId, Name = "Leo", Email = $"{leaverId}@example.com", Role = Role.Rep, TeamId = team.TeamId }, admin);
        await Retried("ApprovalsService.SetDelegate", director,
            new SetDelegateRequest { ApproverId = directorId, DelegateId = team.ManagerId, From = At(0), Until = At(3) },
            r => r.Until = At(4));
        await Retried("PipelinesService.DefinePipeline", admin,
            new DefinePipelineRequest { Pipeline = new Pipeline { Key = $"p-{Guid.NewGuid():N}"[..12], Name = "Short", Stages = { Stage("Only") } } },
            r => r.Pipeline.Name = "Shorter");

        // Goals: the manager's target for a rep.
        await Retried("AnalyticsService.SetGoal", team.Manager,
            new SetGoalRequest { TeamId = team.TeamId, OwnerId = team.RepId, Metric = GoalMetric.NewCustomers, PeriodKind = GoalPeriodKind.Month, PeriodStart = "2026-03-01", Target = "20" },
            r => r.Target = "25");

        // A customer's life.
        var customer = (CreateCustomerResponse)await Retried("CustomersService.CreateCustomer", team.Rep, NewCustomer(CustomerTier.A), r => r.Name = "Other clinic");
        var customerId = customer.Customer.CustomerId;
        await Retried("CustomersService.UpdateCustomer", team.Rep,
            new UpdateCustomerRequest { CustomerId = customerId, Industry = "Pharma", UpdatePaths = { "industry" } }, r => r.Industry = "Retail");
        var confirmed = (UpdateCustomerResponse)await Retried("CustomersService.UpdateCustomer", team.Rep, // the tier it has: the qualification
            new UpdateCustomerRequest { CustomerId = customerId, Tier = CustomerTier.A, UpdatePaths = { "tier" } }, r => r.Tier = CustomerTier.B);
        Assert.Equal(3, confirmed.Customer.Version);
        var located = new GeoPoint { Latitude = 52.516275, Longitude = 13.377704 };
        await Retried("CustomersService.UpdateCustomer", team.Rep,
            new UpdateCustomerRequest { CustomerId = customerId, Location = located, UpdatePaths = { "location" } }, r => r.Location = new GeoPoint());
        var logged = (LogActivityResponse)await Retried("CustomersService.LogActivity", team.Rep,
            new LogActivityRequest
            {
                CustomerId = customerId, Kind = ActivityKind.Visit, OccurredAt = Timestamp.FromDateTimeOffset(_clock.GetUtcNow()), Summary = "Met the head of cardiology",
                NextAction = "send the quote", NextActionDueAt = Timestamp.FromDateTimeOffset(_clock.GetUtcNow().AddDays(1)),
                CheckIn = new VisitCheckIn { Location = located, CheckedInAt = Timestamp.FromDateTimeOffset(_clock.GetUtcNow()), PhotoReference = "photo-1" },
            },
            r => r.CheckIn.PhotoReference = "photo-2");
        Assert.Equal(1, logged.Customer.ActivityCount);
        Assert.True(logged.Activity.Effective);
        await Retried("CustomersService.ConfirmNextAction", team.Manager, new ConfirmNextActionRequest { CustomerId = customerId }, vary: null);
        await Retried("CustomersService.SetCustomerLock", team.Manager, new SetCustomerLockRequest { CustomerId = customerId, Locked = true }, r => r.Locked = false);

        // Deals: one lost, one walked to approval and won, one whose approval is rejected.
        var lost = await OpenDeal(team, customerId, "500", retried: false);
        await Retried("OpportunitiesService.AddEvidence", team.Rep, new AddEvidenceRequest { OpportunityId = lost, Kind = "price_request", Reference = "MAIL-1" }, r => r.Reference = "MAIL-2");
        await Retried("OpportunitiesService.SetSignal", team.Rep, new SetSignalRequest { OpportunityId = lost, Signal = ForecastSignal.L1 }, r => r.ExpectedVersion = 1);
        await Retried("OpportunitiesService.UpdateTerms", team.Rep, new UpdateTermsRequest { OpportunityId = lost, Title = "Fleet renewal" }, r => r.Title = "Fleet");
        await Retried("OpportunitiesService.SetNextAction", team.Rep, new SetNextActionRequest { OpportunityId = lost, NextAction = "Call purchasing", DueAt = At(2) }, r => r.NextAction = "Email");
        await Retried("OpportunitiesService.ConfirmNextAction", team.Manager, new OpportunitiesServiceConfirmNextActionRequest { OpportunityId = lost }, vary: null);
        await Opportunities.AddEvidenceAsync(new AddEvidenceRequest { OpportunityId = lost, Kind = "meeting_minutes", Reference = "DOC-1" }, team.Rep);
        await Retried("OpportunitiesService.ChangeStage", team.Rep, new ChangeStageRequest { OpportunityId = lost, ToStage = "ProposalSubmitted" }, r => r.Reason = "moved on");
        await Retried("OpportunitiesService.LoseOpportunity", team.Rep, new LoseOpportunityRequest { OpportunityId = lost, Reason = "price", Note = "too expensive" }, r => r.Note = "budget");

        var (won, wonApproval) = await DealInApproval(team, customerId, "600000");
        var (_, rejectedApproval) = await DealInApproval(team, customerId, "700000");
        var task = (await new TasksService.TasksServiceClient(_host.Channel).ListOpportunityTasksAsync(new ListOpportunityTasksRequest { OpportunityId = won }, admin)).Tasks[0];
        await Retried("DepartmentsService.SetDepartmentMembers", admin,
            new SetDepartmentMembersRequest { Department = task.Department, MemberIds = { team.OtherRepId } }, r => r.MemberIds.Add(team.RepId));
        await Retried("DepartmentsService.SetDepartmentLead", admin,
            new SetDepartmentLeadRequest { Department = task.Department, LeadId = team.OtherRepId }, r => r.LeadId = "");
        await Retried("DepartmentsService.AddDepartmentMember", team.OtherRep,
            new AddDepartmentMemberRequest { Department = task.Department, MemberId = team.RepId }, r => r.MemberId = team.ManagerId);
        await Retried("DepartmentsService.RemoveDepartmentMember", team.OtherRep,
            new RemoveDepartmentMemberRequest { Department = task.Department, MemberId = team.RepId }, r => r.MemberId = team.ManagerId);
        await Retried("TasksService.ClaimTask", team.OtherRep, new ClaimTaskRequest { TaskId = task.TaskId }, vary: null);
        await Retried("TasksService.CompleteTask", team.OtherRep, new CompleteTaskRequest { TaskId = task.TaskId, Note = "contract reviewed" }, r => r.Note = "ok");
        await Retried("ApprovalsService.ApproveRequest", director, new ApproveRequestRequest { ApprovalId = wonApproval, Comment = "fine" }, r => r.Comment = "good");
        await Retried("ApprovalsService.RejectRequest", director, new RejectRequestRequest { ApprovalId = rejectedApproval, Comment = "too low" }, r => r.Comment = "no");
        await Opportunities.AddEvidenceAsync(new AddEvidenceRequest { OpportunityId = won, Kind = "signed_contract", Reference = "DOC-c" }, team.Rep);
        await Retried("OpportunitiesService.WinOpportunity", team.Rep, new WinOpportunityRequest { OpportunityId = won, WinFactor = "product_fit" }, r => r.ExpectedVersion = 1);

        // Its order: made, paid, the payment reversed, cancelled.
        await Retried("OrdersService.CreateOrder", team.Rep, new CreateOrderRequest
        {
            OpportunityId = won, Currency = "EUR", Terms = PaymentTerms.Net30, Lines = { new OrderLine { Name = "Fleet", Quantity = "1", UnitPrice = "600000" } },
        }, r => r.Terms = PaymentTerms.Net60);
        var payment = (RecordPaymentResponse)await Retried("OrdersService.RecordPayment", admin, new RecordPaymentRequest
        {
            OrderId = won, Amount = "1000", BankReference = "B-1", EvidenceReference = "DOC-slip", TermType = PaymentTerms.Net30,
        }, r => r.Amount = "2000");
        await Retried("OrdersService.ReversePayment", admin,
            new ReversePaymentRequest { OrderId = won, PaymentId = payment.Payment.PaymentId, Reason = "bounced" }, r => r.Reason = "wrong order");
        await Retried("OrdersService.CancelOrder", team.Manager, new CancelOrderRequest { OrderId = won, Reason = "withdrawn" }, r => r.Reason = "other");
        await Retried("CustomersService.TransferCustomer", team.Manager,
            new TransferCustomerRequest { CustomerId = customerId, NewOwnerId = team.OtherRepId, Reason = "territory" }, r => r.Reason = "workload");

        // A departure: two receivers, one reassignment, one acceptance, one rejection.
        var leaver = _host.As(leaverId, "rep");
        var kept = (await _host.Customers.CreateCustomerAsync(NewCustomer(CustomerTier.A), leaver)).Customer.CustomerId;
        var moved = (await _host.Customers.CreateCustomerAsync(NewCustomer(CustomerTier.A), leaver)).Customer.CustomerId;
        var refused = (await _host.Customers.CreateCustomerAsync(NewCustomer(CustomerTier.A), leaver)).Customer.CustomerId;
        await Retried("HandoverService.StartDeparture", team.Manager,
            new StartDepartureRequest
            {
                SalespersonId = leaverId, DefaultReceiverId = team.RepId,
                Assignments = { new CustomerAssignment { CustomerId = refused, ReceiverId = team.OtherRepId } },
            },
            r => r.DefaultReceiverId = team.OtherRepId);
        await Retried("HandoverService.ReassignHandoverItems", team.Manager,
            new ReassignHandoverItemsRequest { HandoverId = leaverId, FromReceiverId = team.RepId, ToReceiverId = team.OtherRepId, CustomerIds = { moved } },
            r => r.CustomerIds.Add(kept));
        // A repeat answers with the package as it stands now: the accepted package's transfer runs on by itself meanwhile.
        await Retried("HandoverService.AcceptHandoverPackage", team.Rep, new AcceptHandoverPackageRequest { HandoverId = leaverId, FollowUpPlan = "call everyone this week" },
            r => r.FollowUpPlan = "later", settle: m =>
            {
                var package = ((AcceptHandoverPackageResponse)m).Package;
                package.Status = HandoverPackageStatus.Unspecified;
                package.TransferredCount = 0;
            });
        await Retried("HandoverService.RejectHandoverPackage", team.OtherRep, new RejectHandoverPackageRequest { HandoverId = leaverId, Reason = "no capacity" }, r => r.Reason = "busy");

        var inbox = new NotificationsService.NotificationsServiceClient(_host.Channel);
        var unread = (await inbox.ListNotificationsAsync(new ListNotificationsRequest { UnreadOnly = true }, team.Rep)).Notifications;
        Assert.NotEmpty(unread); // the receiver was told about the package
        await Retried("NotificationsService.MarkNotificationsRead", team.Rep,
            new MarkNotificationsReadRequest { NotificationIds = { unread[0].NotificationId } }, r => r.NotificationIds.Add("other"));

        // The pool: two tier-C customers nobody follows up are released; one is claimed, one assigned.
        var first = (await _host.Customers.CreateCustomerAsync(NewCustomer(CustomerTier.C), team.OtherRep)).Customer.CustomerId;
        var second = (await _host.Customers.CreateCustomerAsync(NewCustomer(CustomerTier.C), team.OtherRep)).Customer.CustomerId;
        _clock.Advance(TimeSpan.FromDays(16));
        var pool = new PoolService.PoolServiceClient(_host.Channel);
        var listed = await Polling.EventuallyAsync(
            async () => (await pool.ListPoolAsync(new ListPoolRequest { TeamId = team.TeamId }, team.Manager)).Entries.Select(c => c.CustomerId).ToList(),
            ids => ids.Contains(first) && ids.Contains(second), TimeSpan.FromSeconds(10));
        Assert.Contains(second, listed);
        await Retried("PoolService.ClaimCustomer", team.Rep, new ClaimCustomerRequest { TeamId = team.TeamId, CustomerId = first }, vary: null);
        await Retried("PoolService.AssignPoolCustomer", team.Manager,
            new AssignPoolCustomerRequest { TeamId = team.TeamId, CustomerId = second, OwnerId = team.RepId }, r => r.OwnerId = team.ManagerId);

        // Commission: a plan, then last month's (empty) statement of the rep approved by the manager and finalised.
        var plan = CommissionApiTests.WorkedExamplePlan();
        (plan.EffectiveFrom, plan.PlanId) = ("2000-01-01", team.TeamId);
        await Retried("CommissionService.DefinePlan", admin, new DefinePlanRequest { Plan = plan }, r => r.Plan.Name = "Other");
        var lastMonth = _clock.GetUtcNow().AddMonths(-1).ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture);
        await Retried("CommissionService.ApproveStatement", team.Manager, new ApproveStatementRequest { SalespersonId = team.RepId, Period = lastMonth }, r => r.Etag = "other");
        await Retried("CommissionService.FinaliseStatement", admin, new FinaliseStatementRequest { SalespersonId = team.RepId, Period = lastMonth }, r => r.Period = "2020-01");

        // Leads: one the rep records, works and converts; one in the team's pool that the rep claims.
        LeadInput LeadInput(string name) => new()
        {
            SourceChannel = SourceChannel.MarketingEvent, ArrivedAt = Timestamp.FromDateTimeOffset(_clock.GetUtcNow()), Name = name,
            Company = $"Lead Co {Guid.NewGuid():N}", Phones = { $"+49 30 {Random.Shared.Next(10_000_000, 99_999_999)}" },
        };
        var lead = ((CreateLeadResponse)await Retried("LeadsService.CreateLead", team.Rep,
            new CreateLeadRequest { TeamId = team.TeamId, Lead = LeadInput("Lea Lang") }, r => r.Lead.Name = "Other")).Lead.LeadId;
        var pooled = (await new LeadsService.LeadsServiceClient(_host.Channel).CreateLeadAsync(
            new CreateLeadRequest { TeamId = team.TeamId, Lead = LeadInput("Pia Pool") }, team.Manager)).Lead.LeadId;
        await Retried("LeadsService.ClaimLead", team.OtherRep, new ClaimLeadRequest { LeadId = pooled }, vary: null);
        await Retried("LeadsService.SetLeadUnsubscribed", team.OtherRep, new SetLeadUnsubscribedRequest { LeadId = pooled, Unsubscribed = true }, r => r.Unsubscribed = false);
        await Retried("LeadsService.RecordLeadBasics", team.Rep,
            new RecordLeadBasicsRequest { LeadId = lead, UpdatePaths = { "notes" }, Notes = "met at the fair" }, r => r.Notes = "other");
        await Retried("LeadsService.LogLeadContact", team.Rep,
            new LogLeadContactRequest { LeadId = lead, Kind = ActivityKind.Meeting, OccurredAt = Timestamp.FromDateTimeOffset(_clock.GetUtcNow()), Summary = "demo" },
            r => r.Summary = "other");
        await Retried("LeadsService.QualifyLead", team.Rep, new QualifyLeadRequest { LeadId = lead, Qualification = LeadQualification.Qualified },
            r => r.Note = "other");
        await Retried("LeadsService.AssignLead", team.Manager, new AssignLeadRequest { LeadId = lead, OwnerId = team.OtherRepId }, r => r.OwnerId = team.RepId);
        await Retried("LeadsService.ConvertLead", team.OtherRep, new ConvertLeadRequest { LeadId = lead, Tier = CustomerTier.B }, r => r.Tier = CustomerTier.C);

        var changing = ApiSurface.UnaryMethods().Where(m => !ApiSurface.IsRead(m)).Select(m => $"{m.Service.Name}.{m.Name}").ToList();
        Assert.Empty(changing.Except(_walked));
    }

    [Fact]
    public async Task A_request_id_longer_than_100_characters_is_refused_before_anything_is_written()
    {
        var team = await _host.CreateTeamAsync();
        var request = NewCustomer(CustomerTier.B);
        request.RequestId = new string('r', 101);

        var refused = await Assert.ThrowsAsync<RpcException>(async () => await _host.Customers.CreateCustomerAsync(request, team.Rep));

        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.Contains("request_id", refused.Status.Detail);
        var listed = await _host.Customers.ListMyCustomersAsync(new ListMyCustomersRequest(), team.Rep);
        Assert.Empty(listed.Customers);
    }

    [Fact]
    public async Task The_same_request_id_from_another_caller_is_another_request()
    {
        var team = await _host.CreateTeamAsync();
        var request = NewCustomer(CustomerTier.B);
        request.RequestId = "create-1";

        var mine = await _host.Customers.CreateCustomerAsync(request, team.Rep);
        request.Company = $"Another {Guid.NewGuid():N}";
        var theirs = await _host.Customers.CreateCustomerAsync(request, team.OtherRep);

        Assert.NotEqual(mine.Customer.CustomerId, theirs.Customer.CustomerId);
        Assert.Equal(team.OtherRepId, theirs.Customer.OwnerId);
    }

    /// <summary>
    /// Calls <paramref name="rpc"/> with a fresh request id, repeats it, and checks the repeat answered the same; then the
    /// same id with the request changed by <paramref name="vary"/> (null: the request has no other field) must be refused.
    /// </summary>
    private async Task<IMessage> Retried<TRequest>(string rpc, Metadata caller, TRequest request, Action<TRequest>? vary, Action<IMessage>? settle = null)
        where TRequest : IMessage<TRequest>
    {
        var method = ApiSurface.UnaryMethods().Single(m => $"{m.Service.Name}.{m.Name}" == rpc);
        method.InputType.FindFieldByName("request_id").Accessor.SetValue(request, $"{rpc}-{Guid.NewGuid():N}");

        var first = await Call(method, request, caller);
        var again = await Call(method, request, caller);
        var answers = $"{rpc}: the repeat answered {again}, the first call {first}";
        settle?.Invoke(first);
        settle?.Invoke(again);
        Assert.True(first.Equals(again), answers);

        if (vary is not null)
        {
            var other = request.Clone();
            vary(other);
            var refused = await Assert.ThrowsAsync<RpcException>(() => Call(method, other, caller));
            Assert.True(refused.StatusCode == StatusCode.FailedPrecondition, $"{rpc}: a changed request under a used id answered {refused.Status}");
            Assert.Contains("request_id", refused.Status.Detail);
        }
        _walked.Add(rpc);
        return first;
    }

    private async Task<IMessage> Call(MethodDescriptor method, IMessage request, Metadata caller)
    {
        var call = new Method<IMessage, IMessage>(MethodType.Unary, method.Service.FullName, method.Name,
            Marshallers.Create<IMessage>(m => m.ToByteArray(), bytes => method.InputType.Parser.ParseFrom(bytes)),
            Marshallers.Create<IMessage>(m => m.ToByteArray(), bytes => method.OutputType.Parser.ParseFrom(bytes)));
        return await _host.Channel.AsyncUnaryCall(call, null, new CallOptions(caller), request);
    }

    private async Task<string> OpenDeal(ApiTeam team, string customerId, string amount, bool retried)
    {
        var request = new CreateOpportunityRequest
        {
            CustomerId = customerId, Title = "Fleet", Value = new Money { Amount = amount, Currency = "EUR" }, ExpectedCloseAt = At(30),
        };
        if (!retried && !_walked.Contains("OpportunitiesService.CreateOpportunity"))
        {
            var created = (CreateOpportunityResponse)await Retried("OpportunitiesService.CreateOpportunity", team.Rep, request, r => r.Title = "Fleet 2");
            return created.Opportunity.OpportunityId;
        }
        return (await Opportunities.CreateOpportunityAsync(request, team.Rep)).Opportunity.OpportunityId;
    }

    private async Task<(string DealId, string ApprovalId)> DealInApproval(ApiTeam team, string customerId, string amount)
    {
        var id = await OpenDeal(team, customerId, amount, retried: true);
        Opportunity view = null!;
        foreach (var (kind, next) in new[] { ("meeting_minutes", "ProposalSubmitted"), ("proposal_document", "PriceNegotiation"), ("quote", "ContractApproval") })
        {
            await Opportunities.AddEvidenceAsync(new AddEvidenceRequest { OpportunityId = id, Kind = kind, Reference = "DOC-1" }, team.Rep);
            view = (await Opportunities.ChangeStageAsync(new ChangeStageRequest { OpportunityId = id, ToStage = next }, team.Rep)).Opportunity;
        }
        return (id, view.PendingApprovalId);
    }

    private Timestamp At(int days) => Timestamp.FromDateTimeOffset(_clock.GetUtcNow().AddDays(days));

    private static PipelineStage Stage(string key) => new()
    {
        Key = key, DisplayName = key, WarningAge = Duration.FromTimeSpan(TimeSpan.FromDays(1)), LimitAge = Duration.FromTimeSpan(TimeSpan.FromDays(2)),
    };

    private static CreateCustomerRequest NewCustomer(CustomerTier tier) => new()
    {
        Name = "Clinic", Company = $"Clinic {Guid.NewGuid():N}", Tier = tier, SourceChannel = SourceChannel.Referral,
    };
}
