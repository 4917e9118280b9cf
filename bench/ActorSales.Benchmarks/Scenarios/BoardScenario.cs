using ActorSales.Benchmarks.Infrastructure;
using ActorSales.Contracts.V1;
using ActorSales.Infrastructure.Postgres.ReadModel;
using ActorSales.ReadModel;
using ActorSales.ReadModel.Analytics;
using ActorSales.Testing;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Npgsql;
using ReadScope = ActorSales.Domain.Identity.ReadScope;

namespace ActorSales.Benchmarks.Scenarios;

/// <summary>
/// Scenario 9: a manager's team board at size (issue 14: a team board at p99 &lt;= 100 ms with 1,000,000 opportunities
/// in the database). The book of scenario 8 (<see cref="ReadModelBook"/>; by default 333,334 customers x 3 deals) in
/// the Postgres profile; per call through the gateway: GetStallHeatmap and GetFunnel (team scope, current UTC month),
/// and the whole board as WatchBoard computes it (open a stream, time to the first message, close it); against the
/// statements the store runs for the same figures (<see cref="PostgresReadModelStore.OpenCountsStatement"/> and the
/// others) executed by raw Npgsql, in turns. Ratio: gateway throughput / raw throughput; target: gateway p99 &lt;= 100 ms.
/// </summary>
public static class BoardScenario
{
    public const string Command = "dotnet run -c Release --project bench/ActorSales.Benchmarks -- board [--customers 333334] [--database <connection string>]";

    public static async Task<int> RunAsync(BenchArgs args)
    {
        var inFlight = args.Int("--in-flight", 8);
        var report = new Report("board", Command);
        await using var postgres = await PostgresServer.StartAsync();
        report.Pinning = !Processes.CanPin ? "not pinned"
            : $"host on core 0; load, Npgsql baseline{(postgres.Pinned ? " and PostgreSQL" : "")} on core 1 (taskset)";
        // Every call opens a board stream as the one manager; the default cap (4 per caller) would refuse most of them.
        await using var book = await ReadModelBook.OpenAsync(args, postgres, report, 333_334,
            $"--ActorSales:Analytics:MaxBoardStreamsPerCaller={Math.Max(64, inFlight * 4)}");
        var figures = new Figures(book, DateTimeOffset.UtcNow);

        await using (var host = await ServerProcess.StartAsync(book.HostArgs))
        {
            report.Details["book"] = await figures.DescribeAsync(report); // after the host migrated the database
            var channels = LoadGenerator.Channels(host.Port, 8);
            // N in flight (the throughput and its ratio; latency then includes the queue of N calls on one core), then one
            // call at a time (the latency of a lone board).
            var first = true;
            foreach (var concurrency in new[] { inFlight, 1 })
            {
                foreach (var (figure, gatewayCall, rawCall) in figures.All(channels))
                {
                    var warmup = first ? args.Warmup : BenchArgs.Refill * 2;
                    first = false;
                    var name = $"{figure}, {concurrency} in flight";
                    var (gateway, raw) = await LoadGenerator.AlternateClosedAsync(gatewayCall, rawCall, concurrency, warmup, args.Window, args.Rounds);
                    Console.WriteLine($"  {name}\n    gateway {gateway}\n    raw SQL {raw}");
                    report.Add($"{name}: throughput", gateway.Rps, raw.Rps, "calls/s");
                    report.Add($"{name}: p50", gateway.P50Ms, raw.P50Ms, "ms");
                    report.Add($"{name}: p99", gateway.P99Ms, raw.P99Ms, "ms", "gateway <= 100 ms", gateway.P99Ms <= 100);
                    report.Details[name] = new { gateway, raw };
                    if (gateway.Failed > 0 || raw.Failed > 0)
                    {
                        report.Note($"{name}: failed calls, gateway {gateway.Failed} ({string.Join(", ", gateway.Statuses.Select(s => $"{s.Key} {s.Value}"))}), raw {raw.Failed}");
                    }
                }
            }
        }
        book.Describe(report);
        report.Note($"calls: {inFlight} in flight, then 1, gateway and raw SQL in {args.Rounds} alternating turns; the raw side runs the store's statements for the manager's reach narrowed to the team (the checkpoint, PostgresReadModelStore.OpenCountsStatement, StageEntriesStatement, ForecastPartsStatement, InterventionsStatement, AboutToReleaseStatement, GoalsStatement, Statement(AnomalyQuery)) and reads their rows; the gateway adds token check, caller resolution, the pipeline definition, protobuf parse, the figures and the response; a board call also opens and closes a stream");
        await report.WriteAsync(args);
        return 0;
    }

    /// <summary>The board's figures for the manager's team: through the gateway, and the same statements by raw Npgsql.</summary>
    private sealed class Figures(ReadModelBook book, DateTimeOffset now)
    {
        private readonly NpgsqlDataSource _db = book.Db;
        private readonly AnalyticsFilter _filter = new(new ReadScope(book.TeamId, ReadModelBook.ManagerId), TeamId: book.TeamId);
        private readonly Period _month = new(new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(1));

        private const string Pipeline = "b2b";

        private const int BoardList = 100; // AnalyticsGrpcService.BoardListLimit

        private AnalyticsScope Scope => new() { TeamId = book.TeamId };

        private AnalyticsPeriod Month => new() { From = Timestamp.FromDateTimeOffset(_month.From), To = Timestamp.FromDateTimeOffset(_month.To) };

