using ActorSales.Contracts.V1;
using ActorSales.Domain.Common;
using ActorSales.Domain.Errors;
using Role = ActorSales.Domain.Identity.Role;
using ActorSales.Gateway.Identity;
using ActorSales.Gateway.Mapping;
using ActorSales.Gateway.ReadSide;
using ActorSales.Grains.Abstractions;
using ActorSales.Grains.Abstractions.Contracts;
using ActorSales.Grains.Abstractions.Customers;
using ActorSales.Grains.Abstractions.Opportunities;
using ActorSales.Grains.Abstractions.People;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using PipelineDomain = ActorSales.Domain.Pipeline;

namespace ActorSales.Gateway.Grpc;

[Authorize]
public sealed class OpportunitiesGrpcService(IGrainFactory grains, CallerResolver callers, ReadModelReader reads) : OpportunitiesService.OpportunitiesServiceBase
{
    public override async Task<CreateOpportunityResponse> CreateOpportunity(CreateOpportunityRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        var terms = new PipelineDomain.OpportunityTerms(
            request.Title,
            RequestMapper.ToMoney(request.Value, "value") ?? throw new ValidationException("value", "is required"),
            RequestMapper.RequiredTimestamp(request.ExpectedCloseAt, "expected_close_at"));
        var draft = new OpportunityDraft(Guard.Id(request.CustomerId, "customer_id"), terms, RequestMapper.OptionalId(request.PipelineKey, "pipeline_key"));
        var view = await grains.Ref<IOpportunityGrain>(GrainKeys.NewOpportunityId(caller.Request)).Open(draft, caller);
        var opportunity = view.ToContract();
        return new CreateOpportunityResponse { Opportunity = opportunity, ConsistencyToken = ConsistencyToken.For(opportunity) };
    }

    public override async Task<GetOpportunityResponse> GetOpportunity(GetOpportunityRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        return new GetOpportunityResponse { Opportunity = (await Opportunity(request.OpportunityId).Get(caller)).ToContract() };
    }

    public override async Task<AddEvidenceResponse> AddEvidence(AddEvidenceRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        var view = await Opportunity(request.OpportunityId).AddEvidence(request.Kind, request.Reference, request.Note, caller);
        var opportunity = view.ToContract();
        return new AddEvidenceResponse { Opportunity = opportunity, ConsistencyToken = ConsistencyToken.For(opportunity) };
    }

    public override async Task<ChangeStageResponse> ChangeStage(ChangeStageRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        var view = await Opportunity(request.OpportunityId).ChangeStage(Guard.Id(request.ToStage, "to_stage"), request.Reason, request.ExpectedVersion, caller);
        var opportunity = view.ToContract();
        return new ChangeStageResponse { Opportunity = opportunity, ConsistencyToken = ConsistencyToken.For(opportunity) };
    }

    public override async Task<SetSignalResponse> SetSignal(SetSignalRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        if (request.DecisionMakers.Count > 20)
        {
            throw new ValidationException("decision_makers", "at most 20 are allowed");
        }
        var change = new SignalChange(
            (PipelineDomain.ForecastSignal)request.Signal,
            request.DecisionMakers.Select(d => new PipelineDomain.DecisionMaker(d.Name, d.Title, d.Email, d.Phone)).ToList(),
            RequestMapper.OptionalTimestamp(request.ContractReviewAt, "contract_review_at"));
        var view = await Opportunity(request.OpportunityId).SetSignal(change, request.ExpectedVersion, caller);
        var opportunity = view.ToContract();
        return new SetSignalResponse { Opportunity = opportunity, ConsistencyToken = ConsistencyToken.For(opportunity) };
    }

    public override async Task<UpdateTermsResponse> UpdateTerms(UpdateTermsRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        var changes = new TermsChanges(
            RequestMapper.Unchanged(request.Title),
            RequestMapper.ToMoney(request.Value, "value"),
            RequestMapper.OptionalTimestamp(request.ExpectedCloseAt, "expected_close_at"));
        var view = await Opportunity(request.OpportunityId).UpdateTerms(changes, request.ExpectedVersion, caller);
        var opportunity = view.ToContract();
        return new UpdateTermsResponse { Opportunity = opportunity, ConsistencyToken = ConsistencyToken.For(opportunity) };
    }

    public override async Task<WinOpportunityResponse> WinOpportunity(WinOpportunityRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        var opportunity = (await Opportunity(request.OpportunityId).Win(request.WinFactor, request.WinNote, request.ExpectedVersion, caller)).ToContract();
        return new WinOpportunityResponse { Opportunity = opportunity, ConsistencyToken = ConsistencyToken.For(opportunity) };
    }

    public override async Task<LoseOpportunityResponse> LoseOpportunity(LoseOpportunityRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        var view = await Opportunity(request.OpportunityId).Lose(request.Reason, request.Note, request.ExpectedVersion, caller);
        var opportunity = view.ToContract();
        return new LoseOpportunityResponse { Opportunity = opportunity, ConsistencyToken = ConsistencyToken.For(opportunity) };
    }

