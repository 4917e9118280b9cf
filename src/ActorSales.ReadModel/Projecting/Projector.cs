using ActorSales.Grains.Abstractions.Events;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ActorSales.ReadModel.Projecting;

/// <summary>
/// Feeds the read model from the durable event log: while this silo holds the <see cref="IProjectionLease"/>, reads the
/// events after the store's checkpoint in batches and applies each batch with its checkpoint in one store transaction
/// (exactly once, in order, across restarts). Caught up, it waits for the log's next append. A refused batch (another
/// projector moved the checkpoint) or a failing store or log is logged and retried with back-off from a freshly read
/// checkpoint. Progress, lag and lost events go to <see cref="ProjectorStatus"/> (metrics, health).
/// </summary>
public sealed partial class Projector(
    IEventLog log,
    IReadModelStore store,
    IProjectionLease lease,
    ProjectorStatus status,
    ReadModelMetrics metrics,
    TimeProvider clock,
    IOptions<ReadModelOptions> options,
    ILogger<Projector> logger,
    IHostApplicationLifetime? lifetime = null) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        long? checkpoint = null;
        var failures = 0;
        try
        {
            // In a host, the silo's start-up migrates the schema: the first read waits until the host has started.
            if (lifetime is { ApplicationStarted.IsCancellationRequested: false })
            {
                var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
                {
                    await started.Task.WaitAsync(stoppingToken);
                }
            }
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    if (!lease.Held)
                    {
                        status.Lease(false);
                        checkpoint = null;
                        if (!await lease.TryAcquireAsync(stoppingToken))
                        {
                            await Task.Delay(settings.LeaseRetry, clock, stoppingToken);
                            continue;
                        }
                        LogLeaseAcquired();
                    }
                    status.Lease(true);
                    checkpoint ??= await store.CheckpointAsync(stoppingToken);
                    checkpoint = await StepAsync(checkpoint.Value, settings.BatchSize, stoppingToken);
                    failures = 0;
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception exception)
                {
                    failures++;
                    checkpoint = null; // another projector may have moved it, or the store kept none of the batch
                    status.Failed(exception.Message);
                    if (exception is ProjectionConflictException)
                    {
                        LogConflict(exception.Message);
                    }
                    else
                    {
                        LogFailed(exception, failures);
                    }
                    await Task.Delay(Backoff(settings, failures), clock, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
        finally
        {
            status.Lease(false);
            try
            {
                await lease.ReleaseAsync(CancellationToken.None);
            }
            catch (Exception exception)
            {
                LogReleaseFailed(exception);
            }
        }
    }

    /// <summary>Applies the next batch after <paramref name="checkpoint"/>, or waits for one; returns the new checkpoint.</summary>
    private async Task<long> StepAsync(long checkpoint, int batchSize, CancellationToken cancellationToken)
    {
        var page = await log.ReadAsync(checkpoint, EventFilter.All, batchSize, cancellationToken);
        if (page.TrimmedThrough > checkpoint && status.LostEvents is null)
        {
            var lost = $"the event log was trimmed through position {page.TrimmedThrough} before the read model applied it (it is at {checkpoint}): "
                + "those events are missing from the query rows and the history";
            status.Lost(lost);
            LogEventsLost(checkpoint, page.TrimmedThrough);
        }
        if (page.Events.Count == 0)
        {
            status.Applied(checkpoint, page.ScannedThrough, null);
            await log.WaitForAppendAsync(checkpoint, cancellationToken);
            return checkpoint;
        }
        var head = page.Events.Count < batchSize ? page.ScannedThrough : (await log.GetBoundsAsync(cancellationToken)).Head;
        status.Pending(page.Events[0].Event.OccurredAt, head);
        if (!lease.Held)
        {
            return checkpoint; // lost meanwhile: the next turn tries to take it again
        }
        var through = page.Events[^1].Position;
        await store.ApplyAsync(page.Events, through, cancellationToken);
        metrics.Applied(page.Events.Count);
        status.Applied(through, head, through >= head ? null : page.Events[^1].Event.OccurredAt);
        return through;
    }

    private static TimeSpan Backoff(ReadModelOptions settings, int failures)
    {
        var delay = settings.RetryDelay * Math.Pow(2, Math.Min(failures - 1, 16));
        return delay < settings.MaxRetryDelay ? delay : settings.MaxRetryDelay;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Read model projector holds the lease; projecting from the store's checkpoint")]
    private partial void LogLeaseAcquired();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Read model batch refused ({Reason}); re-reading the checkpoint")]
    private partial void LogConflict(string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Read model projection failed ({Failures} in a row); retrying")]
    private partial void LogFailed(Exception exception, int failures);

    [LoggerMessage(Level = LogLevel.Error, Message = "Events lost to the read model: the log was trimmed through {TrimmedThrough} while the read model was at {Checkpoint}; rebuild cannot restore them")]
    private partial void LogEventsLost(long checkpoint, long trimmedThrough);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Releasing the projection lease failed")]
    private partial void LogReleaseFailed(Exception exception);
}
