using ActorSales.Domain.Errors;
using ActorSales.Domain.Identity;
using ActorSales.Domain.People;
using ActorSales.Domain.Pipeline;

namespace ActorSales.Domain.UnitTests;

/// <summary>
/// The rules grains used to decide themselves (customer locks, delegates, approval lists and reads, pool claims and
/// assignments, inboxes), now in <see cref="AccessPolicy"/>: who passes, who is refused, and that a refusal names
/// nothing of the record.
/// </summary>
public sealed class AccessPolicyGrainRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);

    private static Caller Rep(string id = "rita", string team = "north") => new(id, Role.Rep, team, SalespersonStatus.Active);
    private static Caller Manager(string id = "max", string team = "north") => new(id, Role.Manager, team, SalespersonStatus.Active);
    private static Caller Director(string id = "dora") => new(id, Role.Director, null, SalespersonStatus.Active);
    private static Caller Admin(string id = "ada") => new(id, Role.Admin, null, SalespersonStatus.Active);
    private static Caller Service(string id = "billing") => new(id, Role.Service, null, SalespersonStatus.Active);

    private static Caller Leaving(Caller caller) => caller with { Status = SalespersonStatus.Departing, ReadsOwnBook = true };

    [Fact]
    public void A_customer_is_locked_by_its_owners_manager_directors_and_admins_but_not_by_its_rep()
    {
        AccessPolicy.EnsureCanLockCustomer(Manager(), "rita", "north");
        AccessPolicy.EnsureCanLockCustomer(Director(), "sam", "south");
        AccessPolicy.EnsureCanLockCustomer(Admin(), "sam", "south");

        var owner = Assert.Throws<AccessDeniedException>(() => AccessPolicy.EnsureCanLockCustomer(Rep(), "rita", "north"));
        var otherManager = Assert.Throws<AccessDeniedException>(() => AccessPolicy.EnsureCanLockCustomer(Manager(team: "south"), "rita", "north"));
        Assert.Throws<AccessDeniedException>(() => AccessPolicy.EnsureCanLockCustomer(Service(), "rita", "north"));
        Assert.Throws<AccessDeniedException>(() => AccessPolicy.EnsureCanLockCustomer(Manager() with { Status = SalespersonStatus.Departing }, "rita", "north"));

        Assert.Equal("only the owner's manager, directors and admins may lock a customer", owner.Message);
        Assert.Equal(owner.Message, otherManager.Message);
    }

    [Fact]
    public void A_delegate_is_named_by_the_approver_or_an_admin_only()
    {
        AccessPolicy.EnsureCanSetDelegate(Director("dora"), "dora");
        AccessPolicy.EnsureCanSetDelegate(Admin(), "dora");

        var director = Assert.Throws<AccessDeniedException>(() => AccessPolicy.EnsureCanSetDelegate(Director("dan"), "dora"));
        Assert.Throws<AccessDeniedException>(() => AccessPolicy.EnsureCanSetDelegate(Manager(), "dora"));
        var frozen = Assert.Throws<AccessDeniedException>(() => AccessPolicy.EnsureCanSetDelegate(Leaving(Director("dora")), "dora"));

        Assert.Equal("you may name a delegate only for your own approvals", director.Message);
        Assert.Equal("account frozen for handover", frozen.Message);
    }

    [Fact]
    public void Pending_approvals_are_listed_for_their_approver_and_org_wide_readers_and_a_leaver_reads_their_own()
    {
        AccessPolicy.EnsureCanListApprovals(Manager(), "max");
        AccessPolicy.EnsureCanListApprovals(Director(), "max");
        AccessPolicy.EnsureCanListApprovals(Admin(), "max");
        AccessPolicy.EnsureCanListApprovals(Leaving(Director("dora")), "dora");

        var rep = Assert.Throws<AccessDeniedException>(() => AccessPolicy.EnsureCanListApprovals(Rep(), "max"));
        Assert.Throws<AccessDeniedException>(() => AccessPolicy.EnsureCanListApprovals(Service(), "max"));
        Assert.Throws<AccessDeniedException>(() => AccessPolicy.EnsureCanListApprovals(Director() with { Status = SalespersonStatus.Departed }, "dora"));

        Assert.Equal("you may list only your own approvals", rep.Message);
    }

    [Fact]
    public void An_approval_is_read_by_its_approver_their_active_delegate_and_whoever_reads_the_deals_book()
    {
        var delegation = new Delegation("dan", Now.AddDays(-1), Now.AddDays(1));

        AccessPolicy.EnsureCanReadApproval(Director("dora"), "rita", "north", "dora", null, Now);
        AccessPolicy.EnsureCanReadApproval(Director("dan"), "rita", "north", "dora", delegation, Now);
        AccessPolicy.EnsureCanReadApproval(Rep(), "rita", "north", "dora", null, Now);
        AccessPolicy.EnsureCanReadApproval(Service(), "rita", "north", "dora", null, Now);

        var expiredDelegate = Assert.Throws<AccessDeniedException>(() =>
            AccessPolicy.EnsureCanReadApproval(Rep("dan", "south"), "rita", "north", "dora", delegation, Now.AddDays(2)));
        Assert.Throws<AccessDeniedException>(() => AccessPolicy.EnsureCanReadApproval(Rep("ron"), "rita", "north", "dora", null, Now));

        Assert.True(AccessPolicy.IsApprovalDecider(Rep("dan"), "dora", delegation, Now));
        Assert.False(AccessPolicy.IsApprovalDecider(Rep("dan"), "dora", delegation, Now.AddDays(1)));
        Assert.DoesNotContain("rita", expiredDelegate.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("dora", expiredDelegate.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_pool_is_claimed_by_its_teams_reps_and_manager_and_a_refusal_names_no_team()
    {
        AccessPolicy.EnsureCanClaimFromPool(Rep(), "north");
        AccessPolicy.EnsureCanClaimFromPool(Manager(), "north");

        var otherTeam = Assert.Throws<AccessDeniedException>(() => AccessPolicy.EnsureCanClaimFromPool(Rep(team: "south"), "north"));
        var director = Assert.Throws<AccessDeniedException>(() => AccessPolicy.EnsureCanClaimFromPool(Director() with { TeamId = "north" }, "north"));
        var admin = Assert.Throws<AccessDeniedException>(() => AccessPolicy.EnsureCanClaimFromPool(Admin(), "north"));
        var service = Assert.Throws<AccessDeniedException>(() => AccessPolicy.EnsureCanClaimFromPool(Service(), "north"));
        Assert.Throws<AccessDeniedException>(() => AccessPolicy.EnsureCanClaimFromPool(Rep() with { Status = SalespersonStatus.Departed }, "north"));

        Assert.All(new[] { otherTeam, director, admin, service }, denied =>
        {
            Assert.Equal("only the reps and the manager of the pool's team may claim from it", denied.Message);
            Assert.DoesNotContain("north", denied.Message, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void A_pool_customer_is_assigned_by_the_teams_manager_directors_and_admins_but_never_a_service()
    {
        AccessPolicy.EnsureCanAssignFromPool(Manager(), "north");
        AccessPolicy.EnsureCanAssignFromPool(Director(), "north");
        AccessPolicy.EnsureCanAssignFromPool(Admin(), "north");

        Assert.Throws<AccessDeniedException>(() => AccessPolicy.EnsureCanAssignFromPool(Rep(), "north"));
        var otherManager = Assert.Throws<AccessDeniedException>(() => AccessPolicy.EnsureCanAssignFromPool(Manager(team: "south"), "north"));
        var service = Assert.Throws<AccessDeniedException>(() => AccessPolicy.EnsureCanAssignFromPool(Service(), "north"));

        Assert.Equal("services may not assign customers", service.Message);
        Assert.DoesNotContain("north", otherManager.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_inbox_is_read_by_its_owner_until_their_last_working_day_and_by_admins_and_changed_only_while_active()
    {
        AccessPolicy.EnsureCanReadInbox(Rep(), "rita");
        AccessPolicy.EnsureCanReadInbox(Leaving(Rep()), "rita");
        AccessPolicy.EnsureCanReadInbox(Admin(), "rita");
        AccessPolicy.EnsureCanChangeInbox(Rep(), "rita");
        AccessPolicy.EnsureCanChangeInbox(Admin(), "rita");

        var director = Assert.Throws<AccessDeniedException>(() => AccessPolicy.EnsureCanReadInbox(Director(), "rita"));
        Assert.Throws<AccessDeniedException>(() => AccessPolicy.EnsureCanReadInbox(Manager(), "rita"));
        Assert.Throws<AccessDeniedException>(() => AccessPolicy.EnsureCanReadInbox(Service(), "rita"));
        var leaverMarks = Assert.Throws<AccessDeniedException>(() => AccessPolicy.EnsureCanChangeInbox(Leaving(Rep()), "rita"));
        Assert.Throws<AccessDeniedException>(() => AccessPolicy.EnsureCanChangeInbox(Manager(), "rita"));

        Assert.Equal("you may read only your own notifications", director.Message);
        Assert.Equal("account frozen for handover", leaverMarks.Message);
    }
}
