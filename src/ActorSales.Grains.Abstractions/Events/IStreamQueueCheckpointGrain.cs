namespace ActorSales.Grains.Abstractions.Events;

/// <summary>
/// The durable read positions of a stream provider's queues (key: the provider name, e.g. "events"): where a queue's
/// pulling agent resumes reading the log when it starts, on this silo or, after a silo loss, on another.
/// </summary>
[Alias("actorsales.IStreamQueueCheckpointGrain")]
public interface IStreamQueueCheckpointGrain : IGrainWithStringKey
{
    /// <summary>
    /// Where queue <paramref name="queue"/> of <paramref name="queueCount"/> resumes. A queue the current count never
    /// saved resumes at the lowest position any queue of another count saved (a changed count re-delivers rather than
    /// skips); null if nothing was ever saved.
    /// </summary>
    Task<long?> Load(int queue, int queueCount);

    /// <summary>Records that the queue delivered everything through <paramref name="position"/>; never moves back.</summary>
    Task Save(int queue, int queueCount, long position);
}
