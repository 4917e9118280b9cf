using ActorSales.Domain.Customers;
using ActorSales.Domain.Identity;
using ActorSales.Domain.People;
using ActorSales.Grains.Abstractions;
using ActorSales.Grains.Abstractions.Customers;
using ActorSales.Grains.Abstractions.Events;
using ActorSales.Domain.Pipeline;
using ActorSales.Grains.Abstractions.Opportunities;
using ActorSales.Grains.Abstractions.People;
using ActorSales.Grains.Events;
using ActorSales.Grains.Events.Streams;
using ActorSales.Grains.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.Hosting;
using Orleans.TestingHost;

namespace ActorSales.Grains.Tests;

/// <summary>
/// One in-process cluster for the whole collection. Grains see a <see cref="FakeTimeProvider"/>; Orleans' own
/// membership, directory and reminder loops stay on real time so advancing the fake clock never spins them.
/// </summary>
public class ClusterFixture : IAsyncLifetime
{
    public static readonly DateTimeOffset Start = new(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);

    public FakeTimeProvider Clock { get; } = new(Start);

    /// <summary>The department the test silo's task rule sends work to; unique per run so queues start empty.</summary>
    public static readonly string LegalDepartment = $"legal-{Guid.NewGuid():N}"[..14];

    public InProcessTestCluster Cluster { get; private set; } = null!;

    /// <summary>The team whose calendar (<c>ActorSales:Deadlines:TeamCalendars</c>) makes every Saturday a working day.</summary>
    public static readonly string MakeUpSaturdaysTeamId = $"makeup-{Guid.NewGuid():N}"[..15];

    /// <summary>The silo's event log; tests can make it refuse appends for chosen entities.</summary>
    public FaultableEventLog EventLog { get; } = new(new InMemoryEventLog(TimeProvider.System));

    /// <summary>Calls a test arms here are lost or failed (see <see cref="CallFaults"/>).</summary>
    public CallFaults CallFaults { get; } = new();

    /// <summary>The silo's services (its grain storage, for tests that write behind an activation's back).</summary>
    public IServiceProvider SiloServices => Cluster.Silos[0].ServiceProvider;

    /// <summary>The event streams' settings (production defaults): the same provider as the host, reading <see cref="EventLog"/>.</summary>
    public static EventStreamOptions StreamOptions { get; } = new();

    /// <summary>Outbox retries come this often (real time) here, instead of the production minute.</summary>
    public static readonly TimeSpan OutboxRetryPeriod = TimeSpan.FromSeconds(1);

    public IGrainFactory Grains => Cluster.Client;

    public IClusterClient Client => Cluster.Client;

    public static Caller Admin { get; } = new("admin", Role.Admin, null, SalespersonStatus.Active);

    /// <summary>The top of the approval chain (<c>Approval:EscalationApproverId</c>): approvals left with a director for 72 h go here.</summary>
    public static Caller HeadOfSales { get; } = new("head-of-sales", Role.Admin, null, SalespersonStatus.Active);

    /// <summary>The default B2B pipeline as sales teams described it (the host loads the same from configuration).</summary>
    public static PipelineDefinition B2B { get; } = new("b2b", 0, "Default B2B",
    [
        new StageDefinition("NeedsConfirmed", "Needs confirmed", ["meeting_minutes"], [], TimeSpan.FromDays(7), TimeSpan.FromDays(15)),
        new StageDefinition("ProposalSubmitted", "Proposal submitted", ["proposal_document"], [], TimeSpan.FromDays(7), TimeSpan.FromDays(15)),
        new StageDefinition("PriceNegotiation", "Price negotiation", ["quote"], [], TimeSpan.FromDays(10), TimeSpan.FromDays(15)),
        new StageDefinition("ContractApproval", "Contract approval", ["signed_contract"], [], TimeSpan.FromHours(48), TimeSpan.FromHours(72)),
    ], AllowSkipping: false);

