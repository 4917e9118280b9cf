using ActorSales.Domain.Identity;

namespace ActorSales.Grains.Requests;

/// <summary>
/// A grain whose changing calls honour client request ids (<see cref="Caller.Request"/>). A repeat of an applied
/// request (same caller, RPC and request id, same content, within 24 h) is not run again: the grain answers it with
/// <see cref="ReplayAsync"/>, the record the first call changed as it stands now.
/// </summary>
public interface IRetrySafeGrain
{
    RequestLedger Requests { get; }

    /// <summary>
    /// The answer to a repeat of <paramref name="method"/> (the grain interface method's name): the same type the method
    /// returns (null for a method returning <see cref="Task"/>), built from the current state and
    /// <paramref name="applied"/>'s noted result. The caller made the change, so no further access check applies.
    /// </summary>
    ValueTask<object?> ReplayAsync(string method, AppliedRequest applied);
}
