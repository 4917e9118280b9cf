using ActorSales.Domain.Customers;
using ActorSales.Domain.Errors;
using ActorSales.Domain.Identity;
using ActorSales.Domain.Pipeline;
using ActorSales.Grains.Abstractions;
using ActorSales.Grains.Abstractions.Customers;
using ActorSales.Grains.Abstractions.Handovers;
using ActorSales.Grains.Abstractions.Opportunities;
using ActorSales.Grains.Abstractions.People;

namespace ActorSales.Grains.Tests;

[Collection(ClusterCollection.Name)]
public sealed class CustomerGrainTests(ClusterFixture fixture)
{
    private static int _phoneCounter = 100_000;

    private static string UniquePhone() => $"+49 30 {Interlocked.Increment(ref _phoneCounter)}";

    private static CustomerDetails Details(string? company = null, string? phone = null, string? email = null) => new(
        "Central Hospital", company ?? $"Hospital {Guid.NewGuid():N}", "Healthcare", CustomerTier.A,
        [new Contact("Anna Berg", "Head of Cardiology", phone ?? UniquePhone(), email ?? $"{Guid.NewGuid():N}@example.com")],
        null, SourceChannel.Referral);

    private ICustomerGrain NewCustomer() => fixture.Grains.GetGrain<ICustomerGrain>(GrainKeys.NewCustomerId());

    [Fact]
    public async Task Registering_a_customer_puts_it_in_the_owners_book_stamped_with_the_injected_clock()
    {
        var team = await fixture.CreateTeamAsync();
        var customer = NewCustomer();

        var view = await customer.Register(Details(), team.Rep.UserId, team.Rep);

        Assert.Equal(team.Rep.UserId, view.OwnerId);
        Assert.Equal(team.TeamId, view.OwnerTeamId);
        Assert.Equal(1, view.Version);
        Assert.Equal(fixture.Clock.GetUtcNow(), view.CreatedAt);
        var book = await fixture.Grains.GetGrain<ISalespersonGrain>(team.Rep.UserId).ListCustomers(team.Rep, 10, null);
        Assert.Equal([view.Id], book.Items.Select(c => c.Id));
    }

    [Theory]
    [InlineData("phone")]
    [InlineData("email")]
    [InlineData("company")]
    public async Task A_duplicate_is_rejected_naming_the_existing_customer_and_its_owner(string kind)
    {
        var team = await fixture.CreateTeamAsync();
        var original = Details();
        var existing = await NewCustomer().Register(original, team.Rep.UserId, team.Rep);
        var contact = original.Contacts[0];
        var duplicate = kind switch
        {
            // Same identity written differently: normalisation makes them equal.
            "phone" => Details(phone: contact.Phone.Replace(" ", "-", StringComparison.Ordinal).Replace("+", "00", StringComparison.Ordinal)),
            "email" => Details(email: contact.Email.ToUpperInvariant()),
            _ => Details(company: original.Company.ToUpperInvariant() + " GmbH"),
        };

        var error = await Assert.ThrowsAsync<AlreadyExistsException>(() => NewCustomer().Register(duplicate, team.OtherRep.UserId, team.OtherRep));

        Assert.Equal(existing.Id, error.ExistingId);
        Assert.Equal(team.Rep.UserId, error.ExistingOwnerId);
        Assert.Equal($"a customer with the same {kind} already exists: customer_id={existing.Id}, owner_id={team.Rep.UserId}", error.Message);
    }

    [Fact]
    public async Task Concurrent_registrations_of_the_same_phone_produce_exactly_one_customer()
    {
        var team = await fixture.CreateTeamAsync();
        var phone = UniquePhone();
        var attempts = Enumerable.Range(0, 20).Select(async _ =>
        {
            try
            {
                return (await NewCustomer().Register(Details(phone: phone), team.Rep.UserId, team.Rep)).Id;
            }
            catch (AlreadyExistsException)
            {
                return null;
            }
        });

        var results = await Task.WhenAll(attempts);

        var winner = Assert.Single(results.OfType<string>());
        var book = await fixture.Grains.GetGrain<ISalespersonGrain>(team.Rep.UserId).ListCustomers(team.Rep, 100, null);
        Assert.Equal([winner], book.Items.Select(c => c.Id));
    }

    [Fact]
    public async Task A_failed_registration_leaves_no_reservation_behind()
    {
        var team = await fixture.CreateTeamAsync();
        var taken = Details();
        await NewCustomer().Register(taken, team.Rep.UserId, team.Rep);
        var company = $"Fresh Company {Guid.NewGuid():N}";

        // The company key is reserved first (keys go in order), then the phone conflicts: the company must be freed.
        await Assert.ThrowsAsync<AlreadyExistsException>(() =>
            NewCustomer().Register(Details(company: company, phone: taken.Contacts[0].Phone), team.Rep.UserId, team.Rep));
        var view = await NewCustomer().Register(Details(company: company), team.Rep.UserId, team.Rep);

        Assert.Equal(company, view.Details.Company);
    }

