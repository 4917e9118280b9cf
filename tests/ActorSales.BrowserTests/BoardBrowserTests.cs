using System.Diagnostics;
using System.Text.RegularExpressions;
using ActorSales.Contracts.V1;
using ActorSales.Host.Commands;
using ActorSales.Host.Configuration;
using ActorSales.Testing;
using Grpc.Core;
using Microsoft.Extensions.Time.Testing;
using OpenQA.Selenium;
using OpenQA.Selenium.Interactions;

namespace ActorSales.BrowserTests;

/// <summary>
/// The board page in a real headless Chromium against the real host, over a dataset made through the API: what a person
/// reads is what the RPCs answer, a change shows within 2 s without a reload, each role sees its own, labels follow the
/// language, errors are words, and the page works by keyboard and on a phone-sized screen.
/// </summary>
[Collection(BoardCollection.Name)]
public sealed partial class BoardBrowserTests(BoardFixture fixture)
{
    private const string Within = "STALL_LEVEL_UNSPECIFIED";
    private const string Red = "STALL_LEVEL_RED";

    private BoardDataset Data => fixture.Data;

    private AnalyticsService.AnalyticsServiceClient Analytics => new(fixture.Host.Channel);

    private BoardPage Page() => new(fixture.Browser.Driver, fixture.BoardUrl);

    private static string LevelName(StallLevel level) =>
        OpportunitiesReflection.Descriptor.FindTypeByName<Google.Protobuf.Reflection.EnumDescriptor>("StallLevel").FindValueByNumber((int)level).Name;

    private async Task<Dictionary<(string, string, string), long>> HeatmapRpcAsync(Metadata who, AnalyticsScope? scope = null)
    {
        var heatmap = await Analytics.GetStallHeatmapAsync(new GetStallHeatmapRequest { Scope = scope }, who);
        return heatmap.StallCells.ToDictionary(c => (c.PipelineKey, c.Stage, LevelName(c.StallLevel)), c => c.Count);
    }

    /// <summary>The first board WatchBoard answers over gRPC, for comparing with what the page shows.</summary>
    private async Task<WatchBoardResponse> BoardRpcAsync(Metadata who, AnalyticsScope? scope = null)
    {
        using var call = Analytics.WatchBoard(new WatchBoardRequest { Scope = scope }, who);
        Assert.True(await call.ResponseStream.MoveNext(TestContext.Current.CancellationToken));
        return call.ResponseStream.Current;
    }

    [Fact]
    public async Task A_manager_reads_the_heatmap_counts_the_rpc_answers_and_a_cell_lists_its_deals()
    {
        var team = Data.Team;
        var page = Page().Open().SignInAs(team.ManagerId, "manager");
        page.WaitForBoard();

        var expected = await HeatmapRpcAsync(team.Manager);
        var shown = page.HeatmapCounts();

        Assert.Equal(expected, shown);
        Assert.Equal(expected.Values.Sum(), page.OpenTotal);
        Assert.True(expected.GetValueOrDefault(("b2b", "NeedsConfirmed", Red)) >= 3, "the dataset has deals over their limit");

        page.Cell("b2b", "NeedsConfirmed", Red).Click();
        var listed = page.DrillDeals();

        var behind = await Analytics.ListStallHeatmapOpportunitiesAsync(new ListStallHeatmapOpportunitiesRequest
        {
            PipelineKey = "b2b", Stage = "NeedsConfirmed", StallLevel = StallLevel.Red, PageSize = 50,
        }, team.Manager);
        Assert.Equal(behind.Opportunities.Select(o => o.OpportunityId), listed);
        Assert.Equal(expected[("b2b", "NeedsConfirmed", Red)], listed.Count);
        Assert.Contains("Cath lab", page.Text("drill-body"), StringComparison.Ordinal);

        // The other sections show the board's figures too.
        var board = await BoardRpcAsync(team.Manager);
        Assert.Equal(board.Forecast.ToDictionary(f => f.Currency, f => (f.OpenAmount, f.WeightedAmount, (long)f.OpportunityCount)), page.Forecast());
        Assert.Equal(board.Interventions.Select(o => o.OpportunityId), page.Ids("#interventions tr[data-opportunity-id]", "data-opportunity-id"));
        Assert.Equal(board.AboutToRelease.Select(c => c.CustomerId), page.Ids("#release tr[data-customer-id]", "data-customer-id"));
        Assert.Equal(board.Anomalies.Select(a => a.AnomalyId), page.Ids("#anomalies li[data-anomaly-id]", "data-anomaly-id"));
        Assert.Equal(board.Goals.Select(g => (g.Goal.OwnerId, g.Actual)), page.Goals());
        Assert.NotEmpty(board.Interventions);
        Assert.NotEmpty(board.AboutToRelease);
        Assert.NotEmpty(board.Anomalies);

        Assert.False(page.Shown("alert"), page.Text("alert"));
        Assert.StartsWith("Live", page.Text("status"), StringComparison.Ordinal);
        var screenshot = Chromium.Screenshot(fixture.Browser.Driver, "board-manager");
        Assert.True(new FileInfo(screenshot).Length > 10_000, $"{screenshot} holds a picture of the board");
    }

