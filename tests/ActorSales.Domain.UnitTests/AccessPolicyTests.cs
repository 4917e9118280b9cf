using ActorSales.Domain.Errors;
using ActorSales.Domain.Identity;
using ActorSales.Domain.People;

namespace ActorSales.Domain.UnitTests;

public sealed class AccessPolicyTests
{
    private static Caller Rep(string id = "rita", string team = "north") => new(id, Role.Rep, team, SalespersonStatus.Active);
    private static Caller Manager(string id = "max", string team = "north") => new(id, Role.Manager, team, SalespersonStatus.Active);
    private static Caller Director(string id = "dora") => new(id, Role.Director, null, SalespersonStatus.Active);
    private static Caller Admin(string id = "ada") => new(id, Role.Admin, null, SalespersonStatus.Active);
    private static Caller Service(string id = "billing") => new(id, Role.Service, null, SalespersonStatus.Active);

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

    [Fact]
    public void A_query_returns_a_reps_book_a_managers_team_and_everything_to_the_org_wide_roles()
    {
        var leaver = new Caller("lea", Role.Manager, "north", SalespersonStatus.Departing, ReadsOwnBook: true);

        Assert.Equal(new ReadScope(null, "rita"), AccessPolicy.QueryScope(Rep()));
        Assert.Equal(new ReadScope("north", "max"), AccessPolicy.QueryScope(Manager()));
        Assert.Equal(ReadScope.Everything, AccessPolicy.QueryScope(Director()));
        Assert.Equal(ReadScope.Everything, AccessPolicy.QueryScope(Admin()));
        Assert.Equal(ReadScope.Everything, AccessPolicy.QueryScope(Service()));
        // A departing manager reads their own book until the last working day, no longer the team's.
        Assert.Equal(new ReadScope(null, "lea"), AccessPolicy.QueryScope(leaver));
        Assert.Throws<AccessDeniedException>(() => AccessPolicy.QueryScope(new Caller("rita", Role.Rep, "north", SalespersonStatus.Departed)));
    }

