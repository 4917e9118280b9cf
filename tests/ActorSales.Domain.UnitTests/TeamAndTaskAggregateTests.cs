using ActorSales.Domain.Common;
using ActorSales.Domain.Deadlines;
using ActorSales.Domain.Errors;
using ActorSales.Domain.People;
using ActorSales.Domain.Pipeline;

namespace ActorSales.Domain.UnitTests;

public sealed class TeamAggregateTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 10, 0, 0, TimeSpan.Zero);
    private static readonly TeamProfile North = new("North", "EMEA", "Europe/Berlin");

    private static TestTeamState Created()
    {
        var state = new TestTeamState();
        new TeamAggregate("north", state).Create(North, Now);
        return state;
    }

    [Fact]
    public void Creating_raises_created_at_version_one_and_joins_the_region()
    {
        var state = new TestTeamState();
        var aggregate = new TeamAggregate("north", state);

        aggregate.Create(North, Now);

        Assert.Equal([new Raised<TeamEvent>(1, new TeamEvent.Created())], aggregate.Events);
        Assert.Equal<TeamFollowUp>([new TeamFollowUp.JoinRegion("EMEA")], aggregate.FollowUps);
        Assert.Throws<AlreadyExistsException>(() => new TeamAggregate("north", state).Create(North, Now));
    }

    [Fact]
    public void A_new_region_and_manager_are_one_update_that_moves_the_team_between_regions()
    {
        var state = Created();
        var aggregate = new TeamAggregate("north", state);

        var changed = aggregate.Update(North with { Region = "APAC" }, "mia", null, 1);

        Assert.Equal(["region", "manager_id"], changed);
        var raised = Assert.Single(aggregate.Events);
        Assert.Equal(2, raised.Sequence);
        Assert.Equal(["region", "manager_id"], Assert.IsType<TeamEvent.Updated>(raised.Event).ChangedFields);
        Assert.Equal<TeamFollowUp>([new TeamFollowUp.LeaveRegion("EMEA"), new TeamFollowUp.JoinRegion("APAC")], aggregate.FollowUps);
        Assert.Equal(("APAC", "mia"), (state.Profile!.Region, state.ManagerId));
    }

    [Fact]
    public void A_stale_update_is_refused_unchanged_and_membership_changes_raise_once()
    {
        var state = Created();
        var before = Snapshot.Of(state);
        Assert.Throws<ConcurrencyConflictException>(() => new TeamAggregate("north", state).Update(North with { Name = "N" }, null, null, 7));
        Assert.Equal(before, Snapshot.Of(state));

        state.ManagerId = "mia";
        var join = new TeamAggregate("north", state);
        join.AddMember("mia");
        join.AddMember("mia");
        var leave = new TeamAggregate("north", state);
        leave.RemoveMember("mia");
        leave.RemoveMember("mia");

        Assert.Equal([new Raised<TeamEvent>(2, new TeamEvent.MemberJoined("mia"))], join.Events);
        Assert.Equal([new Raised<TeamEvent>(3, new TeamEvent.MemberLeft("mia"))], leave.Events);
        Assert.Null(state.ManagerId);
    }

    [Fact]
    public void The_managers_lists_change_without_events_and_only_when_they_differ()
    {
        var state = Created();
        var set = new TeamAggregate("north", state);
        set.SetStall("opp_1", StallLevel.Red);
        set.SetIntervention("opp_1", true);
        set.SetReleaseWarning("cus_1", true);
        var same = new TeamAggregate("north", state);
        same.SetStall("opp_1", StallLevel.Red);
        same.SetIntervention("opp_1", true);

        Assert.True(set.Changed);
        Assert.Empty(set.Events);
        Assert.False(same.Changed);
        Assert.Equal(StallLevel.Red, state.Stalled["opp_1"]);
        Assert.Equal(1, state.Version);
    }
}

public sealed class DepartmentTaskAggregateTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 10, 0, 0, TimeSpan.Zero);
    private static readonly TaskPlan Plan = new("opp_1/task/1/0", "legal", "Review", "ContractApproval", Now.AddDays(2));

    [Fact]
    public void A_task_is_created_once_claimed_once_and_completed_once_leaving_its_queue()
    {
        var state = new TestTaskState();
        var create = new DepartmentTaskAggregate("t1", state);
        create.Create(Plan, "opp_1", "north", Now);
        var replay = new DepartmentTaskAggregate("t1", state);
        replay.Create(Plan with { Title = "Other" }, "opp_1", "north", Now.AddDays(1));
        var claim = new DepartmentTaskAggregate("t1", state);
        claim.Claim("lea");
        var complete = new DepartmentTaskAggregate("t1", state);
        complete.Complete("signed", "lea", Now.AddHours(5));

        Assert.Equal([new Raised<DepartmentTaskEvent>(1, new DepartmentTaskChanged())], create.Events);
        Assert.False(replay.Changed);
        Assert.Equal([new Raised<DepartmentTaskEvent>(2, new DepartmentTaskChanged())], claim.Events);
        Assert.Equal([new Raised<DepartmentTaskEvent>(3, new DepartmentTaskChanged())], complete.Events);
        Assert.Equal<DepartmentTaskFollowUp>([new DepartmentTaskFollowUp.RemoveFromQueue("legal")], complete.FollowUps);
        Assert.Equal((DepartmentTaskStatus.Done, "lea", "signed", Now.AddHours(5)), (state.Status, state.AssigneeId, state.Note, state.CompletedAt));
        Assert.Equal("Review", state.Plan!.Title);
    }

    [Fact]
    public void Claiming_a_claimed_task_or_completing_a_done_one_is_refused_unchanged()
    {
        var state = new TestTaskState();
        new DepartmentTaskAggregate("t1", state).Create(Plan, "opp_1", "north", Now);
        new DepartmentTaskAggregate("t1", state).Claim("lea");
        var claimed = Snapshot.Of(state);
        Assert.Throws<PreconditionFailedException>(() => new DepartmentTaskAggregate("t1", state).Claim("max"));
        Assert.Equal(claimed, Snapshot.Of(state));

        new DepartmentTaskAggregate("t1", state).Complete("", "lea", Now);
        var done = Snapshot.Of(state);
        var again = new DepartmentTaskAggregate("t1", state);
        Assert.Throws<PreconditionFailedException>(() => again.Complete("", "lea", Now));
        Assert.Throws<NotFoundException>(() => new DepartmentTaskAggregate("t2", new TestTaskState()).Claim("lea"));
        Assert.Equal(done, Snapshot.Of(state));
        Assert.False(again.Changed);
    }
}