        public IEnumerable<(string Name, Func<long, Task> Gateway, Func<long, Task> Raw)> All(Grpc.Net.Client.GrpcChannel[] channels)
        {
            var clients = channels.Select(c => new AnalyticsService.AnalyticsServiceClient(c)).ToArray();
            var manager = TestHost.Bearer(TestHost.Token(book.SigningKey, ReadModelBook.ManagerId, "manager"));
            var heatmap = new GetStallHeatmapRequest { Scope = Scope };
            var heatmapSql = PostgresReadModelStore.OpenCountsStatement(_filter, null, now);
            yield return ("GetStallHeatmap (team)",
                i => clients[i % clients.Length].GetStallHeatmapAsync(heatmap, manager).ResponseAsync,
                _ => RunAsync(heatmapSql));
            var funnel = new GetFunnelRequest { Scope = Scope, Period = Month, PipelineKey = Pipeline };
            var funnelSql = PostgresReadModelStore.StageEntriesStatement(_filter, Pipeline, _month);
            yield return ("GetFunnel (team, current month)",
                i => clients[i % clients.Length].GetFunnelAsync(funnel, manager).ResponseAsync,
                _ => RunAsync(funnelSql));
            var board = new WatchBoardRequest { Scope = Scope };
            yield return ("WatchBoard, first board (team, current month)",
                i => FirstBoardAsync(clients[i % clients.Length], board, manager),
                _ => RawBoardAsync());
        }

        /// <summary>Opens a board stream, waits for its first message, closes it.</summary>
        private static async Task FirstBoardAsync(AnalyticsService.AnalyticsServiceClient client, WatchBoardRequest request, Metadata headers)
        {
            using var call = client.WatchBoard(request, headers);
            if (!await call.ResponseStream.MoveNext(CancellationToken.None))
            {
                throw new RpcException(new Status(StatusCode.Internal, "the board stream ended without a board"));
            }
        }

        /// <summary>
        /// What BoardAsync reads, in its order: checkpoint, heatmap, funnel, forecast, interventions, about to release,
        /// goals (their progress adds a query per goal; the book has none), active anomalies.
        /// </summary>
        private async Task RawBoardAsync()
        {
            await using (var checkpoint = _db.CreateCommand("SELECT position FROM actorsales_rm_checkpoint WHERE id = 1"))
            {
                await checkpoint.ExecuteScalarAsync();
            }
            var asOf = DateTimeOffset.UtcNow;
            await RunAsync(PostgresReadModelStore.OpenCountsStatement(_filter, null, asOf));
            await RunAsync(PostgresReadModelStore.StageEntriesStatement(_filter, Pipeline, _month));
            await RunAsync(PostgresReadModelStore.ForecastPartsStatement(_filter, null));
            await RunAsync(PostgresReadModelStore.InterventionsStatement(_filter, BoardList));
            await RunAsync(PostgresReadModelStore.AboutToReleaseStatement(_filter, BoardList));
            await RunAsync(PostgresReadModelStore.GoalsStatement(_filter, new Period(asOf, asOf.AddTicks(1))));
            await RunAsync(PostgresReadModelStore.Statement(new AnomalyQuery(_filter, null, AnomalyStatus.Active, BoardList, null)));
        }

        /// <summary>Runs a statement and reads every column of every row.</summary>
        private async Task RunAsync(ReadModelStatement statement)
        {
            await using var command = statement.CreateCommand(_db);
            await using var reader = await command.ExecuteReaderAsync();
            var values = new object[reader.FieldCount];
            while (await reader.ReadAsync())
            {
                reader.GetValues(values);
            }
        }

        /// <summary>The book and the manager's team as the board sees them (printed, and kept in the JSON).</summary>
        public async Task<Dictionary<string, long>> DescribeAsync(Report report)
        {
            var figures = new Dictionary<string, long>();
            await using (var counts = _db.CreateCommand("SELECT (SELECT count(*) FROM actorsales_rm_opportunities), (SELECT count(*) FROM actorsales_rm_customers), (SELECT count(*) FROM actorsales_rm_stage_facts)"))
            await using (var reader = await counts.ExecuteReaderAsync())
            {
                await reader.ReadAsync();
                (figures["opportunities"], figures["customers"], figures["stageFacts"]) = (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
            }
            await using var store = new PostgresReadModelStore(book.Database, Projection.Default);
            figures["teamOpenDeals"] = (await store.OpenCountsAsync(_filter, null, now)).Sum(c => c.Count);
            figures["teamStageEntriesThisMonth"] = (await store.StageEntriesAsync(_filter, Pipeline, _month)).Count;
            figures["teamInterventions"] = (await store.InterventionsAsync(_filter, 0)).Total;
            figures["teamReleaseWarned"] = (await store.AboutToReleaseAsync(_filter, 0)).Total;
            report.Note($"database: {figures["opportunities"]:N0} opportunities, {figures["customers"]:N0} customers, {figures["stageFacts"]:N0} stage facts; the manager's team: {figures["teamOpenDeals"]:N0} open deals, {figures["teamStageEntriesThisMonth"]:N0} stage entries this month ({_month.From:yyyy-MM}), {figures["teamInterventions"]:N0} needing intervention, {figures["teamReleaseWarned"]:N0} release-warned customers (each list shows 100)");
            return figures;
        }
    }
}
