using ActorSales.Grains.Abstractions.Notifications;
using ActorSales.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Caller = ActorSales.Domain.Identity.Caller;
using DomainRole = ActorSales.Domain.Identity.Role;
using Notification = ActorSales.Domain.Deadlines.Notification;

namespace ActorSales.Postgres.Tests;

/// <summary>
/// The shape of the "a deadline passed while the host was down" tests: a host on a fresh database sets something up and
/// stops; a second host starts on a fake clock that far later, and the test steps the clock until the notices it expects
/// have arrived (the reminder wakes the grain), then ten minutes more to see nothing fire twice.
/// </summary>
internal sealed class Downtime(PostgresServerFixture postgres, string name)
{
    public string SigningKey { get; } = new('d', 48);

    private string[]? _settings;

    public async Task<string[]> SettingsAsync() => _settings ??=
    [
        "--ActorSales:Profile=Postgres", $"--ConnectionStrings:Postgres={await postgres.CreateDatabaseAsync()}",
        $"--ActorSales:ClusterId={name}-{Guid.NewGuid():N}", "--ActorSales:MigrateOnStart=true", $"--ActorSales:Auth:SigningKey={SigningKey}",
    ];

    /// <summary>Runs <paramref name="setUp"/> on a first host, which then stops.</summary>
    public async Task<T> BeforeAsync<T>(Func<TestHost, Task<T>> setUp)
    {
        await using var first = await TestHost.StartAsync(await SettingsAsync());
        return await setUp(first);
    }

    /// <summary>The second host, on a clock <paramref name="later"/> after now.</summary>
    public async Task<(TestHost Host, FakeTimeProvider Clock)> AfterAsync(TimeSpan later)
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow + later);
        return (await TestHost.StartAsync(builder => ClusterPolling.UseFakeClock(builder, clock), await SettingsAsync()), clock);
    }

    /// <summary>The notices of <paramref name="kind"/> (about <paramref name="entityId"/>, when named) in a user's inbox.</summary>
    public static async Task<List<Notification>> NoticesAsync(TestHost host, string userId, DomainRole role, string teamId, string kind, string? entityId = null) =>
        (await host.Services.GetRequiredService<IGrainFactory>().GetGrain<INotificationInboxGrain>(userId)
            .List(new Caller(userId, role, teamId, Domain.People.SalespersonStatus.Active), 50, null, false))
            .Items.Where(n => n.Kind == kind && (entityId is null || n.EntityId == entityId)).ToList();

    /// <summary>
    /// Steps the clock by 10 s until <paramref name="read"/> holds <paramref name="count"/> notices (at most 90 steps), then
    /// 10 minutes more; returns what it held when it got there and after the 10 minutes.
    /// </summary>
    public static async Task<(List<Notification> First, List<Notification> Later)> StepUntilAsync(FakeTimeProvider clock, Func<Task<List<Notification>>> read, int count)
    {
        List<Notification> first = [];
        for (var step = 0; step < 90 && first.Count < count; step++)
        {
            clock.Advance(TimeSpan.FromSeconds(10));
            first = await ClusterPolling.EventuallyAsync(read, n => n.Count >= count, TimeSpan.FromMilliseconds(200));
        }
        clock.Advance(TimeSpan.FromMinutes(10));
        return (first, await read());
    }
}
