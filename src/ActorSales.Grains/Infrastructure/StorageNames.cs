namespace ActorSales.Grains.Infrastructure;

/// <summary>Names of the grain storage providers the host must register.</summary>
public static class StorageNames
{
    /// <summary>Grain state of every ActorSales grain.</summary>
    public const string Default = "actorsales";

    /// <summary>Orleans stream pub/sub bookkeeping.</summary>
    public const string PubSub = "PubSubStore";
}
