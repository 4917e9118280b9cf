using ActorSales.Contracts.V1;
using ActorSales.Testing;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.TestingHost;

namespace ActorSales.FunctionalTests;

/// <summary>
/// README "Commission"'s worked example through gRPC on fake time: a plan with marginal tiers, a product line's own rate,
/// a process component, a cap and channel-partner rebates; January's statement approved by the manager and finalised by
/// finance; a January payment reversed in February and a late January payment both land in February as adjustments,
/// January never changes; a what-if changes nothing; every role sees and does only its own.
/// </summary>
public sealed class CommissionApiTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _clock = new(Start);
    private TestHost _host = null!;

    public async ValueTask InitializeAsync() => _host = await TestHost.StartAsync(
        builder =>
        {
            builder.Services.AddSingleton<TimeProvider>(_clock);
            builder.Services.UseTimeProviderForBackgroundAreas(TimeProvider.System);
        },
        "--ActorSales:Profile=Local", $"--ActorSales:ClusterId=commission-{Guid.NewGuid():N}");

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    private CommissionService.CommissionServiceClient Commission => new(_host.Channel);

    private OrdersService.OrdersServiceClient Orders => new(_host.Channel);

    private OpportunitiesService.OpportunitiesServiceClient Opportunities => new(_host.Channel);

    private Metadata Finance => _host.As("finance-1", "finance");

    private static Timestamp Day(int month, int day) => Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, month, day, 12, 0, 0, TimeSpan.Zero));

    /// <summary>The plan of README's worked example.</summary>
    public static CommissionPlan WorkedExamplePlan() => new()
    {
        PlanId = "default", Name = "Field sales 2026", EffectiveFrom = "2026-01-01",
        Schedules =
        {
            new CurrencySchedule
            {
                Currency = "EUR", Cap = "1500", ProcessAmount = "1000",
                Tiers = { new CommissionTier { From = "0", RatePercent = "2" }, new CommissionTier { From = "10000", RatePercent = "4" }, new CommissionTier { From = "20000", RatePercent = "6" } },
                RebateTiers = { new CommissionTier { From = "5000", RatePercent = "1" }, new CommissionTier { From = "20000", RatePercent = "2" } },
            },
        },
        ProductLineRates = { new ProductLineRate { ProductLine = "service", RatePercent = "10" } },
        ProcessMetrics =
        {
            new ProcessMetricTerm { Metric = ProcessMetric.EffectiveVisits, WeightPercent = "60", Target = "10" },
            new ProcessMetricTerm { Metric = ProcessMetric.JourneyPenetration, WeightPercent = "40", Target = "80" },
        },
    };

    private async Task<string> CustomerAsync(ApiTeam team, SourceChannel channel) => (await _host.Customers.CreateCustomerAsync(new CreateCustomerRequest
    {
        Name = "Clinic", Company = $"Clinic {Guid.NewGuid():N}", Tier = CustomerTier.B, SourceChannel = channel, Location = Ward,
    }, team.Rep)).Customer.CustomerId;

    /// <summary>Where the customers are and the reps check in: their visits are effective (in range, a photo, a summary).</summary>
    private static readonly GeoPoint Ward = new() { Latitude = 52.5163, Longitude = 13.3777 };

    /// <summary>A deal with the evidence given; won (all four key actions of b2b) when <paramref name="win"/>.</summary>
    private async Task<string> DealAsync(ApiTeam team, string customer, string amount, bool win)
    {
        var deal = (await Opportunities.CreateOpportunityAsync(new CreateOpportunityRequest
        {
            CustomerId = customer, Title = "Cath lab", Value = new Money { Amount = amount, Currency = "EUR" },
            ExpectedCloseAt = Timestamp.FromDateTimeOffset(_clock.GetUtcNow().AddMonths(1)),
        }, team.Rep)).Opportunity.OpportunityId;
        await Opportunities.AddEvidenceAsync(new AddEvidenceRequest { OpportunityId = deal, Kind = "meeting_minutes", Reference = "DOC-m" }, team.Rep);
        if (!win)
        {
            return deal;
        }
        await Opportunities.ChangeStageAsync(new ChangeStageRequest { OpportunityId = deal, ToStage = "ProposalSubmitted" }, team.Rep);
        foreach (var (kind, next) in new[] { ("proposal_document", "PriceNegotiation"), ("quote", "ContractApproval") })
        {
            await Opportunities.AddEvidenceAsync(new AddEvidenceRequest { OpportunityId = deal, Kind = kind, Reference = "DOC-" + kind }, team.Rep);
            await Opportunities.ChangeStageAsync(new ChangeStageRequest { OpportunityId = deal, ToStage = next }, team.Rep);
        }
        await Opportunities.AddEvidenceAsync(new AddEvidenceRequest { OpportunityId = deal, Kind = "signed_contract", Reference = "DOC-s" }, team.Rep);
        await Opportunities.WinOpportunityAsync(new WinOpportunityRequest { OpportunityId = deal, WinFactor = "product_fit" }, team.Rep);
        return deal;
    }

    private static RecordPaymentRequest Pay(string order, string amount, Timestamp receivedAt) => new()
    {
        OrderId = order, Amount = amount, ReceivedAt = receivedAt, BankReference = "ICBC-1", EvidenceReference = "DOC-slip", TermType = PaymentTerms.Net60,
    };

    private static string Lines(CommissionStatement statement) => string.Join(Environment.NewLine, statement.Lines.Select(l =>
        $"{l.Component} {l.Rule} {l.PaymentId} {l.ProductLine} {l.BaseAmount} x {l.RatePercent} = {l.Result} {l.Currency}{(l.Hypothetical ? " what-if" : "")}"));

    private static string Totals(CommissionStatement statement) =>
        string.Join("; ", statement.Totals.Select(t => $"{t.Component} {t.Amount.Amount} {t.Amount.Currency}"))
        + " | payable " + string.Join("; ", statement.Payable.Select(p => $"{p.Amount} {p.Currency}"));

    private void MoveTo(int month, int day) => _clock.SetUtcNow(new DateTimeOffset(2026, month, day, 9, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task The_worked_example_pays_tiers_product_lines_process_and_cap_and_a_later_reversal_lands_in_the_next_period()
    {
        var team = await _host.CreateTeamAsync();
        var other = await _host.CreateTeamAsync();
        var plan = (await Commission.DefinePlanAsync(new DefinePlanRequest { Plan = WorkedExamplePlan(), RequestId = "plan-1" }, Finance)).Plan;
        Assert.Equal(("default", 1, "2026-01-01", "finance-1"), (plan.PlanId, plan.Version, plan.EffectiveFrom, plan.DefinedBy));
        Assert.Equal(plan, (await Commission.GetPlanAsync(new GetPlanRequest { PlanId = "default" }, team.Rep)).Plan);

        // January: two won deals (all four key actions of b2b) and one open deal with one of four: penetration 75 %.
        var partner = await CustomerAsync(team, SourceChannel.ChannelPartner);
        var referral = await CustomerAsync(team, SourceChannel.Referral);
        var orderA = await DealAsync(team, partner, "15000", win: true);
        var orderB = await DealAsync(team, referral, "20000", win: true);
        await DealAsync(team, referral, "5000", win: false);
        await Orders.CreateOrderAsync(new CreateOrderRequest
        {
            OpportunityId = orderA, Currency = "EUR", Terms = PaymentTerms.Net60,
            Lines =
            {
                new OrderLine { Name = "Cath lab table", ProductLine = "imaging", Quantity = "1", UnitPrice = "12000" },
                new OrderLine { Name = "Service", ProductLine = "service", Quantity = "1", UnitPrice = "3000" },
            },
        }, team.Rep);
        await Orders.CreateOrderAsync(new CreateOrderRequest
        {
            OpportunityId = orderB, Currency = "EUR", Terms = PaymentTerms.Net60,
            Lines = { new OrderLine { Name = "Monitors", Quantity = "4", UnitPrice = "5000" } },
        }, team.Rep);
        for (var i = 0; i < 6; i++)
        {
            _clock.SetUtcNow(Day(1, 6 + i).ToDateTimeOffset().AddMinutes(1)); // logged as it happens (occurred_at at most 48 h back)
            await _host.Customers.LogActivityAsync(new LogActivityRequest
            {
                CustomerId = i % 2 == 0 ? partner : referral, Kind = ActivityKind.Visit, OccurredAt = Day(1, 6 + i), Summary = "Visited the ward with the head nurse",
                CheckIn = new VisitCheckIn { Location = Ward, CheckedInAt = Day(1, 6 + i), PhotoReference = "photo-" + i },
            }, team.Rep);
        }
        MoveTo(1, 31);
        var p1 = (await Orders.RecordPaymentAsync(Pay(orderA, "9000", Day(1, 10)), Finance)).Payment.PaymentId;
        var p2 = (await Orders.RecordPaymentAsync(Pay(orderA, "6000", Day(1, 20)), Finance)).Payment.PaymentId;
        var last = await Orders.RecordPaymentAsync(Pay(orderB, "12000", Day(1, 25)), Finance);
        var p3 = last.Payment.PaymentId;

        var january = (await Commission.CalculateCommissionAsync(
            new CalculateCommissionRequest { SalespersonId = team.RepId, Period = "2026-01", ConsistencyToken = last.ConsistencyToken }, team.Rep)).Statement;
        Assert.Equal((StatementStatus.Draft, "default", 1), (january.Status, january.PlanId, january.PlanVersion));
        // 9000 on A: 7200 imaging (12000 / 15000) and 1800 service; 6000 on A: 4800 + 1200; 12000 on B. Cumulative 0 -> 27000.
        Assert.Equal(string.Join(Environment.NewLine,
            $"Collection tier:1 {p1} imaging 7200.00 x 2 = 144.00 EUR",
            $"Collection product_line:service {p1} service 1800.00 x 10 = 180.00 EUR",
            $"Collection tier:1 {p2} imaging 1000.00 x 2 = 20.00 EUR",
            $"Collection tier:2 {p2} imaging 3800.00 x 4 = 152.00 EUR",
            $"Collection product_line:service {p2} service 1200.00 x 10 = 120.00 EUR",
            $"Collection tier:2 {p3}  5000.00 x 4 = 200.00 EUR",
            $"Collection tier:3 {p3}  7000.00 x 6 = 420.00 EUR",
            "Process process:effective_visits   600.00 x 60 = 360.00 EUR",
            "Process process:journey_penetration   400.00 x 93.75 = 375.00 EUR",
            "Limit cap   1971.00 x  = -471.00 EUR",
            $"Rebate rebate:1 {p1}  9000.00 x 1 = 90.00 EUR",
            $"Rebate rebate:1 {p2}  6000.00 x 1 = 60.00 EUR"), Lines(january));
        Assert.Equal("Collection 1236.00 EUR; Process 735.00 EUR; Limit -471.00 EUR; Rebate 150.00 EUR | payable 1500.00 EUR", Totals(january));
        Assert.Equal("6.00 of target 10.00 (60.00 % of 1000.00 EUR)", january.Lines[7].Detail);

        // Before the month has ended it cannot be approved; the rep may not approve; another team's manager may not even read it.
        var early = await Assert.ThrowsAsync<RpcException>(async () => await Commission.ApproveStatementAsync(
            new ApproveStatementRequest { SalespersonId = team.RepId, Period = "2026-01" }, team.Manager));
        Assert.Equal((StatusCode.FailedPrecondition, "period: 2026-01 has not ended; its statement can be approved from 2026-02-01"), (early.StatusCode, early.Status.Detail));
        MoveTo(2, 2);
        foreach (var (who, token) in new[] { ("rep", team.Rep), ("finance", Finance), ("other manager", other.Manager), ("other rep", other.Rep) })
        {
            var refused = await Assert.ThrowsAsync<RpcException>(async () => await Commission.ApproveStatementAsync(
                new ApproveStatementRequest { SalespersonId = team.RepId, Period = "2026-01" }, token));
            Assert.True(refused.StatusCode == StatusCode.PermissionDenied, $"{who}: {refused.Status}");
        }
        var peek = await Assert.ThrowsAsync<RpcException>(async () => await Commission.CalculateCommissionAsync(
            new CalculateCommissionRequest { SalespersonId = team.RepId, Period = "2026-01" }, other.Manager));
        Assert.Equal(StatusCode.PermissionDenied, peek.StatusCode);
        var stale = await Assert.ThrowsAsync<RpcException>(async () => await Commission.ApproveStatementAsync(
            new ApproveStatementRequest { SalespersonId = team.RepId, Period = "2026-01", Etag = "0000000000000000" }, team.Manager));
        Assert.Equal(StatusCode.Aborted, stale.StatusCode);

        var approved = (await Commission.ApproveStatementAsync(
            new ApproveStatementRequest { SalespersonId = team.RepId, Period = "2026-01", Etag = january.Etag, RequestId = "approve-jan" }, team.Manager)).Statement;
        Assert.Equal((StatementStatus.Approved, team.ManagerId, Lines(january), january.Etag), (approved.Status, approved.ApprovedBy, Lines(approved), approved.Etag));
        var byManager = await Assert.ThrowsAsync<RpcException>(async () => await Commission.FinaliseStatementAsync(
            new FinaliseStatementRequest { SalespersonId = team.RepId, Period = "2026-01" }, team.Manager));
        Assert.Equal(StatusCode.PermissionDenied, byManager.StatusCode);
        MoveTo(2, 3);
        var final = (await Commission.FinaliseStatementAsync(new FinaliseStatementRequest { SalespersonId = team.RepId, Period = "2026-01" }, Finance)).Statement;
        Assert.Equal((StatementStatus.Final, "finance-1", Lines(january)), (final.Status, final.FinalisedBy, Lines(final)));
        foreach (var change in new Func<Task>[]
        {
            async () => await Commission.ApproveStatementAsync(new ApproveStatementRequest { SalespersonId = team.RepId, Period = "2026-01" }, team.Manager),
            async () => await Commission.FinaliseStatementAsync(new FinaliseStatementRequest { SalespersonId = team.RepId, Period = "2026-01" }, Finance),
        })
        {
            var never = await Assert.ThrowsAsync<RpcException>(change);
            Assert.Equal(StatusCode.FailedPrecondition, never.StatusCode);
            Assert.Contains("is final and never changes", never.Status.Detail, StringComparison.Ordinal);
        }

        // February: the 6000 of January bounces, a January payment of 1000 is recorded late, and 1234.25 comes in.
        MoveTo(2, 10);
        await Orders.ReversePaymentAsync(new ReversePaymentRequest { OrderId = orderA, PaymentId = p2, Reason = "bounced" }, Finance);
        MoveTo(2, 15);
        var p4 = (await Orders.RecordPaymentAsync(Pay(orderB, "1000", Day(1, 30)), Finance)).Payment.PaymentId;
        var feb = await Orders.RecordPaymentAsync(Pay(orderB, "1234.25", Day(2, 12)), Finance);
        var p5 = feb.Payment.PaymentId;
        var february = (await Commission.CalculateCommissionAsync(
            new CalculateCommissionRequest { SalespersonId = team.RepId, Period = "2026-02", ConsistencyToken = feb.ConsistencyToken }, team.Manager)).Statement;
        // 1234.25 x 2 % = 24.685 -> 24.69 (half away from zero). The reversal takes back exactly what January paid on it.
        Assert.Equal(string.Join(Environment.NewLine,
            $"Collection tier:1 {p5}  1234.25 x 2 = 24.69 EUR",
            "Process process:effective_visits   600.00 x 0 = 0.00 EUR",
            "Process process:journey_penetration   400.00 x 0 = 0.00 EUR",
            $"Adjustment reversal {p2}  -6000.00 x  = -292.00 EUR",
            $"Adjustment tier:1 {p4}  1000.00 x 2 = 20.00 EUR"), Lines(february));
        Assert.Equal("Collection 24.69 EUR; Process 0.00 EUR; Adjustment -272.00 EUR | payable -247.31 EUR", Totals(february));
        Assert.StartsWith("reversed 2026-02-10: takes back what 2026-01 paid on it", february.Lines[3].Detail, StringComparison.Ordinal);
        Assert.StartsWith("late: received 2026-01-30, recorded 2026-02-15", february.Lines[4].Detail, StringComparison.Ordinal);

        // January is final and unchanged.
        var janAgain = (await Commission.CalculateCommissionAsync(new CalculateCommissionRequest { SalespersonId = team.RepId, Period = "2026-01" }, team.Rep)).Statement;
        Assert.Equal((StatementStatus.Final, Lines(january), Totals(january)), (janAgain.Status, Lines(janAgain), Totals(janAgain)));

        // A what-if of 10000 in service adds one marked line at the product line's rate, and changes nothing.
        var whatIf = (await Commission.WhatIfCommissionAsync(new WhatIfCommissionRequest
        {
            SalespersonId = team.RepId, Period = "2026-02", Payments = { new HypotheticalPayment { Amount = "10000", Currency = "EUR", ProductLine = "service" } },
        }, team.Rep)).Statement;
        Assert.Equal("Collection product_line:service what-if-1 service 10000.00 x 10 = 1000.00 EUR what-if", Lines(whatIf).Split(Environment.NewLine)[1]);
        Assert.Equal("Collection 1024.69 EUR; Process 0.00 EUR; Adjustment -272.00 EUR | payable 752.69 EUR", Totals(whatIf));
        var after = (await Commission.CalculateCommissionAsync(new CalculateCommissionRequest { SalespersonId = team.RepId, Period = "2026-02" }, team.Rep)).Statement;
        Assert.Equal(Lines(february), Lines(after));
        var whatIfFinal = await Assert.ThrowsAsync<RpcException>(async () => await Commission.WhatIfCommissionAsync(new WhatIfCommissionRequest
        {
            SalespersonId = team.RepId, Period = "2026-01", Payments = { new HypotheticalPayment { Amount = "1", Currency = "EUR" } },
        }, team.Rep));
        Assert.Equal(StatusCode.FailedPrecondition, whatIfFinal.StatusCode);

        // Lists: the rep their own, the manager the team's, finance all; another team's manager nothing of it.
        var list = new ListStatementsRequest { Period = "2026-01" };
        foreach (var who in new[] { team.Rep, team.Manager, Finance, _host.Admin })
        {
            var listed = Assert.Single((await Commission.ListStatementsAsync(list, who)).Statements);
            Assert.Equal((team.RepId, team.TeamId, StatementStatus.Final, "1500.00", team.ManagerId, "finance-1"),
                (listed.SalespersonId, listed.TeamId, listed.Status, listed.Payable[0].Amount, listed.ApprovedBy, listed.FinalisedBy));
        }
        Assert.Empty((await Commission.ListStatementsAsync(list, other.Manager)).Statements);
        var named = await Assert.ThrowsAsync<RpcException>(async () => await Commission.ListStatementsAsync(new ListStatementsRequest { Period = "2026-01", TeamId = team.TeamId }, other.Manager));
        Assert.Equal(StatusCode.PermissionDenied, named.StatusCode);
    }

    [Fact]
    public async Task Plans_are_defined_by_admins_and_finance_only_and_a_version_is_never_changed()
    {
        var team = await _host.CreateTeamAsync();
        foreach (var who in new[] { team.Rep, team.Manager })
        {
            var refused = await Assert.ThrowsAsync<RpcException>(async () => await Commission.DefinePlanAsync(new DefinePlanRequest { Plan = WorkedExamplePlan() }, who));
            Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
        }
        var first = (await Commission.DefinePlanAsync(new DefinePlanRequest { Plan = WorkedExamplePlan() }, _host.Admin)).Plan;
        var same = (await Commission.DefinePlanAsync(new DefinePlanRequest { Plan = WorkedExamplePlan() }, Finance)).Plan;
        Assert.Equal((1, 1), (first.Version, same.Version));
        var raised = WorkedExamplePlan();
        raised.EffectiveFrom = "2026-03-01";
        raised.Schedules[0].Cap = "2000";
        var second = (await Commission.DefinePlanAsync(new DefinePlanRequest { Plan = raised }, Finance)).Plan;
        Assert.Equal((2, "2000.00"), (second.Version, second.Schedules[0].Cap));
        Assert.Equal("1500.00", (await Commission.GetPlanAsync(new GetPlanRequest { PlanId = "default", Version = 1 }, team.Rep)).Plan.Schedules[0].Cap);

        var mismatched = WorkedExamplePlan();
        mismatched.Schedules.Add(new CurrencySchedule { Currency = "eur", Tiers = { new CommissionTier { From = "0", RatePercent = "1" } } });
        var twice = await Assert.ThrowsAsync<RpcException>(async () => await Commission.DefinePlanAsync(new DefinePlanRequest { Plan = mismatched }, Finance));
        Assert.Equal((StatusCode.InvalidArgument, "plan.schedules[1].currency: EUR has a schedule already: one per currency"), (twice.StatusCode, twice.Status.Detail));
        var negative = WorkedExamplePlan();
        negative.Schedules[0].Tiers[1].RatePercent = "-4";
        var refusedRate = await Assert.ThrowsAsync<RpcException>(async () => await Commission.DefinePlanAsync(new DefinePlanRequest { Plan = negative }, Finance));
        Assert.Equal((StatusCode.InvalidArgument, "plan.schedules[0].tiers[1].rate_percent: must be a percentage from 0 to 100 with at most 4 decimals"),
            (refusedRate.StatusCode, refusedRate.Status.Detail));
        var huge = WorkedExamplePlan();
        huge.Schedules[0].Cap = new string('9', 30);
        var refusedCap = await Assert.ThrowsAsync<RpcException>(async () => await Commission.DefinePlanAsync(new DefinePlanRequest { Plan = huge }, Finance));
        Assert.Equal(StatusCode.InvalidArgument, refusedCap.StatusCode);
        Assert.StartsWith("plan.schedules[0].cap:", refusedCap.Status.Detail, StringComparison.Ordinal);
        var whatIfCurrency = await Assert.ThrowsAsync<RpcException>(async () => await Commission.WhatIfCommissionAsync(new WhatIfCommissionRequest
        {
            SalespersonId = team.RepId, Period = "2026-01", Payments = { new HypotheticalPayment { Amount = "-5", Currency = "EUR" } },
        }, team.Rep));
        Assert.Equal((StatusCode.InvalidArgument, "payments[0].amount: must be greater than 0 and at most 1000000000000, with at most 2 decimals"),
            (whatIfCurrency.StatusCode, whatIfCurrency.Status.Detail));
    }
}
