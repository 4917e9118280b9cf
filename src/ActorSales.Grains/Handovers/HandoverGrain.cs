using ActorSales.Contracts.V1;
using ActorSales.Domain.Common;
using ActorSales.Domain.Deadlines;
using ActorSales.Domain.Errors;
using ActorSales.Domain.Handovers;
using ActorSales.Domain.Identity;
using ActorSales.Grains.Abstractions.Contracts;
using ActorSales.Grains.Abstractions.Customers;
using ActorSales.Grains.Abstractions.Handovers;
using ActorSales.Grains.Abstractions.Notifications;
using ActorSales.Grains.Abstractions.Opportunities;
using ActorSales.Grains.Abstractions.People;
using ActorSales.Grains.Deadlines;
using ActorSales.Grains.Effects;
using ActorSales.Grains.Events;
using ActorSales.Grains.Infrastructure;
using ActorSales.Grains.People;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Notification = ActorSales.Domain.Deadlines.Notification;
using NotificationSeverity = ActorSales.Domain.Deadlines.NotificationSeverity;
using PackageStatus = ActorSales.Domain.Handovers.PackageStatus;
using HandoverItemKind = ActorSales.Domain.Handovers.HandoverItemKind;
using SalespersonStatus = ActorSales.Domain.People.SalespersonStatus;
using HandoverBrief = ActorSales.Grains.Abstractions.Handovers.HandoverBrief;

namespace ActorSales.Grains.Handovers;

