using ActorSales.Domain.Common;
using ActorSales.Domain.Deadlines;
using ActorSales.Domain.Errors;
using ActorSales.Domain.Identity;
using ActorSales.Domain.People;

namespace ActorSales.Domain.Handovers;

/// <summary>
/// A departure handover's decisions (key: the leaver's id): the start with its packages, acceptance and rejection,
/// reassignment, the acceptance reminder and escalation, the recorded progress of the transfer, completion and the
/// pruning after retention. The grain looks up everything first (the leaver's book, receivers, the manager) and moves
/// the items; this class only decides.
/// </summary>
public sealed class HandoverAggregate(string id, IHandoverState state, HandoverOptions options) : Aggregate<HandoverEvent, HandoverFollowUp>
{
    private const string Entity = "handover";

    /// <summary>After a failed batch (e.g. a silo just went away) the transfer is retried this much later.</summary>
    public static readonly TimeSpan TransferRetryAfter = TimeSpan.FromSeconds(5);

    protected override long Version { get => state.Version; set => state.Version = value; }

    /// <summary>Whether a departure may start; checked before the grain freezes the leaver.</summary>
    public void EnsureCanStart(SalespersonStatus leaverStatus)
    {
        if (state.Started)
        {
            throw new AlreadyExistsException($"the departure of '{id}' has already started; see GetHandover", id);
        }
        if (leaverStatus == SalespersonStatus.Departed)
        {
            throw new PreconditionFailedException($"salesperson '{id}' has already departed");
        }
    }

    /// <summary>
    /// Starts with the packages planned from the frozen book: each receiver is told and lists the package, the pool's
    /// package starts moving, the new approvers of rerouted approvals are told. A start with nothing to move completes.
    /// </summary>
    public void Start(
        string teamId, DateOnly? lastWorkingDay, string startedBy, string? fallbackOwnerId, List<PackageState> packages,
        IReadOnlyList<(string ApprovalId, string ApproverId)> rerouted, DateTimeOffset now)
    {
        EnsureCanStart(SalespersonStatus.Departing);
        state.Started = true;
        state.TeamId = teamId;
        state.LastWorkingDay = lastWorkingDay;
        state.StartedBy = startedBy;
        state.StartedAt = now;
        state.FallbackOwnerId = fallbackOwnerId;
        state.Packages = packages;
        foreach (var package in packages.Where(p => p.ReceiverId.Length > 0))
        {
            Then(new HandoverFollowUp.LinkPackage(package.ReceiverId, true));
            Tell(package.ReceiverId, $"addressed:{package.AddressedAt.UtcTicks}", "handover_package", NotificationSeverity.Info,
                $"{id} is leaving: {Describe(package)} wait for you to accept by {AcceptBy(package):yyyy-MM-dd HH:mm} UTC", now);
        }
        if (packages.Exists(p => p.Status == PackageStatus.Transferring))
        {
            state.TransferDueAt = now;
        }
        foreach (var (approvalId, approverId) in rerouted)
        {
            Tell(approverId, $"approval:{approvalId}", "approval_rerouted", NotificationSeverity.Info,
                $"{id} is leaving: approval '{approvalId}' now waits for your decision", now);
        }
        Raise(new HandoverEvent.Started());
        CompleteIfDone(now);
    }

    /// <summary>The receiver accepts their pending package: its items start moving.</summary>
    public PackageState Accept(string receiverId, string? followUpPlan, DateTimeOffset now)
    {
        var package = PackageOf(receiverId);
        var plan = Guard.Optional(followUpPlan, "follow_up_plan", Limits.SummaryMaxLength);
        HandoverRules.EnsureDecidable(package.Status, package.ReceiverId);
        package.Status = PackageStatus.Transferring;
        package.FollowUpPlan = plan.Length == 0 ? null : plan;
        state.TransferDueAt ??= now;
        Raise(new HandoverEvent.PackageAccepted(receiverId));
        return package;
    }

    /// <summary>The receiver rejects their pending package; the manager (if any) is told to reassign it.</summary>
    public PackageState Reject(string receiverId, string? reason, string? managerId, DateTimeOffset now)
    {
        var package = PackageOf(receiverId);
        var why = Guard.Required(reason, "reason", Limits.SummaryMaxLength);
        HandoverRules.EnsureDecidable(package.Status, package.ReceiverId);
        package.Status = PackageStatus.Rejected;
        package.RejectionReason = why;
        if (managerId is not null)
        {
            Tell(managerId, $"rejected:{package.ReceiverId}:{package.AddressedAt.UtcTicks}", "handover_rejected", NotificationSeverity.Warning,
                $"{package.ReceiverId} rejected the handover of {id}'s {Describe(package)}: {why}. Reassign them.", now);
        }
        Raise(new HandoverEvent.PackageRejected(receiverId));
        return package;
    }

