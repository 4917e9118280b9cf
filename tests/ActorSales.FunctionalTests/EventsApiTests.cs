using ActorSales.Contracts.V1;
using ActorSales.Testing;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace ActorSales.FunctionalTests;

/// <summary>EventsService.Subscribe against the real host: order, resume, filters, authorisation and bad input.</summary>
[Collection(HostCollection.Name)]
public sealed class EventsApiTests(HostFixture fixture)
{
    private TestHost host => fixture.Host;

    private EventsService.EventsServiceClient Events => new(host.Channel);

    [Fact]
    public async Task A_subscription_replays_a_teams_events_in_log_order_then_follows_new_ones_live()
    {
        var since = Timestamp.FromDateTime(DateTime.UtcNow.AddSeconds(-1));
        var team = await host.CreateTeamAsync();
        var customerId = await CreateCustomerAsync(team.Rep);
        await LogCallAsync(customerId, team.Rep);
        using var call = Events.Subscribe(new SubscribeRequest { TeamId = team.TeamId, FromTime = since }, host.Admin, cancellationToken: Cancel);

        var replayed = await TakeUntilAsync(call, r => r.Event.EntityId == customerId && r.Event.Sequence == 2);
        await host.Customers.UpdateCustomerAsync(new UpdateCustomerRequest
        {
            CustomerId = customerId, Tier = CustomerTier.A, UpdatePaths = { "tier" },
        }, team.Rep, cancellationToken: Cancel);
        var live = await TakeUntilAsync(call, r => r.Event.EntityId == customerId && r.Event.Sequence == 3);

        var all = replayed.Concat(live).ToList();
        Assert.True(all.Zip(all.Skip(1)).All(p => p.First.Position < p.Second.Position), "positions must grow");
        var ofCustomer = all.Where(r => r.Event.EntityId == customerId).Select(r => r.Event).ToList();
        Assert.Equal([1L, 2L, 3L], ofCustomer.Select(e => e.Sequence));
        Assert.Equal(
            [DomainEvent.ChangeOneofCase.CustomerRegistered, DomainEvent.ChangeOneofCase.ActivityLogged, DomainEvent.ChangeOneofCase.CustomerUpdated],
            ofCustomer.Select(e => e.ChangeCase));
        Assert.All(ofCustomer, e => Assert.Equal(team.RepId, e.OwnerId));
        Assert.All(all, r => Assert.Equal(team.TeamId, r.Event.TeamId));
        Assert.Contains(all, r => r.Event.ChangeCase == DomainEvent.ChangeOneofCase.TeamCreated);
    }

    [Fact]
    public async Task Resuming_after_the_last_position_delivers_the_rest_exactly_once()
    {
        var since = Timestamp.FromDateTime(DateTime.UtcNow.AddSeconds(-1));
        var team = await host.CreateTeamAsync();
        var customerId = await CreateCustomerAsync(team.Rep);
        for (var i = 0; i < 5; i++)
        {
            await LogCallAsync(customerId, team.Rep);
        }
        var request = new SubscribeRequest { TeamId = team.TeamId, EntityTypes = { EntityType.Customer } };

        List<SubscribeResponse> first;
        using (var call = Events.Subscribe(new SubscribeRequest(request) { FromTime = since }, host.Admin, cancellationToken: Cancel))
        {
            first = await TakeUntilAsync(call, r => r.Event.Sequence == 3);
        } // disconnect
        for (var i = 0; i < 2; i++)
        {
            await LogCallAsync(customerId, team.Rep);
        }
        using var resumed = Events.Subscribe(new SubscribeRequest(request) { AfterPosition = first[^1].Position }, host.Admin, cancellationToken: Cancel);
        var rest = await TakeUntilAsync(resumed, r => r.Event.Sequence == 8);

        Assert.Equal(Enumerable.Range(1, 8).Select(i => (long)i), first.Concat(rest).Select(r => r.Event.Sequence));
        Assert.All(first.Concat(rest), r => Assert.Equal(EntityType.Customer, r.Event.EntityType));
    }

