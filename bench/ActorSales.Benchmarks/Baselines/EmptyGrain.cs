namespace ActorSales.Benchmarks.Baselines;

/// <summary>The grain-layer baseline: a grain with no state and no work.</summary>
[Alias("bench.IEmptyGrain")]
public interface IEmptyGrain : IGrainWithStringKey
{
    [Alias("Ping")]
    Task<int> Ping();
}

public sealed class EmptyGrain : Grain, IEmptyGrain
{
    public Task<int> Ping() => Task.FromResult(0);
}
