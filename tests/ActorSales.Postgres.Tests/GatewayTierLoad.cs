using System.Collections.Concurrent;
using System.Diagnostics;
using ActorSales.Contracts.V1;
using ActorSales.Testing;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using ActivityKind = ActorSales.Contracts.V1.ActivityKind;

namespace ActorSales.Postgres.Tests;

/// <summary>
/// The scale-out topology as processes (silos of role <c>silo</c>, one gateway of role <c>gateway</c>) on a fresh
/// database, with a write load through the gateway: each writer logs activities on its own customer, each write with
/// its own request_id, and retries any failure but a business answer with the same request, as README tells clients
/// to. What a fault test asserts afterwards: which writes were acknowledged, which statuses callers saw, and that every
/// acknowledged write is stored exactly once (<see cref="StoredTwiceOrLostAsync"/>).
/// </summary>
public sealed class GatewayTierLoad : IAsyncDisposable
{
    public static readonly TimeSpan StartBound = TimeSpan.FromSeconds(180);

    private readonly Dictionary<string, string> _environment;
    private readonly List<HostProcess> _silos = [];
    private readonly List<HostProcess> _stopped = [];
    private readonly List<string> _customers = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _writers = [];
    private CustomersService.CustomersServiceClient _client = null!;
    private Metadata _rep = null!;
    private long _markedAt;

    private GatewayTierLoad(Dictionary<string, string> environment) => _environment = environment;

    public HostProcess Gateway { get; private set; } = null!;

    public IReadOnlyList<HostProcess> Silos => _silos;

    /// <summary>Acknowledged writes: summary -> when (Stopwatch timestamp).</summary>
    public ConcurrentDictionary<string, long> Acknowledged { get; } = new();

    /// <summary>Business answers (not retried): none is expected.</summary>
    public ConcurrentBag<string> Failures { get; } = new();

    /// <summary>Statuses callers saw and retried, by code.</summary>
    public ConcurrentDictionary<StatusCode, int> Retried { get; } = new();

    /// <summary>Writer -> its first acknowledgement of a call sent after <see cref="Mark"/>.</summary>
    public ConcurrentDictionary<int, long> FirstAfterMark { get; } = new();

    public int Writers => _customers.Count;

    /// <summary>Starts <paramref name="silos"/> silos and a gateway, waits until all are ready, and sets up one team, one rep and one customer per writer.</summary>
    public static async Task<GatewayTierLoad> StartAsync(PostgresServerFixture postgres, string name, int silos, int writers)
    {
        var key = new string('k', 48);
        var load = new GatewayTierLoad(new Dictionary<string, string>
        {
            ["ActorSales__Profile"] = "Postgres",
            ["ConnectionStrings__Postgres"] = await postgres.CreateDatabaseAsync(),
            ["ActorSales__ClusterId"] = $"{name}-{Guid.NewGuid():N}",
            ["ActorSales__Auth__SigningKey"] = key,
            ["ActorSales__MigrateOnStart"] = "true",
            ["Logging__Console__FormatterName"] = "json",
        });
        for (var i = 0; i < silos; i++)
        {
            load._silos.Add(HostProcess.Start("silo", load._environment));
        }
        load.Gateway = HostProcess.Start("gateway", load._environment);
        foreach (var host in load._silos.Append(load.Gateway))
        {
            await host.WaitReadyAsync(StartBound);
        }

        var admin = TestHost.Bearer(TestHost.Token(key, "admin", "admin"));
        load._client = new CustomersService.CustomersServiceClient(load.Gateway.Channel);
        await ClientRetries.RetriedAsync(() => new TeamsService.TeamsServiceClient(load.Gateway.Channel).CreateTeamAsync(new CreateTeamRequest
        {
            TeamId = name, Name = name, Region = "EMEA", TimeZone = "Europe/Berlin", RequestId = "team",
        }, admin).ResponseAsync);
        await ClientRetries.RetriedAsync(() => new SalespeopleService.SalespeopleServiceClient(load.Gateway.Channel).CreateSalespersonAsync(new CreateSalespersonRequest
        {
            SalespersonId = $"rep-{name}", Name = "Rep", Email = $"rep-{name}@example.com", Role = Contracts.V1.Role.Rep, TeamId = name, RequestId = "rep",
        }, admin).ResponseAsync);
        load._rep = TestHost.Bearer(TestHost.Token(key, $"rep-{name}", "rep"));
        for (var w = 0; w < writers; w++)
        {
            load._customers.Add((await ClientRetries.RetriedAsync(() => load._client.CreateCustomerAsync(new CreateCustomerRequest
            {
                Name = $"Clinic {w}", Company = $"Clinic {w} {name}", Tier = CustomerTier.A, SourceChannel = SourceChannel.Referral, RequestId = $"c-{w}",
            }, load._rep).ResponseAsync)).Customer.CustomerId);
        }
        return load;
    }

