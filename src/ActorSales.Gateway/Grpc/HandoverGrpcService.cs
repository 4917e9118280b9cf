using ActorSales.Contracts.V1;
using ActorSales.Domain.Common;
using ActorSales.Domain.Errors;
using ActorSales.Domain.Handovers;
using ActorSales.Gateway.Identity;
using ActorSales.Grains.Abstractions.Contracts;
using ActorSales.Grains.Abstractions.Handovers;
using ActorSales.Grains.Abstractions.People;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using DomainAssignment = ActorSales.Grains.Abstractions.Handovers.CustomerAssignment;

namespace ActorSales.Gateway.Grpc;

[Authorize]
public sealed class HandoverGrpcService(IGrainFactory grains, CallerResolver callers) : HandoverService.HandoverServiceBase
{
    public override async Task<StartDepartureResponse> StartDeparture(StartDepartureRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        if (request.Assignments.Count > HandoverRules.MaxAssignments)
        {
            throw new ValidationException("assignments", $"at most {HandoverRules.MaxAssignments} are allowed");
        }
        var departure = new DepartureRequest(request.LastWorkingDay, request.DefaultReceiverId,
            request.Assignments.Select(a => new DomainAssignment(a.CustomerId, a.ReceiverId)).ToList());
        var view = await Handover(request.SalespersonId, "salesperson_id").Start(departure, caller);
        callers.Forget(view.LeaverId); // frozen: their next call here is refused at once
        return new StartDepartureResponse { Handover = view.ToContract() };
    }

    public override async Task<GetHandoverResponse> GetHandover(GetHandoverRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        var view = await Handover(request.HandoverId, "handover_id").Get(caller);
        return new GetHandoverResponse { Handover = view.ToContract() };
    }

    public override async Task<ListMyHandoverPackagesResponse> ListMyHandoverPackages(ListMyHandoverPackagesRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        var pageSize = Paging.PageSize(request.PageSize);
        var skip = Paging.DecodeToken(request.PageToken, "handover-packages") is { } cursor
            ? int.TryParse(cursor, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var offset) ? offset
                : throw new ValidationException("page_token", "is not a token returned by this list; start again without a token")
            : 0;
        var ids = await grains.Ref<ISalespersonGrain>(caller.UserId).HandoverPackageIds();
        var page = ids.Skip(skip).Take(pageSize).ToList();
        var packages = await Task.WhenAll(page.Select(id => grains.Ref<IHandoverGrain>(id).FindPackage(caller.UserId)));
        var response = new ListMyHandoverPackagesResponse
        {
            NextPageToken = skip + page.Count < ids.Count ? Paging.EncodeToken("handover-packages", (skip + page.Count).ToString(System.Globalization.CultureInfo.InvariantCulture)) : string.Empty,
        };
        response.Packages.AddRange(packages.OfType<HandoverPackageView>().Select(p => p.ToContract()));
        return response;
    }

    public override async Task<GetHandoverPackageResponse> GetHandoverPackage(GetHandoverPackageRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        if (request.Pool && request.ReceiverId.Length > 0)
        {
            throw new ValidationException("receiver_id", "must be empty when pool is set");
        }
        var receiverId = request.Pool ? string.Empty : request.ReceiverId.Length == 0 ? caller.UserId : Guard.Id(request.ReceiverId, "receiver_id");
        var pageSize = Paging.PageSize(request.PageSize);
        var after = Paging.DecodeToken(request.PageToken, "handover-package");
        var page = await Handover(request.HandoverId, "handover_id").GetPackage(receiverId, caller, pageSize, after);
        var response = new GetHandoverPackageResponse
        {
            Package = page.Package.ToContract(),
            NextPageToken = page.NextCursor is { } next ? Paging.EncodeToken("handover-package", next) : string.Empty,
        };
        response.Briefs.AddRange(page.Briefs.Select(b => b.ToContract()));
        return response;
    }

    public override async Task<AcceptHandoverPackageResponse> AcceptHandoverPackage(AcceptHandoverPackageRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        var view = await Handover(request.HandoverId, "handover_id").Accept(request.FollowUpPlan, caller);
        return new AcceptHandoverPackageResponse { Package = view.ToContract() };
    }

    public override async Task<RejectHandoverPackageResponse> RejectHandoverPackage(RejectHandoverPackageRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        var view = await Handover(request.HandoverId, "handover_id").Reject(request.Reason, caller);
        return new RejectHandoverPackageResponse { Package = view.ToContract() };
    }

    public override async Task<ReassignHandoverItemsResponse> ReassignHandoverItems(ReassignHandoverItemsRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        if (request.CustomerIds.Count > HandoverRules.MaxAssignments)
        {
            throw new ValidationException("customer_ids", $"at most {HandoverRules.MaxAssignments} are allowed");
        }
        var view = await Handover(request.HandoverId, "handover_id").Reassign(request.FromReceiverId, request.ToReceiverId, [.. request.CustomerIds], caller);
        return new ReassignHandoverItemsResponse { Handover = view.ToContract() };
    }

    private IHandoverGrain Handover(string id, string field) => grains.Ref<IHandoverGrain>(Guard.Id(id, field));
}
