using Process = System.Diagnostics.Process;
using ProcessStartInfo = System.Diagnostics.ProcessStartInfo;
using System.Text.Json;
using ActorSales.Contracts.V1;
using ActorSales.Testing;
using Google.Protobuf.WellKnownTypes;

namespace ActorSales.FunctionalTests;

/// <summary>The documented non-.NET consumer, examples/node-subscriber, follows real events from the real host.</summary>
[Collection(HostCollection.Name)]
public sealed class NodeSubscriberExampleTests(HostFixture fixture)
{
    private static readonly string ExampleDir = Path.Combine(RepositoryPaths.Root, "examples", "node-subscriber");

    [Fact]
    public async Task The_node_example_prints_a_teams_customer_events_with_positions()
    {
        var host = fixture.Host;
        var team = await host.CreateTeamAsync();
        var customerId = (await host.Customers.CreateCustomerAsync(new CreateCustomerRequest
        {
            Name = "Clinic", Company = $"Clinic {Guid.NewGuid():N}", Tier = CustomerTier.B, SourceChannel = SourceChannel.Outbound,
        }, team.Rep, cancellationToken: TestContext.Current.CancellationToken)).Customer.CustomerId;
        await host.Customers.LogActivityAsync(new LogActivityRequest
        {
            CustomerId = customerId, Kind = ActivityKind.Visit, OccurredAt = Timestamp.FromDateTime(DateTime.UtcNow), Summary = "met the buyer",
        }, team.Rep, cancellationToken: TestContext.Current.CancellationToken);
        if (!Directory.Exists(Path.Combine(ExampleDir, "node_modules")))
        {
            await RunAsync("npm", ["ci", "--no-audit", "--no-fund"], new Dictionary<string, string>(), TimeSpan.FromMinutes(5));
        }

        var output = await RunAsync("node", ["subscribe.js"], new Dictionary<string, string>
        {
            ["ACTORSALES_ADDRESS"] = $"127.0.0.1:{host.GrpcPort}",
            ["ACTORSALES_TOKEN"] = TestHost.Token(host.SigningKey, "warehouse", "service"),
            ["AFTER_POSITION"] = "0",
            ["ENTITY_TYPES"] = "ENTITY_TYPE_CUSTOMER",
            ["TEAM_ID"] = team.TeamId,
            ["MAX_EVENTS"] = "2",
        }, TimeSpan.FromSeconds(60));

        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(2, lines.Count);
        Assert.All(lines, l => Assert.Equal(customerId, l.GetProperty("entity_id").GetString()));
        Assert.Equal(["customer_registered", "activity_logged"], lines.Select(l => l.GetProperty("event_type").GetString()));
        Assert.Equal(["1", "2"], lines.Select(l => l.GetProperty("sequence").GetString()));
        Assert.True(long.Parse(lines[0].GetProperty("position").GetString()!) < long.Parse(lines[1].GetProperty("position").GetString()!));
    }

    private static async Task<string> RunAsync(string program, string[] arguments, Dictionary<string, string> environment, TimeSpan bound)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = ExampleDir, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {program}");
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        try
        {
            await process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(bound, TestContext.Current.CancellationToken);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        Assert.True(process.ExitCode == 0, $"{program} exited with {process.ExitCode}: {await stderr}");
        return await stdout;
    }
}
