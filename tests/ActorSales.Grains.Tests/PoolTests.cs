using ActorSales.Domain.Customers;
using ActorSales.Domain.Deadlines;
using ActorSales.Domain.Errors;
using ActorSales.Domain.Identity;
using ActorSales.Grains.Abstractions;
using ActorSales.Grains.Abstractions.Customers;
using ActorSales.Grains.Abstractions.Notifications;
using ActorSales.Grains.Abstractions.People;
using ActorSales.Grains.Customers;
using ActorSales.Grains.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;

namespace ActorSales.Grains.Tests;

/// <summary>
/// Ownership release and the public pool on fake time. Defaults: tier B is warned after 15 days and released after
/// 30 without real follow-up; tier C released after 15; 5 claims per person per day; 7 days before a previous owner
/// may claim back.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class PoolTests(ClusterFixture fixture)
{
    private Task<ICustomerGrain> RegisterAsync(TestTeam team, Caller owner, CustomerTier tier) => fixture.RegisterCustomerAsync(team, owner.UserId, tier);

    // Claims and assignments go to the customer, which asks its team's pool to reserve the claim.
    private Task<CustomerView> Claim(TestTeam team, string customerId, Caller caller) =>
        fixture.Grains.GetGrain<ICustomerGrain>(customerId).ClaimFromPool(team.TeamId, caller);

    private Task<CustomerView> Assign(TestTeam team, string customerId, string ownerId, Caller caller) =>
        fixture.Grains.GetGrain<ICustomerGrain>(customerId).AssignFromPool(team.TeamId, ownerId, caller);

    private static Task<CustomerView> InPool(ICustomerGrain customer, Caller reader) =>
        ClusterFixture.EventuallyAsync(() => customer.Get(reader), v => v.InPool);

    [Fact]
    public async Task A_neglected_customer_is_warned_then_released_to_the_pool_and_claimed_by_someone_else()
    {
        var team = await fixture.CreateTeamAsync();
        var customer = await RegisterAsync(team, team.Rep, CustomerTier.B);
        var teamGrain = fixture.Grains.GetGrain<ITeamGrain>(team.TeamId);
        var pool = fixture.Grains.GetGrain<IPublicPoolGrain>(team.TeamId);

        fixture.Clock.Advance(TimeSpan.FromDays(15));
        var warned = await ClusterFixture.EventuallyAsync(() => teamGrain.AboutToRelease(team.Manager), l => l.Count > 0);
        var warning = await ClusterFixture.EventuallyAsync(
            async () => (await fixture.Grains.GetGrain<INotificationInboxGrain>(team.Rep.UserId).List(team.Rep, 50, null, false)).Items
                .Where(n => n.Kind == "release_warning").ToList(), n => n.Count > 0);
        fixture.Clock.Advance(TimeSpan.FromDays(15));
        var released = await InPool(customer, team.Manager);
        var listed = await ClusterFixture.EventuallyAsync(() => pool.List(team.OtherRep, null, null, 50, null), p => p.Items.Count > 0);
        var reclaim = await Assert.ThrowsAsync<PreconditionFailedException>(() => Claim(team, customer.GetPrimaryKeyString(), team.Rep));
        var claimed = await Claim(team, customer.GetPrimaryKeyString(), team.OtherRep);

        Assert.Equal([customer.GetPrimaryKeyString()], warned);
        Assert.Contains("public pool", Assert.Single(warning).Message, StringComparison.Ordinal);
        Assert.Equal(string.Empty, released.OwnerId);
        Assert.Equal(customer.GetPrimaryKeyString(), Assert.Single(listed.Items).CustomerId);
        Assert.Contains("may claim it back from", reclaim.Message, StringComparison.Ordinal);
        Assert.Equal((team.OtherRep.UserId, false), (claimed.OwnerId, claimed.InPool));
        Assert.Empty((await fixture.Grains.GetGrain<ISalespersonGrain>(team.Rep.UserId).ListCustomers(team.Rep, 10, null)).Items);
        Assert.Equal([customer.GetPrimaryKeyString()], (await fixture.Grains.GetGrain<ISalespersonGrain>(team.OtherRep.UserId).ListCustomers(team.OtherRep, 10, null)).Items.Select(c => c.Id));
        Assert.Empty((await pool.List(team.OtherRep, null, null, 50, null)).Items);
    }

    [Fact]
    public async Task Contact_before_the_release_restarts_the_clock_and_a_locked_customer_is_never_released()
    {
        var team = await fixture.CreateTeamAsync();
        var contacted = await RegisterAsync(team, team.Rep, CustomerTier.B);
        var locked = await RegisterAsync(team, team.Rep, CustomerTier.B);
        await locked.SetLock(true, team.Manager);
        await Assert.ThrowsAsync<AccessDeniedException>(() => contacted.SetLock(true, team.Rep));

        fixture.Clock.Advance(TimeSpan.FromDays(20));
        await contacted.LogActivity(new ActivityDraft(ActivityKind.Visit, fixture.Clock.GetUtcNow(), "site visit", null, null, null), team.Rep);
        fixture.Clock.Advance(TimeSpan.FromDays(15)); // day 35: past the first release date, 15 days after the visit
        var stillOwned = await contacted.Get(team.Rep);
        var lockedView = await locked.Get(team.Rep);
        fixture.Clock.Advance(TimeSpan.FromDays(15)); // day 50: 30 days after the visit
        var releasedLater = await InPool(contacted, team.Manager);

        Assert.Equal(team.Rep.UserId, stillOwned.OwnerId);
        Assert.Equal((team.Rep.UserId, false), (lockedView.OwnerId, lockedView.InPool));
        Assert.True(releasedLater.InPool);
    }

    [Fact]
    public async Task A_customer_with_a_deal_in_contract_approval_is_exempt()
    {
        var team = await fixture.CreateTeamAsync();
        var deal = await fixture.OpenDealAsync(team, team.Rep); // its customer is tier A: released after 45 days
        await ClusterFixture.WalkToAsync(deal, team.Rep, "ContractApproval");
        var customer = fixture.Grains.GetGrain<ICustomerGrain>((await deal.Get(team.Rep)).CustomerId);

        fixture.Clock.Advance(TimeSpan.FromDays(46));
        await customer.Get(team.Rep);
        var view = await customer.Get(team.Rep);

        Assert.Equal((team.Rep.UserId, false), (view.OwnerId, view.InPool));
    }

    [Fact]
    public async Task A_customer_with_a_deal_won_in_the_last_ninety_days_is_exempt()
    {
        var team = await fixture.CreateTeamAsync();
        var deal = await fixture.OpenDealAsync(team, team.Rep); // tier A: released after 45 days without follow-up
        await ClusterFixture.WalkToAsync(deal, team.Rep, "ContractApproval");
        await deal.AddEvidence("signed_contract", "DOC-c", "", team.Rep);
        await deal.Win("product_fit", "", 0, team.Rep);
        var customer = fixture.Grains.GetGrain<ICustomerGrain>((await deal.Get(team.Rep)).CustomerId);

        fixture.Clock.Advance(TimeSpan.FromDays(46));
        await customer.Get(team.Rep);
        var view = await customer.Get(team.Rep);

        Assert.Equal((team.Rep.UserId, false), (view.OwnerId, view.InPool));
    }

    [Fact]
    public async Task A_person_claims_at_most_five_a_day_and_the_limit_resets_the_next_day()
    {
        var team = await fixture.CreateTeamAsync();
        var customers = new List<ICustomerGrain>();
        for (var i = 0; i < 7; i++)
        {
            customers.Add(await RegisterAsync(team, team.Rep, CustomerTier.C));
        }
        fixture.Clock.Advance(TimeSpan.FromDays(15));
        foreach (var customer in customers)
        {
            await InPool(customer, team.Manager);
        }
        var pool = fixture.Grains.GetGrain<IPublicPoolGrain>(team.TeamId);
        await ClusterFixture.EventuallyAsync(() => pool.List(team.Manager, null, null, 50, null), p => p.Items.Count == 7);

        for (var i = 0; i < 5; i++)
        {
            await Claim(team, customers[i].GetPrimaryKeyString(), team.OtherRep);
        }
        var sixth = await Assert.ThrowsAsync<PreconditionFailedException>(() => Claim(team, customers[5].GetPrimaryKeyString(), team.OtherRep));
        var assigned = await Assign(team, customers[5].GetPrimaryKeyString(), team.OtherRep.UserId, team.Manager); // managers are not limited per day
        fixture.Clock.Advance(TimeSpan.FromDays(1));
        var nextDay = await Claim(team, customers[6].GetPrimaryKeyString(), team.OtherRep);

        Assert.Contains("already claimed 5 customers today", sixth.Message, StringComparison.Ordinal);
        Assert.Equal(team.OtherRep.UserId, assigned.OwnerId);
        Assert.Equal(team.OtherRep.UserId, nextDay.OwnerId);
    }

    [Fact]
    public async Task A_thousand_people_claiming_the_same_hundred_customers_leave_each_with_exactly_one_owner()
    {
        var team = await fixture.CreateTeamAsync();
        var customers = new List<ICustomerGrain>();
        for (var i = 0; i < 100; i++)
        {
            customers.Add(await RegisterAsync(team, team.Rep, CustomerTier.C));
        }
        var claimants = new List<Caller>();
        for (var i = 0; i < 1_000; i++)
        {
            claimants.Add(await fixture.CreatePersonAsync($"c{i}-{team.TeamId}"[..Math.Min(40, $"c{i}-{team.TeamId}".Length)], Role.Rep, team.TeamId));
        }
        fixture.Clock.Advance(TimeSpan.FromDays(15));
        var pool = fixture.Grains.GetGrain<IPublicPoolGrain>(team.TeamId);
        await ClusterFixture.EventuallyAsync(() => pool.List(team.Manager, null, null, 500, null), p => p.Items.Count == 100);

        var ids = customers.Select(c => c.GetPrimaryKeyString()).ToList();
        var attempts = claimants.SelectMany((claimant, n) => Enumerable.Range(0, 8).Select(k => (claimant, id: ids[(n * 7 + k * 13) % ids.Count])))
            .Select(async a =>
            {
                try
                {
                    return (await Claim(team, a.id, a.claimant)).OwnerId;
                }
                catch (DomainException)
                {
                    return null;
                }
            });
        var winners = (await Task.WhenAll(attempts)).OfType<string>().ToList();

        var owners = await Task.WhenAll(customers.Select(async c => (await c.Get(ClusterFixture.Admin)).OwnerId));
        Assert.Equal(100, winners.Count);                                     // every customer claimed exactly once
        Assert.Equal(winners.Order(), owners.Order());                        // and owned by whoever won it
        Assert.All(winners.GroupBy(w => w), g => Assert.True(g.Count() <= 5)); // nobody over the daily limit
        Assert.Empty((await pool.List(team.Manager, null, null, 500, null)).Items);
    }

    [Fact]
    public async Task Customers_with_a_won_deal_do_not_count_against_the_holding_cap()
    {
        var team = await fixture.CreateTeamAsync();
        var deal = await fixture.OpenDealAsync(team, team.Rep);
        await fixture.OpenDealAsync(team, team.Rep);
        var person = fixture.Grains.GetGrain<ISalespersonGrain>(team.Rep.UserId);
        var before = await person.OwnedCount();

        await ClusterFixture.WalkToAsync(deal, team.Rep, "ContractApproval");
        await deal.AddEvidence("signed_contract", "DOC-c", "", team.Rep);
        await deal.Win("product_fit", "", 0, team.Rep);
        var after = await ClusterFixture.EventuallyAsync(() => person.OwnedCount(), n => n < before);

        Assert.Equal((2, 1), (before, after));
    }

    [Fact]
    public async Task A_claim_on_another_teams_pool_is_refused_before_any_entry_is_looked_at_and_names_no_team()
    {
        var team = await fixture.CreateTeamAsync();
        var outsider = await fixture.CreateTeamAsync();
        var customer = await RegisterAsync(team, team.Rep, CustomerTier.B);

        var existing = await Assert.ThrowsAsync<AccessDeniedException>(() => Claim(team, customer.GetPrimaryKeyString(), outsider.Rep));
        var missing = await Assert.ThrowsAsync<AccessDeniedException>(() => Claim(team, GrainKeys.NewCustomerId(), outsider.Manager));
        var service = await Assert.ThrowsAsync<AccessDeniedException>(() =>
            Assign(team, customer.GetPrimaryKeyString(), team.OtherRep.UserId, new Caller("billing", Role.Service, null, Domain.People.SalespersonStatus.Active)));

        Assert.Equal(existing.Message, missing.Message); // nothing about the entry: not even whether it exists
        Assert.All(new[] { existing, missing, service }, denied =>
        {
            Assert.DoesNotContain(team.TeamId, denied.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(customer.GetPrimaryKeyString(), denied.Message, StringComparison.Ordinal);
        });
    }

    /// <summary>Six tier-C customers of the rep, released to the team's pool and listed there.</summary>
    private async Task<List<string>> PooledAsync(TestTeam team, int count)
    {
        var customers = new List<ICustomerGrain>();
        for (var i = 0; i < count; i++)
        {
            customers.Add(await RegisterAsync(team, team.Rep, CustomerTier.C));
        }
        fixture.Clock.Advance(TimeSpan.FromDays(15));
        foreach (var customer in customers)
        {
            await InPool(customer, team.Manager);
        }
        var pool = fixture.Grains.GetGrain<IPublicPoolGrain>(team.TeamId);
        await ClusterFixture.EventuallyAsync(() => pool.List(team.Manager, null, null, 50, null), p => p.Items.Count == count);
        return customers.Select(c => c.GetPrimaryKeyString()).ToList();
    }

    [Fact]
    public async Task A_claim_whose_customer_write_fails_leaves_the_customer_claimable_and_the_claim_uncounted()
    {
        var team = await fixture.CreateTeamAsync();
        var ids = await PooledAsync(team, 6);
        var pool = fixture.Grains.GetGrain<IPublicPoolGrain>(team.TeamId);
        for (var i = 0; i < 4; i++)
        {
            await Claim(team, ids[i], team.OtherRep);
        }
        // Another activation's write behind the live one's back: the live activation's next write fails on the ETag.
        var failing = fixture.Grains.GetGrain<ICustomerGrain>(ids[4]);
        var storage = fixture.SiloServices.GetRequiredKeyedService<IGrainStorage>(StorageNames.Default);
        var stored = new GrainState<CustomerState>();
        await storage.ReadStateAsync("customer", failing.GetGrainId(), stored);
        await storage.WriteStateAsync("customer", failing.GetGrainId(), stored);

        var failed = await Assert.ThrowsAsync<ConcurrencyConflictException>(() => Claim(team, ids[4], team.OtherRep));
        var afterFailure = await failing.Get(team.Manager);
        var listed = (await pool.List(team.Manager, null, null, 50, null)).Items.Select(e => e.CustomerId).ToList();
        var fifth = await Claim(team, ids[4], team.OtherRep); // still the fifth of the day: the failed one was given back
        var sixth = await Assert.ThrowsAsync<PreconditionFailedException>(() => Claim(team, ids[5], team.OtherRep));

        Assert.Contains(ids[4], failed.Message, StringComparison.Ordinal);
        Assert.Equal((string.Empty, true), (afterFailure.OwnerId, afterFailure.InPool));
        Assert.Equal(new[] { ids[4], ids[5] }.Order(), listed.Order()); // ids of one millisecond order by their random part
        Assert.Equal((team.OtherRep.UserId, false), (fifth.OwnerId, fifth.InPool));
        Assert.Contains("already claimed 5 customers today", sixth.Message, StringComparison.Ordinal);
        Assert.Equal([ids[5]], (await pool.List(team.Manager, null, null, 50, null)).Items.Select(e => e.CustomerId));
    }

    [Fact]
    public async Task A_reservation_its_customer_never_confirms_expires_and_a_late_confirmation_still_takes_the_entry()
    {
        var team = await fixture.CreateTeamAsync();
        var ids = await PooledAsync(team, 2);
        var pool = fixture.Grains.GetGrain<IPublicPoolGrain>(team.TeamId);

        // As a customer whose silo died between the reservation and its write: nobody confirms or releases.
        var orphan = await pool.Reserve(ids[0], team.OtherRep.UserId, managerAssignment: false);
        var whileReserved = (await pool.List(team.Manager, null, null, 50, null)).Items.Select(e => e.CustomerId).ToList();
        var refused = await Assert.ThrowsAsync<NotFoundException>(() => Claim(team, ids[0], team.Rep));
        fixture.Clock.Advance(new PoolOptions().ReservationTimeout);
        var expired = await ClusterFixture.EventuallyAsync(() => pool.List(team.Manager, null, null, 50, null), p => p.Items.Count == 2);
        // Had the write landed after all, its confirmation (an effect, retried until it arrives) takes the entry again.
        var late = await pool.Reserve(ids[1], team.OtherRep.UserId, managerAssignment: false);
        fixture.Clock.Advance(new PoolOptions().ReservationTimeout);
        await ClusterFixture.EventuallyAsync(() => pool.List(team.Manager, null, null, 50, null), p => p.Items.Count == 2);
        await pool.Confirm(late);
        await pool.Confirm(late); // replayed: nothing more
        var claimed = await Claim(team, ids[0], team.OtherRep);

        Assert.Equal([ids[1]], whileReserved);
        Assert.Contains("pool entry", refused.Message, StringComparison.Ordinal);
        Assert.Equal(ids.Order(), expired.Items.Select(e => e.CustomerId).Order());
        Assert.Equal(team.OtherRep.UserId, claimed.OwnerId);
        Assert.Empty((await pool.List(team.Manager, null, null, 50, null)).Items);
        Assert.Equal(orphan.CustomerId, ids[0]);
    }
}
