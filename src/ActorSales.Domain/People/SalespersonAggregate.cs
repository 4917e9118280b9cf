using ActorSales.Domain.Common;
using ActorSales.Domain.Errors;
using ActorSales.Domain.Pipeline;

namespace ActorSales.Domain.People;

/// <summary>What a salesperson aggregate decides over: the persisted state's domain fields.</summary>
public interface ISalespersonState
{
    bool Created { get; set; }
    SalespersonProfile? Profile { get; set; }
    SalespersonStatus Status { get; set; }
    DateTimeOffset CreatedAt { get; set; }
    long Version { get; set; }
    Delegation? Delegation { get; set; }
    DateTimeOffset? ReadsUntil { get; set; }
    string? HandoverId { get; set; }

    /// <summary>Pending approvals addressed to this person, as earlier releases kept them (now in their own index).</summary>
    SortedSet<string> PendingApprovalIds { get; }

    /// <summary>Approvers who named this person delegate, as an earlier release kept them (now in their own index).</summary>
    SortedSet<string> Delegators { get; }

    /// <summary>Handovers with a package addressed to this person, oldest first.</summary>
    List<string> HandoverPackages { get; }

    /// <summary>Book entries as releases before the book grain kept them here; empty once handed over.</summary>
    SortedSet<string> CustomerIds { get; }

    /// <inheritdoc cref="CustomerIds"/>
    SortedSet<string> WonCustomerIds { get; }

    /// <inheritdoc cref="CustomerIds"/>
    SortedSet<string> OpenOpportunityIds { get; }

    /// <summary>The book entries above were handed to the book grain (or there never were any).</summary>
    bool BookMoved { get; set; }
}

/// <summary>What happened to a salesperson; each becomes one published event.</summary>
public abstract record SalespersonEvent
{
    public sealed record Created : SalespersonEvent;

    public sealed record Updated(IReadOnlyList<string> ChangedFields) : SalespersonEvent;

    public sealed record DepartureStarted(string HandoverId, DateTimeOffset ReadsUntil) : SalespersonEvent;

    public sealed record Departed(string TeamId) : SalespersonEvent;
}

/// <summary>What other records must learn about a salesperson's change.</summary>
public abstract record SalespersonFollowUp
{
    /// <summary>The team lists the salesperson as a member.</summary>
    public sealed record JoinTeam(string TeamId) : SalespersonFollowUp;

    /// <summary>The team no longer lists the salesperson.</summary>
    public sealed record LeaveTeam(string TeamId) : SalespersonFollowUp;

    /// <summary>An owned customer follows its owner into the new team's scope.</summary>
    public sealed record MoveCustomerToTeam(string CustomerId, string TeamId) : SalespersonFollowUp;

    /// <summary>An owned open deal follows its owner into the new team's scope.</summary>
    public sealed record MoveOpportunityToTeam(string OpportunityId, string TeamId) : SalespersonFollowUp;

    /// <summary>The delegate's index shows (or drops) this person as an approver who named them.</summary>
    public sealed record LinkDelegator(string DelegateId, bool Active) : SalespersonFollowUp;

    /// <summary>The departed person's inbox takes nothing more.</summary>
    public sealed record CloseInbox : SalespersonFollowUp;

    /// <summary>Book entries this state kept move to the book grain.</summary>
    public sealed record ImportBook(BookEntries Entries) : SalespersonFollowUp;
}

/// <summary>
/// A salesperson's decisions: creation, profile and team changes (a team move re-scopes the book, which the grain reads
/// first), the departure freeze and its end, delegation, and the small indexes kept on the record.
/// </summary>
public sealed class SalespersonAggregate(string id, ISalespersonState state) : Aggregate<SalespersonEvent, SalespersonFollowUp>
{
    private const string Entity = "salesperson";

    protected override long Version { get => state.Version; set => state.Version = value; }

    public void Create(SalespersonProfile profile, DateTimeOffset now)
    {
        if (state.Created)
        {
            throw new AlreadyExistsException($"salesperson '{id}' already exists", id);
        }
        state.Created = true;
        state.Profile = profile;
        state.Status = SalespersonStatus.Active;
        state.CreatedAt = now;
        state.BookMoved = true; // the book starts in its own grain, which learns that nothing is left to import
        Raise(new SalespersonEvent.Created());
        Then(new SalespersonFollowUp.JoinTeam(profile.TeamId));
        Then(new SalespersonFollowUp.ImportBook(BookEntries.Empty));
    }

    /// <summary>
    /// Applies a validated profile. A team move takes the person's <paramref name="book"/> (read by the grain first)
    /// into the new team's scope. Returns the changed field names (none: nothing happened).
    /// </summary>
    public IReadOnlyList<string> Update(SalespersonProfile profile, long expectedVersion, BookEntries book)
    {
        EnsureCreated();
        Guard.Version(expectedVersion, state.Version, Entity, id);
        var current = state.Profile!;
        var changed = new List<string>();
        if (profile.Name != current.Name) changed.Add("name");
        if (profile.Email != current.Email) changed.Add("email");
        if (profile.Role != current.Role) changed.Add("role");
        if (profile.TeamId != current.TeamId) changed.Add("team_id");
        if (changed.Count == 0)
        {
            return changed;
        }
        if (profile.TeamId != current.TeamId)
        {
            MoveTeam(current.TeamId, profile.TeamId, book);
        }
        state.Profile = profile;
        Raise(new SalespersonEvent.Updated(changed));
        return changed;
    }

