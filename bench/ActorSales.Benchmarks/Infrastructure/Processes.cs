using System.Diagnostics;
using System.Reflection;

namespace ActorSales.Benchmarks.Infrastructure;

/// <summary>
/// Core pinning: where the machine has two cores or more and taskset exists, servers run on core 0 and the load
/// (this process, h2load, Npgsql clients) on core 1, so neither steals the other's CPU and figures repeat.
/// </summary>
public static class Processes
{
    private const string PinnedVariable = "ACTORSALES_BENCH_PINNED";

    /// <summary>Cores of the machine, not of this (possibly pinned) process.</summary>
    public static int MachineCores { get; } = CountMachineCores();

    public static bool CanPin { get; } = MachineCores >= 2 && File.Exists("/usr/bin/taskset") && Environment.GetEnvironmentVariable("ACTORSALES_BENCH_NO_PIN") != "1";

    public static string PinningDescription => CanPin
        ? "server on core 0, load generator on core 1 (taskset)"
        : "not pinned (one core, no taskset, or ACTORSALES_BENCH_NO_PIN=1): server and load share the machine";

    /// <summary>Re-runs this command on core 1 unless it already runs pinned; returns the exit code, or null to go on here.</summary>
    public static async Task<int?> RunPinnedAsync(string[] args)
    {
        if (!CanPin || Environment.GetEnvironmentVariable(PinnedVariable) == "1")
        {
            return null;
        }
        var start = Self("1", args);
        using var child = Process.Start(start)!;
        await child.WaitForExitAsync();
        return child.ExitCode;
    }

    /// <summary>This benchmark binary with <paramref name="args"/>, on <paramref name="core"/> when pinning.</summary>
    public static ProcessStartInfo Self(string core, IEnumerable<string> args)
    {
        var exe = Environment.ProcessPath!;
        IEnumerable<string> command = Path.GetFileNameWithoutExtension(exe) == "dotnet"
            ? [exe, Assembly.GetEntryAssembly()!.Location, .. args]
            : [exe, .. args];
        var start = CanPin ? new ProcessStartInfo("taskset", ["-c", core, .. command]) : new ProcessStartInfo(command.First(), command.Skip(1));
        start.UseShellExecute = false;
        start.Environment[PinnedVariable] = "1";
        return start;
    }

    /// <summary>Resident memory of a process in bytes (Linux /proc), or NaN.</summary>
    public static double ResidentBytes(int pid)
    {
        var status = $"/proc/{pid}/status";
        var line = File.Exists(status) ? File.ReadLines(status).FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal)) : null;
        return line is null ? double.NaN : double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
    }

    /// <summary>CPU time of a process (user + system) from /proc, for a child's CPU share.</summary>
    public static TimeSpan CpuTime(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture) + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / 100.0); // USER_HZ is 100 on Linux
    }

    private static int CountMachineCores()
    {
        try
        {
            return File.Exists("/proc/cpuinfo") ? File.ReadLines("/proc/cpuinfo").Count(l => l.StartsWith("processor", StringComparison.Ordinal)) : Environment.ProcessorCount;
        }
        catch (IOException)
        {
            return Environment.ProcessorCount;
        }
    }
}

/// <summary>
/// A server in a child process of this binary (serve-echo, serve-host) on core 0. It prints "ready key=value ..." once
/// listening and stops when its stdin closes, so a crashed benchmark leaves no server behind.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly System.Threading.Channels.Channel<string> _stats = System.Threading.Channels.Channel.CreateUnbounded<string>();

    private ServerProcess(Process process, Dictionary<string, string> ready)
    {
        _process = process;
        Ready = ready;
    }

    public int Pid => _process.Id;

    public int Port => int.Parse(Ready["port"], System.Globalization.CultureInfo.InvariantCulture);

    public IReadOnlyDictionary<string, string> Ready { get; }

    public static async Task<ServerProcess> StartAsync(params string[] args)
    {
        var start = Processes.Self("0", args);
        start.RedirectStandardInput = true;
        start.RedirectStandardOutput = true;
        var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.StartsWith("ready ", StringComparison.Ordinal))
            {
                var ready = line[6..].Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
                var server = new ServerProcess(process, ready);
                _ = server.DrainAsync();
                return server;
            }
            Console.WriteLine($"  [{args[0]}] {line}");
        }
        throw new InvalidOperationException($"{args[0]} exited ({(process.HasExited ? process.ExitCode : -1)}) before it was ready");
    }

    private async Task DrainAsync()
    {
        while (await _process.StandardOutput.ReadLineAsync() is { } line)
        {
            if (line.StartsWith("stats ", StringComparison.Ordinal))
            {
                _stats.Writer.TryWrite(line[6..]);
                continue;
            }
            // Anything else (warnings, aborted-call errors when h2load hangs up) is the server's business: count, don't print.
            Interlocked.Increment(ref _otherLines);
        }
    }

    private long _otherLines;

    /// <summary>Log lines the server wrote after it was ready.</summary>
    public long LogLines => Interlocked.Read(ref _otherLines);

    /// <summary>Asks the child for its counters ("key=value ..."): calls shed, managed heap.</summary>
    public async Task<Dictionary<string, double>> StatsAsync()
    {
        await _process.StandardInput.WriteLineAsync("stats");
        await _process.StandardInput.FlushAsync();
        var line = await _stats.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        return line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('=', 2))
            .ToDictionary(p => p[0], p => double.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture));
    }

    public double ResidentBytes() => Processes.ResidentBytes(_process.Id);

    public TimeSpan CpuTime() => Processes.CpuTime(_process.Id);

    public async ValueTask DisposeAsync()
    {
        _process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
        }
        _process.Dispose();
    }

    /// <summary>The child side: answers "stats" lines with <paramref name="stats"/> until the parent closes stdin.</summary>
    public static async Task WaitForParentAsync(Func<string>? stats = null)
    {
        while (await Console.In.ReadLineAsync() is { } line)
        {
            if (line == "stats")
            {
                Console.WriteLine($"stats {stats?.Invoke() ?? string.Empty}");
            }
        }
    }
}
