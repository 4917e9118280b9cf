using System.Collections.Concurrent;
using System.Diagnostics;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;

namespace ActorSales.Testing;

/// <summary>
/// The host as its own process (<c>dotnet actorsales.dll</c>, the build the container image copies), configured
/// through environment variables the way an operator configures it, on free loopback ports. For tests of the
/// topology (silos and gateways as separate processes), of start-up and of shutdown.
/// </summary>
public sealed class HostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly GrpcChannel? _channel;
    private readonly CallInvoker? _invoker;
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };

    private HostProcess(Process process, string role, int grpcPort, int adminPort)
    {
        _process = process;
        Role = role;
        GrpcPort = grpcPort;
        AdminPort = adminPort;
        if (role != "silo")
        {
            _channel = GrpcChannel.ForAddress($"http://127.0.0.1:{grpcPort}");
            _invoker = _channel.Intercept(new FieldNameCheck());
        }
        _process.OutputDataReceived += (_, line) => Keep(line.Data);
        _process.ErrorDataReceived += (_, line) => Keep(line.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>The built host, beside the test binaries (the test projects reference the host project).</summary>
    public static string HostDll => Path.Combine(AppContext.BaseDirectory, "actorsales.dll");

    public string Role { get; }

    public int GrpcPort { get; }

    public int AdminPort { get; }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>A channel to its public gRPC listener (not for the silo role, which has none).</summary>
    public CallInvoker Channel => _invoker ?? throw new InvalidOperationException($"the {Role} role serves no API");

    /// <summary>Everything the process wrote so far (stdout and stderr, line by line).</summary>
    public IReadOnlyCollection<string> Output => _output;

    /// <summary>The last lines it wrote, for a failure message.</summary>
    public string Tail(int lines = 40) => string.Join('\n', _output.TakeLast(lines));

    /// <summary>
    /// Starts <c>actorsales run</c> in <paramref name="role"/> with <paramref name="environment"/> on top of free
    /// loopback ports for every listener (silo-to-silo, Orleans gateway, gRPC, gRPC-Web, admin).
    /// </summary>
    public static HostProcess Start(string role, IReadOnlyDictionary<string, string> environment)
    {
        var ports = TestHost.FreePorts(5);
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.ArgumentList.Add(HostDll);
        start.ArgumentList.Add("run");
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["ActorSales__Role"] = role;
        start.Environment["ActorSales__SiloPort"] = ports[0].ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["ActorSales__GatewayPort"] = ports[1].ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["ActorSales__Endpoints__Grpc"] = $"http://127.0.0.1:{ports[2]}";
        start.Environment["ActorSales__Endpoints__GrpcWeb"] = $"http://127.0.0.1:{ports[3]}";
        start.Environment["ActorSales__Endpoints__Admin"] = $"http://127.0.0.1:{ports[4]}";
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start dotnet");
        return new HostProcess(process, role, ports[2], ports[4]);
    }

    /// <summary>GET on the admin listener: the status code and body, or null when nothing answers (connection refused).</summary>
    public async Task<(int Status, string Body)?> GetAsync(string path)
    {
        try
        {
            using var response = await Http.GetAsync(new Uri($"http://127.0.0.1:{AdminPort}{path}"));
            return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
        }
        catch (HttpRequestException)
        {
            return null;
        }
        catch (TaskCanceledException)
        {
            return null;
        }
    }

    /// <summary>Polls readiness (<c>/healthz</c>) until it answers 200, for at most <paramref name="bound"/>.</summary>
    public async Task WaitReadyAsync(TimeSpan bound)
    {
        var ready = await Polling.EventuallyAsync(async () => HasExited ? (int?)-1 : (await GetAsync("/healthz"))?.Status,
            status => status is 200 or -1, bound);
        if (ready != 200)
        {
            throw new TimeoutException($"{Role} (pid {Id}) not ready within {bound} (last: {ready?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "no answer"}; exited: {HasExited}):\n{Tail()}");
        }
    }

    /// <summary>SIGTERM, as Kubernetes or systemd stop a process; returns how long it took to exit.</summary>
    public async Task<TimeSpan> TerminateAsync(TimeSpan bound)
    {
        var started = Stopwatch.GetTimestamp();
        using (var kill = Process.Start("kill", ["-TERM", Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }
        using var timeout = new CancellationTokenSource(bound);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{Role} (pid {Id}) did not exit within {bound} of SIGTERM:\n{Tail()}");
        }
        return Stopwatch.GetElapsedTime(started);
    }

    /// <summary>SIGKILL: the process dies without a word to the cluster.</summary>
    public void Kill() => _process.Kill(entireProcessTree: true);

    public async ValueTask DisposeAsync()
    {
        _channel?.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }
        _output.Enqueue(line);
        while (_output.Count > 5000 && _output.TryDequeue(out _))
        {
        }
    }
}
