using ActorSales.Domain.Errors;
using ActorSales.Domain.Identity;
using ActorSales.Domain.People;

namespace ActorSales.Domain.UnitTests;

public sealed class AccessPolicyTests
{
    private static Caller Rep(string id = "rita", string team = "north") => new(id, Role.Rep, team, SalespersonStatus.Active);
    private static Caller Manager(string id = "max", string team = "north") => new(id, Role.Manager, team, SalespersonStatus.Active);

    [Fact]
    public void A_rep_reads_and_changes_only_their_own_book()
    {
        Assert.True(AccessPolicy.CanChange(Rep(), "rita", "north"));
        Assert.False(AccessPolicy.CanChange(Rep(), "ron", "north"));
        Assert.False(AccessPolicy.CanRead(Rep(), "ron", "north"));
    }

    [Fact]
    public void A_manager_acts_on_their_teams_book_but_not_another_teams()
    {
        Assert.True(AccessPolicy.CanChange(Manager(), "rita", "north"));
        Assert.False(AccessPolicy.CanChange(Manager(), "sam", "south"));
        Assert.False(AccessPolicy.CanRead(Manager(), "sam", "south"));
    }

    [Fact]
    public void Feeds_are_scoped_to_the_own_book_for_reps_the_team_for_managers_and_everything_for_services()
    {
        var service = new Caller("billing", Role.Service, null, SalespersonStatus.Active);
        var departed = new Caller("rita", Role.Rep, "north", SalespersonStatus.Departed);

        Assert.Equal(new ReadScope(null, "rita"), AccessPolicy.FeedScope(Rep(), null));
        Assert.Equal(new ReadScope("north", "max"), AccessPolicy.FeedScope(Manager(), "north"));
        Assert.Equal(ReadScope.Everything, AccessPolicy.FeedScope(service, "south"));
        Assert.Throws<AccessDeniedException>(() => AccessPolicy.FeedScope(Manager(), "south"));
        Assert.Throws<AccessDeniedException>(() => AccessPolicy.FeedScope(departed, null));
    }

    [Theory]
    [InlineData(Role.Director)]
    [InlineData(Role.Admin)]
    public void Directors_and_admins_act_on_every_book(Role role)
    {
        var caller = new Caller("boss", role, null, SalespersonStatus.Active);
        Assert.True(AccessPolicy.CanChange(caller, "sam", "south"));
    }

    [Fact]
    public void A_service_reads_everything_and_changes_nothing()
    {
        var service = new Caller("billing", Role.Service, null, SalespersonStatus.Active);
        Assert.True(AccessPolicy.CanRead(service, "sam", "south"));
        Assert.False(AccessPolicy.CanChange(service, "sam", "south"));
    }

    [Theory]
    [InlineData(SalespersonStatus.Departing, "account frozen for handover")]
    [InlineData(SalespersonStatus.Departed, "account has departed")]
    public void A_frozen_or_departed_user_can_do_nothing_even_on_their_own_book(SalespersonStatus status, string message)
    {
        var caller = Rep() with { Status = status };
        Assert.False(AccessPolicy.CanRead(caller, "rita", "north"));
        var denied = Assert.Throws<AccessDeniedException>(() => AccessPolicy.EnsureCanChange(caller, "rita", "north", "this customer"));
        Assert.Equal(message, denied.Message);
    }

    [Fact]
    public void A_manager_transfers_only_within_their_own_team()
    {
        AccessPolicy.EnsureCanTransfer(Manager(), "north", "north");
        Assert.Throws<AccessDeniedException>(() => AccessPolicy.EnsureCanTransfer(Manager(), "north", "south"));
        Assert.Throws<AccessDeniedException>(() => AccessPolicy.EnsureCanTransfer(Rep(), "north", "north"));
        AccessPolicy.EnsureCanTransfer(new Caller("d", Role.Director, null, SalespersonStatus.Active), "north", "south");
    }

    [Fact]
    public void Only_directors_and_admins_manage_the_organisation()
    {
        Assert.Throws<AccessDeniedException>(() => AccessPolicy.EnsureCanAdministerOrganisation(Manager()));
        AccessPolicy.EnsureCanAdministerOrganisation(new Caller("a", Role.Admin, null, SalespersonStatus.Active));
    }

    [Fact]
    public void A_person_sees_their_own_profile_and_their_managers_see_it_too()
    {
        AccessPolicy.EnsureCanReadPerson(Rep(), "rita", "north");
        AccessPolicy.EnsureCanReadPerson(Manager(), "rita", "north");
        Assert.Throws<AccessDeniedException>(() => AccessPolicy.EnsureCanReadPerson(Rep("ron"), "rita", "north"));
        Assert.Throws<AccessDeniedException>(() => AccessPolicy.EnsureCanReadPerson(Manager(team: "south"), "rita", "north"));
    }

    [Fact]
    public void Teams_are_visible_to_their_members_only()
    {
        AccessPolicy.EnsureCanReadTeam(Rep(), "north");
        Assert.Throws<AccessDeniedException>(() => AccessPolicy.EnsureCanReadTeam(Rep(), "south"));
    }
}