    [Fact]
    public async Task Changing_a_phone_number_frees_the_old_one_and_claims_the_new_one()
    {
        var team = await fixture.CreateTeamAsync();
        var first = Details();
        var customer = NewCustomer();
        await customer.Register(first, team.Rep.UserId, team.Rep);
        var newPhone = UniquePhone();

        var updated = await customer.Update(new CustomerChanges(["contacts"], first with
        {
            Contacts = [first.Contacts[0] with { Phone = newPhone }],
        }), 1, team.Rep);

        Assert.Equal(2, updated.Version);
        await NewCustomer().Register(Details(phone: first.Contacts[0].Phone), team.OtherRep.UserId, team.OtherRep);
        await Assert.ThrowsAsync<AlreadyExistsException>(() => NewCustomer().Register(Details(phone: newPhone), team.OtherRep.UserId, team.OtherRep));
    }

    [Fact]
    public async Task A_stale_expected_version_is_refused_and_changes_nothing()
    {
        var team = await fixture.CreateTeamAsync();
        var customer = NewCustomer();
        var details = Details();
        await customer.Register(details, team.Rep.UserId, team.Rep);
        await customer.Update(new CustomerChanges(["industry"], details with { Industry = "Pharma" }), 1, team.Rep);

        await Assert.ThrowsAsync<ConcurrencyConflictException>(() =>
            customer.Update(new CustomerChanges(["industry"], details with { Industry = "Retail" }), 1, team.Rep));

        var view = await customer.Get(team.Rep);
        Assert.Equal("Pharma", view.Details.Industry);
        Assert.Equal(2, view.Version);
    }

    [Fact]
    public async Task Only_visits_calls_and_meetings_with_a_summary_move_the_last_follow_up()
    {
        var team = await fixture.CreateTeamAsync();
        var customer = NewCustomer();
        await customer.Register(Details(), team.Rep.UserId, team.Rep);
        var callAt = fixture.Clock.GetUtcNow().AddHours(-2);

        await customer.LogActivity(new ActivityDraft(ActivityKind.Call, callAt, "agreed on a demo", null, null, null, DurationSeconds: 120), team.Rep);
        var afterEmail = await customer.LogActivity(new ActivityDraft(ActivityKind.Email, fixture.Clock.GetUtcNow(), "sent brochure", null, null, null), team.Rep);

        Assert.Equal(callAt, afterEmail.Customer.LastFollowUpAt);
        Assert.Equal(2, afterEmail.Customer.ActivityCount);
        Assert.Equal(team.Rep.UserId, afterEmail.Activity.LoggedBy);
        Assert.Equal(fixture.Clock.GetUtcNow(), afterEmail.Activity.LoggedAt);
    }

    [Fact]
    public async Task Activities_page_newest_first_across_chunks_without_gaps()
    {
        var team = await fixture.CreateTeamAsync();
        var customer = NewCustomer();
        await customer.Register(Details(), team.Rep.UserId, team.Rep);
        for (var i = 1; i <= 250; i++)
        {
            await customer.LogActivity(new ActivityDraft(ActivityKind.Note, fixture.Clock.GetUtcNow(), $"note {i}", null, null, null), team.Rep);
        }

        var seen = new List<long>();
        long? before = null;
        do
        {
            var page = await customer.ListActivities(team.Rep, 120, before);
            Assert.Equal(250, page.TotalCount);
            seen.AddRange(page.Items.Select(a => a.Sequence));
            before = page.NextCursor is { } cursor ? long.Parse(cursor, System.Globalization.CultureInfo.InvariantCulture) : null;
        }
        while (before is not null);

        Assert.Equal(Enumerable.Range(1, 250).Reverse().Select(i => (long)i), seen);
        var newest = await customer.ListActivities(team.Rep, 1, null);
        Assert.Equal("note 250", Assert.Single(newest.Items).Summary);
    }

    [Fact]
    public async Task Another_reps_customer_can_be_neither_read_nor_changed_but_their_manager_can()
    {
        var team = await fixture.CreateTeamAsync();
        var other = await fixture.CreateTeamAsync();
        var customer = NewCustomer();
        await customer.Register(Details(), team.Rep.UserId, team.Rep);

        await Assert.ThrowsAsync<AccessDeniedException>(() => customer.Get(team.OtherRep));
        await Assert.ThrowsAsync<AccessDeniedException>(() =>
            customer.LogActivity(new ActivityDraft(ActivityKind.Call, fixture.Clock.GetUtcNow(), "hi", null, null, null, DurationSeconds: 120), team.OtherRep));
        await Assert.ThrowsAsync<AccessDeniedException>(() => customer.Get(other.Manager));
        Assert.Equal(team.Rep.UserId, (await customer.Get(team.Manager)).OwnerId);
    }