    /// <summary>
    /// Moves items not yet moved of a pending or rejected package (the chosen customers with their deals, or all) to
    /// another receiver, who gets the full acceptance period from now, or to the pool, which needs nobody's acceptance.
    /// The grain checked the new receiver may receive.
    /// </summary>
    public void Reassign(Reassignment request, DateTimeOffset now)
    {
        EnsureStarted();
        var (from, to, chosen) = (request.From, request.To, request.CustomerIds);
        var source = Find(from) ?? throw new NotFoundException("handover package", $"{id}/{from}");
        HandoverRules.EnsureReassignable(source.Status, from);
        foreach (var missing in chosen.Where(c => !source.Items.Exists(i => i.Kind == HandoverItemKind.Customer && i.Id == c)))
        {
            throw new PreconditionFailedException($"customer_ids: customer '{missing}' is not in the package of '{from}'");
        }
        var target = Find(to);
        if (target?.Status == PackageStatus.Transferring && to.Length > 0)
        {
            throw new PreconditionFailedException($"the package of '{to}' is being transferred; reassign once it is done");
        }
        var moving = source.Items.Where(i => !i.Transferred && (chosen.Count == 0 || chosen.Contains(i.CustomerId))).ToList();
        if (to.Length == 0 && moving.Exists(i => i.Kind == HandoverItemKind.Opportunity) && state.FallbackOwnerId is null)
        {
            throw new PreconditionFailedException("open opportunities cannot go to the pool and the team has no manager to take them; name a receiver");
        }

        if (target is null)
        {
            target = new PackageState { ReceiverId = to };
            state.Packages.Add(target);
        }
        foreach (var item in moving)
        {
            source.Items.Remove(item);
            item.TargetOwnerId = to.Length > 0 ? to : item.Kind == HandoverItemKind.Opportunity ? state.FallbackOwnerId : null;
            target.Items.Add(item);
        }
        if (to.Length == 0)
        {
            target.Status = PackageStatus.Transferring;
            state.TransferDueAt ??= now;
        }
        else
        {
            target.Status = PackageStatus.Pending;
            target.AddressedAt = now;
            target.Escalated = false;
            target.RejectionReason = null;
            Then(new HandoverFollowUp.LinkPackage(to, true));
            Tell(to, $"addressed:{now.UtcTicks}", "handover_package", NotificationSeverity.Info,
                $"{id} is leaving: {Describe(target)} wait for you to accept by {AcceptBy(target):yyyy-MM-dd HH:mm} UTC", now);
        }
        if (source.Items.Count == 0)
        {
            state.Packages.Remove(source);
            Then(new HandoverFollowUp.LinkPackage(from, false));
        }
        else if (source.Items.TrueForAll(i => i.Transferred))
        {
            // What is left already moved (its receiver stopped being active half-way): the transfer settles its books.
            source.Status = PackageStatus.Transferring;
            state.TransferDueAt ??= now;
        }
        var movedCustomers = moving.Where(i => i.Kind == HandoverItemKind.Customer).Select(i => i.Id).ToList();
        Raise(new HandoverEvent.ItemsReassigned(from, to, movedCustomers));
        CompleteIfDone(now);
    }

    /// <summary>
    /// An acceptance deadline came due: each pending package it concerns is reminded (the receiver) or escalated (the
    /// manager, if any), once per firing.
    /// </summary>
    public void FireAcceptanceDeadline(Deadline deadline, string? managerId, DateTimeOffset now)
    {
        foreach (var package in state.Packages.Where(p => HandoverRules.AcceptanceDeadlines(p.Status, p.AddressedAt, options).Contains(deadline)))
        {
            var key = deadline.FiringKey(PackageKey(package));
            if (state.FiredDeadlines.Contains(key))
            {
                continue;
            }
            state.FiredDeadlines.Add(key);
            Touch();
            var acceptBy = AcceptBy(package);
            if (deadline.Rule == HandoverRules.Reminder)
            {
                Tell(package.ReceiverId, key, "handover_reminder", NotificationSeverity.Warning,
                    $"Reminder: {id}'s {Describe(package)} wait for you to accept by {acceptBy:yyyy-MM-dd HH:mm} UTC", now);
                Raise(new HandoverEvent.AcceptanceReminded(package.ReceiverId, acceptBy));
            }
            else
            {
                package.Escalated = true;
                if (managerId is not null)
                {
                    Tell(managerId, key, "handover_overdue", NotificationSeverity.Critical,
                        $"{package.ReceiverId} has not accepted {id}'s {Describe(package)} within {options.AcceptWithin.TotalHours:0} hours; you may reassign them", now);
                }
                Raise(new HandoverEvent.AcceptanceEscalated(package.ReceiverId, managerId));
            }
        }
    }

