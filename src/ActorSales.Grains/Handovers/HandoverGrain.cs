using ActorSales.Contracts.V1;
using ActorSales.Domain.Common;
using ActorSales.Domain.Deadlines;
using ActorSales.Domain.Errors;
using ActorSales.Domain.Handovers;
using ActorSales.Domain.Identity;
using ActorSales.Grains.Abstractions.Contracts;
using ActorSales.Grains.Abstractions.Customers;
using ActorSales.Grains.Abstractions.Handovers;
using ActorSales.Grains.Abstractions.People;
using ActorSales.Grains.Deadlines;
using ActorSales.Grains.Effects;
using ActorSales.Grains.Events;
using ActorSales.Grains.Infrastructure;
using ActorSales.Grains.Requests;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using HandoverBrief = ActorSales.Grains.Abstractions.Handovers.HandoverBrief;
using HandoverItemKind = ActorSales.Domain.Handovers.HandoverItemKind;

namespace ActorSales.Grains.Handovers;

/// <summary>
/// A departure handover (key: the leaver's id), a thin shell over <see cref="HandoverAggregate"/>: each command looks up
/// what it needs, lets the aggregate decide, then writes state, events and effects in one write and runs the effects.
/// Acceptance deadlines, the transfer process and the retention run on the one deadline engine, so the grain's durable
/// reminder resumes them after a silo loss. Moving the items is in HandoverGrain.Transfer.cs, the lookups of a start in
/// HandoverGrain.Planning.cs.
/// </summary>
public sealed partial class HandoverGrain(
    [PersistentState("handover", StorageNames.Default)] IPersistentState<HandoverState> state,
    IOptions<HandoverOptions> options,
    TimeProvider clock,
    ILogger<HandoverGrain> logger) : Grain, IHandoverGrain, IRemindable, IRetrySafeGrain
{
    private const string Entity = "handover";

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
        var aggregate = Aggregate();
        aggregate.EnsureCanStart(leaver.Status); // before the leaver is frozen or anything rerouted
        var now = clock.GetUtcNow();
        var (start, rerouted) = await PrepareStart(request, leaver, team, caller, now);
        aggregate.Start(leaver.TeamId, start.LastWorkingDay, caller.UserId, start.FallbackOwnerId, start.Packages, rerouted, now);
        await Commit(aggregate, caller.UserId);
        return ToView(withItems: true);
    }

    public async Task<HandoverView> Get(Caller caller)
    {
        await EnsureCanRead(caller, null);
        return ToView(withItems: true);
    }

    public Task<HandoverPackageView?> FindPackage(string receiverId) =>
        Task.FromResult(S.Started && Aggregate().Find(receiverId) is { } package ? ToView(package, withItems: false) : null);

    public async Task<HandoverPackagePage> GetPackage(string receiverId, Caller caller, int pageSize, string? afterId)
    {
        await EnsureCanRead(caller, receiverId);
        var package = Aggregate().Find(receiverId) ?? throw new NotFoundException("handover package", $"{Id}/{(receiverId.Length == 0 ? "(pool)" : receiverId)}");
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
        EnsureIsReceiver(caller);
        var aggregate = Aggregate();
        var package = aggregate.Accept(caller.UserId, followUpPlan, clock.GetUtcNow());
        S.Requests.NoteResult(caller.UserId);
        await Commit(aggregate, caller.UserId);
        return ToView(package, withItems: false);
    }

    public async Task<HandoverPackageView> Reject(string reason, Caller caller)
    {
        EnsureIsReceiver(caller);
        var managerId = await ManagerId(); // before the first change: a failed lookup leaves the package pending
        var aggregate = Aggregate();
        var package = aggregate.Reject(caller.UserId, reason, managerId, clock.GetUtcNow());
        S.Requests.NoteResult(caller.UserId);
        await Commit(aggregate, caller.UserId);
        return ToView(package, withItems: false);
    }

    public async Task<HandoverView> Reassign(string fromReceiverId, string toReceiverId, IReadOnlyList<string> customerIds, Caller caller)
    {
        AccessPolicy.EnsureActive(caller);
        EnsureStarted();
        var team = await GrainFactory.GetGrain<ITeamGrain>(S.TeamId).Find();
        AccessPolicy.EnsureCanManageDeparture(caller, Id, team?.ManagerId, team?.DirectorId);
        var request = HandoverPackaging.ParseReassignment(Id, fromReceiverId, toReceiverId, customerIds);
        if (request.To.Length > 0)
        {
            await ResolveReceiver(request.To, S.TeamId, caller, "to_receiver_id");
        }
        var aggregate = Aggregate();
        aggregate.Reassign(request, clock.GetUtcNow());
        await Commit(aggregate, caller.UserId);
        return ToView(withItems: true);
    }

    private List<Deadline> DesiredDeadlines() => _deadlines.WithEffectsRetry(Aggregate().Deadlines(_effects.HasPending), _effects.HasPending);

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
        var aggregate = Aggregate();
        if (deadline.Rule == HandoverRules.Prune)
        {
            aggregate.Prune();
        }
        else
        {
            aggregate.FireAcceptanceDeadline(deadline, await ManagerId(), clock.GetUtcNow());
        }
        await Commit(aggregate, Caller.System.UserId);
    }

    private HandoverAggregate Aggregate() => new(Id, S, options.Value);

    /// <summary>
    /// Records what the aggregate decided (events built from the state it left; the leaver is the handover's owner for
    /// event filtering), writes state, outbox and effects in one write, publishes, then runs the effects.
    /// </summary>
    private async Task Commit(HandoverAggregate aggregate, string actorId)
    {
        var departurePending = aggregate.FollowUps.OfType<HandoverFollowUp.CompleteDeparture>().Any();
        aggregate.Record(_outbox, new EventScope(EntityType.Handover, Id, actorId, S.TeamId, Id), e => ToContract(e, departurePending), S.Effects, ToEffect);
        S.ReminderDueAt = await _deadlines.ReminderForWriteAsync(DesiredDeadlines());
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

    private Action<DomainEvent> ToContract(HandoverEvent @event, bool departurePending) => @event switch
    {
        HandoverEvent.Started => e => e.HandoverStarted = new HandoverStarted { Handover = ToView(withItems: true, departurePending).ToContract() },
        HandoverEvent.PackageAccepted accepted => e => e.HandoverPackageAccepted = new HandoverPackageAccepted { Package = PackageContract(accepted.ReceiverId) },
        HandoverEvent.PackageRejected rejected => e => e.HandoverPackageRejected = new HandoverPackageRejected { Package = PackageContract(rejected.ReceiverId) },
        HandoverEvent.PackageTransferred moved => e => e.HandoverPackageTransferred = new HandoverPackageTransferred { Package = PackageContract(moved.ReceiverId) },
        HandoverEvent.ItemsReassigned reassigned => e =>
        {
            var contract = new HandoverItemsReassigned { FromReceiverId = reassigned.FromReceiverId, ToReceiverId = reassigned.ToReceiverId };
            contract.CustomerIds.AddRange(reassigned.CustomerIds);
            e.HandoverItemsReassigned = contract;
        },
        HandoverEvent.AcceptanceReminded reminded => e => e.HandoverAcceptanceReminded = new HandoverAcceptanceReminded
        {
            ReceiverId = reminded.ReceiverId,
            AcceptBy = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(reminded.AcceptBy),
        },
        HandoverEvent.AcceptanceEscalated escalated => e => e.HandoverAcceptanceEscalated = new HandoverAcceptanceEscalated
        {
            ReceiverId = escalated.ReceiverId,
            ManagerId = escalated.ManagerId ?? string.Empty,
        },
        HandoverEvent.Completed completed => e => e.HandoverCompleted = new HandoverCompleted
        {
            HandoverId = Id,
            CustomersTransferred = completed.CustomersTransferred,
            CustomersPooled = completed.CustomersPooled,
            OpportunitiesTransferred = completed.OpportunitiesTransferred,
        },
        _ => throw new ArgumentOutOfRangeException(nameof(@event), @event, "no contract for this handover event"),
    };

    private Effect ToEffect(HandoverFollowUp followUp) => followUp switch
    {
        HandoverFollowUp.LinkPackage link => new LinkHandoverPackage(link.ReceiverId, Id, link.Addressed),
        HandoverFollowUp.Notify notify => new Notify(notify.RecipientId, notify.Notification),
        HandoverFollowUp.CompleteDeparture complete => new CompleteDeparture(Id, Id, complete.ActorId),
        _ => throw new ArgumentOutOfRangeException(nameof(followUp), followUp, "no effect for this handover follow-up"),
    };

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

    /// <summary>Only the receiver of a package may decide it; decided before anything about the package is revealed.</summary>
    private void EnsureIsReceiver(Caller caller)
    {
        AccessPolicy.EnsureActive(caller);
        EnsureStarted();
        AccessPolicy.EnsureIsReceiver(caller, Aggregate().Find(caller.UserId)?.ReceiverId ?? string.Empty);
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

    /// <summary>
    /// Completed shows only once the leaver has departed: reads interleave with the transfer's turn, which marks the
    /// handover completed before its write and the departure that follows it.
    /// </summary>
    private HandoverView ToView(bool withItems, bool departurePending = false) => new(
        Id, Id, S.TeamId, S.LastWorkingDay, S.StartedBy, S.StartedAt,
        S.Completed && !departurePending && !S.Effects.OfType<CompleteDeparture>().Any(), S.Packages.Select(p => ToView(p, withItems)).ToList());

    private Contracts.V1.HandoverPackage PackageContract(string receiverId) => ToView(Aggregate().Find(receiverId)!, withItems: false).ToContract();

    private HandoverPackageView ToView(PackageState package, bool withItems)
    {
        var counts = package.Counts;
        return new(Id, Id, package.ReceiverId, package.Status, package.AddressedAt, Aggregate().AcceptBy(package),
            counts.Customers, counts.Opportunities, counts.Transferred,
            package.FollowUpPlan, package.RejectionReason, package.Escalated,
            withItems ? package.Items.Select(i => new HandoverItemView(i.Kind, i.Id, i.Name, i.CustomerId, i.Transferred)).ToList() : []);
    }
}