    [Fact]
    public async Task A_rep_cannot_register_a_customer_for_someone_else_but_their_manager_can()
    {
        var team = await fixture.CreateTeamAsync();

        await Assert.ThrowsAsync<AccessDeniedException>(() => NewCustomer().Register(Details(), team.OtherRep.UserId, team.Rep));
        var view = await NewCustomer().Register(Details(), team.OtherRep.UserId, team.Manager);

        Assert.Equal(team.OtherRep.UserId, view.OwnerId);
    }

    [Fact]
    public async Task Transfer_moves_the_customer_between_books_and_the_old_owner_loses_access()
    {
        var team = await fixture.CreateTeamAsync();
        var customer = NewCustomer();
        var registered = await customer.Register(Details(), team.Rep.UserId, team.Rep);

        await Assert.ThrowsAsync<AccessDeniedException>(() => customer.Transfer(team.OtherRep.UserId, "rebalancing", 0, team.Rep));
        var moved = await customer.Transfer(team.OtherRep.UserId, "rebalancing", registered.Version, team.Manager);

        Assert.Equal(team.OtherRep.UserId, moved.OwnerId);
        Assert.Empty((await fixture.Grains.GetGrain<ISalespersonGrain>(team.Rep.UserId).ListCustomers(team.Rep, 10, null)).Items);
        Assert.Equal([registered.Id], (await fixture.Grains.GetGrain<ISalespersonGrain>(team.OtherRep.UserId).ListCustomers(team.OtherRep, 10, null)).Items.Select(c => c.Id));
        await Assert.ThrowsAsync<AccessDeniedException>(() => customer.Get(team.Rep));
    }

    [Fact]
    public async Task A_manager_cannot_transfer_into_another_team()
    {
        var team = await fixture.CreateTeamAsync();
        var other = await fixture.CreateTeamAsync();
        var customer = NewCustomer();
        await customer.Register(Details(), team.Rep.UserId, team.Rep);

        await Assert.ThrowsAsync<AccessDeniedException>(() => customer.Transfer(other.Rep.UserId, "", 0, team.Manager));

        Assert.Equal(team.Rep.UserId, (await customer.Get(team.Rep)).OwnerId);
    }

