using ActorSales.Contracts.V1;
using ActorSales.Gateway.ReadSide;
using ActorSales.Grains.Abstractions.Events;
using ActorSales.Testing;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;

namespace ActorSales.FunctionalTests;

/// <summary>
/// AnalyticsService.WatchBoard through gRPC on the shared host (real time; the projector runs in the host): the first
/// board at once with exact figures, an update within 2 s of a change, coalescing under a burst, access per role and
/// hostile input. Waits are bounded reads of the next stream message, never sleeps.
/// </summary>
[Collection(HostCollection.Name)]
public sealed class BoardApiTests(HostFixture fixture)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    private TestHost host => fixture.Host;

    private AnalyticsService.AnalyticsServiceClient Analytics => new(host.Channel);

    private OpportunitiesService.OpportunitiesServiceClient Opportunities => new(host.Channel);

    private static WatchBoardRequest Request(AnalyticsScope? scope = null) => new()
    {
        Scope = scope,
        Period = new AnalyticsPeriod
        {
            From = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddDays(-1)),
            To = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddDays(1)),
        },
    };

    private async Task<string> CustomerAsync(ApiTeam team) =>
        (await host.Customers.CreateCustomerAsync(new CreateCustomerRequest
        {
            Name = "Board Hospital", Company = $"Board Hospital {Guid.NewGuid():N}", Industry = "Health", Tier = CustomerTier.A,
            SourceChannel = SourceChannel.Referral,
            Contacts = { new Contact { Name = "Anna Berg", Phone = $"+49 30 {Random.Shared.Next(1_000_000, 9_999_999)}" } },
        }, team.Rep)).Customer.CustomerId;

    private async Task<string> DealAsync(ApiTeam team, string customerId, string amount) =>
        (await Opportunities.CreateOpportunityAsync(new CreateOpportunityRequest
        {
            CustomerId = customerId, Title = "Cath lab", Value = new Money { Amount = amount, Currency = "EUR" },
            ExpectedCloseAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddMonths(6)),
        }, team.Rep)).Opportunity.OpportunityId;

    /// <summary>The next board, or null if none came within <paramref name="within"/> (the stream stays open).</summary>
    private static async Task<WatchBoardResponse?> NextAsync(AsyncServerStreamingCall<WatchBoardResponse> call, TimeSpan within)
    {
        using var wait = new CancellationTokenSource(within);
        try
        {
            return await call.ResponseStream.MoveNext(wait.Token) ? call.ResponseStream.Current : null;
        }
        catch (RpcException exception) when (exception.StatusCode == StatusCode.Cancelled && wait.IsCancellationRequested)
        {
            return null;
        }
        catch (OperationCanceledException) when (wait.IsCancellationRequested)
        {
            return null;
        }
    }

    private static async Task<StatusCode> RefusalAsync(AsyncServerStreamingCall<WatchBoardResponse> call)
    {
        using var wait = new CancellationTokenSource(Bound);
        var error = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            while (await call.ResponseStream.MoveNext(wait.Token))
            {
            }
        });
        return error.StatusCode;
    }

    [Fact]
    public async Task The_first_board_arrives_at_once_with_exact_figures_of_the_teams_deals()
    {
        var team = await host.CreateTeamAsync();
        var customer = await CustomerAsync(team);
        var priced = await DealAsync(team, customer, "12000");
        await DealAsync(team, customer, "8000.50");
        await Opportunities.AddEvidenceAsync(new AddEvidenceRequest { OpportunityId = priced, Kind = "price_request", Reference = "DOC-1" }, team.Rep);
        await Opportunities.SetSignalAsync(new SetSignalRequest { OpportunityId = priced, Signal = ForecastSignal.L1 }, team.Rep);
        await Polling.EventuallyAsync(
            () => Opportunities.QueryOpportunitiesAsync(new QueryOpportunitiesRequest { PageSize = 10, OwnerId = team.RepId }, team.Manager).ResponseAsync,
            r => r.Opportunities.Count == 2 && r.Opportunities.Any(o => o.Signal == ForecastSignal.L1), Bound);

        using var call = Analytics.WatchBoard(Request(), team.Manager);
        var board = await NextAsync(call, TimeSpan.FromSeconds(5));

        Assert.NotNull(board);
        Assert.Equal(2, board.Heatmap.OpenTotal);
        Assert.Equal(2, board.Heatmap.StallCells.Sum(c => c.Count));
        var entered = Assert.Single(board.Funnel.Stages, s => s.Stage == "NeedsConfirmed");
        Assert.Equal(2, entered.Entered);
        Assert.Equal(2, entered.StillOpen);
        var eur = Assert.Single(board.Forecast);
        Assert.Equal(("EUR", "20000.5", "1200", 2), (eur.Currency, eur.OpenAmount, eur.WeightedAmount, eur.OpportunityCount));
        Assert.Equal(0, board.InterventionTotal);
        Assert.Empty(board.Interventions);
        Assert.Equal(0, board.AboutToReleaseTotal);
        Assert.True(board.Checkpoint > 0);
        Assert.NotNull(board.AsOf);
    }

    /// <summary>
    /// More than a list holds: 104 deals needing intervention and 103 release-warned customers of one team. Both flags
    /// come from the deadline engine days after the fact, which real time cannot wait for, so the test appends the
    /// events those deadlines publish to the host's event log, as the grains' outboxes do; the projector applies them.
    /// </summary>
    [Fact]
    public async Task The_board_lists_the_first_hundred_of_each_list_and_counts_them_all()
    {
        var team = await host.CreateTeamAsync();
        var tag = Guid.NewGuid().ToString("N")[..8];
        var now = DateTimeOffset.UtcNow;
        var events = new List<LoggedEvent>();
        void Add(EntityType type, string id, long sequence, Action<DomainEvent> change) => events.Add(LoggedEvent.From(Fill(new DomainEvent
        {
            EventId = $"{id}:{sequence}", EntityType = type, EntityId = id, Sequence = sequence, OccurredAt = Timestamp.FromDateTimeOffset(now),
            ActorId = "system", TeamId = team.TeamId, OwnerId = team.RepId,
        }, change)));
        var warned = new List<(string Id, DateTimeOffset? FollowUp)>();
        for (var i = 0; i < 103; i++)
        {
            var id = $"board-c-{tag}-{i:D3}";
            DateTimeOffset? followUp = i % 4 == 0 ? null : now.AddDays(-30 - i);
            var customer = new Customer
            {
                CustomerId = id, Name = $"Warned {i}", Company = $"Warned {tag} {i}", OwnerId = team.RepId, OwnerTeamId = team.TeamId,
                Tier = CustomerTier.B, CreatedAt = Timestamp.FromDateTimeOffset(now.AddDays(-200)),
                LastFollowUpAt = followUp is { } at ? Timestamp.FromDateTimeOffset(at) : null,
            };
            Add(EntityType.Customer, id, 1, e => e.CustomerRegistered = new CustomerRegistered { Customer = customer });
            Add(EntityType.Customer, id, 2, e => e.CustomerFollowUpOverdue = new CustomerFollowUpOverdue { CustomerId = id, Rule = "release-warning", DueAt = Timestamp.FromDateTimeOffset(now) });
            warned.Add((id, followUp));
        }
        var stuck = new List<(string Id, DateTimeOffset Entered)>();
        for (var i = 0; i < 104; i++)
        {
            var id = $"board-o-{tag}-{i:D3}";
            var entered = now.AddHours(-1 - ((i * 31) % 104)); // entry order is not id order
            var deal = new Opportunity
            {
                OpportunityId = id, CustomerId = warned[i % warned.Count].Id, OwnerId = team.RepId, OwnerTeamId = team.TeamId, Title = "Stuck",
                Value = new Money { Amount = "100", Currency = "EUR" }, PipelineKey = "b2b", PipelineVersion = 1, Stage = "NeedsConfirmed",
                StageEnteredAt = Timestamp.FromDateTimeOffset(entered), Status = OpportunityStatus.Open, Signal = ForecastSignal.L1,
                CreatedAt = Timestamp.FromDateTimeOffset(entered),
            };
            Add(EntityType.Opportunity, id, 1, e => e.OpportunityOpened = new OpportunityOpened { Opportunity = deal });
            Add(EntityType.Opportunity, id, 2, e => e.OpportunityInterventionChanged = new OpportunityInterventionChanged { OpportunityId = id, NeedsIntervention = true });
            stuck.Add((id, entered));
        }
        await host.Services.GetRequiredService<IEventLog>().AppendAsync(events, TestContext.Current.CancellationToken);

        using var call = Analytics.WatchBoard(Request(), team.Manager);
        var board = await NextAsync(call, Bound);
        while (board is not null && (board.InterventionTotal, board.AboutToReleaseTotal, board.Heatmap.OpenTotal) != (104, 103, 104))
        {
            board = await NextAsync(call, Bound); // the projector had not applied them all when the first board was made
        }

        Assert.NotNull(board);
        Assert.Equal(stuck.OrderBy(d => d.Entered).Take(100).Select(d => d.Id), board.Interventions.Select(o => o.OpportunityId));
        Assert.Equal(warned.OrderBy(c => c.FollowUp?.UtcTicks ?? 0).ThenBy(c => c.Id, StringComparer.Ordinal).Take(100).Select(c => c.Id),
            board.AboutToRelease.Select(c => c.CustomerId));
        Assert.Equal(104, board.Heatmap.OpenTotal);
    }

    private static DomainEvent Fill(DomainEvent e, Action<DomainEvent> change)
    {
        change(e);
        return e;
    }

    [Fact]
    public async Task A_change_through_the_api_brings_a_new_board_within_two_seconds()
    {
        var team = await host.CreateTeamAsync();
        var customer = await CustomerAsync(team);
        var deal = await DealAsync(team, customer, "5000");
        using var call = Analytics.WatchBoard(Request(new AnalyticsScope { TeamId = team.TeamId }), team.Manager);
        var board = await NextAsync(call, Bound);
        while (board is { Heatmap.OpenTotal: 0 })
        {
            board = await NextAsync(call, Bound);
        }
        Assert.Equal(1, board!.Heatmap.OpenTotal);

        await Opportunities.AddEvidenceAsync(new AddEvidenceRequest { OpportunityId = deal, Kind = "meeting_minutes", Reference = "DOC-m" }, team.Rep);
        await Opportunities.ChangeStageAsync(new ChangeStageRequest { OpportunityId = deal, ToStage = "ProposalSubmitted" }, team.Rep);
        var changedAt = TimeProvider.System.GetTimestamp();
        var next = await NextAsync(call, Bound);
        while (next is not null && !next.Heatmap.StallCells.Any(c => c.Stage == "ProposalSubmitted"))
        {
            next = await NextAsync(call, Bound);
        }
        var took = TimeProvider.System.GetElapsedTime(changedAt);

        Assert.NotNull(next);
        Assert.Equal(1, Assert.Single(next.Heatmap.StallCells).Count);
        Assert.Equal(1, Assert.Single(next.Funnel.Stages, s => s.Stage == "NeedsConfirmed").MovedOn);
        Assert.True(took < TimeSpan.FromSeconds(2), $"the board followed the change after {took}");
    }

    [Fact]
    public async Task A_token_valid_longer_than_a_timer_can_wait_still_follows_changes()
    {
        // Timers refuse waits past ~49.7 days; the stream waits for such a token's expiry in steps instead of failing.
        var team = await host.CreateTeamAsync();
        var auth = new ActorSales.Host.Configuration.AuthOptions { SigningKey = host.SigningKey };
        var longLived = TestHost.Bearer(ActorSales.Host.Commands.TokenCommand.Mint(auth, auth.SymmetricKey!, team.ManagerId, "manager", TimeSpan.FromDays(60), TimeProvider.System));
        using var call = Analytics.WatchBoard(Request(), longLived);
        Assert.NotNull(await NextAsync(call, Bound));

        var customer = await CustomerAsync(team);
        await DealAsync(team, customer, "700");
        var next = await NextAsync(call, Bound);
        while (next is { Heatmap.OpenTotal: 0 })
        {
            next = await NextAsync(call, Bound);
        }

        Assert.NotNull(next);
        Assert.Equal("700", Assert.Single(next.Forecast).OpenAmount);
    }

    [Fact]
    public async Task A_burst_of_changes_is_coalesced_into_few_boards_and_the_last_shows_them_all()
    {
        var team = await host.CreateTeamAsync();
        var customer = await CustomerAsync(team);
        using var call = Analytics.WatchBoard(Request(), team.Manager);
        var first = await NextAsync(call, Bound);
        Assert.NotNull(first);

        await Task.WhenAll(Enumerable.Range(0, 50).Select(i => DealAsync(team, customer, (1000 + i).ToString(System.Globalization.CultureInfo.InvariantCulture))));
        var boards = new List<WatchBoardResponse>();
        while (boards.LastOrDefault()?.Heatmap.OpenTotal is not 50)
        {
            var board = await NextAsync(call, Bound);
            Assert.NotNull(board);
            boards.Add(board);
        }
        // Nothing more comes for what was already shown: boards are sent only when they differ.
        var extra = await NextAsync(call, TimeSpan.FromSeconds(2.5));

        Assert.Null(extra);
        Assert.InRange(boards.Count, 1, 5);
        var eur = Assert.Single(boards[^1].Forecast);
        Assert.Equal((50, "51225"), (eur.OpportunityCount, eur.OpenAmount));
        Assert.Equal(50, Assert.Single(boards[^1].Funnel.Stages, s => s.Stage == "NeedsConfirmed").Entered);
    }

    [Fact]
    public async Task A_rep_sees_their_own_book_a_manager_their_team_and_a_director_everything()
    {
        var team = await host.CreateTeamAsync();
        var other = await host.CreateTeamAsync();
        var customer = await CustomerAsync(team);
        await DealAsync(team, customer, "100");
        var theirs = await CustomerAsync(other);
        var last = await DealAsync(other, theirs, "300");
        var director = $"dir-{Guid.NewGuid():N}"[..16];
        await host.Salespeople.CreateSalespersonAsync(new CreateSalespersonRequest { SalespersonId = director, Name = director, Email = $"{director}@example.com", Role = Role.Director, TeamId = team.TeamId }, host.Admin);
        await Polling.EventuallyAsync(
            () => Opportunities.QueryOpportunitiesAsync(new QueryOpportunitiesRequest { PageSize = 10, OwnerId = other.RepId }, host.Admin).ResponseAsync,
            r => r.Opportunities.Any(o => o.OpportunityId == last), Bound);

        async Task<WatchBoardResponse> FirstAsync(WatchBoardRequest request, Metadata who)
        {
            using var call = Analytics.WatchBoard(request, who);
            return (await NextAsync(call, Bound))!;
        }

        Assert.Equal("100", Assert.Single((await FirstAsync(Request(), team.Rep)).Forecast).OpenAmount);
        Assert.Empty((await FirstAsync(Request(), team.OtherRep)).Forecast);
        Assert.Equal("100", Assert.Single((await FirstAsync(Request(), team.Manager)).Forecast).OpenAmount);
        Assert.Equal("300", Assert.Single((await FirstAsync(Request(new AnalyticsScope { TeamId = other.TeamId }), host.As(director, "director"))).Forecast).OpenAmount);
        Assert.Equal("300", Assert.Single((await FirstAsync(Request(new AnalyticsScope { OwnerId = other.RepId }), host.As("svc-board", "service"))).Forecast).OpenAmount);

        Assert.Equal(StatusCode.PermissionDenied, await RefusalAsync(Analytics.WatchBoard(Request(new AnalyticsScope { TeamId = other.TeamId }), team.Manager)));
        Assert.Equal(StatusCode.PermissionDenied, await RefusalAsync(Analytics.WatchBoard(Request(new AnalyticsScope { OwnerId = other.RepId }), team.Rep)));
        Assert.Equal(StatusCode.PermissionDenied, await RefusalAsync(Analytics.WatchBoard(Request(new AnalyticsScope { Region = "EMEA" }), team.Manager)));
    }

    [Fact]
    public async Task A_frozen_users_stream_ends_and_a_frozen_user_is_refused()
    {
        var team = await host.CreateTeamAsync();
        using var call = Analytics.WatchBoard(Request(), team.Rep);
        Assert.NotNull(await NextAsync(call, Bound));

        await new HandoverService.HandoverServiceClient(host.Channel).StartDepartureAsync(
            new StartDepartureRequest { SalespersonId = team.RepId, DefaultReceiverId = team.OtherRepId }, team.Manager);

        Assert.Equal(StatusCode.PermissionDenied, await RefusalAsync(call));
        Assert.Equal(StatusCode.PermissionDenied, await RefusalAsync(Analytics.WatchBoard(Request(), team.Rep)));
    }

    [Fact]
    public async Task Streams_beyond_the_per_caller_cap_are_resource_exhausted_and_ended_streams_free_their_slot()
    {
        var team = await host.CreateTeamAsync();
        var streams = host.Services.GetRequiredService<BoardStreams>();
        var calls = new List<AsyncServerStreamingCall<WatchBoardResponse>>();
        try
        {
            for (var i = 0; i < 4; i++)
            {
                var call = Analytics.WatchBoard(Request(), team.Manager);
                calls.Add(call);
                Assert.NotNull(await NextAsync(call, Bound));
            }
            Assert.Equal(StatusCode.ResourceExhausted, await RefusalAsync(Analytics.WatchBoard(Request(), team.Manager)));
        }
        finally
        {
            calls.ForEach(c => c.Dispose());
        }
        await Polling.EventuallyAsync(() => Task.FromResult(streams.Open), open => open == 0, Bound);
        using var again = Analytics.WatchBoard(Request(), team.Manager);
        Assert.NotNull(await NextAsync(again, Bound));
    }

    [Fact]
    public async Task Hostile_input_is_invalid_argument_naming_the_field()
    {
        var huge = new string('x', 100_000);
        async Task<string> DetailOf(WatchBoardRequest request)
        {
            using var wait = new CancellationTokenSource(Bound);
            using var call = Analytics.WatchBoard(request, host.Admin, cancellationToken: wait.Token);
            var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(wait.Token));
            Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
            return error.Status.Detail;
        }

        Assert.Contains("scope.team_id", await DetailOf(new WatchBoardRequest { Scope = new AnalyticsScope { TeamId = huge } }));
        Assert.Contains("scope.region", await DetailOf(new WatchBoardRequest { Scope = new AnalyticsScope { Region = huge } }));
        Assert.Contains("pipeline_key", await DetailOf(new WatchBoardRequest { PipelineKey = huge }));
        Assert.Contains("period.to", await DetailOf(new WatchBoardRequest { Period = new AnalyticsPeriod { From = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow) } }));
    }
}