    /// <summary>Receivers of moving packages with items still to move: the grain checks they are still active.</summary>
    public IReadOnlyList<string> ReceiversToCheck() =>
        [.. state.Packages.Where(p => p.Status == PackageStatus.Transferring && p.ReceiverId.Length > 0 && p.Items.Exists(i => !i.Transferred)).Select(p => p.ReceiverId)];

    /// <summary>The next items to move, leaving out the packages of <paramref name="inactiveReceivers"/> (they go back).</summary>
    public IReadOnlyList<ItemState> NextBatch(IReadOnlySet<string> inactiveReceivers) =>
        [.. Moving(inactiveReceivers).SelectMany(p => p.Items.Where(i => !i.Transferred)).Take(Math.Max(1, options.TransferBatchSize))];

    /// <summary>Packages every item of which will have moved once <paramref name="movedItemIds"/> count: their books are settled before they count as moved.</summary>
    public IReadOnlyList<PackageState> ReadyToSettle(IReadOnlySet<string> inactiveReceivers, IReadOnlySet<string> movedItemIds) =>
        [.. Moving(inactiveReceivers).Where(p => p.Items.TrueForAll(i => i.Transferred || movedItemIds.Contains(i.Id)))];

    /// <summary>
    /// Records what one transfer batch did: packages of receivers who stopped being active go back to the manager as
    /// rejected (what already moved stays theirs), moved items count, packages whose books were settled are moved (their
    /// receivers told), a failure schedules a retry, and the handover completes once every package has moved.
    /// </summary>
    public void RecordTransfer(TransferOutcome outcome, string? managerId, DateTimeOffset now)
    {
        foreach (var package in state.Packages.Where(p => p.Status == PackageStatus.Transferring && outcome.InactiveReceivers.Contains(p.ReceiverId)
            && p.ReceiverId.Length > 0 && p.Items.Exists(i => !i.Transferred)))
        {
            package.Status = PackageStatus.Rejected;
            package.RejectionReason = $"'{package.ReceiverId}' is no longer active; reassign the items not yet moved";
            if (managerId is not null)
            {
                Tell(managerId, $"inactive:{package.ReceiverId}:{package.AddressedAt.UtcTicks}", "handover_receiver_inactive", NotificationSeverity.Warning,
                    $"{package.ReceiverId} is no longer active and cannot take the rest of {id}'s {Describe(package)}. Reassign them.", now);
            }
            Raise(new HandoverEvent.PackageRejected(package.ReceiverId));
        }
        var failed = outcome.Failed;
        foreach (var package in state.Packages.Where(p => p.Status == PackageStatus.Transferring))
        {
            foreach (var item in package.Items.Where(i => outcome.MovedItemIds.Contains(i.Id)))
            {
                item.Transferred = true;
            }
            if (!package.Items.TrueForAll(i => i.Transferred))
            {
                continue;
            }
            if (!outcome.SettledReceivers.Contains(package.ReceiverId))
            {
                failed = true;
                continue;
            }
            package.Status = PackageStatus.Transferred;
            if (package.ReceiverId.Length > 0)
            {
                Tell(package.ReceiverId, $"transferred:{package.AddressedAt.UtcTicks}", "handover_transferred", NotificationSeverity.Info,
                    $"{id}'s {Describe(package)} are now yours; the new-customer clocks have started", now);
            }
            Raise(new HandoverEvent.PackageTransferred(package.ReceiverId));
        }
        if (failed)
        {
            state.TransferDueAt = now + TransferRetryAfter;
        }
        else if (!HasWaitingItems)
        {
            state.TransferDueAt = null;
        }
        Touch();
        CompleteIfDone(now);
    }

    /// <summary>
    /// The retention after completion has passed: each receiver's list lets go of the package, and each package keeps its
    /// counts instead of its item list, so a finished handover costs its receivers nothing and stays small. Acts once.
    /// </summary>
    public void Prune()
    {
        if (state.Pruned)
        {
            return;
        }
        foreach (var package in state.Packages)
        {
            if (package.ReceiverId.Length > 0)
            {
                Then(new HandoverFollowUp.LinkPackage(package.ReceiverId, false));
            }
            package.PrunedCounts ??= package.Counts;
            package.Items.Clear();
        }
        state.FiredDeadlines.Clear(); // firing keys of acceptance deadlines; no package is pending any more
        state.Pruned = true;
        Touch();
    }

