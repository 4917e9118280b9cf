using ActorSales.Domain.People;

namespace ActorSales.Domain.UnitTests;

public sealed class BookStateTests
{
    [Fact]
    public void An_import_takes_the_stored_entries_except_those_that_left_before_it_and_happens_once()
    {
        var book = new BookState();
        book.RemoveCustomer("cus_gone");
        book.LinkOpportunity("opp_closed", false);
        book.AddCustomer("cus_new", won: false);
        book.RemoveCustomer("cus_back");
        book.AddCustomer("cus_back", won: false); // left and came back: the import may keep it

        var imported = book.Import(["cus_old", "cus_gone", "cus_back"], ["cus_old", "cus_gone"], ["opp_closed", "opp_open"]);
        var replayed = book.Import(["cus_gone"], [], ["opp_closed"]);

        Assert.True(imported);
        Assert.False(replayed);
        Assert.Equal(["cus_back", "cus_new", "cus_old"], book.CustomerIds);
        Assert.Equal(["cus_old"], book.WonCustomerIds);
        Assert.Equal(["opp_open"], book.OpenOpportunityIds);
        Assert.Empty(book.RemovedCustomerIds);
        Assert.Empty(book.ClosedOpportunityIds);
        Assert.Equal(2, book.OwnedWithoutWinCount);
    }

    [Fact]
    public void After_the_import_removals_leave_no_trace_and_repeated_updates_change_nothing()
    {
        var book = new BookState();
        book.Import([], [], []);

        Assert.True(book.AddCustomer("cus_a", won: true));
        Assert.False(book.AddCustomer("cus_a", won: true));
        Assert.False(book.MarkCustomerWon("cus_unknown"));
        Assert.True(book.RemoveCustomer("cus_a"));
        Assert.False(book.RemoveCustomer("cus_a"));
        Assert.Empty(book.RemovedCustomerIds);
        Assert.Empty(book.WonCustomerIds);
        Assert.Equal(0, book.OwnedWithoutWinCount);
    }

    [Fact]
    public void Entries_that_disagree_with_the_expectation_follow_their_records()
    {
        var book = new BookState();
        book.Import(["cus_kept"], [], ["opp_old"]);

        var (customers, deals) = book.Disagreeing(["cus_moved", "cus_kept", "cus_moved"], ["opp_old"], expectOwned: false);
        var corrected = book.Follow([new BookEntry("cus_kept", false, true), new BookEntry("opp_old", true, false), new BookEntry("cus_moved", false, true)]);

        Assert.Equal(["cus_kept"], customers);
        Assert.Equal(["opp_old"], deals);
        Assert.Equal(2, corrected); // cus_kept already listed; opp_old dropped; cus_moved added
        Assert.Equal(["cus_kept", "cus_moved"], book.CustomerIds);
        Assert.Empty(book.OpenOpportunityIds);
    }
}
