using ActorSales.Domain.Common;
using ActorSales.Domain.Errors;
using ActorSales.Domain.Identity;
using ActorSales.Domain.People;
using ActorSales.Domain.Pipeline;
using Event = ActorSales.Domain.People.SalespersonEvent;
using FollowUp = ActorSales.Domain.People.SalespersonFollowUp;

namespace ActorSales.Domain.UnitTests;

public sealed class SalespersonAggregateTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 10, 0, 0, TimeSpan.Zero);
    private static readonly SalespersonProfile Rita = new("Rita", "rita@example.com", Role.Rep, "north");

    private static TestSalespersonState Created(long version = 1)
    {
        var state = new TestSalespersonState();
        new SalespersonAggregate("rita", state).Create(Rita, Now);
        state.Version = version;
        return state;
    }

    [Fact]
    public void Creating_raises_created_at_version_one_joins_the_team_and_starts_an_imported_book()
    {
        var state = new TestSalespersonState();
        var aggregate = new SalespersonAggregate("rita", state);

        aggregate.Create(Rita, Now);

        Assert.Equal([new Raised<Event>(1, new Event.Created())], aggregate.Events);
        Assert.Equal<FollowUp>([new FollowUp.JoinTeam("north"), new FollowUp.ImportBook(BookEntries.Empty)], aggregate.FollowUps);
        Assert.True(state.Created);
        Assert.Equal(SalespersonStatus.Active, state.Status);
        Assert.Equal(Now, state.CreatedAt);
        Assert.True(state.BookMoved);
    }

    [Fact]
    public void Creating_twice_is_refused_and_changes_nothing()
    {
        var state = Created();
        var before = Snapshot.Of(state);
        var aggregate = new SalespersonAggregate("rita", state);

        Assert.Throws<AlreadyExistsException>(() => aggregate.Create(Rita with { Name = "Other" }, Now));

        Assert.Equal(before, Snapshot.Of(state));
        Assert.False(aggregate.Changed);
    }

    [Fact]
    public void A_team_move_leaves_the_old_team_joins_the_new_and_takes_the_whole_book_along()
    {
        var state = Created(version: 3);
        var aggregate = new SalespersonAggregate("rita", state);
        var book = new BookEntries(["cus_a", "cus_b"], ["cus_b"], ["opp_1"]);

        var changed = aggregate.Update(Rita with { TeamId = "south", Name = "Rita B" }, 3, book);

        Assert.Equal(["name", "team_id"], changed);
        Assert.Equal(4, state.Version);
        var raised = Assert.Single(aggregate.Events);
        Assert.Equal(4, raised.Sequence);
        Assert.Equal(["name", "team_id"], Assert.IsType<Event.Updated>(raised.Event).ChangedFields);
        Assert.Equal<FollowUp>(
        [
            new FollowUp.LeaveTeam("north"), new FollowUp.JoinTeam("south"),
            new FollowUp.MoveCustomerToTeam("cus_a", "south"), new FollowUp.MoveCustomerToTeam("cus_b", "south"),
            new FollowUp.MoveOpportunityToTeam("opp_1", "south"),
        ], aggregate.FollowUps);
        Assert.Equal("south", state.Profile!.TeamId);
    }

    [Fact]
    public void An_update_that_changes_nothing_raises_nothing_and_a_stale_one_is_refused_unchanged()
    {
        var state = Created(version: 2);
        var unchanged = new SalespersonAggregate("rita", state);
        Assert.Empty(unchanged.Update(Rita, 0, BookEntries.Empty));
        Assert.False(unchanged.Changed);

        var before = Snapshot.Of(state);
        var stale = new SalespersonAggregate("rita", state);
        Assert.Throws<ConcurrencyConflictException>(() => stale.Update(Rita with { TeamId = "south" }, 1, new BookEntries(["cus_a"], [], [])));
        Assert.Equal(before, Snapshot.Of(state));
        Assert.False(stale.Changed);
    }

    [Fact]
    public void A_departure_freezes_once_then_completes_with_the_team_and_inbox_told()
    {
        var state = Created(version: 1);
        var until = Now.AddDays(2);
        var begin = new SalespersonAggregate("rita", state);
        begin.BeginDeparture("rita", until);
        var retry = new SalespersonAggregate("rita", state);
        retry.BeginDeparture("rita", until);
        var complete = new SalespersonAggregate("rita", state);
        complete.CompleteDeparture("rita");
        var again = new SalespersonAggregate("rita", state);
        again.CompleteDeparture("rita");

        Assert.Equal([new Raised<Event>(2, new Event.DepartureStarted("rita", until))], begin.Events);
        Assert.False(retry.Changed);
        Assert.Equal([new Raised<Event>(3, new Event.Departed("north"))], complete.Events);
        Assert.Equal<FollowUp>([new FollowUp.LeaveTeam("north"), new FollowUp.CloseInbox()], complete.FollowUps);
        Assert.False(again.Changed);
        Assert.Equal(SalespersonStatus.Departed, state.Status);
        Assert.Null(state.ReadsUntil);
    }

    [Fact]
    public void A_departure_of_an_inactive_account_or_under_another_handover_is_refused_unchanged()
    {
        var state = Created();
        new SalespersonAggregate("rita", state).BeginDeparture("rita", Now);
        var before = Snapshot.Of(state);

        Assert.Throws<PreconditionFailedException>(() => new SalespersonAggregate("rita", state).BeginDeparture("other", Now));
        Assert.Throws<PreconditionFailedException>(() => new SalespersonAggregate("rita", state).CompleteDeparture("other"));
        Assert.Throws<NotFoundException>(() => new SalespersonAggregate("nobody", new TestSalespersonState()).BeginDeparture("nobody", Now));
        Assert.Equal(before, Snapshot.Of(state));
    }

    [Fact]
    public void Changing_the_delegate_unlinks_the_previous_one_and_links_the_new_one_without_an_event()
    {
        var state = Created();
        state.Delegation = new Delegation("ron", Now, Now.AddDays(1));
        var aggregate = new SalespersonAggregate("rita", state);

        aggregate.SetDelegate(new Delegation("sam", Now, Now.AddDays(2)));

        Assert.Empty(aggregate.Events);
        Assert.Equal<FollowUp>([new FollowUp.LinkDelegator("ron", false), new FollowUp.LinkDelegator("sam", true)], aggregate.FollowUps);
        Assert.Equal("sam", state.Delegation!.DelegateId);
    }

    [Fact]
    public void A_row_that_still_holds_its_book_hands_it_over_once()
    {
        var state = Created();
        state.BookMoved = false;
        state.CustomerIds.UnionWith(["cus_a", "cus_b"]);
        state.WonCustomerIds.Add("cus_b");
        state.OpenOpportunityIds.Add("opp_1");
        var first = new SalespersonAggregate("rita", state);
        first.HandOverBook();
        var second = new SalespersonAggregate("rita", state);
        second.HandOverBook();

        var import = Assert.IsType<FollowUp.ImportBook>(Assert.Single(first.FollowUps));
        Assert.Equal(["cus_a", "cus_b"], import.Entries.CustomerIds);
        Assert.Equal(["cus_b"], import.Entries.WonCustomerIds);
        Assert.Equal(["opp_1"], import.Entries.OpenOpportunityIds);
        Assert.Empty(first.Events);
        Assert.True(first.Changed);
        Assert.Empty(state.CustomerIds);
        Assert.Empty(state.WonCustomerIds);
        Assert.Empty(state.OpenOpportunityIds);
        Assert.True(state.BookMoved);
        Assert.False(second.Changed);
    }

    [Fact]
    public void Index_links_are_idempotent_and_need_a_write_only_when_they_change()
    {
        var state = Created();
        var link = new SalespersonAggregate("rita", state);
        link.LinkHandoverPackage("h1", true);
        link.LinkApproval("ap1", true);
        var again = new SalespersonAggregate("rita", state);
        again.LinkHandoverPackage("h1", true);
        again.LinkApproval("ap1", true);

        Assert.True(link.Changed);
        Assert.Empty(link.Events);
        Assert.False(again.Changed);
        Assert.Equal(["h1"], state.HandoverPackages);
        Assert.Equal(["ap1"], state.PendingApprovalIds);
    }
}
