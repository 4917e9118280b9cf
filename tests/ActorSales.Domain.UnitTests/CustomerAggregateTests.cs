using ActorSales.Domain.Common;
using ActorSales.Domain.Customers;
using ActorSales.Domain.Deadlines;
using ActorSales.Domain.Errors;
using ActorSales.Domain.Identity;
using ActorSales.Domain.People;

using Record = ActorSales.Domain.UnitTests.TestCustomerRecord;

namespace ActorSales.Domain.UnitTests;

/// <summary>The customer's decisions without a silo: each command's events (with their sequences), follow-ups and state.</summary>
public sealed class CustomerAggregateTests
{
    private const string Id = "cus-1";
    private const string Team = "north";
    private static readonly DateTimeOffset Now = new(2026, 11, 2, 10, 0, 0, TimeSpan.Zero); // a Monday
    private static readonly DeadlineOptions Options = new();
    private static readonly CustomerOwner Rep = new("rep-1", Team, SalespersonStatus.Active, "Europe/Berlin");
    private static readonly CustomerOwner OtherRep = new("rep-2", Team, SalespersonStatus.Active, "Europe/Berlin");
    private static readonly Caller Manager = new("mgr-1", Role.Manager, Team, SalespersonStatus.Active);
    private static readonly Caller RepCaller = new(Rep.Id, Role.Rep, Team, SalespersonStatus.Active);

    private static CustomerDetails Details(CustomerTier tier = CustomerTier.B) => new("Acme Hospital", "Acme", "Healthcare", tier,
        [new Contact("Anna", "Head of Cardiology", "+49 30 1234", "anna@acme.com")], null, SourceChannel.Referral);

    private static CustomerAggregate On(Record record) => new(Id, record, new CustomerDeadlines(Options));

    /// <summary>A customer registered to <see cref="Rep"/> at <see cref="Now"/> (version 1).</summary>
    private static Record Registered(CustomerTier tier = CustomerTier.B)
    {
        var record = new Record();
        var details = CustomerRules.Validate(Details(tier));
        On(record).Register(details, Rep, DedupKeys.For(details), Now);
        return record;
    }

    private static Deadline Due(Record record, string rule) => Assert.Single(On(record).WantedDeadlines(), d => d.Rule == rule);

