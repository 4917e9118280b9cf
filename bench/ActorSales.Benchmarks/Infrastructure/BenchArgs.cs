using System.Globalization;

namespace ActorSales.Benchmarks.Infrastructure;

/// <summary>"--name value" options with defaults; the common ones (windows, output folder) in one place.</summary>
public sealed class BenchArgs(string[] args)
{
    public string[] Raw => args;

    public int Int(string name, int fallback) => Value(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

    public double Double(string name, double fallback) => Value(name) is { } v ? double.Parse(v, CultureInfo.InvariantCulture) : fallback;

    public string? Value(string name)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }

    public bool Flag(string name) => args.Contains(name);

    /// <summary>
    /// Load before the first timed window of each server (--warmup-seconds, default 20): on one core the tiered JIT
    /// needs about that long under load to reach steady code (seen here: a host at a quarter of its speed for ~20 s).
    /// </summary>
    public TimeSpan Warmup => TimeSpan.FromSeconds(Double("--warmup-seconds", 20));

    /// <summary>Load before every later window, to fill the pipeline again (2 s).</summary>
    public static TimeSpan Refill => TimeSpan.FromSeconds(2);

    /// <summary>Each timed window (--seconds, default 10): the machine is shared, so keep it short.</summary>
    public TimeSpan Window => TimeSpan.FromSeconds(Double("--seconds", 10));

    /// <summary>Turns the figure and its baseline take within a window (--rounds, default 3).</summary>
    public int Rounds => Int("--rounds", 3);

    /// <summary>Where results go (--results, default bench/results in the checkout).</summary>
    public string ResultsDirectory => Value("--results") ?? Path.Combine(ActorSales.Testing.RepositoryPaths.Root, "bench", "results");
}
