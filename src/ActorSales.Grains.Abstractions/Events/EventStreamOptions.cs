namespace ActorSales.Grains.Abstractions.Events;

/// <summary>Settings of the event-log-backed stream provider (section ActorSales:Streams).</summary>
public sealed class EventStreamOptions
{
    public const string Section = "ActorSales:Streams";

    /// <summary>
    /// Stream queues: each reads the whole log and keeps its share of the streams, so each is one reader of the log
    /// (one pulling agent somewhere in the cluster). Changing it moves streams between queues (see README).
    /// </summary>
    public int Queues { get; set; } = 4;

    /// <summary>Events a queue reads from the log per page.</summary>
    public int ReadBatchSize { get; set; } = 256;

    /// <summary>How long a queue keeps delivered events in memory so a subscription can rewind to them without a log read (older rewinds read the log).</summary>
    public TimeSpan RewindWindow { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The most events a queue keeps in memory (delivered ones go first; undelivered ones hold reading back).</summary>
    public int CacheSize { get; set; } = 8192;

    /// <summary>The least time between two checkpoint writes of a queue (at-least-once: a lost queue re-delivers at most this much).</summary>
    public TimeSpan CheckpointInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How often an idle queue's pulling agent looks again (a queue with work long-polls the log instead).</summary>
    public TimeSpan PollPeriod { get; set; } = TimeSpan.FromMilliseconds(100);

    public IEnumerable<string> Validate()
    {
        if (Queues is < 1 or > 256)
        {
            yield return $"{Section}:Queues must be 1..256, not {Queues}";
        }
        if (ReadBatchSize is < 1 or > 10_000)
        {
            yield return $"{Section}:ReadBatchSize must be 1..10000, not {ReadBatchSize}";
        }
        if (CacheSize < 2 * ReadBatchSize)
        {
            yield return $"{Section}:CacheSize must be at least twice ReadBatchSize ({2 * ReadBatchSize}), not {CacheSize}";
        }
        if (RewindWindow < TimeSpan.Zero || RewindWindow > TimeSpan.FromHours(1))
        {
            yield return $"{Section}:RewindWindow must be 0..01:00:00, not {RewindWindow}";
        }
        if (CheckpointInterval <= TimeSpan.Zero)
        {
            yield return $"{Section}:CheckpointInterval must be positive, not {CheckpointInterval}";
        }
        if (PollPeriod < TimeSpan.FromMilliseconds(10) || PollPeriod > TimeSpan.FromSeconds(10))
        {
            yield return $"{Section}:PollPeriod must be 00:00:00.010..00:00:10, not {PollPeriod}";
        }
    }
}