    [Fact]
    public void Registering_raises_registered_at_version_one_and_lists_the_customer_in_the_owners_book()
    {
        var record = new Record();
        var details = CustomerRules.Validate(Details());
        var customer = On(record);

        customer.Register(details, Rep, DedupKeys.For(details), Now);
        var again = Assert.Throws<AlreadyExistsException>(() => On(record).Register(details, OtherRep, [], Now));
        var inactive = Assert.Throws<PreconditionFailedException>(() =>
            On(new Record()).Register(details, Rep with { Status = SalespersonStatus.Departed }, [], Now));

        Assert.Equal([new Raised<CustomerEvent>(1, new CustomerEvent.Registered())], customer.Events);
        Assert.Equal([new CustomerFollowUp.AddToBook(Rep.Id, false)], customer.FollowUps);
        Assert.Equal((true, Rep.Id, Team, "Europe/Berlin", Now, Now, 1L), (record.Registered, record.OwnerId, record.OwnerTeamId, record.OwnerTimeZone, record.AssignedAt, record.CreatedAt, record.Version));
        Assert.Equal(DedupKeys.For(details), record.DedupKeys);
        Assert.Equal(Rep.Id, again.ExistingOwnerId);
        Assert.Contains("not active", inactive.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_update_raises_the_changed_fields_takes_new_keys_and_setting_the_tier_qualifies()
    {
        var record = Registered();
        var oldKeys = record.DedupKeys.ToList();
        var customer = On(record);
        var values = Details(CustomerTier.A) with { Company = "Acme Group", Name = "ignored: not named" };

        var plan = customer.PlanUpdate(["company", "tier"], values, expectedVersion: 1);
        var before = (record.Version, record.Details);
        customer.Update(plan, Now.AddHours(1));
        var stale = Assert.Throws<ConcurrencyConflictException>(() => On(record).PlanUpdate(["tier"], values, expectedVersion: 1));
        var unchanged = On(record);
        unchanged.Update(unchanged.PlanUpdate(["tier"], values, expectedVersion: 2), Now.AddHours(2));

        Assert.Equal((1L, Details().Company), (before.Version, before.Details!.Company)); // planning changes nothing
        var (sequence, change) = Assert.Single(customer.Events);
        Assert.Equal(2, sequence);
        Assert.Equal(["company", "tier"], Assert.IsType<CustomerEvent.Updated>(change).ChangedFields);
        Assert.Empty(customer.FollowUps);
        Assert.Equal(("Acme Group", "Acme Hospital", CustomerTier.A, Now.AddHours(1), 2L),
            (record.Details!.Company, record.Details.Name, record.Details.Tier, record.QualifiedAt, record.Version));
        Assert.NotEmpty(plan.AddedKeys);
        Assert.Equal(record.DedupKeys.Except(oldKeys), plan.AddedKeys);
        Assert.Equal(oldKeys.Except(record.DedupKeys), plan.RemovedKeys);
        Assert.Contains("version 2", stale.Message, StringComparison.Ordinal);
        Assert.False(unchanged.Changed);
        Assert.Equal(2, record.Version);
    }

    [Fact]
    public void Confirming_the_tier_the_customer_already_has_is_the_qualification_and_ends_that_deadline()
    {
        var record = Registered(CustomerTier.B);
        var customer = On(record);

        customer.Update(customer.PlanUpdate(["tier"], Details(CustomerTier.B), expectedVersion: 1), Now.AddHours(3));
        var again = On(record);
        again.Update(again.PlanUpdate(["tier"], Details(CustomerTier.B), expectedVersion: 0), Now.AddHours(4));

        Assert.Equal(Now.AddHours(3), record.QualifiedAt);
        Assert.DoesNotContain(On(record).WantedDeadlines(), d => d.Rule == NewCustomerSla.Qualification);
        Assert.Equal([new Raised<CustomerEvent>(2, new CustomerEvent.TierConfirmed(CustomerTier.B))], customer.Events);
        Assert.False(again.Changed); // already qualified for this owner: nothing to record
    }

    [Fact]
    public void A_real_follow_up_restarts_the_clocks_and_clears_the_release_warning_while_a_note_or_an_older_visit_does_not()
    {
        var record = Registered();
        record.FiredDeadlines.Add("release-warning:cus-1:1");
        var visitAt = Now.AddDays(2);

        var visit = On(record);
        var logged = visit.NextActivity(new ActivityDraft(ActivityKind.Visit, visitAt, "site visit", "send quote", visitAt.AddDays(3), null), Rep.Id, visitAt);
        visit.LogActivity(logged, visitAt);
        var afterVisit = (record.LastFollowUpAt, record.FiredDeadlines.Count, record.NextAction, record.ActivityCount);

        record.FiredDeadlines.Add("key-customer-follow-up:cus-1:2");
        var note = On(record);
        note.LogActivity(note.NextActivity(new ActivityDraft(ActivityKind.Note, visitAt.AddHours(1), "internal", null, null, null), Rep.Id, visitAt.AddHours(1)), visitAt.AddHours(1));
        var older = On(record);
        older.LogActivity(older.NextActivity(new ActivityDraft(ActivityKind.Call, Now.AddDays(1), "earlier call", null, null, null, DurationSeconds: 120), Rep.Id, visitAt.AddHours(2)), visitAt.AddHours(2));

        Assert.Equal([new Raised<CustomerEvent>(2, new CustomerEvent.ActivityLogged(logged, true))], visit.Events);
        Assert.Equal([new CustomerFollowUp.SetReleaseWarning(Team, false)], visit.FollowUps);
        Assert.Equal((visitAt, 0, "send quote", 1L), ((DateTimeOffset?)afterVisit.LastFollowUpAt, afterVisit.Count, afterVisit.NextAction, afterVisit.ActivityCount));
        Assert.Equal(3, Assert.Single(note.Events).Sequence);
        Assert.False(Assert.IsType<CustomerEvent.ActivityLogged>(Assert.Single(note.Events).Event).IsFollowUp);
        Assert.Empty(note.FollowUps);
        Assert.Equal(4, Assert.Single(older.Events).Sequence);
        Assert.True(Assert.IsType<CustomerEvent.ActivityLogged>(Assert.Single(older.Events).Event).IsFollowUp);
        Assert.Empty(older.FollowUps); // not newer than the last follow-up: the clock stays
        Assert.Equal((visitAt, 3L, 4L, "send quote"), (record.LastFollowUpAt!.Value, record.ActivityCount, record.Version, record.NextAction));
        Assert.Equal(["key-customer-follow-up:cus-1:2"], record.FiredDeadlines);
    }

    [Fact]
    public void A_transfer_moves_the_books_and_starts_the_new_owners_clocks_after_every_check()
    {
        var record = Registered();
        record.FiredDeadlines.Add("release-warning:cus-1:1");
        var later = Now.AddDays(5);

        var denied = Assert.Throws<AccessDeniedException>(() => On(record).Transfer(OtherRep, "", 1, RepCaller, later));
        var same = Assert.Throws<PreconditionFailedException>(() => On(record).Transfer(Rep, "", 1, Manager, later));
        var customer = On(record);
        customer.Transfer(OtherRep with { TimeZone = "Europe/Paris" }, "rebalancing", 1, Manager, later);

        Assert.IsType<AccessDeniedException>(denied);
        Assert.Contains("already owns", same.Message, StringComparison.Ordinal);
        Assert.Equal([new Raised<CustomerEvent>(2, new CustomerEvent.OwnerChanged(Rep.Id, OtherRep.Id, Team, "rebalancing"))], customer.Events);
        Assert.Equal([new CustomerFollowUp.RemoveFromBook(Rep.Id), new CustomerFollowUp.AddToBook(OtherRep.Id, false)], customer.FollowUps);
        Assert.Equal((OtherRep.Id, later, "Europe/Paris", 0, 2L), (record.OwnerId, record.AssignedAt, record.OwnerTimeZone, record.FiredDeadlines.Count, record.Version));
    }

    [Fact]
    public void Locking_is_for_the_owners_manager_raises_once_and_stops_the_release_deadlines()
    {
        var record = Registered();
        var wantedBefore = On(record).WantedDeadlines().Select(d => d.Rule).ToList();

        Assert.Throws<AccessDeniedException>(() => On(record).SetLock(true, RepCaller, Now));
        var locking = On(record);
        locking.SetLock(true, Manager, Now.AddDays(1));
        var again = On(record);
        again.SetLock(true, Manager, Now.AddDays(2));

        var (sequence, change) = Assert.Single(locking.Events);
        Assert.Equal(2, sequence);
        Assert.Equal(["locked"], Assert.IsType<CustomerEvent.Updated>(change).ChangedFields);
        Assert.Empty(locking.FollowUps);
        Assert.False(again.Changed);
        Assert.Equal((true, 2L), (record.Locked, record.Version));
        Assert.Contains(ReleaseRules.Release, wantedBefore);
        Assert.DoesNotContain(On(record).WantedDeadlines(), d => d.Rule is ReleaseRules.Release or ReleaseRules.Warning);
    }

    [Fact]
    public void A_due_release_puts_the_customer_in_its_teams_pool_and_a_claim_from_there_confirms_the_reservation()
    {
        var record = Registered(CustomerTier.C);
        var release = Due(record, ReleaseRules.Release);
        var releasedAt = release.DueAt;

        var early = Assert.Throws<PreconditionFailedException>(() => On(record).Release(release, false, releasedAt.AddMinutes(-1)));
        var releasing = On(record);
        releasing.Release(release, dealInApproval: false, releasedAt);
        var pooled = (record.InPool, record.OwnerId, record.PreviousOwnerId, record.Version);
        var otherPool = Assert.Throws<NotFoundException>(() => On(record).EnsureInPool("south"));
        var claim = new PoolClaim("r-1", Id, OtherRep.Id, DateOnly.FromDateTime(releasedAt.Date), Counted: true);
        var claiming = On(record);
        claiming.ClaimFromPool(OtherRep, claim, assigned: false, releasedAt.AddHours(1));
        var notAnyMore = Assert.Throws<NotFoundException>(() => On(record).EnsureInPool(Team));

        Assert.Contains("not due", early.Message, StringComparison.Ordinal);
        Assert.Equal([new Raised<CustomerEvent>(2, new CustomerEvent.Released(Rep.Id, Team))], releasing.Events);
        Assert.Equal(
            [new CustomerFollowUp.RemoveFromBook(Rep.Id), new CustomerFollowUp.EnterPool(Team, "Acme Hospital", CustomerTier.C, "Healthcare", releasedAt, Rep.Id)],
            releasing.FollowUps);
        Assert.Equal((true, string.Empty, Rep.Id, 2L), ((bool, string, string?, long))pooled);
        Assert.Contains("pool entry", otherPool.Message, StringComparison.Ordinal);
        Assert.Equal([new Raised<CustomerEvent>(3, new CustomerEvent.Claimed(OtherRep.Id, false))], claiming.Events);
        Assert.Equal([new CustomerFollowUp.AddToBook(OtherRep.Id, false), new CustomerFollowUp.ConfirmPoolClaim(Team, claim)], claiming.FollowUps);
        Assert.Equal((false, OtherRep.Id, releasedAt.AddHours(1), 3L), (record.InPool, record.OwnerId, record.AssignedAt, record.Version));
        Assert.IsType<NotFoundException>(notAnyMore);
    }

    [Fact]
    public void A_handover_moves_once_per_handover_id_and_records_one_that_finds_the_customer_moved()
    {
        var record = Registered();
        var moving = On(record);
        moving.HandOver("h-1", Rep.Id, OtherRep, Now.AddDays(1));
        var replay = On(record);
        var replayed = replay.HandoverApplied("h-1", Rep.Id);
        replay.HandOver("h-1", Rep.Id, OtherRep, Now.AddDays(2));
        var passedOver = On(record);
        passedOver.HandOver("h-2", Rep.Id, null, Now.AddDays(3)); // another leaver's handover: the customer is no longer theirs

        Assert.Equal([new Raised<CustomerEvent>(2, new CustomerEvent.OwnerChanged(Rep.Id, OtherRep.Id, Team, "handover h-1"))], moving.Events);
        Assert.Equal([new CustomerFollowUp.RemoveFromBook(Rep.Id), new CustomerFollowUp.AddToBook(OtherRep.Id, false)], moving.FollowUps);
        Assert.True(replayed);
        Assert.False(replay.Changed);
        Assert.Empty(passedOver.Events);
        Assert.True(passedOver.Changed); // the id is recorded with a write, but nothing moves
        Assert.Equal((OtherRep.Id, Now.AddDays(1), 2L), (record.OwnerId, record.AssignedAt, record.Version));
        Assert.Equal(["h-1", "h-2"], record.AppliedHandovers);
    }

    [Fact]
    public void A_handover_to_nobody_puts_the_customer_in_the_pool()
    {
        var record = Registered();
        var customer = On(record);
        customer.HandOver("h-1", Rep.Id, null, Now.AddDays(1));

        Assert.Equal([new Raised<CustomerEvent>(2, new CustomerEvent.Released(Rep.Id, Team))], customer.Events);
        Assert.Equal(
            [new CustomerFollowUp.RemoveFromBook(Rep.Id), new CustomerFollowUp.EnterPool(Team, "Acme Hospital", CustomerTier.B, "Healthcare", Now.AddDays(1), Rep.Id)],
            customer.FollowUps);
        Assert.Equal((true, string.Empty, 2L), (record.InPool, record.OwnerId, record.Version));
        Assert.Equal(["h-1"], record.AppliedHandovers);
    }

    [Fact]
    public void A_recent_win_or_a_deal_in_approval_waives_the_release_but_records_the_firing()
    {
        var won = Registered(CustomerTier.C);
        var release = Due(won, ReleaseRules.Release);
        var recording = On(won);
        recording.RecordWin(release.DueAt.AddDays(-10));
        var exempt = On(won);
        exempt.Release(release, dealInApproval: false, release.DueAt);
        var inApproval = Registered(CustomerTier.C);
        var approving = On(inApproval);
        approving.Release(release, dealInApproval: true, release.DueAt);

        Assert.True(recording.Changed);
        Assert.Empty(recording.Events);
        Assert.Empty(exempt.Events);
        Assert.Empty(exempt.FollowUps);
        Assert.True(exempt.Changed);
        Assert.Equal((false, Rep.Id, 1L), (won.InPool, won.OwnerId, won.Version));
        Assert.Contains(release.FiringKey(Id), won.FiredDeadlines);
        Assert.DoesNotContain(On(won).WantedDeadlines(), d => d == release);
        Assert.Empty(approving.Events);
        Assert.False(inApproval.InPool);
    }

    [Fact]
    public void New_customer_deadlines_follow_working_days_and_key_customers_add_the_follow_up_rule()
    {
        var keyCustomer = Registered(CustomerTier.A);
        var regular = Registered(CustomerTier.B);

        var wanted = On(keyCustomer).WantedDeadlines().ToDictionary(d => d.Rule, d => d.DueAt);
        var regularRules = On(regular).WantedDeadlines().Select(d => d.Rule).ToList();

        // Monday 10:00 UTC in Berlin: first contact by the end of Wednesday, the label by the end of Thursday (local).
        Assert.Equal(new DateTimeOffset(2026, 11, 4, 23, 0, 0, TimeSpan.Zero), wanted[NewCustomerSla.FirstContact]);
        Assert.Equal(new DateTimeOffset(2026, 11, 5, 23, 0, 0, TimeSpan.Zero), wanted[NewCustomerSla.Qualification]);
        Assert.Equal(Now.AddDays(3), wanted[FollowUpRules.KeyCustomer]);
        Assert.Equal(Now.AddDays(30), wanted[ReleaseRules.Warning]);
        Assert.Equal(Now.AddDays(45), wanted[ReleaseRules.Release]);
        Assert.DoesNotContain(FollowUpRules.KeyCustomer, regularRules);
    }

    [Fact]
    public void An_overdue_key_customer_tells_owner_and_manager_once_and_a_release_warning_tells_the_owner_and_lists_the_customer()
    {
        var record = Registered(CustomerTier.A);
        var keyCustomer = Due(record, FollowUpRules.KeyCustomer);
        var warning = Due(record, ReleaseRules.Warning);

        var firing = On(record);
        firing.FollowUpOverdue(keyCustomer, keyCustomer.DueAt);
        var twice = Assert.Throws<PreconditionFailedException>(() => On(record).FollowUpOverdue(keyCustomer, keyCustomer.DueAt));
        var warning1 = On(record);
        warning1.FollowUpOverdue(warning, warning.DueAt);

        var key = keyCustomer.FiringKey(Id);
        var notice = new Notification($"{key}:{Rep.Id}", "key_customer_follow_up", NotificationSeverity.Warning, "customer", Id,
            "Key customer 'Acme Hospital' has had no visit, call or meeting since it was assigned", keyCustomer.DueAt);
        Assert.Equal([new Raised<CustomerEvent>(2, new CustomerEvent.FollowUpOverdue(keyCustomer))], firing.Events);
        Assert.Equal([new CustomerFollowUp.Notify(Rep.Id, notice), new CustomerFollowUp.NotifyTeamManager(Team, Rep.Id, key, notice)], firing.FollowUps);
        Assert.Contains("not due", twice.Message, StringComparison.Ordinal);
        Assert.Equal(3, Assert.Single(warning1.Events).Sequence);
        var told = Assert.IsType<CustomerFollowUp.Notify>(warning1.FollowUps[0]);
        Assert.Equal(("release_warning", Rep.Id), (told.Notification.Kind, told.RecipientId));
        Assert.Contains("goes to the public pool on 2026-12-17", told.Notification.Message, StringComparison.Ordinal);
        Assert.Equal(new CustomerFollowUp.SetReleaseWarning(Team, true), warning1.FollowUps[1]);
        Assert.Equal([key, warning.FiringKey(Id)], record.FiredDeadlines);
        Assert.Equal(3, record.Version);
    }

    [Fact]
    public void A_refused_registration_is_recorded_once_and_leaves_the_record_free_to_register()
    {
        var record = new Record();

        var first = On(record);
        first.RefuseRegistration("cus-existing", "phone", Rep.Id);
        var retry = On(record);
        retry.RefuseRegistration("cus-existing", "phone", Rep.Id);

        var raised = Assert.Single(first.Events);
        Assert.Equal(1, raised.Sequence);
        Assert.Equal(new CustomerEvent.RegistrationRefused("cus-existing", "phone", Rep.Id), raised.Event);
        Assert.Empty(retry.Events);
        Assert.False(retry.Changed);
        Assert.False(record.Registered);
        var details = CustomerRules.Validate(Details());
        var later = On(record);
        later.Register(details, Rep, DedupKeys.For(details), Now);
        Assert.Equal(2, Assert.Single(later.Events).Sequence); // the attempt's id registers after all, its sequence gap-free
    }

    [Fact]
    public void A_registered_customer_cannot_record_a_refused_registration()
    {
        var record = Registered();

        Assert.Throws<AlreadyExistsException>(() => On(record).RefuseRegistration("cus-other", "email", Rep.Id));
    }
}
