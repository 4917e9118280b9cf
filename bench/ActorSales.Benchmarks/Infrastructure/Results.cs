using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ActorSales.Benchmarks.Infrastructure;

/// <summary>One line of a scenario's summary: the figure, its same-run baseline, the ratio and the issue's target.</summary>
public sealed record Row(string Figure, double Value, double? Baseline, double? Ratio, string Unit, string? Target, bool? Met, string? Note);

/// <summary>What a scenario writes to bench/results/&lt;scenario&gt;.json (and .md).</summary>
public sealed record ScenarioResult(
    string Scenario, string Command, DateTimeOffset FinishedAt, string Commit, string Machine, string Pinning,
    List<Row> Rows, List<string> Notes, Dictionary<string, object?> Details);

public sealed class Report(string scenario, string command)
{
    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public List<Row> Rows { get; } = [];

    public List<string> Notes { get; } = [];

    public Dictionary<string, object?> Details { get; } = [];

    public string Pinning { get; set; } = Processes.PinningDescription;

    /// <summary>A figure with its baseline; the ratio is value / baseline.</summary>
    public void Add(string figure, double value, double? baseline, string unit, string? target = null, bool? met = null, string? note = null)
    {
        double? ratio = baseline is > 0 && !double.IsNaN(value) ? value / baseline.Value : null;
        Rows.Add(new Row(figure, value, baseline, ratio, unit, target, met, note));
        Console.WriteLine($"  {figure}: {Format(value, unit)} vs baseline {(baseline is { } b ? Format(b, unit) : "-")}" +
            $"{(ratio is { } r ? $" = {r:0.00}x" : "")}{(target is null ? "" : $" (target {target}: {(met == true ? "met" : met == false ? "MISSED" : "?")})")}");
    }

    public void Note(string note)
    {
        Notes.Add(note);
        Console.WriteLine($"  note: {note}");
    }

    public async Task WriteAsync(BenchArgs args)
    {
        var dir = args.ResultsDirectory;
        Directory.CreateDirectory(dir);
        var result = new ScenarioResult(scenario, command, DateTimeOffset.UtcNow, GitCommit(), Machine(), Pinning, Rows, Notes, Details);
        await File.WriteAllTextAsync(Path.Combine(dir, $"{scenario}.json"), JsonSerializer.Serialize(result, Json));
        var markdown = Markdown(result);
        await File.WriteAllTextAsync(Path.Combine(dir, $"{scenario}.md"), markdown);
        Console.WriteLine();
        Console.WriteLine(markdown);
        await WriteSummaryAsync(dir);
    }

    /// <summary>bench/results/summary.md: every scenario's latest table, rebuilt from the JSON files.</summary>
    public static async Task WriteSummaryAsync(string dir)
    {
        var text = new StringBuilder("# ActorSales benchmark results\n\nGenerated from the `*.json` files beside this one; each table comes from the latest run of its scenario.\n");
        foreach (var file in Directory.GetFiles(dir, "*.json").Order(StringComparer.Ordinal))
        {
            var result = JsonSerializer.Deserialize<ScenarioResult>(await File.ReadAllTextAsync(file), Json);
            if (result is not null)
            {
                text.Append('\n').Append(Markdown(result));
            }
        }
        await File.WriteAllTextAsync(Path.Combine(dir, "summary.md"), text.ToString());
    }

    private static string Markdown(ScenarioResult result)
    {
        var md = new StringBuilder();
        md.Append(CultureInfo.InvariantCulture, $"## {result.Scenario}\n\n`{result.Command}`  \n");
        md.Append(CultureInfo.InvariantCulture, $"{result.FinishedAt:yyyy-MM-dd HH:mm} UTC, commit {result.Commit[..Math.Min(10, result.Commit.Length)]}, {result.Machine}; {result.Pinning}\n\n");
        md.Append("| figure | ActorSales | baseline | ratio | target | met |\n|---|---|---|---|---|---|\n");
        foreach (var row in result.Rows)
        {
            var met = row.Met switch { true => "yes", false => "**no**", null => "" };
            md.Append(CultureInfo.InvariantCulture,
                $"| {row.Figure}{(row.Note is null ? "" : $" ({row.Note})")} | {Format(row.Value, row.Unit)} | {(row.Baseline is { } b ? Format(b, row.Unit) : "")} | {(row.Ratio is { } r ? r.ToString("0.00", CultureInfo.InvariantCulture) + "x" : "")} | {row.Target ?? ""} | {met} |\n");
        }
        foreach (var note in result.Notes)
        {
            md.Append(CultureInfo.InvariantCulture, $"\n- {note}");
        }
        return md.Append("\n\n").ToString();
    }

    public static string Format(double value, string unit) => double.IsNaN(value) ? "n/a" : unit switch
    {
        "calls/s" or "rows/s" or "activations/s" => value.ToString("N0", CultureInfo.InvariantCulture) + " " + unit,
        "ms" => value.ToString(value < 10 ? "0.00" : "0.0", CultureInfo.InvariantCulture) + " ms",
        "s" => value.ToString("0.0", CultureInfo.InvariantCulture) + " s",
        _ => value.ToString(Math.Abs(value) < 100 ? "0.##" : "N0", CultureInfo.InvariantCulture) + " " + unit,
    };

    private static string GitCommit()
    {
        try
        {
            var start = new ProcessStartInfo("git", ["-C", ActorSales.Testing.RepositoryPaths.Root, "rev-parse", "HEAD"]) { RedirectStandardOutput = true };
            using var git = Process.Start(start)!;
            var commit = git.StandardOutput.ReadToEnd().Trim();
            git.WaitForExit();
            return git.ExitCode == 0 ? commit : "unknown";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "unknown";
        }
    }

    private static string Machine()
    {
        var cpu = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
            : null;
        return $"{Processes.MachineCores} cores{(cpu is null ? "" : $" ({cpu})")}, .NET {Environment.Version}";
    }
}