    public override async Task<ListOpportunitiesResponse> ListOpportunities(ListOpportunitiesRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        var stage = RequestMapper.OptionalId(request.Stage, "stage");
        var pageSize = Paging.PageSize(request.PageSize);
        var after = Paging.DecodeToken(request.PageToken, "opportunities");
        var teamId = RequestMapper.OptionalId(request.TeamId, "team_id");
        if (teamId is not null && request.OwnerId.Length > 0)
        {
            throw new ValidationException("team_id", "name either owner_id or team_id, not both");
        }
        var page = teamId is not null
            ? await grains.Ref<ITeamGrain>(teamId).ListOpportunities(caller, stage, pageSize, after)
            : await grains.Ref<ISalespersonGrain>(RequestMapper.OptionalId(request.OwnerId, "owner_id") ?? caller.UserId)
                .ListOpportunities(caller, stage, pageSize, after);
        var response = new ListOpportunitiesResponse
        {
            NextPageToken = page.NextCursor is { } next ? Paging.EncodeToken("opportunities", next) : string.Empty,
        };
        response.Opportunities.AddRange(page.Items.Select(o => o.ToContract()));
        return response;
    }

    public override async Task<SetNextActionResponse> SetNextAction(SetNextActionRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        var view = await Opportunity(request.OpportunityId).SetNextAction(
            RequestMapper.Unchanged(request.NextAction), RequestMapper.OptionalTimestamp(request.DueAt, "due_at"), caller);
        var opportunity = view.ToContract();
        return new SetNextActionResponse { Opportunity = opportunity, ConsistencyToken = ConsistencyToken.For(opportunity) };
    }

    public override async Task<OpportunitiesServiceConfirmNextActionResponse> ConfirmNextAction(
        OpportunitiesServiceConfirmNextActionRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        var opportunity = (await Opportunity(request.OpportunityId).ConfirmNextAction(caller)).ToContract();
        return new OpportunitiesServiceConfirmNextActionResponse { Opportunity = opportunity, ConsistencyToken = ConsistencyToken.For(opportunity) };
    }

    public override async Task<ListStalledOpportunitiesResponse> ListStalledOpportunities(ListStalledOpportunitiesRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        var stalled = await grains.Ref<ITeamGrain>(Guard.Id(request.TeamId, "team_id")).ListStalled(caller);
        var response = new ListStalledOpportunitiesResponse();
        response.Opportunities.AddRange(stalled.Select(o => o.ToContract()));
        return response;
    }

    public override async Task<ListInterventionsResponse> ListInterventions(ListInterventionsRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        var deals = await grains.Ref<ITeamGrain>(Guard.Id(request.TeamId, "team_id")).ListInterventions(caller);
        var response = new ListInterventionsResponse();
        response.Opportunities.AddRange(deals.Select(o => o.ToContract()));
        return response;
    }

    public override async Task<GetForecastResponse> GetForecast(GetForecastRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        var forecast = request.ScopeCase switch
        {
            GetForecastRequest.ScopeOneofCase.TeamId => await grains.Ref<ITeamGrain>(Guard.Id(request.TeamId, "team_id")).GetForecast(caller),
            GetForecastRequest.ScopeOneofCase.Region => await grains.Ref<IRegionGrain>(Guard.Required(request.Region, "region")).GetForecast(caller),
            GetForecastRequest.ScopeOneofCase.OwnerId => await grains.Ref<ISalespersonGrain>(Guard.Id(request.OwnerId, "owner_id")).GetForecast(caller),
            _ when caller.Role is Role.Admin or Role.Service or Role.Finance => throw new ValidationException("scope", "name owner_id, team_id or region"),
            _ => await grains.Ref<ISalespersonGrain>(caller.UserId).GetForecast(caller),
        };
        var response = new GetForecastResponse();
        response.Currencies.AddRange(forecast.Select(f => new CurrencyForecast
        {
            Currency = f.Currency,
            OpenAmount = new PipelineDomain.Money(f.OpenAmount, f.Currency).ToContract().Amount,
            WeightedAmount = new PipelineDomain.Money(f.WeightedAmount, f.Currency).ToContract().Amount,
            OpportunityCount = f.Count,
        }));
        return response;
    }

    public override async Task<QueryOpportunitiesResponse> QueryOpportunities(QueryOpportunitiesRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        var query = QueryMapper.ToQuery(request);
        var token = ConsistencyToken.Parse(request.ConsistencyToken);
        query = query with { Scope = await reads.ScopeAsync(caller, query.TeamId, query.OwnerId) };
        if (query.CustomerId is { } customerId)
        {
            // The customer's own get decides, so a customer the caller may not read is refused exactly as GetCustomer refuses it.
            await grains.Ref<ICustomerGrain>(customerId).Get(caller);
        }
        await reads.CatchUpAsync(token, caller, context.CancellationToken);
        var page = await reads.Queries.ListOpportunitiesAsync(query, context.CancellationToken);
        var response = new QueryOpportunitiesResponse { NextPageToken = QueryMapper.NextPageToken(page.NextPageToken, QueryMapper.OpportunityPages) };
        response.Opportunities.AddRange(page.Items);
        return response;
    }

    private IOpportunityGrain Opportunity(string id) => grains.Ref<IOpportunityGrain>(Guard.Id(id, "opportunity_id"));
}
