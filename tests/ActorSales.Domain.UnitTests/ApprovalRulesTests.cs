using ActorSales.Domain.Errors;
using ActorSales.Domain.Identity;
using ActorSales.Domain.People;
using ActorSales.Domain.Pipeline;

namespace ActorSales.Domain.UnitTests;

public sealed class ApprovalRulesTests
{
    private static readonly PipelineDefinition B2B = new("b2b", 1, "B2B",
    [
        new StageDefinition("PriceNegotiation", "Price negotiation", ["quote"], [], TimeSpan.FromDays(10), TimeSpan.FromDays(15)),
        new StageDefinition("ContractApproval", "Contract approval", ["signed_contract"], [], TimeSpan.FromDays(2), TimeSpan.FromDays(3)),
    ], AllowSkipping: false);

    private static readonly ApprovalOptions Options = new() { Threshold = 500_000m };

    private static readonly Money Approved = new(600_000m, "EUR");

    public static TheoryData<string, Money?, decimal, string, bool> Reapprovals => new()
    {
        { "ContractApproval", Approved, 600_000m, "EUR", false }, // unchanged
        { "ContractApproval", Approved, 550_000m, "EUR", false }, // lowered: covered by what was approved
        { "ContractApproval", Approved, 600_000.01m, "EUR", true }, // raised by a cent
        { "ContractApproval", Approved, 600_000m, "USD", true }, // another currency is another amount
        { "ContractApproval", Approved, 400_000m, "USD", false }, // at or below the threshold nothing needs approval
        { "ContractApproval", null, 700_000m, "EUR", true }, // entered below the threshold, raised above it
        { "PriceNegotiation", null, 700_000m, "EUR", false }, // before the approval stage: entering it will ask
    };

    [Theory]
    [MemberData(nameof(Reapprovals))]
    public void A_value_not_covered_by_the_granted_approval_needs_a_new_one(string stage, Money? approved, decimal amount, string currency, bool needed) =>
        Assert.Equal(needed, ApprovalRules.NeedsReapproval(B2B, stage, approved, new Money(amount, currency), Options));

    [Fact]
    public void A_denied_decider_learns_no_approver_name()
    {
        var stranger = new Caller("sam", Role.Rep, "south", SalespersonStatus.Active);

        var denied = Assert.Throws<AccessDeniedException>(() => ApprovalRules.EnsureCanDecide(stranger, "dora-director", null, DateTimeOffset.UnixEpoch));

        Assert.DoesNotContain("dora", denied.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Transfers_out_of_a_team_are_decided_before_the_target_is_known()
    {
        var manager = new Caller("max", Role.Manager, "north", SalespersonStatus.Active);
        var rep = new Caller("rita", Role.Rep, "north", SalespersonStatus.Active);

        AccessPolicy.EnsureCanTransferFrom(manager, "north");
        Assert.Throws<AccessDeniedException>(() => AccessPolicy.EnsureCanTransferFrom(manager, "south"));
        Assert.Throws<AccessDeniedException>(() => AccessPolicy.EnsureCanTransferFrom(rep, "north"));
        Assert.Throws<AccessDeniedException>(() => AccessPolicy.EnsureCanTransfer(manager, "north", "south"));
        AccessPolicy.EnsureCanTransfer(manager, "north", "north");
    }
}

public sealed class ServiceAccountTests
{
    [Fact]
    public void A_service_account_may_read_but_never_change()
    {
        var service = new Caller("feed-reader", Role.Service, null, SalespersonStatus.Active);

        AccessPolicy.EnsureMayCall(service, changesState: false);
        var denied = Assert.Throws<AccessDeniedException>(() => AccessPolicy.EnsureMayCall(service, changesState: true));

        Assert.Equal("a service account reads everything and changes nothing", denied.Message);
    }

    [Fact]
    public void An_approval_escalates_one_level_up_the_chain_and_an_approver_outside_it_to_the_top()
    {
        var options = new ApprovalOptions { EscalationApproverId = "head" };

        Assert.Equal(["dora", "head"], ApprovalFollowThrough.EscalationCandidates("mia", "mia", "dora", options));
        Assert.Equal(["head"], ApprovalFollowThrough.EscalationCandidates("dora", "mia", "dora", options));
        Assert.Empty(ApprovalFollowThrough.EscalationCandidates("head", "mia", "dora", options));
        Assert.Equal(["head"], ApprovalFollowThrough.EscalationCandidates("default-approver", "mia", "dora", options));
        Assert.Empty(ApprovalFollowThrough.EscalationCandidates("dora", "mia", "dora", new ApprovalOptions()));
    }

    [Fact]
    public void A_pending_approval_is_reminded_after_24_hours_and_escalated_after_72()
    {
        var since = new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

        var deadlines = ApprovalFollowThrough.DeadlinesFor(since, new ApprovalOptions());

        Assert.Equal([new Deadlines.Deadline(ApprovalFollowThrough.Remind, since.AddHours(24)), new Deadlines.Deadline(ApprovalFollowThrough.Escalate, since.AddHours(72))], deadlines);
        Assert.Empty(ApprovalFollowThrough.DeadlinesFor(null, new ApprovalOptions()));
    }
}
