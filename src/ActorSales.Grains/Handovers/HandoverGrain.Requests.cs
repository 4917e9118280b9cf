using ActorSales.Domain.Identity;
using ActorSales.Grains.Requests;

namespace ActorSales.Grains.Handovers;

/// <summary>Retry-safe writes: what a repeated change to the handover answers (see <see cref="IRetrySafeGrain"/>).</summary>
public sealed partial class HandoverGrain
{
    public RequestLedger Requests => S.Requests;

    /// <summary>A repeated Accept or Reject answers with the receiver's package; Start and Reassign with the handover.</summary>
    public ValueTask<object?> ReplayAsync(string method, AppliedRequest applied) => ValueTask.FromResult<object?>(
        method is nameof(Accept) or nameof(Reject)
            ? ToView(S.Packages.Single(p => p.ReceiverId == applied.Noted), withItems: false)
            : ToView(withItems: true));
}
