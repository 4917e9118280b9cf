using ActorSales.Benchmarks.Infrastructure;
using ActorSales.Benchmarks.Scenarios;

// dotnet run -c Release --project bench/ActorSales.Benchmarks -- <scenario> [--seconds 10] [--warmup-seconds 3] [--results DIR]
// Scenarios: gateway-read (1), grains (2), write (3), activation (4), deadlines (5), events (6), overload (7), read-model (8), board (9), log-append (10), stream-latency (11); summary rebuilds
// bench/results/summary.md. serve-echo and serve-host are the child processes the scenarios start.
var bench = new BenchArgs(args);
var scenario = bench.Raw.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal));
if (scenario is "serve-echo")
{
    return await Servers.EchoAsync(bench);
}
if (scenario is "serve-host")
{
    return await Servers.HostAsync(bench);
}
Func<BenchArgs, Task<int>>? run = scenario switch
{
    "gateway-read" => GatewayReadScenario.RunAsync,
    "grains" => GrainScenario.RunAsync,
    "write" => WriteScenario.RunAsync,
    "activation" => ActivationScenario.RunAsync,
    "deadlines" => DeadlinesScenario.RunAsync,
    "events" => EventsScenario.RunAsync,
    "overload" => OverloadScenario.RunAsync,
    "read-model" => ReadModelScenario.RunAsync,
    "board" => BoardScenario.RunAsync,
    "log-append" => LogAppendScenario.RunAsync,
    "stream-latency" => StreamLatencyScenario.RunAsync,
    "summary" => async a =>
    {
        await Report.WriteSummaryAsync(a.ResultsDirectory);
        return 0;
    },
    _ => null,
};
if (run is null)
{
    Console.Error.WriteLine("usage: ActorSales.Benchmarks gateway-read | grains | write | activation | deadlines | events | overload | read-model | board | log-append | stream-latency | summary [--seconds S] [--warmup-seconds S] [--results DIR]");
    return 64;
}
if (await Processes.RunPinnedAsync(bench.Raw) is { } exitCode)
{
    return exitCode; // ran again on the load core
}
return await run(bench);
