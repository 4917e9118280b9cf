namespace ActorSales.Testing;

/// <summary>Waiting for an effect another grain applies in its own turn: poll with a bound, never sleep.</summary>
public static class Polling
{
    /// <summary>Reads until <paramref name="until"/> holds, every 20 ms for at most <paramref name="bound"/> of real time.</summary>
    public static async Task<T> EventuallyAsync<T>(Func<Task<T>> read, Func<T, bool> until, TimeSpan bound)
    {
        using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        var deadline = TimeProvider.System.GetTimestamp() + (long)(bound.TotalSeconds * TimeProvider.System.TimestampFrequency);
        var value = await read();
        while (!until(value) && TimeProvider.System.GetTimestamp() < deadline)
        {
            await poll.WaitForNextTickAsync();
            value = await read();
        }
        return value;
    }
}
