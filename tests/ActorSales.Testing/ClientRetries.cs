using Grpc.Core;

namespace ActorSales.Testing;

/// <summary>What README tells clients to do with a failed call, for the tests that play clients across faults.</summary>
public static class ClientRetries
{
    /// <summary>Statuses that answer the request itself: retrying cannot change them.</summary>
    public static readonly StatusCode[] BusinessAnswers =
    [
        StatusCode.InvalidArgument, StatusCode.NotFound, StatusCode.PermissionDenied, StatusCode.FailedPrecondition,
        StatusCode.AlreadyExists, StatusCode.Unauthenticated, StatusCode.OutOfRange,
    ];

    /// <summary>
    /// Calls <paramref name="call"/> until it answers, retrying UNAVAILABLE and DEADLINE_EXCEEDED (the same request,
    /// so the same request_id) every 100 ms, at most <paramref name="attempts"/> times; any other status is thrown.
    /// </summary>
    public static async Task<T> RetriedAsync<T>(Func<Task<T>> call, int attempts = 100)
    {
        using var backoff = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await call();
            }
            catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded && attempt < attempts)
            {
                await backoff.WaitForNextTickAsync();
            }
        }
    }
}
