using System.Diagnostics;
using Activity = System.Diagnostics.Activity;
using ActivityKind = ActorSales.Contracts.V1.ActivityKind;
using System.Globalization;
using System.Text.RegularExpressions;
using ActorSales.Contracts.V1;
using ActorSales.Testing;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.TestingHost;

namespace ActorSales.FunctionalTests;

/// <summary>
/// What an operator sees of a working host: the Prometheus scrape on the admin listener moves with the calls made and
/// the deadlines fired, every instrument with its labels; a call's trace continues into the grain calls it makes.
/// Fake time, so a customer's release deadline fires (and a pool claim follows) without waiting days.
/// </summary>
public sealed partial class TelemetryTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private TestHost _host = null!;

    public async ValueTask InitializeAsync() => _host = await TestHost.StartAsync(
        builder =>
        {
            builder.Services.AddSingleton<TimeProvider>(_clock);
            builder.Services.UseTimeProviderForBackgroundAreas(TimeProvider.System);
        },
        "--ActorSales:Profile=Local", $"--ActorSales:ClusterId=telemetry-{Guid.NewGuid():N}");

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task The_metrics_scrape_moves_with_calls_fired_deadlines_and_pool_claims()
    {
        var team = await _host.CreateTeamAsync();
        var customer = (await _host.Customers.CreateCustomerAsync(new CreateCustomerRequest
        {
            Name = "Clinic", Company = $"Clinic {Guid.NewGuid():N}", Tier = CustomerTier.C, SourceChannel = SourceChannel.Referral,
        }, team.OtherRep)).Customer.CustomerId;
        await _host.Customers.LogActivityAsync(new LogActivityRequest
        {
            CustomerId = customer, Kind = ActivityKind.Note, Summary = "first note", OccurredAt = Timestamp.FromDateTimeOffset(_clock.GetUtcNow()),
        }, team.OtherRep);
        var missing = await Assert.ThrowsAsync<RpcException>(async () => await _host.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = "no-such-customer" }, _host.Admin));
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
        var before = await ScrapeAsync();

        // Nobody follows the tier-C customer up: its release deadline fires and puts it in the pool; a rep claims it.
        _clock.Advance(TimeSpan.FromDays(16));
        var pool = new PoolService.PoolServiceClient(_host.Channel);
        var pooled = await Polling.EventuallyAsync(
            async () => (await pool.ListPoolAsync(new ListPoolRequest { TeamId = team.TeamId }, team.Manager)).Entries.Any(e => e.CustomerId == customer),
            found => found, TimeSpan.FromSeconds(10));
        Assert.True(pooled);
        await pool.ClaimCustomerAsync(new ClaimCustomerRequest { TeamId = team.TeamId, CustomerId = customer }, team.Rep);
        // A call is recorded when its pipeline finishes, a moment after the client has the answer, and a deadline when its
        // handler returns: scrape until every instrument asserted below has moved (a loaded machine may take a moment).
        var claimsBefore = Sum(before, "actorsales_rpc_duration_seconds_count", ("rpc_method", "ClaimCustomer"), ("rpc_grpc_status_code", "0"));
        var after = await Polling.EventuallyAsync(ScrapeAsync,
            scrape => Sum(scrape, "actorsales_rpc_duration_seconds_count", ("rpc_method", "ClaimCustomer"), ("rpc_grpc_status_code", "0")) > claimsBefore
                && Sum(scrape, "actorsales_deadlines_fired_total", ("wake", "timer")) > Sum(before, "actorsales_deadlines_fired_total", ("wake", "timer"))
                && Sum(scrape, "actorsales_deadlines_lateness_seconds_count", ("wake", "timer")) > Sum(before, "actorsales_deadlines_lateness_seconds_count", ("wake", "timer"))
                && Sum(scrape, "actorsales_pool_claims_total", ("kind", "claim"), ("outcome", "reserved")) > Sum(before, "actorsales_pool_claims_total", ("kind", "claim"), ("outcome", "reserved"))
                && Sum(scrape, "actorsales_events_append_duration_seconds_count") > Sum(before, "actorsales_events_append_duration_seconds_count")
                && Samples(scrape, "actorsales_readmodel_lag_positions").Any(),
            TimeSpan.FromSeconds(20));

        // RPC latency by method and status.
        Assert.True(Sum(after, "actorsales_rpc_duration_seconds_count", ("rpc_method", "CreateCustomer"), ("rpc_service", "actorsales.v1.CustomersService"), ("rpc_grpc_status_code", "0")) >= 1);
        Assert.True(Sum(after, "actorsales_rpc_duration_seconds_count", ("rpc_method", "GetCustomer"), ("rpc_grpc_status_code", "5")) >= 1);
        Assert.True(Sum(after, "actorsales_rpc_duration_seconds_count", ("rpc_method", "ClaimCustomer"), ("rpc_grpc_status_code", "0")) > claimsBefore);
        // Deadlines: fired by rule and wake-up, and how late.
        var fired = Sum(after, "actorsales_deadlines_fired_total", ("wake", "timer")) - Sum(before, "actorsales_deadlines_fired_total", ("wake", "timer"));
        Assert.True(fired >= 1, $"no deadline fired by its timer in the scrape:\n{Lines(after, "actorsales_deadlines")}");
        Assert.Contains(Samples(after, "actorsales_deadlines_fired_total"), s => s.Labels.ContainsKey("rule"));
        Assert.True(Sum(after, "actorsales_deadlines_lateness_seconds_count", ("wake", "timer")) > Sum(before, "actorsales_deadlines_lateness_seconds_count", ("wake", "timer")));
        // Pool claims by kind and outcome.
        Assert.Equal(1, Sum(after, "actorsales_pool_claims_total", ("kind", "claim"), ("outcome", "reserved")) - Sum(before, "actorsales_pool_claims_total", ("kind", "claim"), ("outcome", "reserved")));
        // The event log: appends timed, the outbox backlog (nothing waits here), the projector's lag.
        Assert.True(Sum(after, "actorsales_events_append_duration_seconds_count") > Sum(before, "actorsales_events_append_duration_seconds_count"));
        Assert.Equal(0, Sum(after, "actorsales_events_outbox_backlog"));
        Assert.NotEmpty(Samples(after, "actorsales_readmodel_lag_positions"));
        // Active grains by type (Orleans' own instrument).
        Assert.Contains(Samples(after, "orleans_grains"), s => s.Labels.Values.Any(v => v.Contains("customer", StringComparison.OrdinalIgnoreCase)) && s.Value >= 1);
    }

    [Fact]
    public async Task A_call_and_the_grain_calls_it_makes_share_one_trace()
    {
        var spans = new System.Collections.Concurrent.ConcurrentBag<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is "Microsoft.AspNetCore" or "Microsoft.Orleans.Application",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Add,
        };
        ActivitySource.AddActivityListener(listener);

        await _host.CreateTeamAsync();

        // The server span ends just after the answer went out: wait for it (bounded) rather than race it.
        var shared = await Polling.EventuallyAsync(() => Task.FromResult(spans
                .Where(s => s.Source.Name == "Microsoft.Orleans.Application")
                .Count(call => spans.Any(request => request.Source.Name == "Microsoft.AspNetCore" && request.TraceId == call.TraceId))),
            count => count > 0, TimeSpan.FromSeconds(10));
        Assert.True(shared > 0, $"no grain call shares a trace with a gRPC request; spans seen: {string.Join(", ", spans.Select(s => $"{s.Source.Name}:{s.DisplayName}").Distinct().Take(20))}");
    }

    [Fact]
    public async Task The_orleans_dashboard_is_off_by_default_and_admin_only_when_on()
    {
        using var http = new HttpClient();
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await http.GetAsync(new Uri($"http://127.0.0.1:{_host.AdminPort}/dashboard/"))).StatusCode);

        await using var withDashboard = await TestHost.StartAsync("--ActorSales:Profile=Local", $"--ActorSales:ClusterId=dashboard-{Guid.NewGuid():N}", "--ActorSales:Dashboard:Enabled=true");
        var page = new Uri($"http://127.0.0.1:{withDashboard.AdminPort}/dashboard/");
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await http.GetAsync(page)).StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, (await SendAsync(http, page, TestHost.Token(withDashboard.SigningKey, "rep", "rep"))).StatusCode);
        var admin = await SendAsync(http, page, TestHost.Token(withDashboard.SigningKey, "admin", "admin"));
        Assert.Equal(System.Net.HttpStatusCode.OK, admin.StatusCode);
        Assert.Contains("<html", await admin.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        // Not on the public listeners.
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await SendAsync(http, new Uri($"http://127.0.0.1:{withDashboard.GrpcWebPort}/dashboard/"), TestHost.Token(withDashboard.SigningKey, "admin", "admin"))).StatusCode);
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient http, Uri uri, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return await http.SendAsync(request);
    }

    private async Task<string> ScrapeAsync()
    {
        using var http = new HttpClient();
        return await http.GetStringAsync(new Uri($"http://127.0.0.1:{_host.AdminPort}/metrics"));
    }

    private sealed record Sample(string Name, Dictionary<string, string> Labels, double Value);

    private static IEnumerable<Sample> Samples(string scrape, string name) =>
        scrape.Split('\n').Select(line => SampleLine().Match(line)).Where(m => m.Success && m.Groups["name"].Value == name).Select(m => new Sample(
            m.Groups["name"].Value,
            LabelPair().Matches(m.Groups["labels"].Value).ToDictionary(l => l.Groups["k"].Value, l => l.Groups["v"].Value),
            double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture)));

    private static double Sum(string scrape, string name, params (string Key, string Value)[] labels) =>
        Samples(scrape, name).Where(s => labels.All(l => s.Labels.TryGetValue(l.Key, out var v) && v == l.Value)).Sum(s => s.Value);

    private static string Lines(string scrape, string prefix) => string.Join('\n', scrape.Split('\n').Where(l => l.StartsWith(prefix, StringComparison.Ordinal)));

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(?<labels>[^}]*)\})? (?<value>[-+0-9.eEInfNa]+)(?: \d+)?$")]
    private static partial Regex SampleLine();

    [GeneratedRegex(@"(?<k>[a-zA-Z_][a-zA-Z0-9_]*)=""(?<v>(?:[^""\\]|\\.)*)""")]
    private static partial Regex LabelPair();
}
