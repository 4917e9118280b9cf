using ActorSales.Contracts.V1;
using ActorSales.Domain.Pipeline;
using ActorSales.Grains.Abstractions.Events;
using ForecastSignal = ActorSales.Contracts.V1.ForecastSignal;

namespace ActorSales.ReadModel.Tests;

/// <summary>The pure projection and the search normalisation, without a store.</summary>
public sealed class ProjectionTests
{
    private static readonly Projection Projection = Projection.Default;

    private static CustomerRow? Customer(IEnumerable<StoredEvent> events, string id) =>
        events.Where(s => s.Event.EntityId == id).Aggregate((CustomerRow?)null, (row, s) => Projection.Apply(row, s.Event.ToEvent()));

    private static OpportunityRow? Opportunity(IEnumerable<StoredEvent> events, string id) =>
        events.Where(s => s.Event.EntityId == id).Aggregate((OpportunityRow?)null, (row, s) => Projection.Apply(row, s.Event.ToEvent()));

    private static EventBuilder CustomerWithWarning()
    {
        var b = new EventBuilder();
        b.Customer("c1", "Acme", "team-a", "rep-1", contacts: ("Anna", "+86 138 0013 8000", "anna@acme.de"));
        b.ReleaseWarning("c1");
        return b;
    }

    [Fact]
    public void A_release_warning_marks_the_customer_and_other_overdue_rules_do_not()
    {
        var b = CustomerWithWarning();
        Assert.True(Customer(b.All, "c1")!.ReleaseWarned);

        var other = new EventBuilder();
        other.Customer("c1", "Acme", "team-a", "rep-1");
        other.Overdue("c1", "key-customer-follow-up");
        Assert.False(Customer(other.All, "c1")!.ReleaseWarned);
    }

    [Fact]
    public void A_grade_change_sets_the_grade_beside_the_tier_and_a_full_record_keeps_it()
    {
        var b = new EventBuilder();
        b.Customer("c1", "Acme", "team-a", "rep-1", CustomerTier.A);
        b.Graded("c1", CustomerGrade.C);
        var graded = Customer(b.All, "c1")!;
        b.Lock("c1"); // a full record, as the grain publishes it, carries the grade it has now

        Assert.Equal((CustomerGrade.C, CustomerTier.A, 2L), (graded.Grade, graded.Tier, graded.Version));
        Assert.Equal(CustomerGrade.C, Customer(b.All, "c1")!.Grade);
    }

    [Fact]
    public void Real_follow_up_ends_the_warning_and_sets_the_follow_up_time_a_note_does_neither()
    {
        var b = CustomerWithWarning();
        b.Now = b.Now.AddDays(1);
        b.Activity("c1", ActivityKind.Note, "internal", isFollowUp: false);
        var afterNote = Customer(b.All, "c1")!;
        Assert.True(afterNote.ReleaseWarned);
        Assert.Null(afterNote.LastFollowUpAt);
        Assert.Equal(1, afterNote.Doc.ActivityCount);

        b.Now = b.Now.AddDays(1);
        b.Activity("c1", ActivityKind.Visit, "site visit", isFollowUp: true);
        var afterVisit = Customer(b.All, "c1")!;
        Assert.False(afterVisit.ReleaseWarned);
        Assert.Equal(b.Now, afterVisit.LastFollowUpAt);
        Assert.Equal(2, afterVisit.Doc.ActivityCount);
    }

    [Fact]
    public void Release_pools_the_customer_without_owner_and_a_claim_gives_it_one()
    {
        var b = CustomerWithWarning();
        b.Release("c1");
        var pooled = Customer(b.All, "c1")!;
        Assert.True(pooled.InPool);
        Assert.Equal(string.Empty, pooled.OwnerId);
        Assert.Equal("team-a", pooled.TeamId);
        Assert.False(pooled.ReleaseWarned);

        b.Claim("c1", "rep-2");
        var claimed = Customer(b.All, "c1")!;
        Assert.False(claimed.InPool);
        Assert.Equal("rep-2", claimed.OwnerId);
        Assert.Equal(4, claimed.Version);
    }

    [Fact]
    public void A_transfer_moves_owner_and_team_and_ends_the_warning()
    {
        var b = CustomerWithWarning();
        b.Transfer("c1", "rep-9", "team-b");

        var row = Customer(b.All, "c1")!;
        Assert.Equal(("rep-9", "team-b", false), (row.OwnerId, row.TeamId, row.ReleaseWarned));
    }

    [Fact]
    public void The_lock_comes_with_the_full_record_and_keeps_the_warning()
    {
        var b = CustomerWithWarning();
        b.Lock("c1");

        var row = Customer(b.All, "c1")!;
        Assert.True(row.Locked);
        Assert.True(row.ReleaseWarned);
    }

    [Fact]
    public void A_replayed_event_changes_nothing_and_a_delta_without_its_record_makes_no_row()
    {
        var b = CustomerWithWarning();
        var row = Customer(b.All, "c1")!;

        Assert.Same(row, Projection.Apply(row, b.All[0].Event.ToEvent()));
        Assert.Null(Projection.Apply((CustomerRow?)null, b.All[1].Event.ToEvent()));
    }

