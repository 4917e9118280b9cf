using ActorSales.Benchmarks.Echo;
using ActorSales.Benchmarks.Infrastructure;
using ActorSales.Contracts.V1;
using ActorSales.Host.Configuration;
using Google.Protobuf;

namespace ActorSales.Benchmarks.Scenarios;

/// <summary>
/// Scenario 1: GetCustomer on active customers (no database on the path: Local profile, grains warm) against a bare
/// grpc-dotnet echo with the same request and response sizes. Targets: throughput >= 0.6x echo; p99 at 70 % of echo's
/// maximum rate <= 1.5x echo's p99 at that rate.
/// </summary>
public static class GatewayReadScenario
{
    public const string Command = "dotnet run -c Release --project bench/ActorSales.Benchmarks -- gateway-read";

    /// <summary>Running mean over equal slices: rates and mean latencies average, maxima take the larger.</summary>
    private static H2LoadResult? Merge(H2LoadResult? sum, H2LoadResult? next, int round) =>
        sum is null || next is null ? next ?? sum : sum with
        {
            Rps = ((sum.Rps * round) + next.Rps) / (round + 1),
            MeanMs = ((sum.MeanMs * round) + next.MeanMs) / (round + 1),
            MaxMs = Math.Max(sum.MaxMs, next.MaxMs),
            Succeeded = sum.Succeeded + next.Succeeded,
            Failed = sum.Failed + next.Failed,
            Errored = sum.Errored + next.Errored,
        };