    [Fact]
    public async Task A_change_through_the_api_shows_on_the_open_board_within_two_seconds_without_a_reload()
    {
        var team = Data.Team;
        var deal = await Data.FreshDealAsync("Endoscopy tower");
        var page = Page().Open().SignInAs(team.ManagerId, "manager");
        page.WaitForBoard();
        var before = page.Wait(_ => page.HeatmapCounts() is var c && c.GetValueOrDefault(("b2b", "NeedsConfirmed", Within)) > 0 ? c : null)!;
        page.Script("window.boardTestMarker = 'same page';");

        await Data.MoveAsync(team.Rep, deal, "meeting_minutes", "ProposalSubmitted");
        var changedAt = Stopwatch.GetTimestamp();
        var after = page.Wait(
            _ => page.HeatmapCounts() is var c && c.GetValueOrDefault(("b2b", "ProposalSubmitted", Within)) != before.GetValueOrDefault(("b2b", "ProposalSubmitted", Within)) ? c : null,
            TimeSpan.FromSeconds(10))!;
        var took = Stopwatch.GetElapsedTime(changedAt);
        TestContext.Current.TestOutputHelper?.WriteLine($"the board showed the change {took.TotalMilliseconds:F0} ms after the API answered");

        Assert.True(took < TimeSpan.FromSeconds(2), $"the board showed the change after {took}");
        Assert.Equal("same page", page.Script("return window.boardTestMarker;")); // no reload
        Assert.Equal(before.GetValueOrDefault(("b2b", "ProposalSubmitted", Within)) + 1, after[("b2b", "ProposalSubmitted", Within)]);
        Assert.Equal(before[("b2b", "NeedsConfirmed", Within)] - 1, after.GetValueOrDefault(("b2b", "NeedsConfirmed", Within)));
        Assert.Equal(await HeatmapRpcAsync(team.Manager), after);
        Assert.False(page.Shown("alert"), page.Text("alert"));
    }

    [Fact]
    public async Task A_rep_sees_only_their_own_book()
    {
        var team = Data.Team;
        var page = Page().Open().SignInAs(team.OtherRepId, "rep");
        page.WaitForBoard();

        var expected = await HeatmapRpcAsync(team.OtherRep);
        var board = await BoardRpcAsync(team.OtherRep);
        var teams = await HeatmapRpcAsync(team.Manager);

        Assert.Equal(expected, page.HeatmapCounts());
        Assert.True(page.OpenTotal < teams.Values.Sum(), "a rep's board holds fewer deals than their team's");
        Assert.Equal(board.Forecast.ToDictionary(f => f.Currency, f => (f.OpenAmount, f.WeightedAmount, (long)f.OpportunityCount)), page.Forecast());
        Assert.Equal(["CNY", "EUR"], page.Forecast().Keys.Order(StringComparer.Ordinal)); // Ultrasound fleet (EUR) and Lab automation (CNY) only
        Assert.Equal(30000m, decimal.Parse(page.Forecast()["EUR"].Open, System.Globalization.CultureInfo.InvariantCulture));
        Assert.All(page.Column("#interventions tr[data-opportunity-id]", 1), owner => Assert.Equal(team.OtherRepId, owner));
        Assert.All(page.Column("#release tr[data-customer-id]", 1), owner => Assert.Equal(team.OtherRepId, owner));
        Assert.All(page.Goals(), goal => Assert.Equal(team.OtherRepId, goal.Owner));
        Assert.NotEmpty(page.Goals());
        Assert.False(page.Shown("scope-control")); // nothing else to choose
    }

    [Fact]
    public async Task A_director_chooses_a_team_or_a_region()
    {
        var page = Page().Open().SignInAs(Data.DirectorId, "director");
        var first = page.WaitForBoard();
        Assert.True(page.Shown("scope-control"));

        page.Choose($"team:{Data.Shanghai.TeamId}");
        page.Wait(_ => page.Forecast().Keys.SequenceEqual(["CNY"]));
        Assert.Equal(await HeatmapRpcAsync(Data.Director, new AnalyticsScope { TeamId = Data.Shanghai.TeamId }), page.HeatmapCounts());
        Assert.Equal($"#team={Data.Shanghai.TeamId}", page.Script("return location.hash;"));

        page.Choose("region:APAC");
        page.Wait(_ => (string?)page.Script("return location.hash;") == "#region=APAC" && page.HeatmapCounts().Count > 0);
        Assert.Equal(await HeatmapRpcAsync(Data.Director, new AnalyticsScope { Region = "APAC" }), page.HeatmapCounts());
        Assert.Equal(1, page.OpenTotal);

        page.Choose($"team:{Data.Team.TeamId}");
        var berlin = await HeatmapRpcAsync(Data.Director, new AnalyticsScope { TeamId = Data.Team.TeamId });
        page.Wait(_ => page.HeatmapCounts().Count == berlin.Count && page.Forecast().ContainsKey("EUR"));
        Assert.Equal(berlin, page.HeatmapCounts());
        Assert.True(first > 0);
    }

