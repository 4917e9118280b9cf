using ActorSales.Contracts.V1;
using ActorSales.Grains.Abstractions.Events;
using ActorSales.Infrastructure.Postgres;
using ActorSales.Testing;
using Google.Protobuf.WellKnownTypes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace ActorSales.Postgres.Tests;

/// <summary>The PostgreSQL event log: ordering across silos, idempotent appends, retention; and the outbox through a real crash.</summary>
[Collection(PostgresCollection.Name)]
public sealed class EventLogTests(PostgresServerFixture postgres)
{
    [Fact]
    public async Task Two_silos_appending_concurrently_never_let_a_tailing_reader_skip_or_repeat_an_event()
    {
        var database = await MigratedDatabaseAsync();
        await using var siloA = NewLog(database, "svc");
        await using var siloB = NewLog(database, "svc");
        const int Writers = 8, PerWriter = 150;

        using var done = new CancellationTokenSource();
        var seen = new List<StoredEvent>();
        var reader = Task.Run(async () =>
        {
            long cursor = 0;
            while (true)
            {
                var finished = done.IsCancellationRequested;
                var page = await siloA.ReadAsync(cursor, EventFilter.All, 100);
                seen.AddRange(page.Events);
                cursor = page.ScannedThrough;
                if (finished && page.Events.Count == 0)
                {
                    return;
                }
            }
        });
        await Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            var log = w % 2 == 0 ? siloA : siloB;
            for (var sequence = 1; sequence <= PerWriter; sequence++)
            {
                await log.AppendAsync([Event($"entity-{w}", sequence)]);
            }
        })));
        await done.CancelAsync();
        await reader;

        // Every event exactly once, in position order, and each entity's sequence in order.
        Assert.Equal(Writers * PerWriter, seen.Count);
        Assert.Equal(seen.Count, seen.Select(e => (e.Event.EntityId, e.Event.Sequence)).Distinct().Count());
        Assert.True(seen.Zip(seen.Skip(1)).All(p => p.First.Position < p.Second.Position));
        foreach (var entity in seen.GroupBy(e => e.Event.EntityId))
        {
            Assert.Equal(Enumerable.Range(1, PerWriter).Select(i => (long)i), entity.Select(e => e.Event.Sequence));
        }
    }

    [Fact]
    public async Task Appends_are_idempotent_per_entity_and_sequence_and_services_do_not_see_each_other()
    {
        var database = await MigratedDatabaseAsync();
        await using var log = NewLog(database, "svc-1");
        await using var neighbour = NewLog(database, "svc-2");

        var first = await log.AppendAsync([Event("c-1", 1), Event("c-1", 2)]);
        var replay = await log.AppendAsync([Event("c-1", 1), Event("c-1", 2), Event("c-1", 3)]);
        await neighbour.AppendAsync([Event("c-1", 1)]);
        var page = await log.ReadAsync(0, EventFilter.All, 100);

        Assert.Equal(2, first.Count);
        Assert.Equal([3L], replay.Select(e => e.Sequence));
        Assert.Equal([1L, 2L, 3L], page.Events.Select(e => e.Event.Sequence));
        Assert.Equal(page.Events[^1].Position, page.ScannedThrough);
    }

    [Fact]
    public async Task Filters_narrow_the_page_but_the_cursor_still_moves_past_what_they_skipped()
    {
        var database = await MigratedDatabaseAsync();
        await using var log = NewLog(database, "svc");
        await log.AppendAsync([Event("c-1", 1, team: "t-1", owner: "rep-1"), Event("c-2", 1, team: "t-2", owner: "rep-2"), Event("c-3", 1, team: "t-1", owner: "rep-3")]);

        var repOne = await log.ReadAsync(0, new EventFilter(ScopeOwnerId: "rep-1"), 100);
        var teamOne = await log.ReadAsync(0, new EventFilter(TeamId: "t-1"), 100);
        var typed = await log.ReadAsync(0, new EventFilter(EventTypes: new HashSet<string> { "activity_logged" }), 100);
        var oneRecord = await log.ReadAsync(0, EventFilter.Of((int)EntityType.Customer, "c-2"), 100);

        Assert.Equal(["c-1"], repOne.Events.Select(e => e.Event.EntityId));
        Assert.Equal(["c-2"], oneRecord.Events.Select(e => e.Event.EntityId));
        Assert.Equal(["c-1", "c-3"], teamOne.Events.Select(e => e.Event.EntityId));
        Assert.Empty(typed.Events);
        Assert.Equal(teamOne.Events[^1].Position, repOne.ScannedThrough);
    }

    [Fact]
    public async Task Retention_removes_old_events_and_records_where_the_retained_log_starts()
    {
        var database = await MigratedDatabaseAsync();
        await using var log = NewLog(database, "svc");
        var now = DateTimeOffset.UtcNow;
        await log.AppendAsync([Event("c-1", 1, at: now.AddHours(-80)), Event("c-1", 2, at: now.AddHours(-75)), Event("c-1", 3, at: now.AddHours(-1))]);
        var before = await log.ReadAsync(0, EventFilter.All, 10);

        var removed = await log.TrimAsync(now.AddHours(-72));
        var bounds = await log.GetBoundsAsync();
        var after = await log.ReadAsync(0, EventFilter.All, 10);
        var fromTime = await log.PositionBeforeAsync(now.AddHours(-2));

        Assert.Equal(2, removed);
        Assert.Equal(before.Events[1].Position, bounds.TrimmedThrough);
        Assert.Equal(now.AddHours(-72), bounds.TrimmedBefore!.Value, TimeSpan.FromMilliseconds(1));
        Assert.Equal([3L], after.Events.Select(e => e.Event.Sequence));
        Assert.Equal(before.Events[2].Position - 1, fromTime);
    }

    [Fact]
    public async Task Changes_acknowledged_by_a_silo_that_dies_before_publishing_reach_the_log_from_the_next_silo()
    {
        var database = await postgres.CreateDatabaseAsync();
        var key = new string('e', 48);
        string[] settings =
        [
            "--ActorSales:Profile=Postgres", $"--ConnectionStrings:Postgres={database}", $"--ActorSales:ClusterId=outbox-{Guid.NewGuid():N}",
            "--ActorSales:MigrateOnStart=true", $"--ActorSales:Auth:SigningKey={key}",
        ];
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        void FakeReminderTime(WebApplicationBuilder builder) => ClusterPolling.UseFakeClock(builder, clock);

        // The first silo's log never answers: every change is written with its events in the grain's outbox, acknowledged, never published.
        var doomed = await TestHost.StartAsync(builder =>
        {
            FakeReminderTime(builder);
            builder.Services.AddSingleton<IEventLog, UnreachableEventLog>();
        }, settings);
        var team = await doomed.CreateTeamAsync();
        var customerId = (await doomed.Customers.CreateCustomerAsync(new CreateCustomerRequest
        {
            Name = "Clinic", Company = $"Clinic {Guid.NewGuid():N}", Tier = CustomerTier.B, SourceChannel = SourceChannel.Outbound,
        }, team.Rep)).Customer.CustomerId;
        await doomed.Customers.LogActivityAsync(new LogActivityRequest
        {
            CustomerId = customerId, Kind = ActivityKind.Call, DurationSeconds = 120, OccurredAt = Timestamp.FromDateTime(DateTime.UtcNow), Summary = "called",
        }, team.Rep);
        await doomed.KillAsync(); // the silo crashes with the events only in its grains' stored outboxes
        await using (var log = NewLog(database, "actorsales"))
        {
            Assert.Empty((await log.ReadAsync(0, EventFilter.All, 100)).Events);
        }

        // The next silo runs no request for that customer; its outbox reminder brings it back to publish.
        await using var survivor = await TestHost.StartAsync(FakeReminderTime, settings);
        var serviceLog = survivor.Services.GetRequiredService<IEventLog>();
        IReadOnlyList<StoredEvent> ofCustomer = [];
        for (var step = 0; step < 90 && ofCustomer.Count < 2; step++)
        {
            clock.Advance(TimeSpan.FromSeconds(10));
            ofCustomer = await ClusterPolling.EventuallyAsync(
                async () => (await serviceLog.ReadAsync(0, EventFilter.All, 1000)).Events.Where(e => e.Event.EntityId == customerId).ToList(),
                e => e.Count == 2, TimeSpan.FromMilliseconds(200));
        }

        Assert.Equal([1L, 2L], ofCustomer.Select(e => e.Event.Sequence));
        Assert.Equal(["customer_registered", "activity_logged"], ofCustomer.Select(e => e.Event.EventType));
        Assert.Equal(team.RepId, ofCustomer[0].Event.OwnerId);
    }

    private async Task<string> MigratedDatabaseAsync()
    {
        var database = await postgres.CreateDatabaseAsync();
        await new PostgresMigrator().MigrateAsync(database, TestContext.Current.CancellationToken);
        return database;
    }

    private static PostgresEventLog NewLog(string database, string serviceId) =>
        new(database, serviceId, TimeProvider.System, NullLogger<PostgresEventLog>.Instance);

    private static LoggedEvent Event(string entityId, long sequence, string team = "t-1", string owner = "rep-1", DateTimeOffset? at = null) =>
        new((int)EntityType.Customer, entityId, sequence, "customer_updated", team, owner, at ?? DateTimeOffset.UtcNow, [1, 2, 3]);

    /// <summary>A log that is down: the window between a grain's write and its publish, held open until the silo dies.</summary>
    private sealed class UnreachableEventLog : IEventLog
    {
        public Task<IReadOnlyList<LoggedEvent>> AppendAsync(IReadOnlyList<LoggedEvent> events, CancellationToken cancellationToken = default) =>
            throw new TimeoutException("event log unreachable (test fault)");

        public Task<EventPage> ReadAsync(long afterPosition, EventFilter filter, int max, CancellationToken cancellationToken = default) =>
            Task.FromResult(new EventPage([], afterPosition, 0));

        public Task<EventLogBounds> GetBoundsAsync(CancellationToken cancellationToken = default) => Task.FromResult(new EventLogBounds(0, null, 0));

        public Task<long> PositionBeforeAsync(DateTimeOffset time, CancellationToken cancellationToken = default) => Task.FromResult(0L);

        public Task WaitForAppendAsync(long afterPosition, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<int> TrimAsync(DateTimeOffset cutoff, CancellationToken cancellationToken = default) => Task.FromResult(0);
    }
}