    [Fact]
    public void Deal_deltas_apply_stage_signal_weight_stall_and_owner()
    {
        var b = new EventBuilder();
        b.Customer("c1", "Acme", "team-a", "rep-1");
        b.Opportunity("o1", "c1", 1234.56m, "EUR", b.Now.AddDays(30));
        b.Now = b.Now.AddDays(2);
        b.Stage("o1", "ProposalSubmitted");
        b.Signal("o1", ForecastSignal.L3);
        b.Stall("o1", StallLevel.Red);
        b.OpportunityOwner("o1", "rep-2", "team-b");

        var row = Opportunity(b.All, "o1")!;
        Assert.Equal("ProposalSubmitted", row.Doc.Stage);
        Assert.Equal(b.Now, row.StageEnteredAt);
        Assert.Equal(2, row.Doc.History.Count);
        Assert.Equal(ForecastSignal.L3, row.Doc.Signal);
        Assert.Equal(b.Now, row.Doc.SignalChangedAt.ToDateTimeOffset());
        Assert.Equal("802.46", row.Doc.WeightedValue.Amount); // 65 % of 1234.56, to the cent
        Assert.Equal(StallLevel.Red, row.Doc.StallLevel);
        Assert.Equal(("rep-2", "team-b"), (row.OwnerId, row.TeamId));
        Assert.Equal(1234.56m, row.Amount);
    }

    [Fact]
    public void The_weighted_value_follows_the_configured_weights()
    {
        var b = new EventBuilder();
        b.Customer("c1", "Acme", "team-a", "rep-1");
        b.Opportunity("o1", "c1", 1000m, "EUR", b.Now.AddDays(30));
        b.Signal("o1", ForecastSignal.L1);
        var projection = new Projection(new ForecastWeights { L1 = 25 });

        var row = b.All.Aggregate((OpportunityRow?)null, (r, s) => s.Event.EntityType == (int)EntityType.Opportunity ? projection.Apply(r, s.Event.ToEvent()) : r)!;

        Assert.Equal("250", row.Doc.WeightedValue.Amount);
    }

    [Fact]
    public void Team_members_stay_sorted_and_a_departure_shows_in_the_status()
    {
        var b = new EventBuilder();
        b.Team("t1", "East", "East", "m1", "m1");
        b.MemberJoined("t1", "b-rep");
        b.MemberJoined("t1", "a-rep");
        b.MemberLeft("t1", "m1");
        b.Salesperson("a-rep", "A", Role.Rep, "t1");
        b.DepartureStarted("a-rep", "t1");
        b.Departed("a-rep", "t1");

        var team = b.All.Where(s => s.Event.EntityId == "t1").Aggregate((TeamRow?)null, (r, s) => Projection.Apply(r, s.Event.ToEvent()))!;
        var person = b.All.Where(s => s.Event.EntityId == "a-rep").Aggregate((SalespersonRow?)null, (r, s) => Projection.Apply(r, s.Event.ToEvent()))!;

        Assert.Equal(["a-rep", "b-rep"], team.Doc.MemberIds);
        Assert.Equal(4, team.Version);
        Assert.Equal(SalespersonStatus.Departed, person.Doc.Status);
    }

    [Fact]
    public void Search_text_is_lower_case_single_spaced_and_phones_are_digits()
    {
        var b = new EventBuilder();
        b.Customer("c1", "  ACME   Gmbh ", "t", "o", company: "杭州市第一中心医院", contacts: ("Ｗang  Wei", "+86 (138) 0013-8000", "Wang@HZ.cn"));

        var row = Customer(b.All, "c1")!;

        Assert.Equal("acme gmbh\n杭州市第一中心医院\nwang wei\nwang@hz.cn", row.SearchText);
        Assert.Equal("8613800138000", row.SearchDigits);
        Assert.Equal("acme gmbh", row.SortName);
    }

    [Theory]
    [InlineData("1380013", "1380013")]
    [InlineData("+86 138", "86138")]
    [InlineData("(0) 1", null)] // too few digits to be a phone search
    [InlineData("acme 2024", null)]
    [InlineData("中心医院", null)]
    public void A_query_searches_phones_only_when_it_reads_as_one(string query, string? digits)
    {
        Assert.Equal(digits, SearchNormalizer.Parse(query).Digits);
    }

    [Theory]
    [InlineData("acme gmbh", 0)]
    [InlineData("acme", 1)]
    [InlineData("wang", 1)]
    [InlineData("gmbh", 2)]
    [InlineData("中心", 2)]
    [InlineData("8613800138000", 0)]
    [InlineData("1380013", 2)]
    [InlineData("zzz", null)]
    public void Rank_prefers_a_whole_field_then_a_field_start_then_anywhere(string query, int? rank)
    {
        Assert.Equal(rank, SearchNormalizer.Rank("acme gmbh\n杭州市第一中心医院\nwang wei", "8613800138000", SearchNormalizer.Parse(query)));
    }
}