    [Fact]
    public void The_page_follows_the_browsers_language_and_the_switch_relabels_it()
    {
        using var browser = Chromium.Start("zh-CN");
        var chinese = browser.Driver;
        var page = new BoardPage(chinese, fixture.BoardUrl).Open();
        Assert.Equal("zh-CN", page.Script("return document.documentElement.lang;"));
        Assert.Equal("登录", page.Text("sign-in-heading"));

        page.SignInAs(Data.Team.ManagerId, "manager");
        page.WaitForBoard();
        var counts = page.HeatmapCounts();
        Assert.Equal("停滞热力图", page.Text("h-heatmap"));
        Assert.StartsWith("今日异常预警", page.Text("h-anomalies"), StringComparison.Ordinal);
        Assert.Contains("超期", page.Text("heatmap"), StringComparison.Ordinal);
        Assert.Equal("销售看板", chinese.Title);
        Chromium.Screenshot(chinese, "board-zh");

        chinese.FindElement(By.Id("language")).Click();
        Assert.Equal("en", page.Script("return document.documentElement.lang;"));
        Assert.Equal("Stall heatmap", page.Text("h-heatmap"));
        Assert.Contains("Over limit", page.Text("heatmap"), StringComparison.Ordinal);
        Assert.Equal(counts, page.HeatmapCounts()); // the same figures, relabelled

        chinese.Navigate().Refresh(); // the choice is remembered in this browser
        page.WaitForBoard();
        Assert.Equal("Stall heatmap", page.Text("h-heatmap"));
    }

    [Fact]
    public void An_expired_token_asks_to_sign_in_again_and_a_refused_scope_says_what_may_not_be_seen()
    {
        var auth = new AuthOptions { SigningKey = fixture.Host.SigningKey };
        var yesterday = new FakeTimeProvider(DateTimeOffset.UtcNow.AddDays(-1));
        var expired = TokenCommand.Mint(auth, auth.SymmetricKey!, Data.Team.ManagerId, "manager", TimeSpan.FromHours(1), yesterday);

        var page = Page().Open().PasteToken(expired);
        page.Wait(_ => page.Shown("alert") && page.Shown("sign-in"));
        Assert.Equal("Your sign-in has expired or is no longer valid. Please sign in again.", page.Text("alert-text"));
        Assert.False(page.Shown("board"));
        AssertNoStatusCode(page.Text("alert"));

        page.Open($"#team={Data.Shanghai.TeamId}").SignInAs(Data.Team.ManagerId, "manager");
        page.Wait(_ => page.Shown("alert") && page.Text("alert-text").Length > 0);
        Assert.Equal($"You may not see the board of team “{Data.Shanghai.TeamId}”. Choose a team you are responsible for.", page.Text("alert-text"));
        Assert.Equal("Not updating", page.Text("status"));
        AssertNoStatusCode(page.Text("alert"));
    }

    [Fact]
    public void The_board_works_by_keyboard_has_labels_and_contrast_and_fits_a_phone()
    {
        var page = Page().Open().SignInAs(Data.Team.ManagerId, "manager");
        page.WaitForBoard();

        Assert.Empty((IEnumerable<object>)page.Script(Accessibility.UnnamedControls)!);
        Assert.Empty((IEnumerable<object>)page.Script(Accessibility.LowContrastText)!);

        var cell = page.Cell("b2b", "NeedsConfirmed", Red);
        cell.SendKeys(Keys.Enter);
        Assert.NotEmpty(page.DrillDeals());
        Assert.Equal("drill-title", page.Script("return document.activeElement.id;"));
        new Actions(fixture.Browser.Driver).SendKeys(Keys.Escape).Perform();
        page.Wait(_ => !page.Shown("drill"));
        Assert.Equal("NeedsConfirmed", page.Script("return document.activeElement.dataset.stage;")); // focus back on the cell

        var window = fixture.Browser.Driver.Manage().Window;
        var desktop = window.Size;
        try
        {
            window.Size = new System.Drawing.Size(390, 844);
            page.Wait(_ => (long)page.Script("return window.innerWidth;")! <= 400);
            Assert.True((bool)page.Script("return document.documentElement.scrollWidth <= window.innerWidth;")!, "the page does not scroll sideways on a phone");
            Assert.True(page.Shown("heatmap"));
            Chromium.Screenshot(fixture.Browser.Driver, "board-phone");
        }
        finally
        {
            window.Size = desktop;
        }
    }

    /// <summary>A person is never shown a gRPC status name or number.</summary>
    private static void AssertNoStatusCode(string text)
    {
        Assert.DoesNotMatch(StatusName(), text);
        Assert.DoesNotMatch(@"(?i)\bstatus\s*\d+|\bcode\s*\d+", text);
    }

    [GeneratedRegex("UNAUTHENTICATED|PERMISSION_DENIED|UNAVAILABLE|RESOURCE_EXHAUSTED|INVALID_ARGUMENT|Unauthenticated|PermissionDenied")]
    private static partial Regex StatusName();
}