    /// <summary>Starts the writers; they run until <see cref="StopAsync"/> (or 5 minutes).</summary>
    public void StartWriting()
    {
        _stop.CancelAfter(TimeSpan.FromMinutes(5));
        for (var w = 0; w < Writers; w++)
        {
            var writer = w;
            _writers.Add(Task.Run(() => WriteAsync(writer)));
        }
    }

    /// <summary>From now on, <see cref="FirstAfterMark"/> records each writer's first acknowledged call sent after this moment.</summary>
    public long Mark()
    {
        FirstAfterMark.Clear();
        var now = Stopwatch.GetTimestamp();
        Volatile.Write(ref _markedAt, now);
        return now;
    }

    /// <summary>Waits until <paramref name="until"/> holds (bounded); false if it did not.</summary>
    public async Task<bool> WaitAsync(Func<GatewayTierLoad, bool> until, TimeSpan bound) =>
        await Polling.EventuallyAsync(() => Task.FromResult(until(this)), held => held, bound);

    /// <summary>Starts a new silo process in place of <paramref name="index"/> (a rolling restart's next pod).</summary>
    public HostProcess Replace(int index)
    {
        _stopped.Add(_silos[index]);
        _silos[index] = HostProcess.Start("silo", _environment);
        return _silos[index];
    }

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_writers);
    }

    /// <summary>Reads every customer's stored activities back: acknowledged writes not stored, and writes stored twice.</summary>
    public async Task<(List<string> Lost, List<string> Duplicated)> StoredTwiceOrLostAsync()
    {
        var stored = new List<string>();
        foreach (var customerId in _customers)
        {
            var token = "";
            do
            {
                var page = await ClientRetries.RetriedAsync(() => _client.ListActivitiesAsync(new ListActivitiesRequest { CustomerId = customerId, PageSize = 500, PageToken = token }, _rep).ResponseAsync);
                stored.AddRange(page.Activities.Select(a => a.Summary));
                token = page.NextPageToken;
            }
            while (token.Length > 0);
        }
        return ([.. Acknowledged.Keys.Except(stored)], [.. stored.GroupBy(s => s).Where(g => g.Count() > 1).Select(g => g.Key)]);
    }

    /// <summary>The last lines of every process, for a failure message.</summary>
    public string Tails() => string.Join("\n---\n", _silos.Concat(_stopped).Append(Gateway).Select(p => $"{p.Role} {p.Id}:\n{p.Tail(15)}"));

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_writers).WaitAsync(TimeSpan.FromSeconds(60)).ContinueWith(_ => { }, TaskScheduler.Default);
        foreach (var host in _silos.Concat(_stopped).Append(Gateway))
        {
            await host.DisposeAsync();
        }
        _stop.Dispose();
    }

    private async Task WriteAsync(int w)
    {
        using var backoff = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
        for (var seq = 0; !_stop.IsCancellationRequested; seq++)
        {
            var summary = $"w{w}-{seq}";
            var request = new LogActivityRequest
            {
                CustomerId = _customers[w], Kind = ActivityKind.Call, DurationSeconds = 300, Summary = summary, RequestId = $"req-{summary}",
                OccurredAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddMinutes(-1)),
            };
            while (!_stop.IsCancellationRequested)
            {
                var sent = Stopwatch.GetTimestamp();
                try
                {
                    await _client.LogActivityAsync(request, _rep, deadline: DateTime.UtcNow.AddSeconds(40));
                    var now = Stopwatch.GetTimestamp();
                    Acknowledged[summary] = now;
                    // Served again: a call sent after the mark answered (one in flight may have been answered before it).
                    if (Volatile.Read(ref _markedAt) is > 0 and var marked && sent > marked)
                    {
                        FirstAfterMark.TryAdd(w, now);
                    }
                    break;
                }
                catch (RpcException e) when (ClientRetries.BusinessAnswers.Contains(e.StatusCode))
                {
                    Failures.Add($"{summary}: {e.Status}");
                    return;
                }
                catch (RpcException e)
                {
                    Retried.AddOrUpdate(e.StatusCode, 1, (_, n) => n + 1);
                    try
                    {
                        await backoff.WaitForNextTickAsync(_stop.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }
                }
            }
        }
    }
}