    public async ValueTask InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.Services.AddSingleton<TimeProvider>(Clock);
            silo.Services.UseTimeProviderForBackgroundAreas(TimeProvider.System);
            silo.Services.AddSingleton<IEventLog>(EventLog);
            silo.Services.AddSingleton<IIncomingGrainCallFilter>(CallFaults);
            silo.Services.AddActorSalesGrains();
            silo.Services.AddCallDirectionCheck();
            silo.Services.Configure<EventLogOptions>(o => o.OutboxRetryPeriod = OutboxRetryPeriod);
            silo.Services.Configure<Orleans.Hosting.ReminderOptions>(o => o.MinimumReminderPeriod = OutboxRetryPeriod);
            silo.Services.Configure<OpportunityOptions>(o =>
            {
                o.TaskRules.Add(new StageTaskRule
                {
                    Pipeline = "b2b", Stage = "ContractApproval", Department = LegalDepartment, Title = "Review the framework agreement", DueIn = TimeSpan.FromDays(2),
                });
                o.Approval.EscalationApproverId = HeadOfSales.UserId;
            });
            // One team works every Saturday of the fixture's two years (调休), through its own calendar.
            silo.Services.Configure<Domain.Deadlines.DeadlineOptions>(o => o.TeamCalendars[MakeUpSaturdaysTeamId] = new Domain.Deadlines.TeamCalendarOptions
            {
                MakeUpWorkingDays = Enumerable.Range(0, 730).Select(d => DateOnly.FromDateTime(Start.UtcDateTime).AddDays(d))
                    .Where(d => d.DayOfWeek == DayOfWeek.Saturday).ToList(),
            });
            ConfigureRules(silo.Services);
            silo.AddMemoryGrainStorage(StorageNames.Default);
            silo.AddMemoryGrainStorage(StorageNames.PubSub);
            silo.AddActorSalesStreams(StreamOptions);
            silo.UseInMemoryReminderService();
        });
        builder.ConfigureClient(client => client.AddActorSalesStreams(StreamOptions));
        Cluster = builder.Build();
        await Cluster.DeployAsync();
        await Grains.GetGrain<IPipelineGrain>(B2B.Key).Define(B2B, Admin);
    }

    /// <summary>The notifications of <paramref name="kind"/> in <paramref name="user"/>'s inbox.</summary>
    public async Task<IReadOnlyList<Domain.Deadlines.Notification>> NoticesAsync(Caller user, string kind) =>
        (await Grains.GetGrain<Abstractions.Notifications.INotificationInboxGrain>(user.UserId).List(user, 500, null, unreadOnly: false)).Items
            .Where(n => n.Kind == kind).ToList();

    /// <summary>Reads <paramref name="deal"/> until it shows <paramref name="level"/>: timers fire in the grain's own turn.</summary>
    public static Task<OpportunityView> StallLevelIsAsync(IOpportunityGrain deal, Caller owner, Domain.Deadlines.StallLevel level) =>
        EventuallyAsync(() => deal.Get(owner), v => v.StallLevel == level);

    /// <summary>A derived fixture changes the business rules' options here (e.g. deadlines of other lengths).</summary>
    protected virtual void ConfigureRules(IServiceCollection services)
    {
    }

    /// <summary>
    /// Memory-stream pulling agents tick on the silo's (fake) clock, so a test waiting for stream delivery moves
    /// time forward in small steps until <paramref name="task"/> completes, bounded by 30 s of real time.
    /// </summary>
    public async Task AdvanceUntilAsync(Task task)
    {
        var deadline = TimeProvider.System.GetTimestamp() + (30 * TimeProvider.System.TimestampFrequency);
        while (!task.IsCompleted && TimeProvider.System.GetTimestamp() < deadline)
        {
            Clock.Advance(TimeSpan.FromMilliseconds(100));
            try
            {
                await task.WaitAsync(TimeSpan.FromMilliseconds(20));
            }
            catch (TimeoutException)
            {
                // Not yet delivered: advance again.
            }
        }
        await task.WaitAsync(TimeSpan.FromSeconds(1));
    }

    /// <summary>
    /// Reads until <paramref name="until"/> holds, polling every 10 ms for at most 10 s of real time (or
    /// <paramref name="bound"/>). For effects that a fake-time advance triggers but the grain applies in its own turn
    /// (timers, notifications to other grains).
    /// </summary>
    public static async Task<T> EventuallyAsync<T>(Func<Task<T>> read, Func<T, bool> until, TimeSpan? bound = null)
    {
        using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(10));
        var deadline = TimeProvider.System.GetTimestamp() + (long)((bound ?? TimeSpan.FromSeconds(10)).TotalSeconds * TimeProvider.System.TimestampFrequency);
        var value = await read();
        while (!until(value) && TimeProvider.System.GetTimestamp() < deadline)
        {
            await poll.WaitForNextTickAsync();
            value = await read();
        }
        return value;
    }

    public async ValueTask DisposeAsync()
    {
        var violations = SiloServices.GetRequiredService<CallDirectionViolations>().Seen.Distinct().ToList();
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
        Assert.True(violations.Count == 0, $"grain calls against the declared direction: {string.Join(", ", violations)}");
    }

    /// <summary>A fresh team with a manager and two reps; ids are unique per call so tests never share data.</summary>
    public async Task<TestTeam> CreateTeamAsync(string? timeZone = null, string? teamId = null)
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        teamId ??= $"team-{suffix}";
        await Grains.GetGrain<ITeamGrain>(teamId).Create(new TeamProfile($"Team {suffix}", "EMEA", timeZone ?? "Europe/Berlin"), Admin);
        var manager = await CreatePersonAsync($"mgr-{suffix}", Role.Manager, teamId);
        await Grains.GetGrain<ITeamGrain>(teamId).Update(new TeamChanges(null, null, null, manager.UserId), 0, Admin);
        var rep = await CreatePersonAsync($"rep-{suffix}", Role.Rep, teamId);
        var otherRep = await CreatePersonAsync($"rep2-{suffix}", Role.Rep, teamId);
        return new TestTeam(teamId, manager, rep, otherRep);
    }

    /// <summary>A new customer of <paramref name="ownerId"/> in <paramref name="team"/>, registered by its manager.</summary>
    public async Task<ICustomerGrain> RegisterCustomerAsync(TestTeam team, string ownerId, CustomerTier tier = CustomerTier.B, string name = "Clinic")
    {
        var customer = Grains.GetGrain<ICustomerGrain>(GrainKeys.NewCustomerId());
        await customer.Register(new CustomerDetails(name, $"{name} {Guid.NewGuid():N}", "Health", tier, [], null, SourceChannel.Outbound), ownerId, team.Manager);
        return customer;
    }

    /// <summary>A customer of <paramref name="owner"/> with one open deal on the default B2B pipeline.</summary>
    public async Task<IOpportunityGrain> OpenDealAsync(TestTeam team, Caller owner, decimal amount = 100_000m, string currency = "EUR")
    {
        var details = new CustomerDetails("Clinic", $"Clinic {Guid.NewGuid():N}", "Health", CustomerTier.A, [], null, SourceChannel.Outbound);
        var customer = await Grains.GetGrain<ICustomerGrain>(GrainKeys.NewCustomerId()).Register(details, owner.UserId, team.Manager);
        var deal = Grains.GetGrain<IOpportunityGrain>(GrainKeys.NewOpportunityId());
        await deal.Open(new OpportunityDraft(customer.Id, new OpportunityTerms("Deal", new Money(amount, currency), Start.AddDays(30)), null), owner);
        return deal;
    }

    /// <summary>A new director named as <paramref name="team"/>'s director: the approver of its deals above the threshold.</summary>
    public async Task<Caller> AppointDirectorAsync(TestTeam team)
    {
        var director = await CreatePersonAsync($"dir-{Guid.NewGuid():N}"[..16], Role.Director, team.TeamId);
        await Grains.GetGrain<ITeamGrain>(team.TeamId).Update(new TeamChanges(null, null, null, null, director.UserId), 0, Admin);
        return director;
    }

    /// <summary>A deal of the team's rep worth <paramref name="amount"/> EUR, in price negotiation with its quote attached.</summary>
    public async Task<IOpportunityGrain> DealReadyForApprovalAsync(TestTeam team, decimal amount)
    {
        var deal = await OpenDealAsync(team, team.Rep, amount);
        await WalkToAsync(deal, team.Rep, "PriceNegotiation");
        await deal.AddEvidence("quote", "DOC-q", "", team.Rep);
        return deal;
    }

    /// <summary>Moves a B2B deal forward stage by stage, attaching each stage's required evidence, until it is in <paramref name="stage"/>.</summary>
    public static async Task WalkToAsync(IOpportunityGrain deal, Caller owner, string stage)
    {
        var current = (await deal.Get(owner)).Stage;
        while (current != stage)
        {
            var index = B2B.IndexOf(current);
            foreach (var kind in B2B.Stages[index].RequiredEvidenceToLeave)
            {
                await deal.AddEvidence(kind, $"DOC-{kind}", "", owner);
            }
            current = (await deal.ChangeStage(B2B.Stages[index + 1].Key, "", 0, owner)).Stage;
        }
    }

    /// <summary>
    /// Adds <paramref name="people"/> to <see cref="LegalDepartment"/>'s members (as an admin, keeping the others): only
    /// members list and claim its tasks.
    /// </summary>
    public async Task JoinLegalAsync(params Caller[] people)
    {
        var legal = Grains.GetGrain<IDepartmentQueueGrain>(LegalDepartment);
        var current = await legal.Get(Admin);
        await legal.SetMembers([.. current.MemberIds, .. people.Select(p => p.UserId)], current.Version, Admin);
    }

    public async Task<Caller> CreatePersonAsync(string id, Role role, string teamId)
    {
        await Grains.GetGrain<ISalespersonGrain>(id).Create(new SalespersonProfile(id, $"{id}@example.com", role, teamId), Admin);
        return new Caller(id, role, teamId, SalespersonStatus.Active);
    }
}

public sealed record TestTeam(string TeamId, Caller Manager, Caller Rep, Caller OtherRep);

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}
