using System.Diagnostics;
using System.Text.RegularExpressions;
using ActorSales.Host.Hosting;
using ActorSales.Testing;

namespace ActorSales.FunctionalTests;

/// <summary>
/// deploy/ checked offline: the Dockerfile against hadolint-style rules (no base image can be pulled here; CI
/// smoke-runs the published host the image copies, .ci/run), the Kubernetes manifests against the API schemas and the
/// cluster's own rules (deploy/k8s/validate, schemas from the npm package kubernetes-models, nothing fetched at run time).
/// </summary>
public sealed partial class DeployTests
{
    private static readonly string Deploy = Path.Combine(RepositoryPaths.Root, "deploy");
    private static readonly string Validator = Path.Combine(Deploy, "k8s", "validate");
    private static readonly Lazy<Task> ValidatorInstalled = new(() => RunAsync("npm", ["ci", "--no-audit", "--no-fund"], Validator, TimeSpan.FromMinutes(5)));

    [Fact]
    public void The_dockerfile_is_multi_stage_non_root_pinned_and_health_checked()
    {
        var problems = DockerfileProblems(File.ReadAllText(Path.Combine(Deploy, "docker", "Dockerfile")));
        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Fact]
    public void The_dockerfile_rules_catch_what_they_are_for()
    {
        const string bad = """
            FROM mcr.microsoft.com/dotnet/aspnet:latest
            WORKDIR app
            ADD . /app
            RUN cd /app && apt-get install curl
            COPY --from=builder /out /app
            ENTRYPOINT dotnet /app/actorsales.dll
            """;
        var problems = DockerfileProblems(bad);
        foreach (var rule in new[] { "DL3007", "DL3000", "DL3020", "DL3003", "DL3008", "stages", "DL3022", "DL3025", "DL3002", "HEALTHCHECK" })
        {
            Assert.Contains(problems, p => p.StartsWith(rule, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task The_kubernetes_manifests_validate_against_the_api_schemas_and_the_cluster_rules()
    {
        var (exitCode, output) = await ValidateAsync(Path.Combine(Deploy, "k8s"));
        Assert.True(exitCode == 0, output);
        Assert.Matches(@"\d+ objects in \d+ files: 0 problem\(s\)", output);
    }

    [Fact]
    public async Task A_broken_manifest_fails_validation_naming_the_problem()
    {
        var copy = Directory.CreateTempSubdirectory("ops-k8s-").FullName;
        try
        {
            foreach (var file in Directory.GetFiles(Path.Combine(Deploy, "k8s"), "*.yaml"))
            {
                File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
            }
            var silo = Path.Combine(copy, "silo.yaml");
            File.WriteAllText(silo, File.ReadAllText(silo)
                .Replace("terminationGracePeriodSeconds: 45", "terminationGracePeriodSeconds: 10", StringComparison.Ordinal)
                .Replace("containerPort: 11111", "containerPort: eleven", StringComparison.Ordinal)
                .Replace("livenessProbe:", "livenessProbeTypo:", StringComparison.Ordinal));

            var (exitCode, output) = await ValidateAsync(copy);

            Assert.Equal(1, exitCode);
            Assert.Contains("containerPort must be integer", output, StringComparison.Ordinal);
            Assert.Contains("needs a livenessProbe", output, StringComparison.Ordinal);
            Assert.Contains("terminationGracePeriodSeconds must exceed the host's graceful shutdown", output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(copy, recursive: true);
        }
    }

    private static async Task<(int ExitCode, string Output)> ValidateAsync(string dir)
    {
        await ValidatorInstalled.Value;
        return await RunAsync("node", ["validate.mjs", dir], Validator, TimeSpan.FromMinutes(2),
            new Dictionary<string, string> { ["HOST_SHUTDOWN_SECONDS"] = ((int)ActorSalesHost.ShutdownTimeout.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture) },
            throwOnFailure: false);
    }

    /// <summary>hadolint's rules that matter for this image, by their hadolint codes, plus the image's own needs.</summary>
    private static List<string> DockerfileProblems(string dockerfile)
    {
        var problems = new List<string>();
        // Continuation lines joined: one instruction per entry.
        var instructions = Regex.Split(dockerfile.Replace("\\\n", " ", StringComparison.Ordinal), "\r?\n")
            .Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => (Keyword: l.Split(' ', 2)[0].ToUpperInvariant(), Arguments: l.Split(' ', 2).ElementAtOrDefault(1)?.Trim() ?? string.Empty)).ToList();
        var stages = new List<(string Image, string? Name, List<(string Keyword, string Arguments)> Body)>();
        foreach (var instruction in instructions)
        {
            if (instruction.Keyword == "FROM")
            {
                var match = FromLine().Match(instruction.Arguments);
                stages.Add((match.Groups["image"].Value, match.Groups["name"].Success ? match.Groups["name"].Value : null, []));
            }
            else if (stages.Count > 0)
            {
                stages[^1].Body.Add(instruction);
            }
        }
        foreach (var (image, _, _) in stages)
        {
            if (stages.Any(s => s.Name == image))
            {
                continue;
            }
            if (!image.Contains(':', StringComparison.Ordinal) && !image.Contains('@', StringComparison.Ordinal))
            {
                problems.Add($"DL3006 FROM {image}: tag the image version explicitly");
            }
            else if (image.EndsWith(":latest", StringComparison.Ordinal))
            {
                problems.Add($"DL3007 FROM {image}: pin a version, not latest");
            }
        }
        if (stages.Count < 2)
        {
            problems.Add("stages: build in one stage and run from a smaller one (multi-stage)");
        }
        foreach (var (keyword, arguments) in instructions)
        {
            if (keyword == "WORKDIR" && !arguments.StartsWith('/'))
            {
                problems.Add($"DL3000 WORKDIR {arguments}: use an absolute path");
            }
            if (keyword == "ADD" && !Regex.IsMatch(arguments, @"https?://|\.tar"))
            {
                problems.Add($"DL3020 ADD {arguments}: use COPY for files and folders");
            }
            if (keyword == "RUN" && Regex.IsMatch(arguments, @"(^|&&|;)\s*cd\s"))
            {
                problems.Add($"DL3003 RUN {arguments}: use WORKDIR to switch directories");
            }
            if (keyword == "RUN" && Regex.IsMatch(arguments, @"apt-get install") && !Regex.IsMatch(arguments, @"--no-install-recommends"))
            {
                problems.Add($"DL3008 RUN {arguments}: pin package versions and pass --no-install-recommends (DL3015)");
            }
            if (keyword == "COPY" && FromFlag().Match(arguments) is { Success: true } from && stages.All(s => s.Name != from.Groups["stage"].Value))
            {
                problems.Add($"DL3022 COPY --from={from.Groups["stage"].Value}: no earlier stage has that name");
            }
            if (keyword is "CMD" or "ENTRYPOINT" && !arguments.StartsWith('['))
            {
                problems.Add($"DL3025 {keyword} {arguments}: use the JSON (exec) form, so signals reach the host");
            }
        }
        if (stages.Count > 0)
        {
            var final = stages[^1];
            var user = final.Body.LastOrDefault(i => i.Keyword == "USER").Arguments;
            if (user is null or "root" or "0")
            {
                problems.Add("DL3002 the final stage must switch to a non-root USER");
            }
            if (!final.Body.Any(i => i.Keyword == "HEALTHCHECK" && i.Arguments.Contains("CMD", StringComparison.Ordinal)))
            {
                problems.Add("HEALTHCHECK the final stage needs a health check");
            }
            if (final.Image.Contains("/sdk", StringComparison.Ordinal))
            {
                problems.Add($"stages: the final stage runs the SDK image {final.Image}; run from the ASP.NET runtime image");
            }
        }
        // What the build stage copies from the repository must exist.
        foreach (var (keyword, arguments) in instructions.Where(i => i.Keyword == "COPY" && !i.Arguments.StartsWith("--from", StringComparison.Ordinal)))
        {
            var parts = arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(p => !p.StartsWith("--", StringComparison.Ordinal)).ToList();
            foreach (var source in parts.Take(parts.Count - 1))
            {
                if (!File.Exists(Path.Combine(RepositoryPaths.Root, source)) && !Directory.Exists(Path.Combine(RepositoryPaths.Root, source)))
                {
                    problems.Add($"COPY {source}: not in the repository");
                }
            }
        }
        return problems;
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string program, string[] arguments, string directory, TimeSpan bound,
        Dictionary<string, string>? environment = null, bool throwOnFailure = true)
    {
        var start = new ProcessStartInfo(program) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var (key, value) in environment ?? [])
        {
            start.Environment[key] = value;
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {program}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(bound);
        var output = await stdout + await stderr;
        if (throwOnFailure && process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited with {process.ExitCode}: {output}");
        }
        return (process.ExitCode, output);
    }

    private static Task RunAsync(string program, string[] arguments, string directory, TimeSpan bound) =>
        RunAsync(program, arguments, directory, bound, null, throwOnFailure: true);

    [GeneratedRegex(@"^(?:--platform=\S+\s+)?(?<image>\S+)(?:\s+AS\s+(?<name>\S+))?$", RegexOptions.IgnoreCase)]
    private static partial Regex FromLine();

    [GeneratedRegex(@"--from=(?<stage>\S+)")]
    private static partial Regex FromFlag();
}
