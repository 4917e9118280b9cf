using ActorSales.Contracts.V1;
using ActorSales.Domain.Common;
using ActorSales.Domain.Errors;
using ActorSales.Domain.Identity;
using ActorSales.Domain.Leads;
using ActorSales.Gateway.Identity;
using ActorSales.Gateway.Mapping;
using ActorSales.Gateway.ReadSide;
using ActorSales.Gateway.Retries;
using ActorSales.Grains.Abstractions;
using ActorSales.Grains.Abstractions.Contracts;
using ActorSales.Grains.Abstractions.Leads;
using ActorSales.ReadModel;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using LeadInput = ActorSales.Domain.Leads.LeadInput;

namespace ActorSales.Gateway.Grpc;

/// <summary>Leads (README "Leads"): changes go to the lead grain, lists and health to the read model.</summary>
[Authorize]
public sealed class LeadsGrpcService(
    IGrainFactory grains, CallerResolver callers, ReadModelReader reads, IOptions<LeadOptions> options, TimeProvider clock) : LeadsService.LeadsServiceBase
{
    /// <summary>How many import rows are created at once (each is its own lead grain).</summary>
    private const int ImportParallelism = 32;

    public override async Task<CreateLeadResponse> CreateLead(CreateLeadRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        var teamId = LeadMapper.TeamOf(request.TeamId, caller.TeamId);
        var ownerId = RequestMapper.OptionalId(request.OwnerId, "owner_id");
        var input = LeadMapper.ToInput(request.Lead);
        var lead = await grains.Ref<ILeadGrain>(GrainKeys.NewLeadId(caller.Request)).Create(input, teamId, ownerId, caller);
        return new CreateLeadResponse { Lead = lead.ToContract() };
    }

    public override async Task<GetLeadResponse> GetLead(GetLeadRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        return new GetLeadResponse { Lead = (await Lead(request.LeadId).Get(caller)).ToContract() };
    }

    public override async Task<AssignLeadResponse> AssignLead(AssignLeadRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        var lead = Lead(request.LeadId);
        var ownerId = Guard.Id(request.OwnerId, "owner_id");
        return new AssignLeadResponse { Lead = (await lead.Assign(ownerId, caller)).ToContract() };
    }

    public override async Task<ClaimLeadResponse> ClaimLead(ClaimLeadRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        return new ClaimLeadResponse { Lead = (await Lead(request.LeadId).Claim(caller)).ToContract() };
    }

    public override async Task<RecordLeadBasicsResponse> RecordLeadBasics(RecordLeadBasicsRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        var lead = Lead(request.LeadId);
        return new RecordLeadBasicsResponse { Lead = (await lead.RecordBasics(LeadMapper.ToBasics(request), caller)).ToContract() };
    }

    public override async Task<LogLeadContactResponse> LogLeadContact(LogLeadContactRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        var lead = Lead(request.LeadId);
        var result = await lead.LogContact(LeadMapper.ToDraft(request), caller);
        return new LogLeadContactResponse { Lead = result.Lead.ToContract(), RealContact = result.RealContact };
    }

    public override async Task<QualifyLeadResponse> QualifyLead(QualifyLeadRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        var lead = Lead(request.LeadId);
        return new QualifyLeadResponse { Lead = (await lead.Qualify(LeadMapper.ToDraft(request), caller)).ToContract() };
    }

    public override async Task<ConvertLeadResponse> ConvertLead(ConvertLeadRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        var lead = Lead(request.LeadId);
        var tier = Guard.Enum((Domain.Customers.CustomerTier)request.Tier, "tier");
        var industry = Guard.Optional(request.Industry, "industry");
        var conversion = await lead.Convert(industry, tier, caller);
        return new ConvertLeadResponse
        {
            Lead = conversion.Lead.ToContract(),
            CustomerId = conversion.CustomerId,
            LinkedToExisting = conversion.LinkedToExisting,
            ExistingOwnerId = conversion.LinkedToExisting ? conversion.ExistingOwnerId : string.Empty,
        };
    }

    public override async Task<SetLeadUnsubscribedResponse> SetLeadUnsubscribed(SetLeadUnsubscribedRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        var lead = Lead(request.LeadId);
        return new SetLeadUnsubscribedResponse { Lead = (await lead.SetUnsubscribed(request.Unsubscribed, caller)).ToContract() };
    }

    public override async Task<ListLeadsResponse> ListLeads(ListLeadsRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        var teamId = RequestMapper.OptionalId(request.TeamId, "team_id");
        var ownerId = RequestMapper.OptionalId(request.OwnerId, "owner_id");
        var size = Paging.PageSize(request.PageSize);
        var status = Guard.OptionalEnum((Domain.Leads.LeadStatus)request.Status, "status");
        var channel = Guard.OptionalEnum((Domain.Customers.SourceChannel)request.SourceChannel, "source_channel");
        var pageToken = Paging.DecodeToken(request.PageToken, "leads") is { } decoded
            ? decoded.Length > 0 ? decoded : throw new ValidationException("page_token", "is not a token returned by this list; start again without a token")
            : null;
        var token = ConsistencyToken.Parse(request.ConsistencyToken);
        ReadScope scope;
        if (request.PoolOnly && caller.Role == Domain.Identity.Role.Rep)
        {
            // A rep sees their own team's lead pool (to claim from it), nothing else of the team.
            AccessPolicy.EnsureMayRead(caller);
            var team = caller.TeamId ?? throw new AccessDeniedException("you belong to no team and have no lead pool");
            if (teamId is not null && teamId != team)
            {
                throw new AccessDeniedException("you may list only your own team's lead pool");
            }
            (scope, teamId) = (new ReadScope(team, null), team);
        }
        else
        {
            scope = await reads.ScopeAsync(caller, teamId, ownerId);
        }
        await reads.CatchUpAsync(token, caller, context.CancellationToken);
        var page = await reads.Queries.ListLeadsAsync(new LeadQuery(scope, size, pageToken, teamId, ownerId,
            status == 0 ? null : (Contracts.V1.LeadStatus)status, channel == 0 ? null : (SourceChannel)channel, request.PoolOnly), context.CancellationToken);
        var response = new ListLeadsResponse { NextPageToken = page.NextPageToken is { } next ? Paging.EncodeToken("leads", next) : string.Empty };
        response.Leads.AddRange(page.Items);
        return response;
    }

    public override async Task<GetLeadHealthResponse> GetLeadHealth(GetLeadHealthRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        var teamId = RequestMapper.OptionalId(request.TeamId, "team_id");
        var from = RequestMapper.RequiredTimestamp(request.From, "from");
        var to = RequestMapper.RequiredTimestamp(request.To, "to");
        if (to <= from || to - from > TimeSpan.FromDays(366))
        {
            throw new ValidationException("to", "must be after from and at most 366 days later");
        }
        var scope = await reads.ScopeAsync(caller, teamId);
        var now = clock.GetUtcNow();
        var recentFrom = now - options.Value.HealthRecentWindow;
        var facts = await reads.Queries.LeadFactsAsync(scope, teamId,
            from < recentFrom ? from : recentFrom, to > now ? to : now.AddTicks(1), context.CancellationToken);
        var response = new GetLeadHealthResponse
        {
            Unsubscribed = await reads.Queries.UnsubscribedLeadsAsync(scope, teamId, context.CancellationToken),
            RecentFrom = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(recentFrom),
        };
        response.Channels.AddRange(LeadHealth.Compute(facts, from, to, now, options.Value).Select(c => new ChannelLeadHealth
        {
            SourceChannel = c.Channel, Leads = c.Leads, Invalid = c.Invalid, InvalidRatio = c.InvalidRatio,
            RecentLeads = c.RecentLeads, RecentInvalid = c.RecentInvalid, Failing = c.Failing,
        }));
        return response;
    }

    /// <summary>
    /// Reads the whole stream, answers invalid rows and the batch's own duplicates without creating anything, then
    /// creates the rest in parallel, each as its own lead keyed by its row's request id (so a re-sent row reaches the
    /// lead it made). A row's failure is that row's answer; the others go on.
    /// </summary>
    public override async Task<ImportLeadsResponse> ImportLeads(IAsyncStreamReader<ImportLeadsRequest> requestStream, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        var now = clock.GetUtcNow();
        var rows = new List<ImportLeadsRequest>();
        await foreach (var row in requestStream.ReadAllAsync(context.CancellationToken))
        {
            if (rows.Count == LeadMapper.MaxImportRows)
            {
                // Not a field of any one message: the stream itself is too long.
                throw new RpcException(new Status(StatusCode.InvalidArgument, $"at most {LeadMapper.MaxImportRows} rows per import; split the list"));
            }
            rows.Add(row);
        }
        var results = new ImportRowResult?[rows.Count];
        var planned = new (string TeamId, LeadInput Input, ClientRequest Request)?[rows.Count];
        var keys = new IReadOnlyList<string>?[rows.Count];
        for (var i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            try
            {
                var request = RequestIdInterceptor.ClientRequestOfItem(context, caller.UserId, row)
                    ?? throw new ValidationException("request_id", "is required on every import row");
                var teamId = LeadMapper.TeamOf(row.TeamId, caller.TeamId);
                var input = LeadMapper.ToInput(row.Lead);
                var valid = LeadRules.Validate(input, now, options.Value);
                planned[i] = (teamId, input, request);
                keys[i] = LeadRules.KeysFor(valid.Phones, valid.Email);
            }
            catch (ValidationException invalid)
            {
                results[i] = LeadMapper.Invalid(i, row.RequestId, invalid.Field, invalid.Message);
            }
        }
        var duplicates = LeadImportPlan.DuplicatesWithinBatch(keys);
        using var gate = new SemaphoreSlim(ImportParallelism);
        var creations = new List<Task>();
        for (var i = 0; i < rows.Count; i++)
        {
            if (results[i] is not null || planned[i] is not { } plan)
            {
                continue;
            }
            if (duplicates[i] >= 0)
            {
                results[i] = LeadMapper.DuplicateOfRow(i, rows[i].RequestId, duplicates[i]);
                continue;
            }
            var index = i;
            await gate.WaitAsync(context.CancellationToken);
            creations.Add(Task.Run(async () =>
            {
                var leadId = GrainKeys.NewLeadId(plan.Request);
                try
                {
                    await grains.Ref<ILeadGrain>(leadId).Create(plan.Input, plan.TeamId, null, caller with { Request = plan.Request });
                    results[index] = LeadMapper.RowResult(index, rows[index].RequestId, leadId, null);
                }
                catch (Exception failure) when (failure is DomainException and not (AccessDeniedException or NotFoundException))
                {
                    results[index] = LeadMapper.RowResult(index, rows[index].RequestId, leadId, failure);
                }
                catch (Exception failure) when (failure is AccessDeniedException or NotFoundException)
                {
                    results[index] = LeadMapper.Invalid(index, rows[index].RequestId, "team_id", failure.Message);
                }
                finally
                {
                    gate.Release();
                }
            }, context.CancellationToken));
        }
        await Task.WhenAll(creations);
        var response = new ImportLeadsResponse();
        response.Results.AddRange(results.Select(r => r!));
        response.Created = response.Results.Count(r => r.Outcome == ImportOutcome.Created);
        response.Duplicates = response.Results.Count(r => r.Outcome == ImportOutcome.Duplicate);
        response.Invalid = response.Results.Count(r => r.Outcome == ImportOutcome.Invalid);
        return response;
    }

    private ILeadGrain Lead(string leadId) => grains.Ref<ILeadGrain>(Guard.Id(leadId, "lead_id"));
}