/// <summary>
/// A departure handover (key: the leaver's id). Start freezes the leaver and addresses one package per receiver;
/// acceptance deadlines run on the one deadline engine; an accepted package moves item by item in batches, each batch's
/// progress persisted, each item transfer idempotent by handover id, and the pending transfer is itself a deadline, so
/// the grain's durable reminder resumes it after a silo loss. When every package has moved, the leaver departs.
/// </summary>
public sealed partial class HandoverGrain(
    [PersistentState("handover", StorageNames.Default)] IPersistentState<HandoverState> state,
    IOptions<HandoverOptions> options,
    TimeProvider clock,
    ILogger<HandoverGrain> logger) : Grain, IHandoverGrain, IRemindable
{
    private const string Entity = "handover";

    /// <summary>After a failed batch (e.g. a silo just went away) the transfer is retried this much later.</summary>
    private static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(5);

    private DeadlineScheduler _deadlines = null!;
    private EventOutbox _outbox = null!;
    private EffectDispatcher _effects = null!;

    private string Id => this.GetPrimaryKeyString();

    private HandoverState S => state.State;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _deadlines = new DeadlineScheduler(this, clock, OnDeadlineDue, logger, S.ReminderDueAt);
        _effects = EffectDispatcher.For(this, () => S.Effects, _deadlines, logger);
        _outbox = EventOutbox.For(this, () => S.Outbox);
        await _outbox.ActivateAsync();
        MigrateLegacyFollowUps();
        await AfterCommit();
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => _outbox.ReleaseAsync();

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (!await _outbox.ReceiveReminderAsync(reminderName))
        {
            await _deadlines.FireDueAsync(DesiredDeadlines);
        }
    }

    public async Task<HandoverView> Start(DepartureRequest request, Caller caller)
    {
        AccessPolicy.EnsureActive(caller);
        Guard.Id(Id, "salesperson_id");
        var leaver = await GrainFactory.GetGrain<ISalespersonGrain>(Id).GetIdentity() ?? throw new NotFoundException("salesperson", Id);
        var team = await GrainFactory.GetGrain<ITeamGrain>(leaver.TeamId).Find();
        AccessPolicy.EnsureCanManageDeparture(caller, Id, team?.ManagerId, team?.DirectorId);
        if (S.Started)
        {
            throw new AlreadyExistsException($"the departure of '{Id}' has already started; see GetHandover", Id);
        }
        if (leaver.Status == SalespersonStatus.Departed)
        {
            throw new PreconditionFailedException($"salesperson '{Id}' has already departed");
        }
        var now = clock.GetUtcNow();
        var lastWorkingDay = HandoverRules.ParseLastWorkingDay(request.LastWorkingDay, now);
        var assignments = HandoverRules.ValidateAssignments(Id, request.Assignments.Select(a => (a.CustomerId ?? string.Empty, a.ReceiverId ?? string.Empty)).ToList());
        var defaultReceiver = string.IsNullOrEmpty(request.DefaultReceiverId) ? null : Guard.Id(request.DefaultReceiverId, "default_receiver_id");
        if (defaultReceiver == Id)
        {
            throw new ValidationException("default_receiver_id", "the leaver cannot receive their own book");
        }
        // Each receiver is looked up once; a refusal names the field where the request first names them.
        var receivers = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < request.Assignments.Count; i++)
        {
            if (request.Assignments[i].ReceiverId is { Length: > 0 } receiverId)
            {
                receivers.TryAdd(receiverId, $"assignments[{i}].receiver_id");
            }
        }
        if (defaultReceiver is not null)
        {
            receivers[defaultReceiver] = "default_receiver_id";
        }
        foreach (var (receiverId, field) in receivers)
        {
            await ResolveReceiver(receiverId, leaver.TeamId, caller, field);
        }
        var fallback = defaultReceiver ?? (team?.ManagerId is { } managerId && managerId != Id ? managerId : null);

        // Plan once before freezing, so a bad split is refused while the leaver can still work; then freeze, and plan
        // again from the book that can no longer change.
        var leaverGrain = GrainFactory.GetGrain<ISalespersonGrain>(Id);
        await Plan(leaverGrain, assignments, defaultReceiver, fallback, now);
        // Approvals waiting for the leaver's decision go to the next approver before the account freezes; if one has
        // nobody to go to, the start is refused and says whom to appoint.
        var rerouted = await RerouteApprovals(leaverGrain, caller.UserId);
        var zone = team?.Profile.TimeZone is { } id && TimeZoneInfo.TryFindSystemTimeZoneById(id, out var found) ? found : TimeZoneInfo.Utc;
        await leaverGrain.BeginDeparture(Id, HandoverRules.ReadsUntil(lastWorkingDay, zone, now), caller.UserId);
        var packages = await Plan(leaverGrain, assignments, defaultReceiver, fallback, now);

        S.Started = true;
        S.TeamId = leaver.TeamId;
        S.LastWorkingDay = lastWorkingDay;
        S.StartedBy = caller.UserId;
        S.StartedAt = now;
        S.FallbackOwnerId = fallback;
        S.Packages = packages;
        foreach (var package in packages)
        {
            if (package.ReceiverId.Length > 0)
            {
                S.Effects.Add(new LinkHandoverPackage(package.ReceiverId, Id, true));
                Tell(package.ReceiverId, $"addressed:{package.AddressedAt.UtcTicks}", "handover_package", NotificationSeverity.Info,
                    $"{Id} is leaving: {Describe(package)} wait for you to accept by {AcceptBy(package):yyyy-MM-dd HH:mm} UTC");
            }
        }
        if (packages.Any(p => p.Status == PackageStatus.Transferring))
        {
            S.TransferDueAt = now;
        }
        foreach (var (approvalId, approverId) in rerouted)
        {
            Tell(approverId, $"approval:{approvalId}", "approval_rerouted", NotificationSeverity.Info,
                $"{Id} is leaving: approval '{approvalId}' now waits for your decision");
        }
        Raise(caller.UserId, e => e.HandoverStarted = new HandoverStarted { Handover = ToView(withItems: true).ToContract() });
        CompleteIfDone(caller.UserId);
        await Commit();
        return ToView(withItems: true);
    }

    public async Task<HandoverView> Get(Caller caller)
    {
        await EnsureCanRead(caller, null);
        return ToView(withItems: true);
    }

    public Task<HandoverPackageView?> FindPackage(string receiverId) =>
        Task.FromResult(S.Started && Find(receiverId) is { } package ? ToView(package, withItems: false) : null);

    public async Task<HandoverPackagePage> GetPackage(string receiverId, Caller caller, int pageSize, string? afterId)
    {
        await EnsureCanRead(caller, receiverId);
        var package = Find(receiverId) ?? throw new NotFoundException("handover package", $"{Id}/{(receiverId.Length == 0 ? "(pool)" : receiverId)}");
        var candidates = package.Items.Where(i => i.Kind == HandoverItemKind.Customer && (afterId is null || string.CompareOrdinal(i.Id, afterId) > 0))
            .OrderBy(i => i.Id, StringComparer.Ordinal).Take(pageSize + 1).ToList();
        var hasMore = candidates.Count > pageSize;
        if (hasMore)
        {
            candidates.RemoveAt(candidates.Count - 1);
        }
        var briefs = await Task.WhenAll(candidates.Select(async item =>
            await GrainFactory.GetGrain<ICustomerGrain>(item.Id).Brief() is { } brief ? brief with { Transferred = item.Transferred } : null));
        return new HandoverPackagePage(ToView(package, withItems: false), briefs.OfType<HandoverBrief>().ToList(), hasMore ? candidates[^1].Id : null);
    }

    public async Task<HandoverPackageView> Accept(string followUpPlan, Caller caller)
    {
        var package = AddressedTo(caller);
        var plan = Guard.Optional(followUpPlan, "follow_up_plan", Limits.SummaryMaxLength);
        HandoverRules.EnsureDecidable(package.Status, package.ReceiverId);
        package.Status = PackageStatus.Transferring;
        package.FollowUpPlan = plan.Length == 0 ? null : plan;
        S.TransferDueAt ??= clock.GetUtcNow();
        Raise(caller.UserId, e => e.HandoverPackageAccepted = new HandoverPackageAccepted { Package = ToView(package, withItems: false).ToContract() });
        await Commit();
        return ToView(package, withItems: false);
    }

    public async Task<HandoverPackageView> Reject(string reason, Caller caller)
    {
        var package = AddressedTo(caller);
        var why = Guard.Required(reason, "reason", Limits.SummaryMaxLength);
        HandoverRules.EnsureDecidable(package.Status, package.ReceiverId);
        var managerId = await ManagerId(); // before the first change: a failed lookup leaves the package pending
        package.Status = PackageStatus.Rejected;
        package.RejectionReason = why;
        if (managerId is not null)
        {
            Tell(managerId, $"rejected:{package.ReceiverId}:{package.AddressedAt.UtcTicks}", "handover_rejected", NotificationSeverity.Warning,
                $"{package.ReceiverId} rejected the handover of {Id}'s {Describe(package)}: {why}. Reassign them.");
        }
        Raise(caller.UserId, e => e.HandoverPackageRejected = new HandoverPackageRejected { Package = ToView(package, withItems: false).ToContract() });
        await Commit();
        return ToView(package, withItems: false);
    }

    public async Task<HandoverView> Reassign(string fromReceiverId, string toReceiverId, IReadOnlyList<string> customerIds, Caller caller)
    {
        AccessPolicy.EnsureActive(caller);
        EnsureStarted();
        var team = await GrainFactory.GetGrain<ITeamGrain>(S.TeamId).Find();
        AccessPolicy.EnsureCanManageDeparture(caller, Id, team?.ManagerId, team?.DirectorId);
        var from = Guard.Id(fromReceiverId, "from_receiver_id");
        var to = string.IsNullOrEmpty(toReceiverId) ? HandoverRules.Pool : Guard.Id(toReceiverId, "to_receiver_id");
        if (to == Id)
        {
            throw new ValidationException("to_receiver_id", "the leaver cannot receive their own book");
        }
        if (to == from)
        {
            throw new ValidationException("to_receiver_id", "is already the package's receiver");
        }
        if (customerIds.Count > HandoverRules.MaxAssignments)
        {
            throw new ValidationException("customer_ids", $"at most {HandoverRules.MaxAssignments} are allowed");
        }
        var chosen = new HashSet<string>(customerIds.Select(c => Guard.Id(c, "customer_ids")), StringComparer.Ordinal);
        var source = Find(from) ?? throw new NotFoundException("handover package", $"{Id}/{from}");
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
        if (to.Length > 0)
        {
            await ResolveReceiver(to, S.TeamId, caller, "to_receiver_id");
        }

        var moving = source.Items.Where(i => !i.Transferred && (chosen.Count == 0 || chosen.Contains(i.CustomerId))).ToList();
        if (to.Length == 0 && moving.Any(i => i.Kind == HandoverItemKind.Opportunity) && S.FallbackOwnerId is null)
        {
            throw new PreconditionFailedException("open opportunities cannot go to the pool and the team has no manager to take them; name a receiver");
        }
        var now = clock.GetUtcNow();
        if (target is null)
        {
            target = new PackageState { ReceiverId = to };
            S.Packages.Add(target);
        }
        foreach (var item in moving)
        {
            source.Items.Remove(item);
            item.TargetOwnerId = to.Length > 0 ? to : item.Kind == HandoverItemKind.Opportunity ? S.FallbackOwnerId : null;
            target.Items.Add(item);
        }
        if (to.Length == 0)
        {
            target.Status = PackageStatus.Transferring; // the pool needs nobody's acceptance
            S.TransferDueAt ??= now;
        }
        else
        {
            // (Re-)addressed: the receiver gets the full acceptance period from now.
            target.Status = PackageStatus.Pending;
            target.AddressedAt = now;
            target.Escalated = false;
            target.RejectionReason = null;
            S.Effects.Add(new LinkHandoverPackage(to, Id, true));
            Tell(to, $"addressed:{now.UtcTicks}", "handover_package", NotificationSeverity.Info,
                $"{Id} is leaving: {Describe(target)} wait for you to accept by {AcceptBy(target):yyyy-MM-dd HH:mm} UTC");
        }
        if (source.Items.Count == 0)
        {
            S.Packages.Remove(source);
            S.Effects.Add(new LinkHandoverPackage(from, Id, false));
        }
        else if (source.Items.TrueForAll(i => i.Transferred))
        {
            // What is left already moved (its receiver stopped being active half-way): the transfer settles its books.
            source.Status = PackageStatus.Transferring;
            S.TransferDueAt ??= now;
        }
        var movedCustomers = moving.Where(i => i.Kind == HandoverItemKind.Customer).Select(i => i.Id).ToList();
        Raise(caller.UserId, e =>
        {
            var reassigned = new HandoverItemsReassigned { FromReceiverId = from, ToReceiverId = to };
            reassigned.CustomerIds.AddRange(movedCustomers);
            e.HandoverItemsReassigned = reassigned;
        });
        CompleteIfDone(caller.UserId);
        await Commit();
        return ToView(withItems: true);
    }

    /// <summary>Builds the packages from the leaver's current book; throws if something would be orphaned.</summary>
    private async Task<List<PackageState>> Plan(
        ISalespersonGrain leaver, IReadOnlyDictionary<string, string> assignments, string? defaultReceiver, string? fallback, DateTimeOffset now)
    {
        var book = await Books.ReadAsync(GrainFactory, Id);
        var routing = HandoverRules.Route(book.CustomerIds, assignments, defaultReceiver);
        var customers = await FindAll(routing.Keys, id => GrainFactory.GetGrain<ICustomerGrain>(id).Find());
        var deals = await FindAll(book.OpenOpportunityIds, id => GrainFactory.GetGrain<IOpportunityGrain>(id).Find());
        var packages = new Dictionary<string, PackageState>(StringComparer.Ordinal);
        PackageState PackageOf(string receiverId)
        {
            if (!packages.TryGetValue(receiverId, out var package))
            {
                package = new PackageState
                {
                    ReceiverId = receiverId,
                    Status = receiverId.Length == 0 ? PackageStatus.Transferring : PackageStatus.Pending,
                    AddressedAt = now,
                };
                packages.Add(receiverId, package);
            }
            return package;
        }
        foreach (var customer in customers.OfType<CustomerView>().Where(c => c.OwnerId == Id && !c.InPool).OrderBy(c => c.Id, StringComparer.Ordinal))
        {
            var receiver = routing[customer.Id];
            PackageOf(receiver).Items.Add(new ItemState
            {
                Kind = HandoverItemKind.Customer, Id = customer.Id, Name = customer.Details.Name, CustomerId = customer.Id,
                TargetOwnerId = receiver.Length == 0 ? null : receiver,
            });
        }
        foreach (var deal in deals.OfType<OpportunityView>().Where(d => d.OwnerId == Id && d.Status == Domain.Pipeline.OpportunityStatus.Open).OrderBy(d => d.Id, StringComparer.Ordinal))
        {
            // A deal follows its customer; one on a customer outside the book goes with the default receiver.
            var receiver = routing.TryGetValue(deal.CustomerId, out var r) ? r : defaultReceiver ?? HandoverRules.Pool;
            var owner = receiver.Length > 0 ? receiver : fallback
                ?? throw new PreconditionFailedException($"open opportunity '{deal.Id}' would be left without an owner: its customer goes to the pool and the team has no manager; name a default_receiver_id");
            PackageOf(receiver).Items.Add(new ItemState
            {
                Kind = HandoverItemKind.Opportunity, Id = deal.Id, Name = deal.Terms.Title, CustomerId = deal.CustomerId, TargetOwnerId = owner,
            });
        }
        return [.. packages.Values.OrderBy(p => p.ReceiverId, StringComparer.Ordinal)];
    }

    /// <summary>Sends every approval still waiting for the leaver's decision to the next approver; returns (approval, new approver).</summary>
    private async Task<List<(string ApprovalId, string ApproverId)>> RerouteApprovals(ISalespersonGrain leaver, string actorId)
    {
        var rerouted = new List<(string, string)>();
        foreach (var approvalId in await leaver.PendingApprovalIds())
        {
            if (await GrainFactory.GetGrain<IApprovalGrain>(approvalId).Find() is not { Status: Domain.Pipeline.ApprovalStatus.Pending } approval || approval.ApproverId != Id)
            {
                continue;
            }
            if (await GrainFactory.GetGrain<IOpportunityGrain>(approval.OpportunityId).RerouteApproval(approvalId, Id, actorId) is { } approverId)
            {
                rerouted.Add((approvalId, approverId));
            }
        }
        return rerouted;
    }

    private static async Task<List<T?>> FindAll<T>(IEnumerable<string> ids, Func<string, Task<T?>> find)
    {
        var results = new List<T?>();
        foreach (var chunk in ids.Chunk(200))
        {
            results.AddRange(await Task.WhenAll(chunk.Select(find)));
        }
        return results;
    }

    private async Task<PersonIdentity> ResolveReceiver(string receiverId, string leaverTeamId, Caller caller, string field)
    {
        var receiver = await GrainFactory.GetGrain<ISalespersonGrain>(receiverId).GetIdentity() ?? throw new NotFoundException("salesperson", receiverId);
        if (receiver.Status != SalespersonStatus.Active)
        {
            throw new PreconditionFailedException($"{field}: salesperson '{receiverId}' is not active and cannot receive a handover");
        }
        AccessPolicy.EnsureCanTransfer(caller, leaverTeamId, receiver.TeamId);
        return receiver;
    }

    /// <summary>
    /// Deadlines still to act on: acceptance reminders and escalations of pending packages, the transfer process, and
    /// once completed, the end of the packages' retention.
    /// </summary>
    private List<Deadline> DesiredDeadlines()
    {
        if (!S.Started)
        {
            return [];
        }
        var wanted = S.Packages
            .SelectMany(p => HandoverRules.AcceptanceDeadlines(p.Status, p.AddressedAt, options.Value).Where(d => !S.FiredDeadlines.Contains(d.FiringKey(PackageKey(p)))))
            .Distinct()
            .ToList();
        if (S.TransferDueAt is { } due && (HasWaitingItems() || HasPendingEffects()))
        {
            wanted.Add(new Deadline(HandoverRules.Transfer, due));
        }
        if (HandoverRules.PruneDeadline(S.Completed, S.CompletedAt, S.StartedAt, S.Pruned, options.Value) is { } prune)
        {
            wanted.Add(prune);
        }
        return _deadlines.WithEffectsRetry(wanted, _effects.HasPending);
    }

    private async Task OnDeadlineDue(Deadline deadline)
    {
        if (deadline.DueAt > clock.GetUtcNow() || !DesiredDeadlines().Contains(deadline))
        {
            await _deadlines.ScheduleAsync(DesiredDeadlines());
            return;
        }
        if (_deadlines.TakeEffectsRetry(deadline))
        {
            await AfterCommit(); // re-arms the retry if something still fails
            return;
        }
        if (deadline.Rule == HandoverRules.Transfer)
        {
            await TransferBatch();
            return;
        }
        if (deadline.Rule == HandoverRules.Prune)
        {
            Prune();
            await Commit();
            return;
        }
        var managerId = await ManagerId();
        foreach (var package in S.Packages.Where(p => HandoverRules.AcceptanceDeadlines(p.Status, p.AddressedAt, options.Value).Contains(deadline)))
        {
            var key = deadline.FiringKey(PackageKey(package));
            if (S.FiredDeadlines.Contains(key))
            {
                continue;
            }
            S.FiredDeadlines.Add(key);
            var acceptBy = AcceptBy(package);
            if (deadline.Rule == HandoverRules.Reminder)
            {
                Tell(package.ReceiverId, key, "handover_reminder", NotificationSeverity.Warning,
                    $"Reminder: {Id}'s {Describe(package)} wait for you to accept by {acceptBy:yyyy-MM-dd HH:mm} UTC");
                var receiverId = package.ReceiverId;
                Raise(Caller.System.UserId, e => e.HandoverAcceptanceReminded = new HandoverAcceptanceReminded
                {
                    ReceiverId = receiverId,
                    AcceptBy = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(acceptBy),
                });
            }
            else
            {
                package.Escalated = true;
                if (managerId is not null)
                {
                    Tell(managerId, key, "handover_overdue", NotificationSeverity.Critical,
                        $"{package.ReceiverId} has not accepted {Id}'s {Describe(package)} within {options.Value.AcceptWithin.TotalHours:0} hours; you may reassign them");
                }
                var receiverId = package.ReceiverId;
                Raise(Caller.System.UserId, e => e.HandoverAcceptanceEscalated = new HandoverAcceptanceEscalated { ReceiverId = receiverId, ManagerId = managerId ?? string.Empty });
            }
        }
        await Commit();
    }

    /// <summary>
    /// Moves the next batch of waiting items, then persists the progress. Every item transfer is idempotent by handover
    /// id, so items of a batch whose progress was lost with a silo are simply confirmed again on the replay.
    /// </summary>
    private async Task TransferBatch()
    {
        await SendBackPackagesOfInactiveReceivers();
        var batch = S.Packages.Where(p => p.Status == PackageStatus.Transferring)
            .SelectMany(p => p.Items.Where(i => !i.Transferred))
            .Take(Math.Max(1, options.Value.TransferBatchSize))
            .ToList();
        var actor = Caller.System.UserId;
        var failures = 0;
        await Task.WhenAll(batch.Select(async item =>
        {
            try
            {
                _ = item.Kind == HandoverItemKind.Customer
                    ? await GrainFactory.GetGrain<ICustomerGrain>(item.Id).HandOver(Id, Id, item.TargetOwnerId, actor)
                    : await GrainFactory.GetGrain<IOpportunityGrain>(item.Id).HandOver(Id, Id, item.TargetOwnerId!, actor);
                item.Transferred = true;
            }
            catch (NotFoundException)
            {
                item.Transferred = true; // the record is gone: nothing to own
            }
            catch (Exception exception)
            {
                failures++;
                LogItemTransferFailed(exception, Id, item.Id);
            }
        }));
        foreach (var package in S.Packages.Where(p => p.Status == PackageStatus.Transferring && p.Items.TrueForAll(i => i.Transferred)).ToList())
        {
            if (!await SettleBooks(package))
            {
                failures++;
                continue;
            }
            package.Status = PackageStatus.Transferred;
            if (package.ReceiverId.Length > 0)
            {
                Tell(package.ReceiverId, $"transferred:{package.AddressedAt.UtcTicks}", "handover_transferred", NotificationSeverity.Info,
                    $"{Id}'s {Describe(package)} are now yours; the new-customer clocks have started");
            }
            var view = ToView(package, withItems: false).ToContract();
            Raise(actor, e => e.HandoverPackageTransferred = new HandoverPackageTransferred { Package = view });
        }
        if (failures > 0)
        {
            S.TransferDueAt = clock.GetUtcNow() + RetryAfter;
        }
        else if (!HasWaitingItems())
        {
            S.TransferDueAt = null;
        }
        CompleteIfDone(actor);
        await Commit();
    }

    /// <summary>
    /// A receiver who stopped being active after accepting (departing, departed) cannot take the rest of their package:
    /// it goes back to the manager as rejected, to reassign, instead of retrying forever. What already moved stays theirs
    /// (their own departure hands it on).
    /// </summary>
    private async Task SendBackPackagesOfInactiveReceivers()
    {
        var moving = S.Packages.Where(p => p.Status == PackageStatus.Transferring && p.ReceiverId.Length > 0 && p.Items.Exists(i => !i.Transferred)).ToList();
        var inactive = new List<PackageState>();
        foreach (var package in moving)
        {
            try
            {
                if (await GrainFactory.GetGrain<ISalespersonGrain>(package.ReceiverId).GetIdentity() is not { Status: SalespersonStatus.Active })
                {
                    inactive.Add(package);
                }
            }
            catch (Exception exception)
            {
                LogReceiverCheckFailed(exception, Id, package.ReceiverId); // unreachable for now: the next batch asks again
            }
        }
        // Every lookup before the first change: a failure leaves nothing half-changed.
        var managerId = inactive.Count > 0 ? await ManagerId() : null;
        foreach (var package in inactive)
        {
            package.Status = PackageStatus.Rejected;
            package.RejectionReason = $"'{package.ReceiverId}' is no longer active; reassign the items not yet moved";
            if (managerId is not null)
            {
                Tell(managerId, $"inactive:{package.ReceiverId}:{package.AddressedAt.UtcTicks}", "handover_receiver_inactive", NotificationSeverity.Warning,
                    $"{package.ReceiverId} is no longer active and cannot take the rest of {Id}'s {Describe(package)}. Reassign them.");
            }
            var view = ToView(package, withItems: false).ToContract();
            Raise(Caller.System.UserId, e => e.HandoverPackageRejected = new HandoverPackageRejected { Package = view });
        }
    }

    /// <summary>
    /// Before a package counts as moved, the receivers' and the leaver's books are reconciled with the moved records.
    /// Each item's own transfer already waited for both books; this catches what that check cannot see: a book written
    /// by an activation on a silo that was being declared dead while another activation already answered for it.
    /// </summary>
    private async Task<bool> SettleBooks(PackageState package)
    {
        var books = package.Items.Where(i => i.TargetOwnerId is not null)
            .GroupBy(i => i.TargetOwnerId!, StringComparer.Ordinal)
            .Select(owner => (OwnerId: owner.Key, Items: owner.ToList(), ExpectOwned: true))
            .Append((OwnerId: Id, Items: package.Items, ExpectOwned: false));
        try
        {
            foreach (var (ownerId, items, expectOwned) in books)
            {
                var corrected = await Books.ReconcileAsync(GrainFactory, ownerId,
                    items.Where(i => i.Kind == HandoverItemKind.Customer).Select(i => i.Id).ToList(),
                    items.Where(i => i.Kind == HandoverItemKind.Opportunity).Select(i => i.Id).ToList(),
                    expectOwned);
                if (corrected > 0)
                {
                    LogBookCorrected(Id, ownerId, corrected);
                }
            }
            return true;
        }
        catch (Exception exception)
        {
            LogSettleFailed(exception, Id, package.ReceiverId);
            return false;
        }
    }

    /// <summary>When every package has moved, the handover completes and the leaver departs (applied after the write).</summary>
    private void CompleteIfDone(string actorId)
    {
        if (S.Completed || S.Packages.Exists(p => p.Status != PackageStatus.Transferred))
        {
            return;
        }
        S.Completed = true;
        S.CompletedAt = clock.GetUtcNow(); // the packages' retention counts from here
        S.Effects.Add(new CompleteDeparture(Id, Id, Caller.System.UserId));
        var items = S.Packages.SelectMany(p => p.Items).ToList();
        var completed = new HandoverCompleted
        {
            HandoverId = Id,
            CustomersTransferred = items.Count(i => i.Kind == HandoverItemKind.Customer && i.TargetOwnerId is not null),
            CustomersPooled = items.Count(i => i.Kind == HandoverItemKind.Customer && i.TargetOwnerId is null),
            OpportunitiesTransferred = items.Count(i => i.Kind == HandoverItemKind.Opportunity),
        };
        Raise(actorId, e => e.HandoverCompleted = completed);
    }

    /// <summary>
    /// The retention after completion has passed: each receiver's list lets go of the package (a link like any other,
    /// applied after the write and replayed until it is), and each package keeps its counts instead of its item list,
    /// so a finished handover costs its receivers nothing and stays small. Acts once: a pruned handover wants no deadline.
    /// </summary>
    private void Prune()
    {
        foreach (var package in S.Packages)
        {
            if (package.ReceiverId.Length > 0)
            {
                S.Effects.Add(new LinkHandoverPackage(package.ReceiverId, Id, false));
            }
            package.PrunedCounts ??= Counts(package);
            package.Items.Clear();
        }
        S.FiredDeadlines.Clear(); // firing keys of acceptance deadlines; no package is pending any more
        S.Pruned = true;
    }

    /// <summary>Writes the state with the raised events in its outbox, publishes them in order, then runs the idempotent after-effects.</summary>
    private async Task Commit()
    {
        S.ReminderDueAt = _deadlines.ReminderDueAt;
        // The handover is about the leaver's book: the leaver is its owner for event filtering.
        _outbox.AddStaged(EntityType.Handover, Id, S.TeamId, Id);
        await state.WriteWithEventsAsync(_outbox, Entity, Id);
        await AfterCommit();
    }

    /// <summary>Runs the change's effects (what fails is retried by the deadline engine), then arms the deadlines.</summary>
    private async Task AfterCommit()
    {
        await _effects.RunAsync();
        await _deadlines.ScheduleAsync(DesiredDeadlines());
        S.ReminderDueAt = _deadlines.ReminderDueAt;
    }

    /// <summary>Rows written before effects existed carry pending follow-ups as fields; they become effects here.</summary>
    private void MigrateLegacyFollowUps()
    {
        S.Effects.AddRange(S.PendingPackageLinks.Select(link => new LinkHandoverPackage(link.ReceiverId, Id, link.Addressed)));
        S.Effects.AddRange(S.PendingNotices.Select(notice => new Notify(notice.RecipientId, notice.Notification)));
        if (S.CompletionPending)
        {
            S.Effects.Add(new CompleteDeparture(Id, Id, Caller.System.UserId));
        }
        S.PendingPackageLinks.Clear();
        S.PendingNotices.Clear();
        S.CompletionPending = false;
    }

    private void Raise(string actorId, Action<DomainEvent> setChange) => _outbox.Stage(++S.Version, actorId, setChange);

    private void Tell(string recipientId, string key, string kind, NotificationSeverity severity, string message) =>
        S.Effects.Add(new Notify(recipientId, new Notification(
            $"handover:{Id}:{key}:{recipientId}", kind, severity, "handover", Id, message, clock.GetUtcNow())));

    /// <summary>Links, notifications or the departure not yet applied (see <see cref="AfterCommit"/>).</summary>
    private bool HasPendingEffects() => _effects.HasPending;

    /// <summary>A package is still moving until its items have moved and its books are settled.</summary>
    private bool HasWaitingItems() => S.Packages.Exists(p => p.Status == PackageStatus.Transferring);

    private PackageState? Find(string receiverId) => S.Packages.Find(p => p.ReceiverId == receiverId);

    private PackageState AddressedTo(Caller caller)
    {
        AccessPolicy.EnsureActive(caller);
        EnsureStarted();
        var package = Find(caller.UserId);
        AccessPolicy.EnsureIsReceiver(caller, package?.ReceiverId ?? string.Empty);
        return package!;
    }

    private async Task EnsureCanRead(Caller caller, string? receiverId)
    {
        AccessPolicy.EnsureActive(caller);
        EnsureStarted();
        var team = await GrainFactory.GetGrain<ITeamGrain>(S.TeamId).Find();
        IReadOnlyCollection<string> receivers = receiverId is null ? S.Packages.Select(p => p.ReceiverId).ToList() : [receiverId];
        AccessPolicy.EnsureCanReadHandover(caller, Id, team?.ManagerId, team?.DirectorId, receivers);
    }

    private async Task<string?> ManagerId() =>
        (await GrainFactory.GetGrain<ITeamGrain>(S.TeamId).Find())?.ManagerId is { } managerId && managerId != Id ? managerId : null;

    private void EnsureStarted()
    {
        if (!S.Started)
        {
            throw new NotFoundException(Entity, Id);
        }
    }

    private string PackageKey(PackageState package) => $"{Id}/{package.ReceiverId}";

    private DateTimeOffset AcceptBy(PackageState package) => package.AddressedAt + options.Value.AcceptWithin;

    private static string Describe(PackageState package)
    {
        var customers = package.Items.Count(i => i.Kind == HandoverItemKind.Customer);
        var deals = package.Items.Count - customers;
        return $"{customers} customer(s) and {deals} open opportunit{(deals == 1 ? "y" : "ies")}";
    }

    /// <summary>
    /// Completed shows only once the leaver has departed: reads interleave with the transfer's turn, which marks the
    /// handover completed before its write and the departure that follows it.
    /// </summary>
    private HandoverView ToView(bool withItems) => new(
        Id, Id, S.TeamId, S.LastWorkingDay, S.StartedBy, S.StartedAt, S.Completed && !S.Effects.OfType<CompleteDeparture>().Any(), S.Packages.Select(p => ToView(p, withItems)).ToList());

    private HandoverPackageView ToView(PackageState package, bool withItems)
    {
        var counts = package.PrunedCounts ?? Counts(package);
        return new(Id, Id, package.ReceiverId, package.Status, package.AddressedAt, AcceptBy(package),
            counts.Customers, counts.Opportunities, counts.Transferred,
            package.FollowUpPlan, package.RejectionReason, package.Escalated,
            withItems ? package.Items.Select(i => new HandoverItemView(i.Kind, i.Id, i.Name, i.CustomerId, i.Transferred)).ToList() : []);
    }

    private static PackageCounts Counts(PackageState package) => new(
        package.Items.Count(i => i.Kind == HandoverItemKind.Customer),
        package.Items.Count(i => i.Kind == HandoverItemKind.Opportunity),
        package.Items.Count(i => i.Transferred));

    [LoggerMessage(Level = LogLevel.Warning, Message = "Handover {HandoverId}: moving item {ItemId} failed; the transfer retries it")]
    private partial void LogItemTransferFailed(Exception exception, string handoverId, string itemId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Handover {HandoverId}: could not check whether receiver {ReceiverId} is still active; asked again with the next batch")]
    private partial void LogReceiverCheckFailed(Exception exception, string handoverId, string receiverId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Handover {HandoverId}: settling the books of the package for '{ReceiverId}' failed; retried")]
    private partial void LogSettleFailed(Exception exception, string handoverId, string receiverId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Handover {HandoverId}: the book of {OwnerId} disagreed with {Corrected} moved record(s) and was corrected")]
    private partial void LogBookCorrected(string handoverId, string ownerId, int corrected);

}
