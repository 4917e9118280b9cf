using System.Diagnostics;
using System.Globalization;
using ActorSales.Benchmarks.Infrastructure;
using ActorSales.Contracts.V1;
using ActorSales.Infrastructure.Postgres.ReadModel;
using ActorSales.ReadModel;
using ActorSales.Testing;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Npgsql;
using ReadScope = ActorSales.Domain.Identity.ReadScope;

namespace ActorSales.Benchmarks.Scenarios;

/// <summary>
/// Scenario 8: the read side on PostgreSQL at size. A book of 1,000,000 customers and 3,000,000 opportunities is
/// applied through the store's own projection; then SearchCustomers and filtered ListCustomers / QueryOpportunities
/// through the gateway (a manager's team of 10,000 customers, and a director over everything) against the very SQL the
/// store runs (<see cref="PostgresReadModelStore.Statement(CustomerSearch)"/>) executed by raw Npgsql, in turns.
/// Target: >= 0.7x throughput. Then the live projector under the write path's maximum (LogActivity, closed loop):
/// events applied/s against events appended/s, and the lag (age of the oldest unapplied event), target p99 <= 1 s.
/// </summary>
public static class ReadModelScenario
{
    public const string Command = "dotnet run -c Release --project bench/ActorSales.Benchmarks -- read-model [--customers 1000000]";

    public static async Task<int> RunAsync(BenchArgs args)
    {
        var inFlight = args.Int("--in-flight", 16);
        var report = new Report("read-model", Command);
        await using var postgres = await PostgresServer.StartAsync();
        report.Pinning = !Processes.CanPin ? "not pinned"
            : $"host on core 0; load, Npgsql baseline{(postgres.Pinned ? " and PostgreSQL" : "")} on core 1 (taskset)";
        await using var book = await ReadModelBook.OpenAsync(args, postgres, report, 1_000_000);
        var (db, teamId, now) = (book.Db, book.TeamId, DateTimeOffset.UtcNow);

        // Queries through the gateway against the store's SQL by raw Npgsql.
        await using (var host = await ServerProcess.StartAsync(book.HostArgs))
        {
            var channels = LoadGenerator.Channels(host.Port, 8);
            var manager = TestHost.Bearer(TestHost.Token(book.SigningKey, ReadModelBook.ManagerId, "manager"));
            var director = TestHost.Bearer(TestHost.Token(book.SigningKey, ReadModelBook.DirectorId, "director"));
            var queries = new Queries(channels, db, manager, director, new ReadScope(teamId, ReadModelBook.ManagerId), ReadScope.Everything, now);
            var first = true;
            foreach (var (name, target, figure, baseline) in args.Flag("--projection-only") ? [] : queries.All())
            {
                var warmup = first ? args.Warmup : BenchArgs.Refill * 2;
                first = false;
                var (gateway, raw) = await LoadGenerator.AlternateClosedAsync(figure, baseline, inFlight, warmup, args.Window, args.Rounds);
                Console.WriteLine($"  {name}\n    gateway {gateway}\n    raw SQL {raw}");
                var met = target ? gateway.Rps >= 0.7 * raw.Rps : (bool?)null;
                report.Add($"{name}: throughput", gateway.Rps, raw.Rps, "calls/s", target ? ">= 0.7x" : null, met);
                report.Add($"{name}: p50", gateway.P50Ms, raw.P50Ms, "ms");
                report.Add($"{name}: p99", gateway.P99Ms, raw.P99Ms, "ms");
                report.Details[name] = new { gateway, raw };
                if (gateway.Failed > 0 || raw.Failed > 0)
                {
                    report.Note($"{name}: failed calls, gateway {gateway.Failed} ({string.Join(", ", gateway.Statuses.Select(s => $"{s.Key} {s.Value}"))}), raw {raw.Failed}");
                }
            }

            // The live projector under the write path's maximum.
            await ProjectionUnderLoadAsync(report, args, db, channels, book.SigningKey);
        }
        book.Describe(report);
        report.Note($"queries: {inFlight} in flight, gateway and raw SQL in {args.Rounds} alternating turns; the raw side runs PostgresReadModelStore.Statement(query) for the caller's scope (manager: team + own book, director: everything) and reads the payload bytes; the gateway adds token check, caller resolution, validation, protobuf parse and response");
        await report.WriteAsync(args);
        return 0;
    }