    [Fact]
    public void A_query_filter_naming_a_team_or_owner_out_of_reach_is_refused_and_names_neither()
    {
        AccessPolicy.EnsureCanQueryTeam(Rep(), "north");
        AccessPolicy.EnsureCanQueryTeam(Manager(), "north");
        AccessPolicy.EnsureCanQueryTeam(Service(), "south");
        AccessPolicy.EnsureCanQueryOwner(Rep(), "rita", "north");
        AccessPolicy.EnsureCanQueryOwner(Manager(), "ron", "north");
        AccessPolicy.EnsureCanQueryOwner(Director(), "sam", null);
        AccessPolicy.EnsureCanQueryOwner(Service(), "sam", "south");

        var refusals = new[]
        {
            Assert.Throws<AccessDeniedException>(() => AccessPolicy.EnsureCanQueryTeam(Manager(), "south")),
            Assert.Throws<AccessDeniedException>(() => AccessPolicy.EnsureCanQueryOwner(Rep(), "ron", "north")),
            Assert.Throws<AccessDeniedException>(() => AccessPolicy.EnsureCanQueryOwner(Manager(), "sam", "south")),
            Assert.Throws<AccessDeniedException>(() => AccessPolicy.EnsureCanQueryOwner(Manager(), "ghost", null)),
        };
        Assert.All(refusals, e => Assert.DoesNotContain("south", e.Message, StringComparison.Ordinal));
        Assert.All(refusals, e => Assert.DoesNotContain("ron", e.Message, StringComparison.Ordinal));
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

    [Fact]
    public void The_opportunitys_owner_chain_and_services_read_it_and_its_tasks_others_do_not()
    {
        // OpportunityGrain.ListTasks asks EnsureCanRead for the opportunity: owner rita of team north.
        foreach (var reader in new[] { Rep(), Manager(), Director(), Admin(), Service() })
        {
            AccessPolicy.EnsureCanRead(reader, "rita", "north", "this opportunity");
        }
        foreach (var outsider in new[] { Rep("ron"), Rep("sam", "south"), Manager("mia", "south") })
        {
            Assert.Throws<AccessDeniedException>(() => AccessPolicy.EnsureCanRead(outsider, "rita", "north", "this opportunity"));
        }
    }

    [Fact]
    public void A_department_queue_is_listed_by_its_members_admins_and_services_only()
    {
        AccessPolicy.EnsureCanListDepartmentTasks(Rep("lena", "legal-team"), isMember: true);
        AccessPolicy.EnsureCanListDepartmentTasks(Admin(), isMember: false);
        AccessPolicy.EnsureCanListDepartmentTasks(Service(), isMember: false);

        foreach (var outsider in new[] { Rep(), Manager(), Director() })
        {
            var denied = Assert.Throws<AccessDeniedException>(() => AccessPolicy.EnsureCanListDepartmentTasks(outsider, isMember: false));
            Assert.Equal("only the department's members and admins may list its tasks", denied.Message);
        }
        Assert.Throws<AccessDeniedException>(() => AccessPolicy.EnsureCanListDepartmentTasks(Rep() with { Status = SalespersonStatus.Departing }, isMember: true));
    }

    [Fact]
    public void A_task_is_claimed_by_active_members_of_its_department_and_admins_never_by_a_service()
    {
        AccessPolicy.EnsureCanClaimTask(Rep(), isDepartmentMember: true);
        AccessPolicy.EnsureCanClaimTask(Admin(), isDepartmentMember: false);

        Assert.Throws<AccessDeniedException>(() => AccessPolicy.EnsureCanClaimTask(Service(), isDepartmentMember: false));
        Assert.Throws<AccessDeniedException>(() => AccessPolicy.EnsureCanClaimTask(Service(), isDepartmentMember: true)); // even if an admin listed it
        Assert.Throws<AccessDeniedException>(() => AccessPolicy.EnsureCanClaimTask(Manager(), isDepartmentMember: false));
        Assert.Throws<AccessDeniedException>(() => AccessPolicy.EnsureCanClaimTask(Director(), isDepartmentMember: false));
        Assert.Throws<AccessDeniedException>(() => AccessPolicy.EnsureCanClaimTask(Rep() with { Status = SalespersonStatus.Departing }, isDepartmentMember: true));
    }

    [Fact]
    public void A_task_is_completed_by_the_member_who_claimed_it_or_an_admin_never_by_a_service()
    {
        AccessPolicy.EnsureCanCompleteTask(Rep(), assigneeId: "rita", isDepartmentMember: true);
        AccessPolicy.EnsureCanCompleteTask(Admin(), assigneeId: "rita", isDepartmentMember: false);
        AccessPolicy.EnsureCanCompleteTask(Admin(), assigneeId: null, isDepartmentMember: false);

        Assert.Throws<AccessDeniedException>(() => AccessPolicy.EnsureCanCompleteTask(Rep("ron"), "rita", isDepartmentMember: true)); // another member
        Assert.Throws<AccessDeniedException>(() => AccessPolicy.EnsureCanCompleteTask(Rep(), null, isDepartmentMember: true)); // nobody claimed it
        Assert.Throws<AccessDeniedException>(() => AccessPolicy.EnsureCanCompleteTask(Rep(), "rita", isDepartmentMember: false)); // no longer a member
        Assert.Throws<AccessDeniedException>(() => AccessPolicy.EnsureCanCompleteTask(Manager(), "rita", isDepartmentMember: false));
        Assert.Throws<AccessDeniedException>(() => AccessPolicy.EnsureCanCompleteTask(Director(), "rita", isDepartmentMember: false));
        Assert.Throws<AccessDeniedException>(() => AccessPolicy.EnsureCanCompleteTask(Service(), "billing", isDepartmentMember: true));
    }

    [Fact]
    public void Refusing_a_task_names_nothing_of_it_whoever_holds_it()
    {
        var claim = Assert.Throws<AccessDeniedException>(() => AccessPolicy.EnsureCanClaimTask(Rep("ron"), isDepartmentMember: false));
        var complete = Assert.Throws<AccessDeniedException>(() => AccessPolicy.EnsureCanCompleteTask(Rep("ron"), "rita", isDepartmentMember: false));
        var unclaimed = Assert.Throws<AccessDeniedException>(() => AccessPolicy.EnsureCanCompleteTask(Rep("ron"), null, isDepartmentMember: false));

        Assert.Equal("only members of the task's department and admins may claim it", claim.Message);
        Assert.Equal("only the department member who claimed the task, or an admin, may complete it", complete.Message);
        Assert.Equal(complete.Message, unclaimed.Message); // claimed or not: the same answer
    }

    [Fact]
    public void Only_admins_keep_a_departments_members_which_members_directors_admins_and_services_may_read()
    {
        AccessPolicy.EnsureCanManageDepartment(Admin());
        foreach (var other in new[] { Director(), Manager(), Rep(), Service() })
        {
            var denied = Assert.Throws<AccessDeniedException>(() => AccessPolicy.EnsureCanManageDepartment(other));
            Assert.Equal("only admins may change a department's members", denied.Message);
        }

        foreach (var reader in new[] { Director(), Admin(), Service() })
        {
            AccessPolicy.EnsureCanReadDepartment(reader, isMember: false);
        }
        AccessPolicy.EnsureCanReadDepartment(Rep(), isMember: true);
        Assert.Throws<AccessDeniedException>(() => AccessPolicy.EnsureCanReadDepartment(Rep(), isMember: false));
        Assert.Throws<AccessDeniedException>(() => AccessPolicy.EnsureCanReadDepartment(Manager(), isMember: false));
    }
}
