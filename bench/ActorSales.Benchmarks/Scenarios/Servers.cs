using System.Diagnostics.Metrics;
using System.Globalization;
using ActorSales.Benchmarks.Baselines;
using ActorSales.Benchmarks.Infrastructure;
using ActorSales.Testing;

namespace ActorSales.Benchmarks.Scenarios;

/// <summary>The child-process side: the bare echo server and the real host, each until the parent closes stdin.</summary>
public static class Servers
{
    /// <summary>serve-echo --response-bytes N</summary>
    public static async Task<int> EchoAsync(BenchArgs args)
    {
        var port = TestHost.FreePort();
        await using var app = EchoServer.Build(port, args.Int("--response-bytes", 512));
        await app.StartAsync();
        Console.WriteLine($"ready port={port}");
        await ServerProcess.WaitForParentAsync();
        await app.StopAsync();
        return 0;
    }

    /// <summary>serve-host [--Key=value settings]: the real host (ActorSalesHost.Build through TestHost) on free ports.</summary>
    public static async Task<int> HostAsync(BenchArgs args)
    {
        long shed = 0;
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Name == "actorsales.gateway.calls_shed")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref shed, value));
        listener.Start();
        await using var host = await TestHost.StartAsync([.. args.Raw.Skip(1)]);
        Console.WriteLine($"ready port={host.GrpcPort}");
        await ServerProcess.WaitForParentAsync(() => string.Create(CultureInfo.InvariantCulture,
            $"shed={Interlocked.Read(ref shed)} heap={GC.GetTotalMemory(false)} gen2={GC.CollectionCount(2)}"));
        return 0;
    }

    /// <summary>Host settings every scenario shares: a cluster of its own, warnings only.</summary>
    public static string[] LocalHost(params string[] extra) =>
        ["serve-host", "--ActorSales:Profile=Local", $"--ActorSales:ClusterId=bench-{Guid.NewGuid():N}", .. Quiet, .. extra];

    /// <summary>Warnings only (the silo logs its start-up at Information).</summary>
    public static readonly string[] Quiet = ["--Logging:LogLevel:Default=Warning", "--Logging:LogLevel:Orleans.Runtime.Silo=Warning"];
}