    /// <summary>
    /// LogActivity at the maximum rate (closed loop) while a poller reads the log head and the checkpoint every 20 ms. The
    /// lag of a poll is the time since the head first reached the oldest unapplied position (0 when all is applied).
    /// </summary>
    private static async Task ProjectionUnderLoadAsync(Report report, BenchArgs args, NpgsqlDataSource db, Grpc.Net.Client.GrpcChannel[] channels, string key)
    {
        var seeded = await SeededCustomers.CreateAsync(channels[0].CreateCallInvoker(), key, args.Int("--write-customers", 200));
        await ReadModelBook.WaitProjectedAsync(db);
        var clients = channels.Select(c => new CustomersService.CustomersServiceClient(c)).ToArray();
        Task LogActivity(long i)
        {
            var customer = (int)(i % seeded.CustomerIds.Count);
            return clients[i % clients.Length].LogActivityAsync(new LogActivityRequest
            {
                CustomerId = seeded.CustomerIds[customer],
                Kind = ActorSales.Contracts.V1.ActivityKind.Call,
                OccurredAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddMinutes(-1)),
                Summary = "Called the head of purchasing: budget confirmed, wants a revised quote.",
            }, seeded.HeadersFor(customer)).ResponseAsync;
        }
        var polls = new List<(double At, long Head, long Checkpoint)>();
        using var stop = new CancellationTokenSource();
        var clock = Stopwatch.StartNew();
        var poller = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var (head, checkpoint) = await ReadModelBook.PositionsAsync(db);
                polls.Add((clock.Elapsed.TotalSeconds, head, checkpoint));
                try
                {
                    await Task.Delay(20, stop.Token);
                }
                catch (OperationCanceledException)
                {
                }
            }
        });
        var load = await LoadGenerator.ClosedAsync(LogActivity, 64, BenchArgs.Refill * 2, args.Window);
        var loadEnded = clock.Elapsed.TotalSeconds;
        var drained = await ReadModelBook.WaitProjectedAsync(db);
        await stop.CancelAsync();
        await poller;

        // The timed window: the last Window seconds of the load.
        var windowStart = loadEnded - args.Window.TotalSeconds;
        var inWindow = polls.Where(p => p.At >= windowStart && p.At <= loadEnded).ToList();
        var appended = (inWindow[^1].Head - inWindow[0].Head) / (inWindow[^1].At - inWindow[0].At);
        var applied = (inWindow[^1].Checkpoint - inWindow[0].Checkpoint) / (inWindow[^1].At - inWindow[0].At);
        var lags = new List<double>(inWindow.Count);
        foreach (var poll in inWindow)
        {
            if (poll.Checkpoint >= poll.Head)
            {
                lags.Add(0);
                continue;
            }
            var firstSeen = polls.First(p => p.Head > poll.Checkpoint).At; // when the oldest unapplied event was first visible
            lags.Add((poll.At - firstSeen) * 1000);
        }
        var sorted = lags.Order().ToArray();
        Console.WriteLine($"  LogActivity {load}; appended {appended:N0}/s, applied {applied:N0}/s, lag p99 {LoadResult.Percentile(sorted, 0.99):0} ms");
        report.Add("projection under the write path's maximum: events applied/s (baseline: events appended/s)", applied, appended, "events/s", ">= 1x (keeps up)", applied >= 0.99 * appended);
        report.Add("projection lag p50 at that rate", LoadResult.Percentile(sorted, 0.5), null, "ms");
        report.Add("projection lag p99 at that rate", LoadResult.Percentile(sorted, 0.99), null, "ms", "<= 1,000 ms", LoadResult.Percentile(sorted, 0.99) <= 1000);
        report.Add("projection lag max", sorted.Length == 0 ? double.NaN : sorted[^1], null, "ms");
        report.Add("drain after the load stopped", drained.TotalMilliseconds, null, "ms");
        report.Details["projectionLoad"] = load;
        report.Details["projectionPolls"] = inWindow.Count;
        report.Note($"projection load: LogActivity (one event per call) closed loop, 64 in flight, {load.Rps:N0} calls/s; lag sampled every 20 ms ({inWindow.Count} samples) as the age of the oldest unapplied log position, measured from when the log head first showed it");
    }

    /// <summary>The query figures: (name, has the issue's target, gateway call, raw SQL call).</summary>
    private sealed class Queries(Grpc.Net.Client.GrpcChannel[] channels, NpgsqlDataSource db, Metadata manager, Metadata director, ReadScope managerScope, ReadScope everything, DateTimeOffset now)
    {
        private static readonly string[] SearchTexts = ["中心医院", "杭州市", "Medical Center", "anna berg", "1380012", "139 0045", "Northwind Pharma"];

        private readonly CustomersService.CustomersServiceClient[] _customers = [.. channels.Select(c => new CustomersService.CustomersServiceClient(c))];
        private readonly OpportunitiesService.OpportunitiesServiceClient[] _deals = [.. channels.Select(c => new OpportunitiesService.OpportunitiesServiceClient(c))];

        public IEnumerable<(string Name, bool Target, Func<long, Task> Gateway, Func<long, Task> Raw)> All()
        {
            foreach (var (who, headers, scope) in new[] { ("manager, team of 10,000", manager, managerScope), ("director, all 1,000,000", director, everything) })
            {
                var searches = SearchTexts.Select(t => PostgresReadModelStore.Statement(new CustomerSearch(scope, t, 20, null))!).ToArray();
                yield return ($"SearchCustomers ({who}; 7 texts: CJK, Latin, digit fragments)", true,
                    i => _customers[i % _customers.Length].SearchCustomersAsync(new SearchCustomersRequest { Text = SearchTexts[i % SearchTexts.Length], PageSize = 20 }, headers).ResponseAsync,
                    i => RunAsync(searches[i % searches.Length]));
            }
            var followUp = now.AddDays(-14);
            var listManager = new ListCustomersRequest { PageSize = 50, Tier = CustomerTier.A, FollowedUpBefore = Timestamp.FromDateTimeOffset(followUp), Sort = CustomerSortField.LastFollowUp, Direction = SortDirection.Ascending };
            var listManagerSql = PostgresReadModelStore.Statement(new CustomerQuery(managerScope, 50, Tier: CustomerTier.A, FollowedUpBefore: followUp, Sort: CustomerSort.LastFollowUp, Descending: false));
            yield return ("ListCustomers (manager: tier A, no follow-up for 14 days, by last follow-up)", true,
                i => _customers[i % _customers.Length].ListCustomersAsync(listManager, manager).ResponseAsync, _ => RunAsync(listManagerSql));
            var listDirector = new ListCustomersRequest { PageSize = 50, Tier = CustomerTier.A, Industry = "Healthcare", InPool = false, Sort = CustomerSortField.Name, Direction = SortDirection.Ascending };
            var listDirectorSql = PostgresReadModelStore.Statement(new CustomerQuery(everything, 50, Tier: CustomerTier.A, Industry: "Healthcare", InPool: false, Sort: CustomerSort.Name, Descending: false));
            yield return ("ListCustomers (director: tier A, industry, not pooled, by name)", true,
                i => _customers[i % _customers.Length].ListCustomersAsync(listDirector, director).ResponseAsync, _ => RunAsync(listDirectorSql));
            var dealsManager = new QueryOpportunitiesRequest { PageSize = 50, Status = OpportunityStatus.Open, Currency = "CNY", AmountMin = "1000000", Sort = OpportunitySortField.Amount, Direction = SortDirection.Descending };
            var dealsManagerSql = PostgresReadModelStore.Statement(new OpportunityQuery(managerScope, 50, Status: OpportunityStatus.Open, Currency: "CNY", AmountMin: 1_000_000m, Sort: OpportunitySort.Amount, Descending: true));
            yield return ("QueryOpportunities (manager: open, CNY >= 1,000,000, by amount)", false,
                i => _deals[i % _deals.Length].QueryOpportunitiesAsync(dealsManager, manager).ResponseAsync, _ => RunAsync(dealsManagerSql));
            var dealsDirector = new QueryOpportunitiesRequest { PageSize = 50, Stage = "PriceNegotiation", StallLevel = StallLevel.Red, Sort = OpportunitySortField.ExpectedClose, Direction = SortDirection.Ascending };
            var dealsDirectorSql = PostgresReadModelStore.Statement(new OpportunityQuery(everything, 50, Stage: "PriceNegotiation", StallLevel: StallLevel.Red, Sort: OpportunitySort.ExpectedClose));
            yield return ("QueryOpportunities (director: stage, red stall, by expected close)", false,
                i => _deals[i % _deals.Length].QueryOpportunitiesAsync(dealsDirector, director).ResponseAsync, _ => RunAsync(dealsDirectorSql));
        }

        private async Task RunAsync(ReadModelStatement statement)
        {
            await using var command = statement.CreateCommand(db);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                _ = reader.GetFieldValue<byte[]>(0);
            }
        }
    }
}
