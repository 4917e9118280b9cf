namespace ActorSales.ReadModel.Projecting;

/// <summary>Settings of the projector (section ActorSales:ReadModel).</summary>
public sealed class ReadModelOptions
{
    public const string Section = "ActorSales:ReadModel";

    /// <summary>Events read and applied per transaction.</summary>
    public int BatchSize { get; set; } = 500;

    /// <summary>Health is degraded while the oldest unapplied event is older than this.</summary>
    public TimeSpan DegradedAfter { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>First wait after a failed batch; doubles per failure up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often a silo without the lease tries to take it (the takeover time after a projector's silo dies).</summary>
    public TimeSpan LeaseRetry { get; set; } = TimeSpan.FromSeconds(2);
}
