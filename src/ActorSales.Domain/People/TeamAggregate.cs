using ActorSales.Domain.Goals;
using ActorSales.Domain.Common;
using ActorSales.Domain.Deadlines;
using ActorSales.Domain.Errors;

namespace ActorSales.Domain.People;

/// <summary>What a team aggregate decides over: the persisted state's domain fields.</summary>
public interface ITeamState
{
    bool Created { get; set; }
    TeamProfile? Profile { get; set; }
    string? ManagerId { get; set; }
    string? DirectorId { get; set; }
    SortedSet<string> Members { get; }
    DateTimeOffset CreatedAt { get; set; }
    long Version { get; set; }

    /// <summary>Stalled open opportunities of the team and their level: the manager's stalled list.</summary>
    Dictionary<string, StallLevel> Stalled { get; }

    /// <summary>Open opportunities whose forecast signal stopped advancing: the manager's intervention list.</summary>
    SortedSet<string> Interventions { get; }

    /// <summary>Customers whose owner was warned of the coming release.</summary>
    SortedSet<string> AboutToRelease { get; }

    /// <summary>Goals of the team and its reps, by <see cref="GoalKey.Text"/>.</summary>
    Dictionary<string, Goal> Goals { get; }

    /// <summary>The team's time rules: anomaly streaks and firings, the forecast snapshot week.</summary>
    Insights.TeamInsights Insights { get; }
}

/// <summary>What happened to a team; each becomes one published event, built from the state the command left.</summary>
public abstract record TeamEvent
{
    public sealed record Created : TeamEvent;

    public sealed record Updated(IReadOnlyList<string> ChangedFields) : TeamEvent;

    public sealed record MemberJoined(string SalespersonId) : TeamEvent;

    public sealed record MemberLeft(string SalespersonId) : TeamEvent;

    public sealed record GoalSet(Goal Goal) : TeamEvent;

    public sealed record AnomalyDetected(Insights.Anomaly Anomaly) : TeamEvent;

    public sealed record AnomalyCleared(Insights.Anomaly Anomaly) : TeamEvent;

    public sealed record ForecastSnapshotTaken(Insights.ForecastSnapshot Snapshot) : TeamEvent;
}

/// <summary>What other records must learn about a team's change: its region's forecast counts it, or no longer does.</summary>
public abstract record TeamFollowUp
{
    public sealed record JoinRegion(string Region) : TeamFollowUp;

    public sealed record LeaveRegion(string Region) : TeamFollowUp;

    /// <summary>Tell a user (the manager of an anomaly); the notification's id makes it once only.</summary>
    public sealed record Notify(string RecipientId, Notification Notification) : TeamFollowUp;
}

/// <summary>
/// A team's decisions: creation, profile and leadership changes (the grain checked the new manager or director first),
/// membership, and the manager's lists (stalled, interventions, about to release).
/// </summary>
public sealed partial class TeamAggregate(string id, ITeamState state) : Aggregate<TeamEvent, TeamFollowUp>
{
    private const string Entity = "team";

    protected override long Version { get => state.Version; set => state.Version = value; }

    public void Create(TeamProfile profile, DateTimeOffset now)
    {
        if (state.Created)
        {
            throw new AlreadyExistsException($"team '{id}' already exists", id);
        }
        state.Created = true;
        state.Profile = profile;
        state.CreatedAt = now;
        Raise(new TeamEvent.Created());
        Then(new TeamFollowUp.JoinRegion(profile.Region));
    }