    /// <summary>
    /// Deadlines still to act on: acceptance reminders and escalations of pending packages not yet fired, the transfer
    /// process while something waits (items, or <paramref name="effectsPending"/>), and once completed, the end of the
    /// packages' retention.
    /// </summary>
    public List<Deadline> Deadlines(bool effectsPending)
    {
        if (!state.Started)
        {
            return [];
        }
        var wanted = state.Packages
            .SelectMany(p => HandoverRules.AcceptanceDeadlines(p.Status, p.AddressedAt, options).Where(d => !state.FiredDeadlines.Contains(d.FiringKey(PackageKey(p)))))
            .Distinct()
            .ToList();
        if (state.TransferDueAt is { } due && (HasWaitingItems || effectsPending))
        {
            wanted.Add(new Deadline(HandoverRules.Transfer, due));
        }
        if (HandoverRules.PruneDeadline(state.Completed, state.CompletedAt, state.StartedAt, state.Pruned, options) is { } prune)
        {
            wanted.Add(prune);
        }
        return wanted;
    }

    /// <summary>The package addressed to <paramref name="receiverId"/> ("" = the pool), or null.</summary>
    public PackageState? Find(string receiverId) => state.Packages.Find(p => p.ReceiverId == receiverId);

    /// <summary>The end of the package's acceptance period.</summary>
    public DateTimeOffset AcceptBy(PackageState package) => package.AddressedAt + options.AcceptWithin;

    /// <summary>A package is still moving until its items have moved and its books are settled.</summary>
    private bool HasWaitingItems => state.Packages.Exists(p => p.Status == PackageStatus.Transferring);

    private IEnumerable<PackageState> Moving(IReadOnlySet<string> inactiveReceivers) =>
        state.Packages.Where(p => p.Status == PackageStatus.Transferring
            && !(inactiveReceivers.Contains(p.ReceiverId) && p.ReceiverId.Length > 0 && p.Items.Exists(i => !i.Transferred)));

    /// <summary>When every package has moved, the handover completes and the leaver departs (a follow-up).</summary>
    private void CompleteIfDone(DateTimeOffset now)
    {
        if (state.Completed || state.Packages.Exists(p => p.Status != PackageStatus.Transferred))
        {
            return;
        }
        state.Completed = true;
        state.CompletedAt = now; // the packages' retention counts from here
        Then(new HandoverFollowUp.CompleteDeparture(Caller.System.UserId));
        var items = state.Packages.SelectMany(p => p.Items).ToList();
        Raise(new HandoverEvent.Completed(
            items.Count(i => i.Kind == HandoverItemKind.Customer && i.TargetOwnerId is not null),
            items.Count(i => i.Kind == HandoverItemKind.Customer && i.TargetOwnerId is null),
            items.Count(i => i.Kind == HandoverItemKind.Opportunity)));
    }

    private PackageState PackageOf(string receiverId)
    {
        EnsureStarted();
        return Find(receiverId) ?? throw new NotFoundException("handover package", $"{id}/{(receiverId.Length == 0 ? "(pool)" : receiverId)}");
    }

    private void EnsureStarted()
    {
        if (!state.Started)
        {
            throw new NotFoundException(Entity, id);
        }
    }

    private void Tell(string recipientId, string key, string kind, NotificationSeverity severity, string message, DateTimeOffset now) =>
        Then(new HandoverFollowUp.Notify(recipientId, new Notification($"handover:{id}:{key}:{recipientId}", kind, severity, "handover", id, message, now)));

    private string PackageKey(PackageState package) => $"{id}/{package.ReceiverId}";

    private static string Describe(PackageState package)
    {
        var customers = package.Items.Count(i => i.Kind == HandoverItemKind.Customer);
        var deals = package.Items.Count - customers;
        return $"{customers} customer(s) and {deals} open opportunit{(deals == 1 ? "y" : "ies")}";
    }
}

/// <summary>What one transfer batch did, as the grain saw it.</summary>
/// <param name="InactiveReceivers">Receivers of moving packages who are no longer active.</param>
/// <param name="MovedItemIds">Items whose record now has its new owner (or no longer exists).</param>
/// <param name="SettledReceivers">Packages (by receiver) whose books were reconciled with the moved records.</param>
/// <param name="Failed">Some item or settlement failed: retry shortly.</param>
public sealed record TransferOutcome(
    IReadOnlySet<string> InactiveReceivers, IReadOnlySet<string> MovedItemIds, IReadOnlySet<string> SettledReceivers, bool Failed);
