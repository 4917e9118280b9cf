using ActorSales.Domain.Common;
using ActorSales.Domain.Deadlines;
using ActorSales.Domain.Errors;
using ActorSales.Domain.Identity;
using ActorSales.Domain.People;

namespace ActorSales.Domain.Customers;

/// <summary>
/// A customer's decisions over its record: registration, profile updates, the activity log, ownership (transfer,
/// handover, lock), the public pool (release, claim) and its deadline rules. The grain looks up what a command needs
/// (the owner's identity and time zone, the de-duplication keys, the pool's reservation) and hands it in; every check
/// comes before the first change, so a command that throws leaves the record as it was.
/// </summary>
public sealed partial class CustomerAggregate(
    string id, ICustomerRecord state, CustomerDeadlines deadlines, GradingOptions? grading = null, FieldWorkOptions? fieldWork = null)
    : Aggregate<CustomerEvent, CustomerFollowUp>
{
    private readonly FieldWorkOptions _fieldWork = fieldWork ?? new FieldWorkOptions();

    public const string Entity = "customer";

    private ICustomerRecord S => state;

    protected override long Version { get => S.Version; set => S.Version = value; }

    public string Id => id;

    /// <summary>The deadlines of the current owner still to act on, and the scheduled regrade.</summary>
    public List<Deadline> WantedDeadlines()
    {
        var wanted = deadlines.Wanted(id, S);
        if (GradeDeadline() is { } regrade)
        {
            wanted.Add(regrade);
        }
        return wanted;
    }

    public void EnsureRegistered()
    {
        if (!S.Registered)
        {
            throw new NotFoundException(Entity, id);
        }
    }

    /// <summary>Only an active salesperson may own customers.</summary>
    public static void EnsureMayOwn(CustomerOwner owner, string field)
    {
        if (owner.Status != SalespersonStatus.Active)
        {
            throw new PreconditionFailedException($"{field}: salesperson '{owner.Id}' is not active and cannot own customers");
        }
    }

    public void EnsureNotRegistered()
    {
        if (S.Registered)
        {
            throw new AlreadyExistsException($"customer '{id}' already exists", id, S.OwnerId);
        }
    }

    /// <summary>Registers validated <paramref name="details"/> for <paramref name="owner"/>, holding <paramref name="keys"/>.</summary>
    /// <remarks>
    /// A customer converted from a lead (<paramref name="origin"/>) carries its history: its 3-2-1 runs from the lead's
    /// arrival, the lead's first real contact is its first follow-up and the lead's qualification its qualification.
    /// </remarks>
    public void Register(CustomerDetails details, CustomerOwner owner, IReadOnlyList<string> keys, DateTimeOffset now, Leads.LeadOrigin? origin = null)
    {
        EnsureNotRegistered();
        EnsureMayOwn(owner, "owner_id");
        S.Registered = true;
        S.Details = details;
        S.OwnerId = owner.Id;
        S.OwnerTeamId = owner.TeamId;
        S.CreatedAt = now;
        S.UpdatedAt = now;
        S.AssignedAt = now;
        S.OwnerTimeZone = owner.TimeZone;
        S.DedupKeys = [.. keys];
        if (origin is not null)
        {
            S.OriginLeadId = origin.LeadId;
            S.AssignedAt = origin.ArrivedAt <= now ? origin.ArrivedAt : now;
            S.LastFollowUpAt = origin.FirstContactAt;
            S.QualifiedAt = origin.QualifiedAt;
        }
        GradeAtRegistration(now);
        Raise(new CustomerEvent.Registered());
        Then(new CustomerFollowUp.AddToBook(owner.Id, S.LastWonAt is not null));
    }

    /// <summary>
    /// Records that registering this id was refused as a duplicate (data-health figures count it). Once per record:
    /// a retry of the same attempt (same request id, same customer id) records nothing more. The record stays
    /// unregistered, so a later registration of the id still works.
    /// </summary>
    public void RefuseRegistration(string existingCustomerId, string keyKind, string intendedOwnerId)
    {
        EnsureNotRegistered();
        if (S.RegistrationRefused)
        {
            return;
        }
        S.RegistrationRefused = true;
        Raise(new CustomerEvent.RegistrationRefused(existingCustomerId, keyKind, intendedOwnerId));
    }

    /// <summary>
    /// Checks an update and works out what it changes, without changing anything: the grain reserves
    /// <see cref="CustomerUpdate.AddedKeys"/> before <see cref="Update"/>.
    /// </summary>
    public CustomerUpdate PlanUpdate(IReadOnlyList<string> paths, CustomerDetails values, long expectedVersion)
    {
        EnsureRegistered();
        Guard.Version(Guard.ExpectedVersion(expectedVersion), S.Version, Entity, id);
        var named = ValidatePaths(paths);
        var current = S.Details!;
        var merged = CustomerRules.Validate(current with
        {
            Name = named.Contains("name") ? values.Name : current.Name,
            Company = named.Contains("company") ? values.Company : current.Company,
            Industry = named.Contains("industry") ? values.Industry : current.Industry,
            Tier = named.Contains("tier") ? values.Tier : current.Tier,
            Contacts = named.Contains("contacts") ? values.Contacts : current.Contacts,
            Address = named.Contains("address") ? values.Address : current.Address,
            Location = named.Contains("location") ? values.Location : current.Location,
            Unsubscribed = named.Contains("unsubscribed") ? values.Unsubscribed : current.Unsubscribed,
        });
        var changed = ChangedFields(current, merged);
        var keys = changed.Count == 0 ? S.DedupKeys : DedupKeys.For(merged);
        // Naming the tier it already has confirms it: that is the qualification too, once per owner.
        var confirmsTier = named.Contains("tier") && !changed.Contains("tier") && !QualifiedByCurrentOwner;
        return new CustomerUpdate(merged, changed, keys,
            keys.Except(S.DedupKeys, StringComparer.Ordinal).ToList(),
            S.DedupKeys.Except(keys, StringComparer.Ordinal).ToList(),
            confirmsTier);
    }

    private bool QualifiedByCurrentOwner => S.QualifiedAt is { } qualified && qualified >= S.AssignedAt;

    /// <summary>
    /// Applies a planned update (nothing if it changes nothing). Setting the tier is the qualification, and so is
    /// confirming the tier the customer already has (the qualification label is a judgement, not necessarily a change).
    /// </summary>
    public void Update(CustomerUpdate update, DateTimeOffset now)
    {
        if (update.ConfirmsTier)
        {
            S.QualifiedAt = now;
            S.UpdatedAt = now;
            Raise(new CustomerEvent.TierConfirmed(S.Details!.Tier));
        }
        if (update.ChangedFields.Count == 0)
        {
            return;
        }
        if (update.ChangedFields.Contains("tier"))
        {
            S.QualifiedAt = now;
        }
        S.Details = update.Details;
        S.DedupKeys = [.. update.Keys];
        S.UpdatedAt = now;
        Raise(new CustomerEvent.Updated(update.ChangedFields));
        Regrade(now, GradeTriggers.Updated);
    }

    /// <summary>The next activity of the log, as it will be stored (the grain puts it in its chunk before <see cref="LogActivity"/>).</summary>
    public Activity NextActivity(ActivityDraft draft, string actorId, DateTimeOffset now)
    {
        EnsureRegistered();
        var valid = CustomerRules.Validate(draft, now, _fieldWork);
        CustomerRules.EnsureMayReach(S.Details!.Unsubscribed, valid.Kind, $"customer '{id}'");
        var visit = FieldWorkRules.Assess(valid.Kind, valid.CheckIn, valid.Summary, S.Details!.Location, _fieldWork);
        return new Activity(S.ActivityCount + 1, valid.Kind, valid.OccurredAt, valid.Summary, valid.NextAction,
            valid.NextActionDueAt, valid.Location, actorId, now, valid.CheckIn, valid.DurationSeconds,
            visit.DistanceMeters, visit.OffSite, visit.Effective);
    }

    /// <summary>
    /// Logs <paramref name="activity"/>. A real follow-up newer than the last restarts the follow-up clocks (fired
    /// deadlines are forgotten) and takes the customer off the team's about-to-release list.
    /// </summary>
    public bool LogActivity(Activity activity, DateTimeOffset now)
    {
        EnsureRegistered();
        if (activity.Sequence != S.ActivityCount + 1)
        {
            throw new ConcurrencyConflictException($"customer '{id}': activity {activity.Sequence} is not the next one; retry");
        }
        var isFollowUp = FieldWorkRules.IsRealContact(activity.Kind, activity.Summary, activity.DurationSeconds, _fieldWork);
        S.ActivityCount = activity.Sequence;
        var clockRestarted = isFollowUp && (S.LastFollowUpAt is null || activity.OccurredAt > S.LastFollowUpAt);
        if (clockRestarted)
        {
            S.LastFollowUpAt = activity.OccurredAt;
            S.FiredDeadlines.Clear();
        }
        if (isFollowUp)
        {
            CustomerGrading.NoteFollowUp(S.RecentFollowUps, activity.OccurredAt, Grading, now);
        }
        if (activity.NextAction is not null)
        {
            FollowThroughRules.Plan(S, activity.NextAction, activity.NextActionDueAt);
        }
        else if (isFollowUp)
        {
            FollowThroughRules.MarkDone(S); // a real contact after the plan does it
        }
        S.UpdatedAt = now;
        Raise(new CustomerEvent.ActivityLogged(activity, isFollowUp));
        Regrade(now, GradeTriggers.Activity);
        if (clockRestarted && !S.InPool)
        {
            Then(new CustomerFollowUp.SetReleaseWarning(S.OwnerTeamId, false));
        }
        return isFollowUp;
    }

    /// <summary>Access to move the customer at all, decided before anything about it (or the new owner) is looked up.</summary>
    public void EnsureMayTransferFrom(Caller caller)
    {
        EnsureRegistered();
        AccessPolicy.EnsureCanTransferFrom(caller, S.OwnerTeamId);
    }

    /// <summary>
    /// Every check of a transfer, in the order a caller may learn them (access to both teams before the new owner's
    /// status, the version, the pool); returns the validated reason. The grain calls it before its time-zone lookup.
    /// </summary>
    public string CheckTransfer(CustomerOwner newOwner, string reason, long expectedVersion, Caller caller)
    {
        EnsureMayTransferFrom(caller);
        AccessPolicy.EnsureCanTransfer(caller, S.OwnerTeamId, newOwner.TeamId);
        EnsureMayOwn(newOwner, "new_owner_id");
        Guard.Version(Guard.ExpectedVersion(expectedVersion), S.Version, Entity, id);
        var why = Guard.Optional(reason, "reason", Limits.SummaryMaxLength);
        if (S.InPool)
        {
            throw new PreconditionFailedException($"customer '{id}' is in the public pool; claim or assign it through PoolService");
        }
        if (newOwner.Id == S.OwnerId)
        {
            throw new PreconditionFailedException($"new_owner_id: '{newOwner.Id}' already owns customer '{id}'");
        }
        return why;
    }

    /// <summary>A manager's (or admin's) transfer to <paramref name="newOwner"/>: their clocks start now.</summary>
    public void Transfer(CustomerOwner newOwner, string reason, long expectedVersion, Caller caller, DateTimeOffset now)
    {
        var why = CheckTransfer(newOwner, reason, expectedVersion, caller);
        MoveToOwner(newOwner, why, now);
    }

    /// <summary>Whether handover <paramref name="handoverId"/> already moved the customer away from the leaver (a replay).</summary>
    public bool HandoverApplied(string handoverId, string fromOwnerId) =>
        S.AppliedHandovers.Contains(handoverId) && !OwnedBy(fromOwnerId);

    /// <summary>Whether <paramref name="ownerId"/> owns the customer (a pooled customer has no owner).</summary>
    public bool OwnedBy(string ownerId) => !S.InPool && S.OwnerId == ownerId;

    /// <summary>
    /// Handover <paramref name="handoverId"/> moves the customer from the leaver to <paramref name="receiver"/>, or to the
    /// team's pool when there is none; someone else moved it meanwhile: it stays with its one owner, and the handover
    /// is recorded as applied so a replay does nothing. Idempotent by handover id.
    /// </summary>
    public void HandOver(string handoverId, string fromOwnerId, CustomerOwner? receiver, DateTimeOffset now)
    {
        EnsureRegistered();
        if (HandoverApplied(handoverId, fromOwnerId))
        {
            return;
        }
        if (!OwnedBy(fromOwnerId))
        {
            S.AppliedHandovers.Add(handoverId);
            Touch();
            return;
        }
        if (receiver is not null)
        {
            EnsureMayOwn(receiver, "receiver_id");
        }
        if (!S.AppliedHandovers.Contains(handoverId))
        {
            S.AppliedHandovers.Add(handoverId);
        }
        if (receiver is null)
        {
            MoveToPool(now);
        }
        else
        {
            MoveToOwner(receiver, $"handover {handoverId}", now);
        }
    }

    /// <summary>A manager locks the customer against release, or unlocks it.</summary>
    public void SetLock(bool locked, Caller caller, DateTimeOffset now)
    {
        EnsureRegistered();
        AccessPolicy.EnsureCanLockCustomer(caller, S.OwnerId, S.OwnerTeamId);
        if (S.Locked == locked)
        {
            return;
        }
        S.Locked = locked;
        S.UpdatedAt = now;
        Raise(new CustomerEvent.Updated(["locked"]));
    }

    /// <summary>A deal was won at <paramref name="wonAt"/>: the release exemption counts from the latest win (a grading input).</summary>
    public void RecordWin(DateTimeOffset wonAt, DateTimeOffset? now = null)
    {
        if (S.Registered && (S.LastWonAt is null || wonAt > S.LastWonAt))
        {
            S.LastWonAt = wonAt;
            Touch();
            Regrade(now ?? wonAt, GradeTriggers.Deal);
        }
    }

    /// <summary>An opportunity on this customer opened or closed (idempotent; a grading input).</summary>
    public void LinkOpportunity(string opportunityId, bool open, DateTimeOffset? now = null)
    {
        EnsureRegistered();
        if (open ? S.OpenOpportunityIds.Add(opportunityId) : S.OpenOpportunityIds.Remove(opportunityId))
        {
            Touch();
            if (now is { } at)
            {
                Regrade(at, GradeTriggers.Deal);
            }
        }
    }

    /// <summary>The owner moved team: the customer follows into the new team's scope (ignored if no longer theirs).</summary>
    public void OwnerTeamChanged(string ownerId, string newTeamId, DateTimeOffset now)
    {
        if (!S.Registered || S.OwnerId != ownerId || S.OwnerTeamId == newTeamId)
        {
            return;
        }
        S.OwnerTeamId = newTeamId;
        S.UpdatedAt = now;
        Raise(new CustomerEvent.Updated(["owner_team_id"]));
    }

    /// <summary>A claim or assignment names this customer in the pool of <paramref name="poolTeamId"/>; else NOT_FOUND.</summary>
    public void EnsureInPool(string poolTeamId)
    {
        if (!S.Registered || !S.InPool || S.OwnerTeamId != poolTeamId)
        {
            throw new NotFoundException("pool entry", id);
        }
    }

    /// <summary>
    /// The pool reserved <paramref name="claim"/> for <paramref name="owner"/> (claimed, or assigned by a manager): the
    /// customer leaves the pool, the owner's clocks start now, and the pool is told the claim is final.
    /// </summary>
    public void ClaimFromPool(CustomerOwner owner, PoolClaim claim, bool assigned, DateTimeOffset now)
    {
        var poolTeamId = S.OwnerTeamId;
        EnsureInPool(poolTeamId);
        EnsureMayOwn(owner, "owner_id");
        if (claim.CustomerId != id || claim.OwnerId != owner.Id)
        {
            throw new ArgumentException($"the pool's reservation is for {claim.CustomerId}/{claim.OwnerId}", nameof(claim));
        }
        S.OwnerId = owner.Id;
        S.OwnerTeamId = owner.TeamId;
        S.OwnerTimeZone = owner.TimeZone;
        S.InPool = false;
        S.AssignedAt = now;
        S.FiredDeadlines.Clear();
        S.UpdatedAt = now;
        Raise(new CustomerEvent.Claimed(owner.Id, assigned));
        Then(new CustomerFollowUp.AddToBook(owner.Id, S.LastWonAt is not null));
        Then(new CustomerFollowUp.ConfirmPoolClaim(poolTeamId, claim));
    }

    /// <summary>Whether <paramref name="deadline"/> is due now and still wanted (the world may have moved on).</summary>
    public bool IsDue(Deadline deadline, DateTimeOffset now) => deadline.DueAt <= now && WantedDeadlines().Contains(deadline);

    /// <summary>
    /// The owner's manager (or a director, an admin) confirms the planned next action that was not done in time: the
    /// director is not asked. Once per plan; FAILED_PRECONDITION without an open next action.
    /// </summary>
    public void ConfirmNextAction(Caller caller, DateTimeOffset now)
    {
        EnsureRegistered();
        AccessPolicy.EnsureCanConfirmNextAction(caller, S.OwnerId, S.OwnerTeamId);
        if (!FollowThroughRules.ConfirmPlan(S, Entity, id, now))
        {
            return;
        }
        S.UpdatedAt = now;
        Raise(new CustomerEvent.NextActionConfirmed(S.NextAction!, S.NextActionDueAt!.Value));
    }

    /// <summary>Whether <paramref name="deadline"/> is a next action's follow-through (the grain looks up the director first).</summary>
    public static bool IsFollowThrough(Deadline deadline) => FollowThroughRules.IsRule(deadline.Rule);

    /// <summary>
    /// A next action's follow-through fired: the owner is reminded when it falls due, the manager asked to confirm it, the
    /// director (the manager if the team has none) told it was not confirmed. Once per firing.
    /// </summary>
    public void FollowThroughDue(Deadline firing, string? directorId, DateTimeOffset now)
    {
        EnsureDue(firing, now);
        var notice = FollowThroughRules.Notice(firing, S, Entity, id, $"'{S.Details!.Name}'", S.OwnerId, directorId, now);
        S.FiredDeadlines.Add(firing.FiringKey(id));
        Then(notice.RecipientId is { } recipient
            ? new CustomerFollowUp.Notify(recipient, notice.Notification)
            : new CustomerFollowUp.NotifyTeamManager(S.OwnerTeamId, null, firing.FiringKey(id), notice.Notification));
        Raise(new CustomerEvent.FollowUpOverdue(firing));
    }

    /// <summary>Whether <paramref name="deadline"/> is the release (the grain looks up the deals first).</summary>
    public static bool IsRelease(Deadline deadline) => deadline.Rule == ReleaseRules.Release;

    /// <summary>A follow-up rule (3-2-1, key customer, release warning) fired: told once per firing.</summary>
    public void FollowUpOverdue(Deadline firing, DateTimeOffset now)
    {
        EnsureDue(firing, now);
        if (IsRelease(firing) || IsFollowThrough(firing))
        {
            throw new ArgumentException("the release and the follow-through are decided by their own methods", nameof(firing));
        }
        S.FiredDeadlines.Add(firing.FiringKey(id));
        PlanFollowUpNotice(firing, now);
        Raise(new CustomerEvent.FollowUpOverdue(firing));
    }

    /// <summary>
    /// The release is due: the customer goes to its team's pool, unless a deal is in the approval stage or was won
    /// recently. A compare-and-set by construction: the deadline is derived from the current owner's assignment and
    /// last follow-up, so if either changed it is no longer wanted. The firing is recorded either way.
    /// </summary>
    public void Release(Deadline firing, bool dealInApproval, DateTimeOffset now)
    {
        EnsureDue(firing, now);
        if (!IsRelease(firing))
        {
            throw new ArgumentException("not the release", nameof(firing));
        }
        S.FiredDeadlines.Add(firing.FiringKey(id));
        if (deadlines.IsReleaseExempt(S, now, dealInApproval))
        {
            Touch(); // the next follow-up restarts the clock
            return;
        }
        MoveToPool(now);
    }

    /// <summary>
    /// Rows written before effects existed keep pending follow-ups as fields (an owner link, a pool entry, a notice):
    /// they become follow-ups here, with no event (the change was published when it was made).
    /// </summary>
    public void AdoptLegacyFollowUps(string? linkRemoveFrom, string? linkAddTo, bool poolEntryPending, Deadline? pendingNotice, DateTimeOffset now)
    {
        if (!S.Registered)
        {
            return;
        }
        if (linkRemoveFrom is not null || linkAddTo is not null)
        {
            PlanOwnerLink(linkRemoveFrom, linkAddTo);
        }
        if (poolEntryPending && S.InPool)
        {
            Then(PoolEntry(S.ReleasedAt!.Value, S.PreviousOwnerId ?? string.Empty));
        }
        if (pendingNotice is not null)
        {
            PlanFollowUpNotice(pendingNotice, now);
        }
        Touch();
    }

    private void EnsureDue(Deadline firing, DateTimeOffset now)
    {
        EnsureRegistered();
        if (!IsDue(firing, now))
        {
            throw new PreconditionFailedException($"deadline {firing.Rule} of customer '{id}' is not due");
        }
    }

    private void MoveToOwner(CustomerOwner newOwner, string reason, DateTimeOffset now)
    {
        var previousOwner = S.OwnerId;
        S.OwnerId = newOwner.Id;
        S.OwnerTeamId = newOwner.TeamId;
        S.UpdatedAt = now;
        S.AssignedAt = now; // the new owner's clocks start now
        S.OwnerTimeZone = newOwner.TimeZone;
        S.FiredDeadlines.Clear();
        Raise(new CustomerEvent.OwnerChanged(previousOwner, newOwner.Id, newOwner.TeamId, reason));
        PlanOwnerLink(previousOwner, newOwner.Id);
    }

    private void MoveToPool(DateTimeOffset now)
    {
        var previousOwner = S.OwnerId;
        S.PreviousOwnerId = previousOwner;
        S.OwnerId = string.Empty;
        S.InPool = true;
        S.ReleasedAt = now;
        S.UpdatedAt = now;
        Raise(new CustomerEvent.Released(previousOwner, S.OwnerTeamId));
        PlanOwnerLink(previousOwner, null);
        Then(PoolEntry(now, previousOwner));
    }

    private CustomerFollowUp.EnterPool PoolEntry(DateTimeOffset releasedAt, string previousOwner) =>
        new(S.OwnerTeamId, S.Details!.Name, S.Details.Tier, S.Details.Industry, releasedAt, previousOwner);

    /// <summary>The books follow an ownership change: the previous owner's drops the customer, the new owner's lists it.</summary>
    private void PlanOwnerLink(string? removeFrom, string? addTo)
    {
        if (removeFrom is { Length: > 0 })
        {
            Then(new CustomerFollowUp.RemoveFromBook(removeFrom));
        }
        if (addTo is not null)
        {
            Then(new CustomerFollowUp.AddToBook(addTo, S.LastWonAt is not null));
        }
    }

    /// <summary>
    /// What a fired follow-up rule tells whom: a release warning the owner (and the team's about-to-release list), a
    /// key-customer lapse the owner and the manager, a missed new-customer SLA the manager. Keyed by the firing, so a
    /// replay adds nothing.
    /// </summary>
    private void PlanFollowUpNotice(Deadline firing, DateTimeOffset now)
    {
        var (kind, ownerToo, text) = deadlines.Describe(firing, S);
        var key = firing.FiringKey(id);
        var notice = new Notification($"{key}:{S.OwnerId}", kind, NotificationSeverity.Warning, Entity, id, text, now);
        if (ownerToo)
        {
            Then(new CustomerFollowUp.Notify(S.OwnerId, notice));
        }
        if (firing.Rule == ReleaseRules.Warning)
        {
            Then(new CustomerFollowUp.SetReleaseWarning(S.OwnerTeamId, true));
        }
        else
        {
            Then(new CustomerFollowUp.NotifyTeamManager(S.OwnerTeamId, S.OwnerId, key, notice));
        }
    }

    private static HashSet<string> ValidatePaths(IReadOnlyList<string> paths)
    {
        if (paths.Count == 0)
        {
            throw new ValidationException("update_paths", $"name at least one of: {string.Join(", ", CustomerRules.UpdatableFields)}");
        }
        if (paths.Count > CustomerRules.UpdatableFields.Count * 2)
        {
            throw new ValidationException("update_paths", "too many entries");
        }
        foreach (var path in paths)
        {
            if (!CustomerRules.UpdatableFields.Contains(path))
            {
                throw new ValidationException("update_paths", $"'{Truncate(path)}' is not updatable; use any of: {string.Join(", ", CustomerRules.UpdatableFields)}");
            }
        }
        return new HashSet<string>(paths, StringComparer.Ordinal);
    }

    private static string Truncate(string value) => value.Length <= 40 ? value : value[..40] + "...";

    private static List<string> ChangedFields(CustomerDetails before, CustomerDetails after)
    {
        var changed = new List<string>();
        if (before.Name != after.Name) changed.Add("name");
        if (before.Company != after.Company) changed.Add("company");
        if (before.Industry != after.Industry) changed.Add("industry");
        if (before.Tier != after.Tier) changed.Add("tier");
        if (!before.Contacts.SequenceEqual(after.Contacts)) changed.Add("contacts");
        if (before.Address != after.Address) changed.Add("address");
        if (before.Location != after.Location) changed.Add("location");
        if (before.Unsubscribed != after.Unsubscribed) changed.Add("unsubscribed");
        return changed;
    }
}

/// <summary>
/// What an update changes: the merged details, the fields named as changed, the de-duplication keys to take and drop,
/// and whether it confirms the current tier (the qualification without a change).
/// </summary>
public sealed record CustomerUpdate(
    CustomerDetails Details,
    IReadOnlyList<string> ChangedFields,
    IReadOnlyList<string> Keys,
    IReadOnlyList<string> AddedKeys,
    IReadOnlyList<string> RemovedKeys,
    bool ConfirmsTier = false);
