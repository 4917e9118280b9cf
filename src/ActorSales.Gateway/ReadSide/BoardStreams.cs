using ActorSales.ReadModel.Analytics;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace ActorSales.Gateway.ReadSide;

/// <summary>
/// Counts the open WatchBoard streams of this host, per caller and in all, and refuses one beyond
/// <see cref="AnalyticsOptions.MaxBoardStreamsPerCaller"/> or <see cref="AnalyticsOptions.MaxBoardStreamsPerHost"/> with
/// RESOURCE_EXHAUSTED: a board recomputes on every change in its scope, so an unbounded number would let one client
/// multiply the read model's load.
/// </summary>
public sealed class BoardStreams(IOptions<AnalyticsOptions> options)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, int> _perCaller = new(StringComparer.Ordinal);
    private int _total;

    /// <summary>Open streams on this host.</summary>
    public int Open { get { lock (_gate) { return _total; } } }

    /// <summary>Takes a slot for <paramref name="userId"/>; dispose the result when the stream ends.</summary>
    public IDisposable Take(string userId)
    {
        var settings = options.Value;
        lock (_gate)
        {
            var mine = _perCaller.GetValueOrDefault(userId);
            if (mine >= settings.MaxBoardStreamsPerCaller)
            {
                throw new RpcException(new Status(StatusCode.ResourceExhausted,
                    $"at most {settings.MaxBoardStreamsPerCaller} board streams per caller; close one first"));
            }
            if (_total >= settings.MaxBoardStreamsPerHost)
            {
                throw new RpcException(new Status(StatusCode.ResourceExhausted, "this host serves as many board streams as it may; retry later or elsewhere"));
            }
            _perCaller[userId] = mine + 1;
            _total++;
        }
        return new Slot(this, userId);
    }

    private void Release(string userId)
    {
        lock (_gate)
        {
            _total--;
            if (--_perCaller[userId] == 0)
            {
                _perCaller.Remove(userId);
            }
        }
    }

    private sealed class Slot(BoardStreams owner, string userId) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                owner.Release(userId);
            }
        }
    }
}
