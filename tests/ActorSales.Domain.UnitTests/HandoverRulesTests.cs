using ActorSales.Domain.Deadlines;
using ActorSales.Domain.Errors;
using ActorSales.Domain.Handovers;
using ActorSales.Domain.Identity;
using ActorSales.Domain.People;

namespace ActorSales.Domain.UnitTests;

public sealed class HandoverRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 10, 0, 0, TimeSpan.Zero);

    private static Caller Leaver(bool readsOwnBook) => new("rita", Role.Rep, "north", SalespersonStatus.Departing, readsOwnBook);

    [Fact]
    public void A_departing_account_reads_its_own_book_until_the_last_working_day_and_changes_nothing()
    {
        var leaver = Leaver(readsOwnBook: true);

        Assert.True(AccessPolicy.CanRead(leaver, "rita", "north"));
        Assert.False(AccessPolicy.CanRead(leaver, "ron", "north"));
        AccessPolicy.EnsureMayCall(leaver, changesState: false);
        Assert.Equal("account frozen for handover", Assert.Throws<AccessDeniedException>(() => AccessPolicy.EnsureMayCall(leaver, changesState: true)).Message);
        Assert.Equal("account frozen for handover", Assert.Throws<AccessDeniedException>(() => AccessPolicy.EnsureCanChange(leaver, "rita", "north", "this customer")).Message);
    }

    [Fact]
    public void After_the_last_working_day_a_departing_account_can_do_nothing()
    {
        var leaver = Leaver(readsOwnBook: false);

        Assert.False(AccessPolicy.CanRead(leaver, "rita", "north"));
        Assert.StartsWith("account frozen for handover", Assert.Throws<AccessDeniedException>(() => AccessPolicy.EnsureMayCall(leaver, changesState: false)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reads_end_at_local_midnight_after_the_last_working_day()
    {
        var berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        var until = HandoverRules.ReadsUntil(new DateOnly(2026, 12, 4), berlin, Now);

        Assert.Equal(new DateTimeOffset(2026, 12, 4, 23, 0, 0, TimeSpan.Zero), until.ToUniversalTime());
        Assert.True(HandoverRules.ReadsOwnBook(SalespersonStatus.Departing, until, until.AddTicks(-1)));
        Assert.False(HandoverRules.ReadsOwnBook(SalespersonStatus.Departing, until, until));
        Assert.False(HandoverRules.ReadsOwnBook(SalespersonStatus.Departed, until, Now));
    }

    [Theory]
    [InlineData("04.12.2026", "ISO date")]
    [InlineData("2020-01-01", "within 30 days")]
    public void A_last_working_day_must_be_an_iso_date_near_today(string value, string message)
    {
        var error = Assert.Throws<ValidationException>(() => HandoverRules.ParseLastWorkingDay(value, Now));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_book_goes_to_explicit_receivers_then_the_default_then_the_pool()
    {
        var assignments = HandoverRules.ValidateAssignments("rita", [("c1", "ann"), ("c2", "")]);

        Assert.Equal(new Dictionary<string, string> { ["c1"] = "ann", ["c2"] = "", ["c3"] = "bob" },
            HandoverRules.Route(["c1", "c2", "c3"], assignments, "bob"));
        Assert.Equal("", HandoverRules.Route(["c3"], new Dictionary<string, string>(), null)["c3"]);
        Assert.Throws<PreconditionFailedException>(() => HandoverRules.Route(["c2"], assignments, null));
        Assert.Throws<ValidationException>(() => HandoverRules.ValidateAssignments("rita", [("c1", "ann"), ("c1", "bob")]));
        Assert.Throws<ValidationException>(() => HandoverRules.ValidateAssignments("rita", [("c1", "rita")]));
    }

    [Fact]
    public void Assignment_errors_name_the_entry_of_the_assignments_list()
    {
        // StartDepartureRequest.assignments is a list: "assignments.receiver_id" names no field a client can find.
        Assert.Equal("assignments[1].customer_id", Assert.Throws<ValidationException>(() =>
            HandoverRules.ValidateAssignments("rita", [("c1", "ann"), ("c1", "bob")])).Field);
        Assert.Equal("assignments[1].receiver_id", Assert.Throws<ValidationException>(() =>
            HandoverRules.ValidateAssignments("rita", [("c1", "ann"), ("c2", "rita")])).Field);
        Assert.Equal("assignments[0].customer_id", Assert.Throws<ValidationException>(() =>
            HandoverRules.ValidateAssignments("rita", [("c 1", "ann")])).Field);
        Assert.Equal("assignments[2].receiver_id", Assert.Throws<ValidationException>(() =>
            HandoverRules.ValidateAssignments("rita", [("c1", ""), ("c2", "ann"), ("c3", "b/b")])).Field);
    }

    [Fact]
    public void A_pending_package_is_reminded_at_24_hours_and_escalated_at_48()
    {
        var deadlines = HandoverRules.AcceptanceDeadlines(PackageStatus.Pending, Now, new HandoverOptions());

        Assert.Equal([(HandoverRules.Reminder, Now.AddHours(24)), (HandoverRules.Escalation, Now.AddHours(48))], deadlines.Select(d => (d.Rule, d.DueAt)));
        Assert.Empty(HandoverRules.AcceptanceDeadlines(PackageStatus.Transferring, Now, new HandoverOptions()));
    }

    [Fact]
    public void A_completed_handover_is_pruned_30_days_after_completion_once_and_a_row_without_a_completion_time_counts_from_its_start()
    {
        var options = new HandoverOptions();
        var started = Now.AddDays(-10);

        Assert.Equal(new Deadline(HandoverRules.Prune, Now.AddDays(30)), HandoverRules.PruneDeadline(true, Now, started, false, options));
        Assert.Equal(new Deadline(HandoverRules.Prune, started.AddDays(30)), HandoverRules.PruneDeadline(true, null, started, false, options));
        Assert.Null(HandoverRules.PruneDeadline(false, null, started, false, options));
        Assert.Null(HandoverRules.PruneDeadline(true, Now, started, true, options));
        Assert.Equal(Now.AddDays(7), HandoverRules.PruneDeadline(true, Now, started, false, new HandoverOptions { CompletedRetention = TimeSpan.FromDays(7) })!.DueAt);
    }

    [Fact]
    public void Only_the_manager_chain_or_an_admin_manages_a_departure_never_the_leaver()
    {
        AccessPolicy.EnsureCanManageDeparture(new Caller("max", Role.Manager, "north", SalespersonStatus.Active), "rita", "max", "dora");
        AccessPolicy.EnsureCanManageDeparture(new Caller("dora", Role.Director, null, SalespersonStatus.Active), "rita", "max", "dora");
        AccessPolicy.EnsureCanManageDeparture(new Caller("admin", Role.Admin, null, SalespersonStatus.Active), "rita", "max", "dora");
        Assert.Throws<AccessDeniedException>(() => AccessPolicy.EnsureCanManageDeparture(new Caller("sam", Role.Manager, "south", SalespersonStatus.Active), "rita", "max", "dora"));
        Assert.Throws<AccessDeniedException>(() => AccessPolicy.EnsureCanManageDeparture(new Caller("other", Role.Director, null, SalespersonStatus.Active), "rita", "max", "dora"));
        Assert.Throws<AccessDeniedException>(() => AccessPolicy.EnsureCanManageDeparture(new Caller("max", Role.Manager, "north", SalespersonStatus.Active), "max", "max", "dora"));
    }
}
