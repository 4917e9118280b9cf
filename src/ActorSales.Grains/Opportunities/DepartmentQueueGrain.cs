using ActorSales.Domain.Common;
using ActorSales.Domain.Errors;
using ActorSales.Domain.Identity;
using ActorSales.Domain.Pipeline;
using ActorSales.Grains.Abstractions;
using ActorSales.Grains.Abstractions.Opportunities;
using ActorSales.Grains.Infrastructure;
using ActorSales.Grains.Requests;

namespace ActorSales.Grains.Opportunities;

[GenerateSerializer, Alias("actorsales.DepartmentQueueState")]
public sealed class DepartmentQueueState : IRequestLedgerState
{
    [Id(0)] public Dictionary<string, DateTimeOffset> DueByTask { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// User ids of the members, kept by admins. Rows written before departments had members have none: they read as an
    /// empty list (see <see cref="DepartmentQueueGrain"/>), so such a queue is for admins until an admin names members.
    /// </summary>
    [Id(1)] public SortedSet<string>? Members { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Version of the member list (0: never set); the queue's own changes do not count.</summary>
    [Id(2)] public long Version { get; set; }

    [Id(3)] public RequestLedger Requests { get; set; } = new();

    /// <summary>The lead, always a member (null: none; rows from before leads have none).</summary>
    [Id(4)] public string? LeadId { get; set; }
}

public sealed class DepartmentQueueGrain(
    [PersistentState("queue", StorageNames.Default)] IPersistentState<DepartmentQueueState> state) : Grain, IDepartmentQueueGrain, IRetrySafeGrain
{
    private const string Entity = "department";

    private string Id => this.GetPrimaryKeyString();

    /// <summary>The members; a stored row without a member list (an older release's) has none.</summary>
    private SortedSet<string> Members => state.State.Members ??= new(StringComparer.Ordinal);

    public async Task Add(string taskId, DateTimeOffset dueAt)
    {
        if (!state.State.DueByTask.TryGetValue(taskId, out var existing) || existing != dueAt)
        {
            state.State.DueByTask[taskId] = dueAt;
            await state.WriteOrConflictAsync("department queue", Id);
        }
    }

    public async Task Remove(string taskId)
    {
        if (state.State.DueByTask.Remove(taskId))
        {
            await state.WriteOrConflictAsync("department queue", Id);
        }
    }

    public Task<DepartmentView> Get(Caller caller)
    {
        AccessPolicy.EnsureCanReadDepartment(caller, Members.Contains(caller.UserId));
        return Task.FromResult(ToView());
    }

    public async Task<DepartmentView> SetMembers(IReadOnlyList<string> memberIds, long expectedVersion, Caller caller)
    {
        AccessPolicy.EnsureCanManageDepartment(caller);
        Guard.Id(Id, "department");
        Guard.Version(Guard.ExpectedVersion(expectedVersion), state.State.Version, Entity, Id);
        var members = DepartmentRules.ValidateMembers(memberIds);
        DepartmentRules.EnsureKeepsLead(members, state.State.LeadId, "member_ids");
        return await ChangeMembers(new SortedSet<string>(members, StringComparer.Ordinal));
    }

    public async Task<DepartmentView> SetLead(string? leadId, long expectedVersion, Caller caller)
    {
        AccessPolicy.EnsureCanManageDepartment(caller, "name a department's lead");
        Guard.Id(Id, "department");
        var lead = DepartmentRules.ValidateLead(leadId, Members);
        Guard.Version(Guard.ExpectedVersion(expectedVersion), state.State.Version, Entity, Id);
        if (lead == state.State.LeadId)
        {
            return ToView();
        }
        state.State.LeadId = lead;
        state.State.Version++;
        await state.WriteOrConflictAsync(Entity, Id);
        return ToView();
    }

    public async Task<DepartmentView> AddMember(string memberId, long expectedVersion, Caller caller)
    {
        var member = CheckMemberChange(memberId, expectedVersion, caller);
        if (Members.Count >= Limits.MaxDepartmentMembers && !Members.Contains(member))
        {
            throw new PreconditionFailedException($"a department has at most {Limits.MaxDepartmentMembers} members");
        }
        return await ChangeMembers(new SortedSet<string>(Members.Append(member), StringComparer.Ordinal));
    }

    public async Task<DepartmentView> RemoveMember(string memberId, long expectedVersion, Caller caller)
    {
        var member = CheckMemberChange(memberId, expectedVersion, caller);
        var members = new SortedSet<string>(Members.Where(m => m != member), StringComparer.Ordinal);
        DepartmentRules.EnsureKeepsLead(members, state.State.LeadId, "member_id");
        return await ChangeMembers(members);
    }

    public Task<string?> FindLead() => Task.FromResult(state.State.LeadId);

    /// <summary>Access first (the lead or an admin), then the id and the version: a refusal reveals nothing of the department.</summary>
    private string CheckMemberChange(string memberId, long expectedVersion, Caller caller)
    {
        AccessPolicy.EnsureCanChangeDepartmentMember(caller, state.State.LeadId is { } lead && lead == caller.UserId);
        Guard.Id(Id, "department");
        var member = Guard.Id(memberId, "member_id");
        Guard.Version(Guard.ExpectedVersion(expectedVersion), state.State.Version, Entity, Id);
        return member;
    }

    /// <summary>Stores a new member list (a new version) unless it is the current one.</summary>
    private async Task<DepartmentView> ChangeMembers(SortedSet<string> members)
    {
        if (Members.SetEquals(members))
        {
            return ToView();
        }
        state.State.Members = members;
        state.State.Version++;
        await state.WriteOrConflictAsync(Entity, Id);
        return ToView();
    }

    public RequestLedger Requests => state.State.Requests;

    public ValueTask<object?> ReplayAsync(string method, AppliedRequest applied) => ValueTask.FromResult<object?>(ToView());

    public Task<bool> IsMember(string userId) => Task.FromResult(Members.Contains(userId));

    public async Task<Page<DepartmentTaskView>> List(Caller caller, int pageSize, string? afterCursor)
    {
        AccessPolicy.EnsureCanListDepartmentTasks(caller, Members.Contains(caller.UserId));
        var ordered = state.State.DueByTask
            .Select(e => (Cursor: $"{e.Value.UtcTicks:D19}|{e.Key}", Id: e.Key))
            .Where(e => afterCursor is null || string.CompareOrdinal(e.Cursor, afterCursor) > 0)
            .OrderBy(e => e.Cursor, StringComparer.Ordinal)
            .Take(pageSize + 1)
            .ToList();
        var hasMore = ordered.Count > pageSize;
        var page = ordered.Take(pageSize).ToList();
        var views = await Task.WhenAll(page.Select(e => GrainFactory.GetGrain<IDepartmentTaskGrain>(e.Id).Find()));
        return new Page<DepartmentTaskView>(views.OfType<DepartmentTaskView>().ToList(), hasMore ? page[^1].Cursor : null, state.State.DueByTask.Count);
    }

    private DepartmentView ToView() => new(Id, [.. Members], state.State.Version, state.State.LeadId);
}
