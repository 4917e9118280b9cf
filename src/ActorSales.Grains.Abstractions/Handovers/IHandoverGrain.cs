using ActorSales.Domain.Identity;

namespace ActorSales.Grains.Abstractions.Handovers;

/// <summary>
/// A salesperson's departure handover: the frozen book split into one package per receiver, each accepted within a
/// deadline, then moved item by item as a durable, resumable process. Key: the leaver's salesperson id.
/// </summary>
[Alias("actorsales.IHandoverGrain")]
public interface IHandoverGrain : IGrainWithStringKey
{
    /// <summary>Freezes the leaver and addresses the packages; retrying after a failure resumes the same start.</summary>
    [Alias("Start")]
    Task<HandoverView> Start(DepartureRequest request, Caller caller);

    /// <summary>The handover with every package and item (manager chain, receivers, directors, admins).</summary>
    [Alias("Get"), ReadOnly, AlwaysInterleave]
    Task<HandoverView> Get(Caller caller);

    /// <summary>The package addressed to <paramref name="receiverId"/> without items, or null (internal, for lists).</summary>
    [Alias("FindPackage"), ReadOnly, AlwaysInterleave]
    Task<HandoverPackageView?> FindPackage(string receiverId);

    /// <summary>A page of briefs of the package's customers, after customer id <paramref name="afterId"/>.</summary>
    [Alias("GetPackage"), ReadOnly, AlwaysInterleave]
    Task<HandoverPackagePage> GetPackage(string receiverId, Caller caller, int pageSize, string? afterId);

    /// <summary>The caller accepts their package; its items then move to them.</summary>
    [Alias("Accept")]
    Task<HandoverPackageView> Accept(string followUpPlan, Caller caller);

    /// <summary>The caller rejects their package; the manager reassigns its items.</summary>
    [Alias("Reject")]
    Task<HandoverPackageView> Reject(string reason, Caller caller);

    /// <summary>Moves customers (with their opportunities) of a pending or rejected package to another receiver or the pool ("").</summary>
    [Alias("Reassign")]
    Task<HandoverView> Reassign(string fromReceiverId, string toReceiverId, IReadOnlyList<string> customerIds, Caller caller);
}
