using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Google.Protobuf;

namespace ActorSales.Benchmarks.Infrastructure;

public sealed record H2LoadResult(double Rps, double MeanMs, double MaxMs, long Succeeded, long Failed, long Errored, string Command);

/// <summary>
/// The independent load generator: nghttp2's h2load (Debian package nghttp2-client) posting one pre-encoded gRPC
/// frame (5-byte prefix + protobuf) per request. It sees HTTP statuses only, so the same request is first checked with
/// Grpc.Net.Client; its latency figures are mean and max (it reports no percentiles).
/// </summary>
public static partial class H2Load
{
    public static async Task<bool> EnsureInstalledAsync()
    {
        if (File.Exists("/usr/bin/h2load"))
        {
            return true;
        }
        Console.WriteLine("  h2load missing: installing Debian's nghttp2-client");
        foreach (var args in new[] { new[] { "install", "-y", "-q", "nghttp2-client" }, ["update", "-q"], ["install", "-y", "-q", "nghttp2-client"] })
        {
            try
            {
                using var apt = Process.Start(new ProcessStartInfo("apt-get", args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
                await apt.StandardOutput.ReadToEndAsync();
                await apt.WaitForExitAsync();
                if (File.Exists("/usr/bin/h2load"))
                {
                    return true;
                }
            }
            catch (System.ComponentModel.Win32Exception)
            {
                return false;
            }
        }
        return false;
    }

    /// <summary>
    /// Sends the exact frame and headers h2load will send once with nghttp (same package) and returns the gRPC status
    /// from the trailers, since h2load itself only sees the HTTP status (200 for every gRPC outcome).
    /// </summary>
    public static async Task<string> VerifyAsync(int port, string method, IMessage request, string? bearer)
    {
        var file = Path.Combine(Path.GetTempPath(), $"actorsales-bench-{Environment.ProcessId}-{Guid.NewGuid():N}.bin");
        await File.WriteAllBytesAsync(file, Frame(request));
        try
        {
            List<string> args = ["-v", "-d", file, "-H", "content-type: application/grpc", "-H", "te: trailers"];
            if (bearer is not null)
            {
                args.AddRange(["-H", $"authorization: Bearer {bearer}"]);
            }
            args.Add($"http://127.0.0.1:{port}/{method}");
            using var nghttp = Process.Start(new ProcessStartInfo("nghttp", args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
            var output = await nghttp.StandardOutput.ReadToEndAsync();
            await nghttp.WaitForExitAsync();
            return GrpcStatus().Match(output) is { Success: true } status ? status.Groups[1].Value : "none";
        }
        finally
        {
            File.Delete(file);
        }
    }

    [GeneratedRegex(@"grpc-status: (\d+)")]
    private static partial Regex GrpcStatus();

    /// <summary>A gRPC length-prefixed message: compressed flag 0, 4-byte big-endian length, the protobuf bytes.</summary>
    public static byte[] Frame(IMessage message)
    {
        var body = message.ToByteArray();
        var frame = new byte[5 + body.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)body.Length);
        body.CopyTo(frame, 5);
        return frame;
    }

    /// <summary>
    /// Runs h2load against a unary method; <paramref name="totalRps"/> null means as fast as it goes (closed loop with
    /// clients x streams in flight), otherwise that rate spread over the clients (--rps is per client).
    /// </summary>
    public static async Task<H2LoadResult?> RunAsync(int port, string method, IMessage request, string? bearer,
        int clients, int streams, TimeSpan warmup, TimeSpan duration, double? totalRps = null)
    {
        var file = Path.Combine(Path.GetTempPath(), $"actorsales-bench-{Environment.ProcessId}-{Guid.NewGuid():N}.bin");
        await File.WriteAllBytesAsync(file, Frame(request));
        try
        {
            List<string> args =
            [
                "-c", clients.ToString(CultureInfo.InvariantCulture), "-m", streams.ToString(CultureInfo.InvariantCulture), "-t", "1",
                "-D", ((int)duration.TotalSeconds).ToString(CultureInfo.InvariantCulture),
                $"--warm-up-time={(int)warmup.TotalSeconds}",
                "-d", file, "-H", "content-type: application/grpc", "-H", "te: trailers",
            ];
            if (bearer is not null)
            {
                args.AddRange(["-H", $"authorization: Bearer {bearer}"]);
            }
            if (totalRps is { } rps)
            {
                args.Add($"--rps={Math.Max(1, rps / clients).ToString("0.###", CultureInfo.InvariantCulture)}");
            }
            args.Add($"http://127.0.0.1:{port}/{method}");
            var start = new ProcessStartInfo("h2load", args) { RedirectStandardOutput = true, RedirectStandardError = true };
            using var h2load = Process.Start(start)!;
            var stdout = h2load.StandardOutput.ReadToEndAsync();
            var stderr = h2load.StandardError.ReadToEndAsync();
            await h2load.WaitForExitAsync();
            var text = await stdout;
            var finished = Finished().Match(text);
            var requests = Requests().Match(text);
            var timing = RequestTime().Match(text);
            if (!finished.Success || !requests.Success)
            {
                Console.WriteLine($"  h2load said: {text}{await stderr}");
                return null;
            }
            var command = "h2load " + string.Join(' ', args.Select(a => a.StartsWith("authorization", StringComparison.Ordinal) ? "authorization: Bearer <token>" : a));
            return new H2LoadResult(
                double.Parse(finished.Groups[1].Value, CultureInfo.InvariantCulture),
                timing.Success ? Millis(timing.Groups[3].Value) : double.NaN,
                timing.Success ? Millis(timing.Groups[2].Value) : double.NaN,
                long.Parse(requests.Groups[1].Value, CultureInfo.InvariantCulture),
                long.Parse(requests.Groups[2].Value, CultureInfo.InvariantCulture),
                long.Parse(requests.Groups[3].Value, CultureInfo.InvariantCulture),
                command);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static double Millis(string value) => value.EndsWith("ms", StringComparison.Ordinal)
        ? double.Parse(value[..^2], CultureInfo.InvariantCulture)
        : value.EndsWith("us", StringComparison.Ordinal) ? double.Parse(value[..^2], CultureInfo.InvariantCulture) / 1000
        : double.Parse(value.TrimEnd('s'), CultureInfo.InvariantCulture) * 1000;

    [GeneratedRegex(@"finished in [\d.]+m?s, ([\d.]+) req/s")]
    private static partial Regex Finished();

    [GeneratedRegex(@"requests: \d+ total, \d+ started, \d+ done, (\d+) succeeded, (\d+) failed, (\d+) errored")]
    private static partial Regex Requests();

    [GeneratedRegex(@"time for request:\s+(\S+)\s+(\S+)\s+(\S+)")]
    private static partial Regex RequestTime();
}
