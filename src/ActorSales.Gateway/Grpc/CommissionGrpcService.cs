using ActorSales.Contracts.V1;
using ActorSales.Domain.Common;
using ActorSales.Domain.Errors;
using ActorSales.Domain.Identity;
using ActorSales.Gateway.Identity;
using ActorSales.Gateway.Mapping;
using ActorSales.Gateway.ReadSide;
using ActorSales.Grains.Abstractions.Commission;
using ActorSales.Grains.Abstractions.Contracts;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using CommissionPeriod = ActorSales.Domain.Commission.CommissionPeriod;

namespace ActorSales.Gateway.Grpc;

/// <summary>
/// Commission plans and statements (README "Commission"): plans go to the plan grain, statements to the rep's statements
/// grain (which reads its facts from the read model), lists to the period's index.
/// </summary>
[Authorize]
public sealed class CommissionGrpcService(IGrainFactory grains, CallerResolver callers, ReadModelReader reads) : CommissionService.CommissionServiceBase
{
    public override async Task<DefinePlanResponse> DefinePlan(DefinePlanRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        AccessPolicy.EnsureCanDefineCommissionPlan(caller);
        var planId = Guard.Id(request.Plan?.PlanId, "plan.plan_id");
        var draft = CommissionMapper.ToDraft(request.Plan);
        var plan = await grains.Ref<ICommissionPlanGrain>(planId).Define(draft, caller);
        return new DefinePlanResponse { Plan = plan.ToContract() };
    }

    public override async Task<GetPlanResponse> GetPlan(GetPlanRequest request, ServerCallContext context)
    {
        AccessPolicy.EnsureMayRead(await callers.ResolveAsync(context));
        var planId = Guard.Id(request.PlanId, "plan_id");
        if (request.Version < 0)
        {
            throw new ValidationException("version", "must not be negative");
        }
        var plan = await grains.Ref<ICommissionPlanGrain>(planId).Get(request.Version)
            ?? throw new NotFoundException("commission plan", request.Version == 0 ? planId : $"{planId} v{request.Version}");
        return new GetPlanResponse { Plan = plan.ToContract() };
    }

    public override async Task<CalculateCommissionResponse> CalculateCommission(CalculateCommissionRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        var (rep, period) = Subject(request.SalespersonId, request.Period);
        await reads.CatchUpAsync(ConsistencyToken.Parse(request.ConsistencyToken), caller, context.CancellationToken);
        var statement = await grains.Ref<ICommissionStatementsGrain>(rep).Calculate(period, caller);
        return new CalculateCommissionResponse { Statement = statement.ToContract() };
    }

    public override async Task<WhatIfCommissionResponse> WhatIfCommission(WhatIfCommissionRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        var (rep, period) = Subject(request.SalespersonId, request.Period);
        var payments = CommissionMapper.ToDrafts(request.Payments);
        await reads.CatchUpAsync(ConsistencyToken.Parse(request.ConsistencyToken), caller, context.CancellationToken);
        var statement = await grains.Ref<ICommissionStatementsGrain>(rep).WhatIf(period, payments, caller);
        return new WhatIfCommissionResponse { Statement = statement.ToContract() };
    }

    public override async Task<ListStatementsResponse> ListStatements(ListStatementsRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        var period = CommissionPeriod.Parse(request.Period, "period");
        var teamId = request.TeamId.Length == 0 ? null : Guard.Id(request.TeamId, "team_id");
        var repId = request.SalespersonId.Length == 0 ? null : Guard.Id(request.SalespersonId, "salesperson_id");
        var scope = await reads.ScopeAsync(caller, teamId, repId);
        var entries = await grains.Ref<ICommissionPeriodIndexGrain>(period.ToString()).List();
        var response = new ListStatementsResponse();
        response.Statements.AddRange(entries
            .Where(e => scope == ReadScope.Everything || (scope.TeamId is { } team && e.TeamId == team) || e.SalespersonId == scope.OwnerId)
            .Where(e => (teamId is null || e.TeamId == teamId) && (repId is null || e.SalespersonId == repId))
            .OrderBy(e => e.TeamId, StringComparer.Ordinal).ThenBy(e => e.SalespersonId, StringComparer.Ordinal)
            .Select(e => CommissionMapper.ToSummary(period.ToString(), e)));
        return response;
    }

    public override async Task<ApproveStatementResponse> ApproveStatement(ApproveStatementRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        var (rep, period) = Subject(request.SalespersonId, request.Period);
        var etag = Guard.Optional(request.Etag, "etag", 64);
        await reads.CatchUpAsync(ConsistencyToken.Parse(request.ConsistencyToken), caller, context.CancellationToken);
        var statement = await grains.Ref<ICommissionStatementsGrain>(rep).Approve(period, etag, caller);
        return new ApproveStatementResponse { Statement = statement.ToContract() };
    }

    public override async Task<FinaliseStatementResponse> FinaliseStatement(FinaliseStatementRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        var (rep, period) = Subject(request.SalespersonId, request.Period);
        var statement = await grains.Ref<ICommissionStatementsGrain>(rep).Finalise(period, caller);
        return new FinaliseStatementResponse { Statement = statement.ToContract() };
    }

    private static (string Rep, CommissionPeriod Period) Subject(string salespersonId, string period) =>
        (Guard.Id(salespersonId, "salesperson_id"), CommissionPeriod.Parse(period, "period"));
}
