using System.Diagnostics;
using System.Globalization;
using ActorSales.Benchmarks.Scenarios;
using ActorSales.Contracts.V1;
using ActorSales.Infrastructure.Postgres.ReadModel;
using ActorSales.ReadModel;
using ActorSales.Testing;
using Npgsql;

namespace ActorSales.Benchmarks.Infrastructure;

/// <summary>
/// The database of the read-model scenarios (8 read-model, 9 board): the people who sign in (a team, its manager and a
/// director) made through the API, then the synthetic book (<see cref="ReadModelDataset"/>) applied through
/// <see cref="PostgresReadModelStore.ApplyAsync"/>, the projector's own path, after what the API logged; the log
/// continues after it. Or, with <c>--database</c>, a database an earlier run seeded (seeding takes long at size).
/// Flags: <c>--customers</c>, <c>--opportunities-per-customer</c> (3), <c>--teams</c> (100), <c>--reps-per-team</c> (10).
/// </summary>
public sealed class ReadModelBook : IAsyncDisposable
{
    public const string ManagerId = "bench-rm-manager";
    public const string DirectorId = "bench-rm-director";

    private ReadModelBook(string database, string[] hostArgs, string signingKey, NpgsqlDataSource db, ReadModelDataset dataset, string teamId, Bulk? seeded)
    {
        Database = database;
        HostArgs = hostArgs;
        SigningKey = signingKey;
        Db = db;
        Dataset = dataset;
        TeamId = teamId;
        Seeded = seeded;
    }

    /// <summary>The connection string of the book's database (give it to <c>--database</c> to run again without seeding).</summary>
    public string Database { get; }

    /// <summary>serve-host arguments: the Postgres profile on this database, migrated on start.</summary>
    public string[] HostArgs { get; }

    public string SigningKey { get; }

    /// <summary>Raw Npgsql on the book's database (the baselines' side).</summary>
    public NpgsqlDataSource Db { get; }

    public ReadModelDataset Dataset { get; }

    /// <summary>The manager's team (team 0 of the dataset).</summary>
    public string TeamId { get; }

    /// <summary>How the book was applied in this run; null when an earlier run's database was reused.</summary>
    public Bulk? Seeded { get; }

    /// <summary>Seeding time and rate.</summary>
    public sealed record Bulk(double Seconds, double EventsPerSecond);

