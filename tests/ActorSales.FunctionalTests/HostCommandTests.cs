using System.Diagnostics;

namespace ActorSales.FunctionalTests;

/// <summary>The executable as an operator meets it: bad settings stop it with one clear line; tokens mint in one step.</summary>
public sealed class HostCommandTests
{
    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunHostAsync(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "actorsales.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
        return (process.ExitCode, await stdout, await stderr);
    }

    [Theory]
    [InlineData("--ActorSales:Profile=Mars", "ActorSales:Profile")]
    [InlineData("--ActorSales:SiloPort=0", "ActorSales:SiloPort must be 1..65535, not 0")]
    [InlineData("--ActorSales:Profile=Postgres", "ConnectionStrings:Postgres")]
    [InlineData("--ActorSales:Role=mars", "ActorSales:Role must be silo+gateway, silo or gateway, not 'mars'")]
    [InlineData("--ActorSales:Role=gateway", "ActorSales:Role 'gateway' needs the Postgres profile")]
    [InlineData("--ActorSales:Postgres:Pools:Orleans=0", "ActorSales:Postgres:Pools:Orleans must be 1..1000, not 0")]
    [InlineData("--ActorSales:Endpoints:Admin=ftp://x", "ActorSales:Endpoints:Admin 'ftp://x' must be an http:// URL")]
    [InlineData("--ActorSales:Auth:SigningKey=short", "ActorSales:Auth:SigningKey must be at least 32 bytes")]
    [InlineData("--ActorSales:Grading:AFrom=120", "ActorSales:Grading:")]
    [InlineData("--ActorSales:Insights:Rules:0:Kind=TeamStalledShare", "ActorSales:Insights:Rules:0:Key")]
    [InlineData("--ActorSales:Insights:ForecastHorizon=not-a-time", "ForecastHorizon")]
    [InlineData("--ActorSales:Orders:EscalateAfter=00:00:00", "ActorSales:Orders:EscalateAfter")]
    public async Task A_bad_setting_stops_the_host_with_one_clear_line(string setting, string expected)
    {
        var (exitCode, _, stderr) = await RunHostAsync(setting);

        Assert.Equal(78, exitCode);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("actorsales: configuration error: ", line, StringComparison.Ordinal);
        Assert.Contains(expected, line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_token_command_mints_a_token_the_local_host_accepts()
    {
        var (exitCode, stdout, _) = await RunHostAsync("token", "--user", "admin", "--role", "admin");

        Assert.Equal(0, exitCode);
        var token = stdout.Trim();
        Assert.Equal(3, token.Split('.').Length);
        var handler = new Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler();
        var auth = new ActorSales.Host.Configuration.AuthOptions { SigningKey = ActorSales.Host.Configuration.HostSettings.LocalDevelopmentSigningKey };
        var result = await handler.ValidateTokenAsync(token, new Microsoft.IdentityModel.Tokens.TokenValidationParameters
        {
            ValidIssuer = auth.Issuer, ValidAudience = auth.Audience, IssuerSigningKey = auth.SymmetricKey,
        });
        Assert.True(result.IsValid);
        Assert.Equal("admin", result.Claims["role"]);
    }

    [Fact]
    public async Task The_token_command_explains_its_usage()
    {
        var (exitCode, _, stderr) = await RunHostAsync("token", "--user", "alice", "--role", "emperor");

        Assert.Equal(64, exitCode);
        Assert.StartsWith("usage: actorsales token", stderr, StringComparison.Ordinal);
    }
}