    [Fact]
    public async Task Event_type_filters_deliver_only_those_events()
    {
        var since = Timestamp.FromDateTime(DateTime.UtcNow.AddSeconds(-1));
        var team = await host.CreateTeamAsync();
        var customerId = await CreateCustomerAsync(team.Rep);
        await LogCallAsync(customerId, team.Rep);
        await LogCallAsync(customerId, team.Rep);
        using var call = Events.Subscribe(new SubscribeRequest
        {
            TeamId = team.TeamId, EventTypes = { "activity_logged" }, FromTime = since,
        }, host.As("billing", "service"), cancellationToken: Cancel);

        var received = await TakeUntilAsync(call, r => r.Event.Sequence == 3);

        Assert.Equal([2L, 3L], received.Select(r => r.Event.Sequence));
        Assert.All(received, r => Assert.Equal(DomainEvent.ChangeOneofCase.ActivityLogged, r.Event.ChangeCase));
    }

    [Fact]
    public async Task A_rep_follows_only_their_own_book_and_a_manager_only_their_team()
    {
        var since = Timestamp.FromDateTime(DateTime.UtcNow.AddSeconds(-1));
        var team = await host.CreateTeamAsync();
        var other = await host.CreateTeamAsync();
        var colleagues = await CreateCustomerAsync(team.OtherRep);
        var foreign = await CreateCustomerAsync(other.Rep);
        var own = await CreateCustomerAsync(team.Rep);

        using var repCall = Events.Subscribe(new SubscribeRequest { FromTime = since }, team.Rep, cancellationToken: Cancel);
        var repSaw = await TakeUntilAsync(repCall, r => r.Event.EntityId == own);
        using var managerCall = Events.Subscribe(new SubscribeRequest { FromTime = since }, team.Manager, cancellationToken: Cancel);
        var managerSaw = await TakeUntilAsync(managerCall, r => r.Event.EntityId == own);
        var denied = await RefusedAsync(Events, new SubscribeRequest { TeamId = other.TeamId }, team.Manager);

        // Events of the colleague's and the other team's customers come earlier in the log, so had they been visible
        // they would have arrived before the rep's own.
        Assert.All(repSaw, r => Assert.Equal(team.RepId, r.Event.OwnerId));
        Assert.DoesNotContain(repSaw, r => r.Event.EntityId == colleagues || r.Event.EntityId == foreign);
        Assert.Contains(managerSaw, r => r.Event.EntityId == colleagues);
        Assert.DoesNotContain(managerSaw, r => r.Event.EntityId == foreign);
        Assert.All(managerSaw, r => Assert.True(r.Event.TeamId == team.TeamId || r.Event.OwnerId == team.ManagerId));
        Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);
    }

    [Fact]
    public async Task A_leaver_may_follow_their_own_books_events_until_the_last_working_day()
    {
        var since = Timestamp.FromDateTime(DateTime.UtcNow.AddSeconds(-1));
        var team = await host.CreateTeamAsync();
        var colleagues = await CreateCustomerAsync(team.OtherRep);
        var own = await CreateCustomerAsync(team.Rep);
        var lastDay = DateTime.UtcNow.AddDays(10).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        await new HandoverService.HandoverServiceClient(host.Channel).StartDepartureAsync(
            new StartDepartureRequest { SalespersonId = team.RepId, LastWorkingDay = lastDay, DefaultReceiverId = team.OtherRepId },
            team.Manager, cancellationToken: Cancel);

        using var call = Events.Subscribe(new SubscribeRequest { FromTime = since, EntityTypes = { EntityType.Customer } }, team.Rep, cancellationToken: Cancel);
        var saw = await TakeUntilAsync(call, r => r.Event.EntityId == own);

        Assert.DoesNotContain(saw, r => r.Event.EntityId == colleagues);
        Assert.All(saw, r => Assert.Equal(team.RepId, r.Event.OwnerId));
    }

    [Fact]
    public async Task Bad_start_points_and_filters_are_invalid_arguments_and_a_missing_token_is_unauthenticated()
    {
        async Task<StatusCode> StatusOf(SubscribeRequest request, Metadata? headers)
        {
            var error = await RefusedAsync(Events, request, headers);
            Assert.DoesNotContain("Exception", error.Status.Detail, StringComparison.Ordinal);
            return error.StatusCode;
        }

        Assert.Equal(StatusCode.InvalidArgument, await StatusOf(new SubscribeRequest { AfterPosition = -1 }, host.Admin));
        Assert.Equal(StatusCode.InvalidArgument, await StatusOf(new SubscribeRequest { EventTypes = { "customer_exploded" } }, host.Admin));
        Assert.Equal(StatusCode.InvalidArgument, await StatusOf(new SubscribeRequest { EventTypes = { new string('x', 100_000) } }, host.Admin));
        Assert.Equal(StatusCode.InvalidArgument, await StatusOf(new SubscribeRequest { EntityTypes = { (EntityType)99 } }, host.Admin));
        Assert.Equal(StatusCode.InvalidArgument, await StatusOf(new SubscribeRequest { EventTypes = { Enumerable.Repeat("activity_logged", 2_000) } }, host.Admin));
        Assert.Equal(StatusCode.InvalidArgument, await StatusOf(new SubscribeRequest { FromTime = new Timestamp { Seconds = long.MaxValue } }, host.Admin));
        Assert.Equal(StatusCode.InvalidArgument, await StatusOf(new SubscribeRequest { TeamId = new string('t', 100_000) }, host.Admin));
        Assert.Equal(StatusCode.Unauthenticated, await StatusOf(new SubscribeRequest(), null));
    }

    [Fact]
    public async Task A_start_point_older_than_retention_is_out_of_range_and_says_where_the_log_starts()
    {
        // A host of its own with a one-second retention, so trimming here cannot disturb the shared host's tests.
        await using var shortLived = await TestHost.StartAsync("--ActorSales:Profile=Local", $"--ActorSales:ClusterId=retention-{Guid.NewGuid():N}",
            "--ActorSales:Events:Retention=00:00:01", "--ActorSales:Events:TrimInterval=00:00:00.200");
        var before = Timestamp.FromDateTime(DateTime.UtcNow.AddSeconds(-1));
        var team = await shortLived.CreateTeamAsync();
        var events = new EventsService.EventsServiceClient(shortLived.Channel);

        // Retention runs in the background; poll (bounded) until it has removed the team's events.
        RpcException? outOfRange = null;
        using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        for (var attempt = 0; attempt < 100 && outOfRange is null; attempt++)
        {
            await poll.WaitForNextTickAsync(Cancel);
            try
            {
                using var probe = events.Subscribe(new SubscribeRequest { AfterPosition = 0 }, shortLived.Admin, cancellationToken: Cancel);
                using var shortWait = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
                shortWait.CancelAfter(TimeSpan.FromMilliseconds(300));
                await probe.ResponseStream.MoveNext(shortWait.Token);
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.OutOfRange)
            {
                outOfRange = e;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled)
            {
                // Not trimmed yet.
            }
        }
        var fromTime = await RefusedAsync(events, new SubscribeRequest { FromTime = before }, shortLived.Admin);

        Assert.NotNull(outOfRange);
        Assert.Contains("retained log starts after position", outOfRange.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.OutOfRange, fromTime.StatusCode);
        Assert.Contains("older than the retained log", fromTime.Status.Detail, StringComparison.Ordinal);
        Assert.NotEmpty(team.TeamId);
    }

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private async Task<string> CreateCustomerAsync(Metadata owner) =>
        (await host.Customers.CreateCustomerAsync(new CreateCustomerRequest
        {
            Name = "Clinic", Company = $"Clinic {Guid.NewGuid():N}", Tier = CustomerTier.B, SourceChannel = SourceChannel.Outbound,
        }, owner, cancellationToken: Cancel)).Customer.CustomerId;

    private Task LogCallAsync(string customerId, Metadata owner) =>
        host.Customers.LogActivityAsync(new LogActivityRequest
        {
            CustomerId = customerId, Kind = ActivityKind.Call, DurationSeconds = 120, OccurredAt = Timestamp.FromDateTime(DateTime.UtcNow), Summary = "called the buyer",
        }, owner, cancellationToken: Cancel).ResponseAsync;

    /// <summary>Reads until <paramref name="last"/> matches (inclusive), bounded by 15 s.</summary>
    private static async Task<List<SubscribeResponse>> TakeUntilAsync(AsyncServerStreamingCall<SubscribeResponse> call, Func<SubscribeResponse, bool> last)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        timeout.CancelAfter(TimeSpan.FromSeconds(15));
        var received = new List<SubscribeResponse>();
        while (await call.ResponseStream.MoveNext(timeout.Token))
        {
            received.Add(call.ResponseStream.Current);
            if (last(call.ResponseStream.Current))
            {
                return received;
            }
        }
        throw new InvalidOperationException($"the stream ended after {received.Count} events without the expected one");
    }

    /// <summary>The error a subscription ends with before its first event.</summary>
    private static async Task<RpcException> RefusedAsync(EventsService.EventsServiceClient events, SubscribeRequest request, Metadata? headers)
    {
        using var call = events.Subscribe(request, headers, cancellationToken: Cancel);
        return await Assert.ThrowsAsync<RpcException>(() => TakeUntilAsync(call, _ => true));
    }
}