    /// <summary>Opens the book named by <c>--database</c>, or makes and seeds a new one on <paramref name="postgres"/>.</summary>
    /// <param name="hostSettings">Extra "--Key=value" settings of the scenario's host.</param>
    public static async Task<ReadModelBook> OpenAsync(BenchArgs args, PostgresServer postgres, Report report, int defaultCustomers, params string[] hostSettings)
    {
        var customers = args.Int("--customers", defaultCustomers);
        var reused = args.Value("--database");
        var database = reused ?? await postgres.CreateDatabaseAsync();
        var key = Convert.ToHexString(Guid.NewGuid().ToByteArray()) + Convert.ToHexString(Guid.NewGuid().ToByteArray());
        string[] hostArgs =
        [
            "serve-host", "--ActorSales:Profile=Postgres", $"--ConnectionStrings:Postgres={database}", "--ActorSales:MigrateOnStart=true",
            $"--ActorSales:Auth:SigningKey={key}", $"--ActorSales:ClusterId=bench-{Guid.NewGuid():N}", .. Servers.Quiet, .. hostSettings,
        ];
        var db = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(database) { MaxPoolSize = 100 }.ConnectionString);
        var teamId = $"bench-rm-team-{Random.Shared.Next(10_000, 99_999)}";
        if (reused is not null)
        {
            await using var team = db.CreateCommand($"SELECT team_id FROM actorsales_rm_salespeople WHERE salesperson_id = '{ManagerId}'");
            teamId = (string)(await team.ExecuteScalarAsync())!;
            await using var count = db.CreateCommand("SELECT (SELECT count(*) FROM actorsales_rm_customers), (SELECT count(*) FROM actorsales_rm_opportunities)");
            await using var reader = await count.ExecuteReaderAsync();
            await reader.ReadAsync();
            Console.WriteLine($"  reusing the book of {reader.GetInt64(0):N0} customers and {reader.GetInt64(1):N0} opportunities (manager's team {teamId})");
            report.Details["reusedDatabase"] = true;
        }
        var dataset = new ReadModelDataset(customers, args.Int("--opportunities-per-customer", 3), args.Int("--teams", 100), args.Int("--reps-per-team", 10), teamId, DateTimeOffset.UtcNow);
        Bulk? seeded = null;
        if (reused is null)
        {
            // The people who sign in, made through the API (the gateway resolves callers through their grains).
            await using (var host = await ServerProcess.StartAsync(hostArgs))
            {
                var channel = LoadGenerator.Channels(host.Port, 1)[0].CreateCallInvoker();
                var admin = TestHost.Bearer(TestHost.Token(key, "bench-admin", "admin"));
                await new TeamsService.TeamsServiceClient(channel).CreateTeamAsync(new CreateTeamRequest { TeamId = teamId, Name = "Hangzhou hospitals", Region = "East", TimeZone = "Asia/Shanghai" }, admin);
                var people = new SalespeopleService.SalespeopleServiceClient(channel);
                await people.CreateSalespersonAsync(new CreateSalespersonRequest { SalespersonId = ManagerId, Name = "Manager", Email = "manager@bench.example.com", Role = Role.Manager, TeamId = teamId }, admin);
                await people.CreateSalespersonAsync(new CreateSalespersonRequest { SalespersonId = DirectorId, Name = "Director", Email = "director@bench.example.com", Role = Role.Director, TeamId = teamId }, admin);
                await WaitProjectedAsync(db);
            }
            seeded = await SeedAsync(db, database, dataset);
            report.Details["seedSeconds"] = seeded.Seconds;
            report.Details["seedEvents"] = dataset.Events;
            report.Details["database"] = new NpgsqlConnectionStringBuilder(database).Database;
            Console.WriteLine($"  seeded database (reuse with --database \"{database}\")");
        }
        return new ReadModelBook(database, hostArgs, key, db, dataset, teamId, seeded);
    }

    /// <summary>The report's note on the book: its size and how it got there.</summary>
    public void Describe(Report report)
    {
        var d = Dataset;
        if (Seeded is { } bulk)
        {
            report.Add("bulk apply (5,000-event transactions, in-process store): the book's events", bulk.EventsPerSecond, null, "events/s");
            report.Note($"book: {d.Customers:N0} customers ({d.Customers / d.Teams:N0} per team, {d.Teams} teams), {d.Opportunities:N0} opportunities, {d.Events:N0} events, applied through PostgresReadModelStore.ApplyAsync (the projector's own path: rows, facts, permanent history, checkpoint) in {bulk.Seconds:0} s");
        }
        else
        {
            report.Note($"book: reused from an earlier run's database ({d.Customers:N0} customers, {d.Opportunities:N0} opportunities as generated then)");
        }
    }

    private static async Task<Bulk> SeedAsync(NpgsqlDataSource db, string database, ReadModelDataset dataset)
    {
        long position;
        await using (var head = db.CreateCommand("SELECT coalesce(max(position), 0) FROM actorsales_event_log"))
        {
            position = (long)(await head.ExecuteScalarAsync())!;
        }
        await using var store = new PostgresReadModelStore(database, Projection.Default);
        var clock = Stopwatch.StartNew();
        const int Batch = 5_000;
        var step = Math.Max(1, (int)(Batch * (long)dataset.Customers / dataset.Events));
        for (var from = 0; from < dataset.Customers; from += step)
        {
            var events = dataset.Batch(from, Math.Min(dataset.Customers, from + step), position + 1);
            position = events[^1].Position;
            await store.ApplyAsync(events, position);
            if ((from / step) % 50 == 0)
            {
                Console.WriteLine($"  seeded {from + step:N0} customers, {clock.Elapsed.TotalSeconds:0} s");
            }
        }
        var seconds = clock.Elapsed.TotalSeconds;
        await using (var restart = db.CreateCommand(string.Create(CultureInfo.InvariantCulture,
            $"ALTER TABLE actorsales_event_log ALTER COLUMN position RESTART WITH {position + 1}")))
        {
            await restart.ExecuteNonQueryAsync();
        }
        // What autovacuum does after bulk inserts (statistics, and the visibility map index-only scans need), at once
        // rather than some time during the first measurement. A command of its own: VACUUM refuses a transaction.
        await using (var vacuum = db.CreateCommand("VACUUM (ANALYZE) actorsales_rm_customers, actorsales_rm_customer_search, actorsales_rm_opportunities, actorsales_rm_stage_facts, actorsales_rm_history"))
        {
            vacuum.CommandTimeout = 0;
            await vacuum.ExecuteNonQueryAsync();
        }
        Console.WriteLine($"  seeded {dataset.Events:N0} events in {seconds:0} s ({dataset.Events / seconds:N0}/s)");
        return new Bulk(seconds, dataset.Events / seconds);
    }

    /// <summary>The log's head and the read model's checkpoint.</summary>
    public static async Task<(long Head, long Checkpoint)> PositionsAsync(NpgsqlDataSource db)
    {
        await using var command = db.CreateCommand("SELECT (SELECT coalesce(max(position), 0) FROM actorsales_event_log), (SELECT position FROM actorsales_rm_checkpoint WHERE id = 1)");
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    /// <summary>Waits until the read model has applied the whole log (at most 5 minutes).</summary>
    public static async Task<TimeSpan> WaitProjectedAsync(NpgsqlDataSource db)
    {
        var clock = Stopwatch.StartNew();
        while (await PositionsAsync(db) is var (head, checkpoint) && checkpoint < head)
        {
            if (clock.Elapsed > TimeSpan.FromMinutes(5))
            {
                throw new TimeoutException($"the projector did not reach position {head} (at {checkpoint})");
            }
            await Task.Delay(20);
        }
        return clock.Elapsed;
    }

    public ValueTask DisposeAsync() => Db.DisposeAsync();
}
