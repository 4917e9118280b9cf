using Orleans.Concurrency;
using System.Collections.Concurrent;
using System.Reflection;
using ActorSales.Domain.Errors;
using ActorSales.Domain.Identity;

namespace ActorSales.Grains.Requests;

/// <summary>
/// Makes changing calls on <see cref="IRetrySafeGrain"/>s retry-safe. A call whose <see cref="Caller"/> carries a
/// <see cref="ClientRequest"/>: if the grain's ledger holds it, the call is answered from the ledger (the same content)
/// or refused with FAILED_PRECONDITION (other content under a used id); otherwise the request is opened in the ledger,
/// so the grain's next state write records it with the change. Read-only methods are never touched.
/// </summary>
public sealed class RequestLedgerFilter(TimeProvider clock) : IIncomingGrainCallFilter
{
    private static readonly ConcurrentDictionary<MethodInfo, bool> ReadOnlyMethods = new();

    public async Task Invoke(IIncomingGrainCallContext context)
    {
        if (context.TargetContext.GrainInstance is not IRetrySafeGrain grain
            || RequestOf(context) is not { } request
            || context.InterfaceMethod is null || ReadOnlyMethods.GetOrAdd(context.InterfaceMethod, m => m.GetCustomAttribute<ReadOnlyAttribute>() is not null))
        {
            await context.Invoke();
            return;
        }
        var key = $"{context.MethodName}:{request.Key}";
        var ledger = grain.Requests;
        var now = clock.GetUtcNow();
        if (ledger.TryGet(key, now, out var applied))
        {
            if (applied.BodyHash != request.BodyHash)
            {
                throw new PreconditionFailedException(
                    "request_id was already used for a different request; use a new request_id for a new change");
            }
            context.Result = await grain.ReplayAsync(context.MethodName, applied);
            return;
        }
        ledger.Open(key, request.BodyHash, now);
        try
        {
            await context.Invoke();
        }
        finally
        {
            // The state may have been re-read after a failed write (a new ledger object): close both.
            ledger.Close();
            grain.Requests.Close();
        }
    }

    private static ClientRequest? RequestOf(IIncomingGrainCallContext context)
    {
        var request = context.Request;
        for (var i = request.GetArgumentCount() - 1; i >= 0; i--)
        {
            if (request.GetArgument(i) is Caller { Request: { } clientRequest })
            {
                return clientRequest;
            }
        }
        return null;
    }
}
