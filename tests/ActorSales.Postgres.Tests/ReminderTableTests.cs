using ActorSales.Testing;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;

namespace ActorSales.Postgres.Tests;

/// <summary>Our reminder queries against the real Orleans ADO.NET reminder table, through the silo's own IReminderTable.</summary>
[Collection(PostgresCollection.Name)]
public sealed class ReminderTableTests(PostgresServerFixture postgres)
{
    [Fact]
    public async Task Reminders_upsert_read_by_grain_and_by_hash_range_and_delete_only_with_the_current_etag()
    {
        var database = await postgres.CreateDatabaseAsync();
        await using var host = await TestHost.StartAsync(
            "--ActorSales:Profile=Postgres", $"--ConnectionStrings:Postgres={database}", "--ActorSales:MigrateOnStart=true",
            $"--ActorSales:ClusterId=reminders-{Guid.NewGuid():N}", $"--ActorSales:Auth:SigningKey={new string('k', 40)}");
        var table = host.Services.GetRequiredService<IReminderTable>();
        var grains = Enumerable.Range(0, 40).Select(i => GrainId.Create("customer", $"cus_{i}")).ToList();
        var start = new DateTime(2026, 11, 2, 9, 0, 0, DateTimeKind.Utc);

        var etags = new Dictionary<GrainId, string>();
        foreach (var grain in grains)
        {
            etags[grain] = await table.UpsertRow(new ReminderEntry { GrainId = grain, ReminderName = "deadline", StartAt = start, Period = TimeSpan.FromMinutes(1) }) ?? throw new InvalidOperationException("no etag");
        }
        var first = grains[0];
        var bumped = await table.UpsertRow(new ReminderEntry { GrainId = first, ReminderName = "deadline", StartAt = start.AddHours(1), Period = TimeSpan.FromMinutes(5) }) ?? throw new InvalidOperationException("no etag");
        var row = await table.ReadRow(first, "deadline") ?? throw new InvalidOperationException("row missing");
        var all = (await table.ReadRows(uint.MinValue, uint.MaxValue)).Reminders;
        var split = unchecked((uint)grains[7].GetUniformHashCode());
        var lower = (await table.ReadRows(uint.MinValue, split)).Reminders;
        var wrapped = (await table.ReadRows(split, uint.MinValue)).Reminders;

        Assert.NotEqual(etags[first], bumped);
        Assert.Equal((start.AddHours(1), TimeSpan.FromMinutes(5), bumped), (row.StartAt.ToUniversalTime(), row.Period, row.ETag));
        Assert.Equal(40, all.Count);
        // A range and its complement (wrapping past the top of the ring) cover every row exactly once.
        Assert.Equal(40, lower.Count + wrapped.Count);
        Assert.Empty(lower.Select(r => r.GrainId).Intersect(wrapped.Select(r => r.GrainId)));
        Assert.All(lower, r => Assert.True(unchecked((uint)r.GrainId.GetUniformHashCode()) <= split));
        Assert.False(await table.RemoveRow(first, "deadline", etags[first]));
        Assert.True(await table.RemoveRow(first, "deadline", bumped));
        Assert.Single((await table.ReadRows(grains[1])).Reminders);
        Assert.Empty((await table.ReadRows(first)).Reminders);
    }
}