    /// <summary>
    /// A team move an earlier release stored as a pending field: its follow-ups now, over the book as it stands. No event
    /// (the update that started it had one).
    /// </summary>
    public void ResumeTeamMove(string? fromTeamId, string toTeamId, BookEntries book)
    {
        if (fromTeamId is null)
        {
            Then(new SalespersonFollowUp.JoinTeam(toTeamId));
        }
        else
        {
            MoveTeam(fromTeamId, toTeamId, book);
        }
        Touch();
    }

    /// <summary>Freezes the account for a handover; a retry by the same handover changes nothing.</summary>
    public void BeginDeparture(string handoverId, DateTimeOffset readsUntil)
    {
        EnsureCreated();
        if (state.HandoverId == handoverId && state.Status is SalespersonStatus.Departing or SalespersonStatus.Departed)
        {
            return;
        }
        if (state.Status != SalespersonStatus.Active)
        {
            throw new PreconditionFailedException($"salesperson '{id}' is {state.Status.ToString().ToLowerInvariant()}, not active; a departure cannot start");
        }
        state.Status = SalespersonStatus.Departing;
        state.ReadsUntil = readsUntil;
        state.HandoverId = handoverId;
        Raise(new SalespersonEvent.DepartureStarted(handoverId, readsUntil));
    }

    /// <summary>
    /// The handover finished: departed (claim rights end with the status), the team no longer counts the leaver and the
    /// inbox takes nothing more. A repeated completion changes nothing: its follow-ups are already stored.
    /// </summary>
    public void CompleteDeparture(string handoverId)
    {
        EnsureCreated();
        if (state.HandoverId != handoverId)
        {
            throw new PreconditionFailedException($"salesperson '{id}' is not departing under handover '{handoverId}'");
        }
        if (state.Status == SalespersonStatus.Departed)
        {
            return;
        }
        state.Status = SalespersonStatus.Departed;
        state.ReadsUntil = null;
        var teamId = state.Profile!.TeamId;
        Raise(new SalespersonEvent.Departed(teamId));
        Then(new SalespersonFollowUp.LeaveTeam(teamId));
        Then(new SalespersonFollowUp.CloseInbox());
    }

    /// <summary>Names (or clears) the delegate; the delegates' indexes follow. The grain checked the new delegate is active.</summary>
    public void SetDelegate(Delegation? delegation)
    {
        EnsureCreated();
        var previous = state.Delegation;
        state.Delegation = delegation;
        if (previous is not null && previous.DelegateId != delegation?.DelegateId)
        {
            Then(new SalespersonFollowUp.LinkDelegator(previous.DelegateId, false));
        }
        if (delegation is not null)
        {
            Then(new SalespersonFollowUp.LinkDelegator(delegation.DelegateId, true));
        }
        Touch();
    }

    /// <summary>An earlier release's list of approvals addressed to this person, still kept for its silos during a rolling upgrade.</summary>
    public void LinkApproval(string approvalId, bool pending)
    {
        EnsureCreated();
        if (pending ? state.PendingApprovalIds.Add(approvalId) : state.PendingApprovalIds.Remove(approvalId))
        {
            Touch();
        }
    }

    /// <summary>An earlier release's delegator list, still kept for silos of that release during a rolling upgrade.</summary>
    public void LinkDelegator(string approverId, bool active)
    {
        EnsureCreated();
        if (active ? state.Delegators.Add(approverId) : state.Delegators.Remove(approverId))
        {
            Touch();
        }
    }

    /// <summary>Files (or drops) a handover package addressed to this person.</summary>
    public void LinkHandoverPackage(string handoverId, bool addressed)
    {
        EnsureCreated();
        var packages = state.HandoverPackages;
        if (addressed ? !packages.Contains(handoverId) : packages.Remove(handoverId))
        {
            if (addressed)
            {
                packages.Add(handoverId);
            }
            Touch();
        }
    }

    /// <summary>
    /// A state of an earlier release keeps the book itself: its entries move to the book grain (which keeps out what left
    /// the book meanwhile) and leave this state, so book changes no longer rewrite the salesperson.
    /// </summary>
    public void HandOverBook()
    {
        if (!state.Created || state.BookMoved)
        {
            return;
        }
        Then(new SalespersonFollowUp.ImportBook(new BookEntries([.. state.CustomerIds], [.. state.WonCustomerIds], [.. state.OpenOpportunityIds])));
        state.CustomerIds.Clear();
        state.WonCustomerIds.Clear();
        state.OpenOpportunityIds.Clear();
        state.BookMoved = true;
        Touch();
    }

    private void MoveTeam(string fromTeamId, string toTeamId, BookEntries book)
    {
        Then(new SalespersonFollowUp.LeaveTeam(fromTeamId));
        Then(new SalespersonFollowUp.JoinTeam(toTeamId));
        foreach (var customerId in book.CustomerIds)
        {
            Then(new SalespersonFollowUp.MoveCustomerToTeam(customerId, toTeamId));
        }
        foreach (var opportunityId in book.OpenOpportunityIds)
        {
            Then(new SalespersonFollowUp.MoveOpportunityToTeam(opportunityId, toTeamId));
        }
    }

    private void EnsureCreated()
    {
        if (!state.Created)
        {
            throw new NotFoundException(Entity, id);
        }
    }
}
