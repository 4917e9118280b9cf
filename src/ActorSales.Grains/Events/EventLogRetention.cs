using ActorSales.Grains.Abstractions.Events;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ActorSales.Grains.Events;

/// <summary>
/// Removes events older than the retention from the log, every <see cref="EventLogOptions.TrimInterval"/>. Every
/// silo runs it; concurrent trims of the same rows are harmless.
/// </summary>
public sealed partial class EventLogRetention(
    IEventLog log,
    TimeProvider clock,
    IOptions<EventLogOptions> options,
    ILogger<EventLogRetention> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.TrimInterval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var removed = await log.TrimAsync(clock.GetUtcNow() - options.Value.Retention, stoppingToken);
                if (removed > 0)
                {
                    LogTrimmed(removed);
                }
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                LogTrimFailed(exception);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Event log retention removed {Count} events")]
    private partial void LogTrimmed(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event log retention failed; it retries at the next interval")]
    private partial void LogTrimFailed(Exception exception);
}