    [Fact]
    public async Task Callers_of_another_team_get_access_denied_for_a_transfer_whatever_they_ask_and_learn_nothing_of_the_customer()
    {
        var team = await fixture.CreateTeamAsync();
        var other = await fixture.CreateTeamAsync();
        var customer = NewCustomer();
        var registered = await customer.Register(Details(), team.Rep.UserId, team.Rep);
        await customer.Update(new CustomerChanges(["industry"], Details() with { Industry = "Pharma" }), registered.Version, team.Rep);

        // Each would have been answered from the record's state before access was decided: "already owns", a stale version.
        var attempts = new (Caller Caller, string NewOwner, long Version)[]
        {
            (other.Manager, team.Rep.UserId, 0), (other.Manager, team.OtherRep.UserId, 1), (other.Rep, team.Rep.UserId, 1),
            (other.Rep, other.OtherRep.UserId, 0), (team.Rep, team.Rep.UserId, 1), (team.OtherRep, team.OtherRep.UserId, 1),
        };
        foreach (var (caller, newOwner, version) in attempts)
        {
            var denied = await Assert.ThrowsAsync<AccessDeniedException>(() => customer.Transfer(newOwner, "", version, caller));
            Assert.DoesNotContain(registered.Id, denied.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(team.Rep.UserId, denied.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("version", denied.Message, StringComparison.Ordinal);
        }
        Assert.Equal(team.Rep.UserId, (await customer.Get(team.Rep)).OwnerId);
    }

    [Fact]
    public async Task Registering_for_another_teams_departing_rep_is_denied_before_their_status_is_revealed()
    {
        var team = await fixture.CreateTeamAsync();
        var other = await fixture.CreateTeamAsync();
        await fixture.Grains.GetGrain<IHandoverGrain>(team.OtherRep.UserId).Start(new DepartureRequest(null, team.Rep.UserId, []), team.Manager);

        var denied = await Assert.ThrowsAsync<AccessDeniedException>(() => NewCustomer().Register(Details(), team.OtherRep.UserId, other.Rep));
        var ownTeam = await Assert.ThrowsAsync<PreconditionFailedException>(() => NewCustomer().Register(Details(), team.OtherRep.UserId, team.Manager));

        Assert.DoesNotContain("active", denied.Message, StringComparison.Ordinal);
        Assert.Contains("not active", ownTeam.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Moving_a_rep_to_another_team_moves_their_customers_into_that_teams_scope()
    {
        var north = await fixture.CreateTeamAsync();
        var south = await fixture.CreateTeamAsync();
        var customer = NewCustomer();
        await customer.Register(Details(), north.Rep.UserId, north.Rep);

        await fixture.Grains.GetGrain<ISalespersonGrain>(north.Rep.UserId).Update(new SalespersonChanges(null, null, null, south.TeamId), 0, ClusterFixture.Admin);

        Assert.Equal(south.TeamId, (await customer.Get(south.Manager)).OwnerTeamId);
        await Assert.ThrowsAsync<AccessDeniedException>(() => customer.Get(north.Manager));
        var southTeam = await fixture.Grains.GetGrain<ITeamGrain>(south.TeamId).Get(ClusterFixture.Admin);
        var northTeam = await fixture.Grains.GetGrain<ITeamGrain>(north.TeamId).Get(ClusterFixture.Admin);
        Assert.Contains(north.Rep.UserId, southTeam.MemberIds);
        Assert.DoesNotContain(north.Rep.UserId, northTeam.MemberIds);
    }

    [Fact]
    public async Task The_book_pages_in_id_order()
    {
        var team = await fixture.CreateTeamAsync();
        var ids = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            ids.Add((await NewCustomer().Register(Details(), team.Rep.UserId, team.Rep)).Id);
        }
        var person = fixture.Grains.GetGrain<ISalespersonGrain>(team.Rep.UserId);

        var listed = new List<string>();
        string? after = null;
        do
        {
            var page = await person.ListCustomers(team.Rep, 3, after);
            Assert.Equal(7, page.TotalCount);
            listed.AddRange(page.Items.Select(c => c.Id));
            after = page.NextCursor;
        }
        while (after is not null);

        Assert.Equal(ids.Order(StringComparer.Ordinal), listed);
    }

    [Fact]
    public async Task A_departing_or_unknown_owner_cannot_receive_customers()
    {
        var team = await fixture.CreateTeamAsync();
        await Assert.ThrowsAsync<NotFoundException>(() => NewCustomer().Register(Details(), "nobody-" + Guid.NewGuid().ToString("N")[..6], team.Manager));
    }

    [Fact]
    public async Task A_handover_brief_shows_one_version_even_when_changes_land_while_it_reads_the_deals()
    {
        var team = await fixture.CreateTeamAsync();
        var deal = await fixture.OpenDealAsync(team, team.Rep);
        var customer = fixture.Grains.GetGrain<ICustomerGrain>((await deal.Get(team.Rep)).CustomerId);
        var now = fixture.Clock.GetUtcNow();
        await customer.LogActivity(new ActivityDraft(ActivityKind.Call, now, "called the buyer", "send the quote", now.AddDays(2), null, DurationSeconds: 120), team.Rep);
        var asked = await customer.Get(team.Rep);

        // The brief reads the customer, then its deals; while it waits on the first deal, a note, a rename and a second
        // deal land.
        var hold = fixture.CallFaults.Hold(deal, nameof(IOpportunityGrain.Find));
        HandoverBrief brief;
        try
        {
            var briefing = customer.Brief();
            await hold.Reached.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
            await customer.LogActivity(new ActivityDraft(ActivityKind.Visit, now, "visited the clinic", "sign the contract", now.AddDays(5), null), team.Rep);
            var details = (await customer.Get(team.Rep)).Details;
            await customer.Update(new CustomerChanges(["name"], details with { Name = "Renamed Clinic" }), asked.Version + 1, team.Rep);
            await fixture.Grains.GetGrain<IOpportunityGrain>(GrainKeys.NewOpportunityId()).Open(new OpportunityDraft(
                asked.Id, new OpportunityTerms("Second deal", new Money(5_000m, "EUR"), ClusterFixture.Start.AddDays(60)), null), team.Rep);
            hold.Release();
            brief = (await briefing)!;
        }
        finally
        {
            hold.Release();
        }
        var later = (await customer.Brief())!;

        // Everything the brief says is of the version current when it was asked: the next action is its newest note's.
        Assert.Equal((asked.Details.Name, "send the quote"), (brief.Name, brief.NextAction));
        Assert.Equal([1L], brief.RecentNotes.Select(n => n.Sequence));
        Assert.Equal(brief.RecentNotes[0].NextAction, brief.NextAction);
        Assert.Equal((await deal.Get(team.Rep)).Id, Assert.Single(brief.Deals).OpportunityId);
        // The next brief is of the version after both changes.
        Assert.Equal(("Renamed Clinic", "sign the contract"), (later.Name, later.NextAction));
        Assert.Equal([2L, 1L], later.RecentNotes.Select(n => n.Sequence));
        Assert.Equal(2, later.Deals.Count);
    }
}
