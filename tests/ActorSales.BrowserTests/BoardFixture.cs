using ActorSales.Testing;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace ActorSales.BrowserTests;

/// <summary>
/// One real host (Local profile, on a <see cref="FlowingClock"/>) with the <see cref="BoardDataset"/> made through its
/// API, and one headless Chromium, shared by the collection's tests.
/// </summary>
public sealed class BoardFixture : IAsyncLifetime
{
    private FlowingClock? _clock;

    public TestHost Host { get; private set; } = null!;

    public BoardDataset Data { get; private set; } = null!;

    public Browser Browser { get; private set; } = null!;

    /// <summary>The board's address: the gRPC-Web listener, the same origin the page calls.</summary>
    public string BoardUrl => $"http://127.0.0.1:{Host.GrpcWebPort}/board/";

    public async ValueTask InitializeAsync()
    {
        // The browser first: without chromium the collection fails at once, saying what to install.
        Browser = Chromium.Start();
        _clock = new FlowingClock(BoardDataset.Start);
        var clock = _clock.Provider;
        Host = await TestHost.StartAsync(
            builder =>
            {
                builder.Services.AddSingleton<TimeProvider>(clock);
                builder.Services.UseTimeProviderForBackgroundAreas(TimeProvider.System);
            },
            "--ActorSales:Profile=Local", $"--ActorSales:ClusterId=browser-{Guid.NewGuid():N}");
        Data = await BoardDataset.CreateAsync(Host, _clock);
    }

    public async ValueTask DisposeAsync()
    {
        Browser?.Dispose();
        if (Host is not null)
        {
            await Host.DisposeAsync();
        }
        if (_clock is not null)
        {
            await _clock.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class BoardCollection : ICollectionFixture<BoardFixture>
{
    public const string Name = "board";
}
