using ActorSales.Contracts.V1;
using ActorSales.Grains.Abstractions.Events;
using ActorSales.ReadModel;
using ActorSales.ReadModel.Analytics;
using ActorSales.ReadModel.Projecting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ActorSales.Gateway.ReadSide;

/// <summary>
/// What moved the read model's checkpoint from <see cref="From"/> to <see cref="Through"/>: the teams and owners of the
/// events applied, or <see cref="Everything"/> when that is unknown (the watcher just started, the log was trimmed, the
/// batch was large) or the events move records between scopes (owner and membership changes).
/// </summary>
public sealed record ReadModelChange(long From, long Through, bool Everything, IReadOnlySet<string> Teams, IReadOnlySet<string> Owners)
{
    /// <summary>Whether a figure of the given reach and narrowing may have changed (conservative: false only when it cannot).</summary>
    public bool MayConcern(Domain.Identity.ReadScope reach, AnalyticsFilter filter)
    {
        if (Everything || filter.Region is not null)
        {
            return true;
        }
        var team = filter.TeamId ?? reach.TeamId;
        var owner = filter.OwnerId ?? reach.OwnerId;
        if (team is null && owner is null)
        {
            return true;
        }
        return (team is not null && Teams.Contains(team)) || (owner is not null && Owners.Contains(owner));
    }
}

/// <summary>
/// One watcher per host shared by every board stream: while at least one stream is open it follows the read model's
/// checkpoint (woken by this silo's projector when it projects here, else reading the store's checkpoint every
/// <see cref="AnalyticsOptions.BoardPollInterval"/>: one small query per host, not per stream), reads the applied
/// events' routing fields once, and publishes a <see cref="ReadModelChange"/> to a linked list every stream follows at
/// its own pace. With no stream open it runs nothing.
/// </summary>
public sealed class ReadModelChanges(IServiceProvider services, TimeProvider clock, IOptions<AnalyticsOptions> options) : IAsyncDisposable
{
    /// <summary>Events described per change; a larger move is reported as <see cref="ReadModelChange.Everything"/>.</summary>
    private const int MaxDescribed = 2000;

    private static readonly HashSet<string> ScopeMoves = new(StringComparer.Ordinal)
    {
        "customer_owner_changed", "customer_released", "customer_claimed", "opportunity_owner_changed",
        "team_member_joined", "team_member_left", "team_updated", "salesperson_updated", "handover_package_transferred",
    };

    private readonly Lock _gate = new();
    private Node _tail = new(null);
    private int _watchers;
    private CancellationTokenSource? _stop;
    private Task _loop = Task.CompletedTask;

    /// <summary>One published change; <see cref="Next"/> completes with the following one.</summary>
    public sealed class Node(ReadModelChange? change)
    {
        private readonly TaskCompletionSource<Node> _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ReadModelChange? Change { get; } = change;

        public Task<Node> Next => _next.Task;

        internal void Link(Node next) => _next.TrySetResult(next);
    }

    /// <summary>Starts following (the watcher runs while anyone follows); the node returned is where the follower starts.</summary>
    public Node Follow()
    {
        lock (_gate)
        {
            if (_watchers++ == 0)
            {
                _stop = new CancellationTokenSource();
                var stop = _stop.Token;
                var previous = _loop;
                _loop = Task.Run(async () =>
                {
                    await previous; // a loop stopping as this one starts finishes first: one watcher at a time
                    await WatchAsync(stop);
                }, CancellationToken.None);
            }
            return _tail;
        }
    }

    /// <summary>Stops following; the last follower stops the watcher (its pending wait is cancelled, no timer stays).</summary>
    public void Unfollow()
    {
        CancellationTokenSource? stop = null;
        lock (_gate)
        {
            if (--_watchers == 0)
            {
                (stop, _stop) = (_stop, null);
            }
        }
        if (stop is not null)
        {
            stop.Cancel();
            stop.Dispose();
        }
    }

    /// <summary>Whether the watcher is running (tests: nothing runs once the last stream ended).</summary>
    public bool Running { get { lock (_gate) { return _watchers > 0; } } }

    private async Task WatchAsync(CancellationToken stop)
    {
        var status = services.GetService<ProjectorStatus>();
        var queries = services.GetRequiredService<IReadModelQueries>();
        long? seen = null; // unknown at start: the first checkpoint seen is reported as "everything may have changed"
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var interval = options.Value.BoardPollInterval;
                try
                {
                    var checkpoint = status is { LeaseHeld: true } ? status.Checkpoint : await queries.CheckpointAsync(stop);
                    if (seen is not { } from || checkpoint > from)
                    {
                        Publish(await DescribeAsync(seen, checkpoint, stop));
                        seen = checkpoint;
                    }
                }
                catch (Exception) when (!stop.IsCancellationRequested)
                {
                    // The store or log failed: try again a little later; what happened meanwhile is reported as
                    // "everything may have changed" once it answers again. Each stream's own query reports its failure.
                    seen = null;
                    interval *= 4;
                }
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(stop);
                var delay = Task.Delay(interval, clock, wait.Token);
                await Task.WhenAny(delay, status?.NextAdvance ?? delay);
                await wait.CancelAsync(); // the timer of the wait that lost goes now
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The last stream ended.
        }
    }

    private void Publish(ReadModelChange change)
    {
        var node = new Node(change);
        Node previous;
        lock (_gate)
        {
            (previous, _tail) = (_tail, node);
        }
        previous.Link(node);
    }

    /// <summary>The teams and owners of the events in (from, through], read once from the log for every stream.</summary>
    private async Task<ReadModelChange> DescribeAsync(long? from, long through, CancellationToken cancellationToken)
    {
        var teams = new HashSet<string>(StringComparer.Ordinal);
        var owners = new HashSet<string>(StringComparer.Ordinal);
        if (from is not { } after)
        {
            return new ReadModelChange(through, through, true, teams, owners);
        }
        var log = services.GetRequiredService<IEventLog>();
        var cursor = after;
        var described = 0;
        while (cursor < through)
        {
            var page = await log.ReadAsync(cursor, EventFilter.All, 500, cancellationToken);
            if (page.TrimmedThrough > cursor || (page.Events.Count == 0 && page.ScannedThrough <= cursor))
            {
                return new ReadModelChange(after, through, true, teams, owners);
            }
            foreach (var stored in page.Events.TakeWhile(e => e.Position <= through))
            {
                var e = stored.Event;
                if (ScopeMoves.Contains(e.EventType) || e.EntityType is not ((int)EntityType.Customer or (int)EntityType.Opportunity))
                {
                    return new ReadModelChange(after, through, true, teams, owners);
                }
                teams.Add(e.TeamId);
                owners.Add(e.OwnerId);
            }
            described += page.Events.Count;
            if (described > MaxDescribed)
            {
                return new ReadModelChange(after, through, true, teams, owners);
            }
            cursor = page.ScannedThrough;
        }
        return new ReadModelChange(after, through, false, teams, owners);
    }

    public async ValueTask DisposeAsync()
    {
        CancellationTokenSource? stop;
        lock (_gate)
        {
            (stop, _stop) = (_stop, null);
        }
        if (stop is not null)
        {
            await stop.CancelAsync();
            stop.Dispose();
        }
        await _loop;
    }
}