    /// <summary>
    /// Applies a validated profile and, when given and different, a new manager or director (checked eligible by the
    /// grain). A new region moves the team between regions. Returns the changed field names (none: nothing happened).
    /// </summary>
    public IReadOnlyList<string> Update(TeamProfile profile, string? managerId, string? directorId, long expectedVersion)
    {
        EnsureCreated();
        Guard.Version(expectedVersion, state.Version, Entity, id);
        var current = state.Profile!;
        var changed = new List<string>();
        if (profile.Name != current.Name) changed.Add("name");
        if (profile.Region != current.Region) changed.Add("region");
        if (profile.TimeZone != current.TimeZone) changed.Add("time_zone");
        if (managerId is not null && managerId != state.ManagerId) changed.Add("manager_id");
        if (directorId is not null && directorId != state.DirectorId) changed.Add("director_id");
        if (changed.Count == 0)
        {
            return changed;
        }
        state.Profile = profile;
        state.ManagerId = managerId ?? state.ManagerId;
        state.DirectorId = directorId ?? state.DirectorId;
        Raise(new TeamEvent.Updated(changed));
        if (profile.Region != current.Region)
        {
            Then(new TeamFollowUp.LeaveRegion(current.Region));
            Then(new TeamFollowUp.JoinRegion(profile.Region));
        }
        return changed;
    }

    /// <summary>The salesperson joined (idempotent).</summary>
    public void AddMember(string salespersonId)
    {
        EnsureCreated();
        if (state.Members.Add(salespersonId))
        {
            Raise(new TeamEvent.MemberJoined(salespersonId));
        }
    }

    /// <summary>The salesperson left (idempotent); a leaving manager leaves the team without one.</summary>
    public void RemoveMember(string salespersonId)
    {
        if (!state.Members.Remove(salespersonId))
        {
            return;
        }
        if (state.ManagerId == salespersonId)
        {
            state.ManagerId = null;
        }
        Raise(new TeamEvent.MemberLeft(salespersonId));
    }

    /// <summary>The stalled list shows the deal at <paramref name="level"/> (None takes it off).</summary>
    public void SetStall(string opportunityId, StallLevel level)
    {
        var changed = level == StallLevel.None
            ? state.Stalled.Remove(opportunityId)
            : !state.Stalled.TryGetValue(opportunityId, out var current) || current != level;
        if (level != StallLevel.None)
        {
            state.Stalled[opportunityId] = level;
        }
        if (changed)
        {
            Touch();
        }
    }

    /// <summary>The about-to-release list shows (or drops) the customer.</summary>
    public void SetReleaseWarning(string customerId, bool warned)
    {
        if (warned ? state.AboutToRelease.Add(customerId) : state.AboutToRelease.Remove(customerId))
        {
            Touch();
        }
    }

    /// <summary>The intervention list shows (or drops) the deal.</summary>
    public void SetIntervention(string opportunityId, bool needed)
    {
        if (needed ? state.Interventions.Add(opportunityId) : state.Interventions.Remove(opportunityId))
        {
            Touch();
        }
    }

    /// <summary>
    /// Sets or replaces a goal of the team or of one of its members; its period is fixed in the team's time zone now.
    /// The same target again changes nothing. Returns the goal as stored.
    /// </summary>
    public Goal SetGoal(GoalTarget target, string actorId, DateTimeOffset now)
    {
        EnsureCreated();
        if (target.Key.OwnerId.Length > 0 && !state.Members.Contains(target.Key.OwnerId))
        {
            throw new PreconditionFailedException($"owner_id: '{target.Key.OwnerId}' is not a member of team '{id}'");
        }
        if (state.Goals.TryGetValue(target.Key.Text, out var existing)
            && existing.Target == target.Target && existing.Currency == target.Currency)
        {
            return existing;
        }
        var zone = TimeZoneInfo.FindSystemTimeZoneById(state.Profile!.TimeZone);
        var (from, to) = GoalRules.Period(target.Key, zone);
        var goal = new Goal(target.Key, from, to, target.Target, target.Currency, actorId, now);
        state.Goals[target.Key.Text] = goal;
        Raise(new TeamEvent.GoalSet(goal));
        return goal;
    }

    private void EnsureCreated()
    {
        if (!state.Created)
        {
            throw new NotFoundException(Entity, id);
        }
    }
}