    public static async Task<int> RunAsync(BenchArgs args)
    {
        var connections = args.Int("--connections", 8);
        var inFlight = args.Int("--in-flight", 64);
        var customers = args.Int("--customers", 100);
        var report = new Report("gateway-read", Command);
        report.Details["connections"] = connections;
        report.Details["inFlight"] = inFlight;
        report.Details["windowSeconds"] = args.Window.TotalSeconds;

        await using var host = await ServerProcess.StartAsync(Servers.LocalHost());
        var hostChannels = LoadGenerator.Channels(host.Port, connections);
        var seeded = await SeededCustomers.CreateAsync(hostChannels[0].CreateCallInvoker(), HostSettings.LocalDevelopmentSigningKey, customers);
        var clients = hostChannels.Select(c => new CustomersService.CustomersServiceClient(c)).ToArray();
        var requests = seeded.CustomerIds.Select(id => new GetCustomerRequest { CustomerId = id }).ToArray();
        var sample = await clients[0].GetCustomerAsync(requests[0], seeded.HeadersFor(0));
        var requestBytes = requests[0].CalculateSize();
        var responseBytes = sample.CalculateSize();
        report.Details["requestBytes"] = requestBytes;
        report.Details["responseBytes"] = responseBytes;
        Console.WriteLine($"gateway-read: GetCustomer request {requestBytes} B, response {responseBytes} B; {connections} connections, {inFlight} in flight");

        Task HostCall(long i)
        {
            var customer = (int)(i % requests.Length);
            return clients[i % clients.Length].GetCustomerAsync(requests[customer], seeded.HeadersFor(customer)).ResponseAsync;
        }

        await using var echo = await ServerProcess.StartAsync("serve-echo", "--response-bytes", responseBytes.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var echoClients = LoadGenerator.Channels(echo.Port, connections).Select(c => new EchoService.EchoServiceClient(c)).ToArray();
        var echoRequest = new EchoRequest { Payload = ByteString.CopyFrom(new byte[Math.Max(0, requestBytes - 3)]) };
        Task EchoCall(long i) => echoClients[i % echoClients.Length].EchoAsync(echoRequest).ResponseAsync;

        // Maximum rate, closed loop, own generator.
        var hostCpuBefore = host.CpuTime();
        var echoCpuBefore = echo.CpuTime();
        var (hostMax, echoMax) = await LoadGenerator.AlternateClosedAsync(HostCall, EchoCall, inFlight, args.Warmup, args.Window, args.Rounds);
        // Both servers' CPU over the alternating windows (each was busy about half of it): near 50 % means server-bound.
        report.Details["hostCpuSeconds"] = (host.CpuTime() - hostCpuBefore).TotalSeconds;
        report.Details["echoCpuSeconds"] = (echo.CpuTime() - echoCpuBefore).TotalSeconds;
        Console.WriteLine($"  CPU seconds over the max windows: host {(host.CpuTime() - hostCpuBefore).TotalSeconds:0.0}, echo {(echo.CpuTime() - echoCpuBefore).TotalSeconds:0.0}");
        Console.WriteLine($"  echo max     {echoMax}");
        Console.WriteLine($"  host max     {hostMax}");

        // Latency at 70 % of echo's maximum, open loop.
        var refill = BenchArgs.Refill.TotalSeconds;
        var span = BenchArgs.Refill + args.Window;
        var rate = echoMax.Rps * 0.7;
        var echoAt70 = LoadGenerator.Slice(await LoadGenerator.OpenAsync(EchoCall, rate, span), refill, span.TotalSeconds);
        Console.WriteLine($"  echo @{rate:N0}/s {echoAt70}");
        var hostAt70 = LoadGenerator.Slice(await LoadGenerator.OpenAsync(HostCall, rate, span), refill, span.TotalSeconds);
        Console.WriteLine($"  host @{rate:N0}/s {hostAt70}");
        // And at 70 % of the host's maximum, a rate both servers (and this one-core client) sustain.
        var hostRate = hostMax.Rps * 0.7;
        var echoAtHost70 = LoadGenerator.Slice(await LoadGenerator.OpenAsync(EchoCall, hostRate, span), refill, span.TotalSeconds);
        var hostAtHost70 = LoadGenerator.Slice(await LoadGenerator.OpenAsync(HostCall, hostRate, span), refill, span.TotalSeconds);
        Console.WriteLine($"  echo @{hostRate:N0}/s {echoAtHost70}");
        Console.WriteLine($"  host @{hostRate:N0}/s {hostAtHost70}");

        var ratio = hostMax.Rps / echoMax.Rps;
        report.Add("throughput, Grpc.Net.Client load", hostMax.Rps, echoMax.Rps, "calls/s", ">= 0.6x", ratio >= 0.6);
        report.Add("p99 at max (closed loop)", hostMax.P99Ms, echoMax.P99Ms, "ms");
        report.Add($"p99 at 70 % of echo max ({rate:N0}/s, open loop)", hostAt70.P99Ms, echoAt70.P99Ms, "ms", "<= 1.5x", hostAt70.P99Ms <= 1.5 * echoAt70.P99Ms);
        report.Add($"p50 at 70 % of echo max", hostAt70.P50Ms, echoAt70.P50Ms, "ms");
        report.Add($"p99 at 70 % of host max ({hostRate:N0}/s, open loop)", hostAtHost70.P99Ms, echoAtHost70.P99Ms, "ms", note: "informative: a rate both sustain");
        report.Details["echoAtHost70"] = echoAtHost70;
        report.Details["hostAtHost70"] = hostAtHost70;
        report.Details["echoMax"] = echoMax;
        report.Details["hostMax"] = hostMax;
        report.Details["echoAt70"] = echoAt70;
        report.Details["hostAt70"] = hostAt70;
        if (hostAt70.Failed > 0 || hostMax.Failed > 0)
        {
            report.Note($"host calls that failed: {hostMax.Failed + hostAt70.Failed:N0} ({string.Join(", ", hostMax.Statuses.Concat(hostAt70.Statuses).Select(s => $"{s.Key} {s.Value}"))})");
        }

        // The independent client: h2load posting pre-encoded frames, same connections and streams.
        if (!args.Flag("--no-h2load") && await H2Load.EnsureInstalledAsync())
        {
            var streams = Math.Max(1, inFlight / connections);
            var echoStatus = await H2Load.VerifyAsync(echo.Port, "actorsales.bench.v1.EchoService/Echo", echoRequest, null);
            var hostStatus = await H2Load.VerifyAsync(host.Port, "actorsales.v1.CustomersService/GetCustomer", requests[0], seeded.TokenFor(0));
            Console.WriteLine($"  the h2load request, sent once with nghttp: echo grpc-status {echoStatus}, host grpc-status {hostStatus}");
            report.Details["h2loadFrameStatus"] = new { echo = echoStatus, host = hostStatus };
            // In turns, like the Grpc.Net.Client windows: rate = calls / time summed over the slices.
            H2LoadResult? echoH2 = null, hostH2 = null;
            var slice = TimeSpan.FromSeconds(Math.Max(1, Math.Round(args.Window.TotalSeconds / args.Rounds)));
            for (var round = 0; round < args.Rounds; round++)
            {
                var warm = round == 0 ? BenchArgs.Refill * 2 : BenchArgs.Refill;
                echoH2 = Merge(echoH2, await H2Load.RunAsync(echo.Port, "actorsales.bench.v1.EchoService/Echo", echoRequest, null, connections, streams, warm, slice), round);
                hostH2 = Merge(hostH2, await H2Load.RunAsync(host.Port, "actorsales.v1.CustomersService/GetCustomer", requests[0], seeded.TokenFor(0), connections, streams, warm, slice), round);
            }
            if (echoH2 is not null && hostH2 is not null)
            {
                Console.WriteLine($"  h2load echo {echoH2.Rps:N0}/s mean {echoH2.MeanMs} ms; host {hostH2.Rps:N0}/s mean {hostH2.MeanMs} ms");
                report.Add("throughput, h2load", hostH2.Rps, echoH2.Rps, "calls/s", ">= 0.6x", hostH2.Rps / echoH2.Rps >= 0.6);
                report.Add("mean latency at max, h2load", hostH2.MeanMs, echoH2.MeanMs, "ms");
                report.Details["h2loadEcho"] = echoH2;
                report.Details["h2loadHost"] = hostH2;
                report.Note($"h2load sees HTTP statuses only: its exact frame and headers, sent once with nghttp, got grpc-status {hostStatus} from the host and {echoStatus} from echo; all h2load requests read one customer");
            }
        }
        else
        {
            report.Note("h2load not run (--no-h2load, or nghttp2-client could not be installed)");
        }
        report.Note($"host: Local profile, rep tokens (each call resolves the caller through its salesperson grain, then reads the customer grain), {customers} warm customers round robin");
        await report.WriteAsync(args);
        return 0;
    }
}
