using ActorSales.Gateway.Mapping;
using ActorSales.Contracts.V1;
using ActorSales.Domain.Common;
using ActorSales.Domain.Errors;
using ActorSales.Gateway.Identity;
using ActorSales.Grains.Abstractions.Contracts;
using ActorSales.Grains.Abstractions.Opportunities;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;

namespace ActorSales.Gateway.Grpc;

[Authorize]
public sealed class TasksGrpcService(IGrainFactory grains, CallerResolver callers) : TasksService.TasksServiceBase
{
    public override async Task<ListDepartmentTasksResponse> ListDepartmentTasks(ListDepartmentTasksRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        var page = await grains.Ref<IDepartmentQueueGrain>(Guard.Id(request.Department, "department"))
            .List(caller, Paging.PageSize(request.PageSize), Paging.DecodeToken(request.PageToken, "tasks"));
        var response = new ListDepartmentTasksResponse { NextPageToken = page.NextCursor is { } next ? Paging.EncodeToken("tasks", next) : string.Empty };
        response.Tasks.AddRange(page.Items.Select(t => t.ToContract()));
        return response;
    }

    public override async Task<ListOpportunityTasksResponse> ListOpportunityTasks(ListOpportunityTasksRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        var tasks = await grains.Ref<IOpportunityGrain>(Guard.Id(request.OpportunityId, "opportunity_id")).ListTasks(caller);
        var response = new ListOpportunityTasksResponse();
        response.Tasks.AddRange(tasks.Select(t => t.ToContract()));
        return response;
    }

    public override async Task<ClaimTaskResponse> ClaimTask(ClaimTaskRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        return new ClaimTaskResponse { Task = (await Task(request.TaskId).Claim(caller)).ToContract() };
    }

    public override async Task<CompleteTaskResponse> CompleteTask(CompleteTaskRequest request, ServerCallContext context)
    {
        var caller = await callers.ResolveAsync(context);
        return new CompleteTaskResponse { Task = (await Task(request.TaskId).Complete(request.Note, caller)).ToContract() };
    }

    /// <summary>Task ids look like "{opportunity}/task/{entry}/{rule}": every segment must be a safe id.</summary>
    private IDepartmentTaskGrain Task(string id) =>
        grains.Ref<IDepartmentTaskGrain>(RequestMapper.CompositeId(id, "task", 4, "task_id"));
}
