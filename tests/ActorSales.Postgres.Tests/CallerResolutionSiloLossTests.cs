using ActorSales.Contracts.V1;
using ActorSales.Domain.Customers;
using ActorSales.Grains.Abstractions;
using ActorSales.Grains.Abstractions.Customers;
using ActorSales.Grains.Abstractions.People;
using ActorSales.Testing;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using Orleans.Runtime.Placement;
using ActorSales.Gateway.Identity;
using Microsoft.Extensions.Time.Testing;
using Caller = ActorSales.Domain.Identity.Caller;
using DomainRole = ActorSales.Domain.Identity.Role;
using SalespersonStatus = ActorSales.Domain.People.SalespersonStatus;

namespace ActorSales.Postgres.Tests;

/// <summary>
/// A silo stops answering (it crashed, and the cluster has not yet declared it dead: several seconds of failure
/// detection). A rep whose salesperson grain lived there must still be able to write to a customer that lives on
/// another silo, because who the rep is does not have to be asked of that grain while it cannot answer. The silo's
/// silence is made by a call filter on it that never answers calls to that grain: an in-process host that is killed is
/// declared dead at once, which would leave no window to test in.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class CallerResolutionSiloLossTests(PostgresServerFixture postgres)
{
    [Fact]
    public async Task A_rep_whose_salesperson_grain_was_on_a_crashed_silo_keeps_writing_before_the_silo_is_declared_dead()
    {
        var database = await postgres.CreateDatabaseAsync();
        string[] settings =
        [
            "--ActorSales:Profile=Postgres", $"--ConnectionStrings:Postgres={database}", $"--ActorSales:ClusterId=callers-{Guid.NewGuid():N}",
            "--ActorSales:MigrateOnStart=true", $"--ActorSales:Auth:SigningKey={new string('c', 48)}",
        ];
        // The gateway's identity cache reads the host's clock: a fake one lets the test age what it knows without sleeping.
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var survivor = await TestHost.StartAsync(builder => ClusterPolling.UseFakeClock(builder, clock), settings);
        var silence = new Silence();
        var lost = await TestHost.StartAsync(builder =>
        {
            ClusterPolling.UseFakeClock(builder, clock);
            builder.Services.AddSingleton<IIncomingGrainCallFilter>(silence);
        }, settings);
        var grains = survivor.Services.GetRequiredService<IGrainFactory>();
        var management = grains.GetGrain<IManagementGrain>(0);
        await ClusterPolling.EventuallyAsync(() => management.GetHosts(onlyActive: true), h => h.Count == 2, TimeSpan.FromSeconds(60));
        var lostSilo = lost.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress;
        var survivorSilo = survivor.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress;
        var team = await survivor.CreateTeamAsync();
        var rep = $"lost-{team.TeamId[5..]}";
        var customerId = GrainKeys.NewCustomerId();

        // The rep's salesperson grain on the silo that goes away, the customer on the survivor (placement hints).
        RequestContext.Set(IPlacementDirector.PlacementHintKey, lostSilo);
        await grains.GetGrain<ISalespersonGrain>(rep).GetIdentity();
        RequestContext.Set(IPlacementDirector.PlacementHintKey, survivorSilo);
        await grains.GetGrain<ICustomerGrain>(customerId).Find();
        RequestContext.Remove(IPlacementDirector.PlacementHintKey);
        await survivor.Salespeople.CreateSalespersonAsync(new CreateSalespersonRequest
        {
            SalespersonId = rep, Name = rep, Email = $"{rep}@example.com", Role = Role.Rep, TeamId = team.TeamId,
        }, survivor.Admin);
        await grains.GetGrain<ICustomerGrain>(customerId).Register(
            new CustomerDetails("Clinic", $"Clinic {customerId}", "Health", ActorSales.Domain.Customers.CustomerTier.C, [], null, ActorSales.Domain.Customers.SourceChannel.Outbound),
            rep, new Caller(team.ManagerId, DomainRole.Manager, team.TeamId, SalespersonStatus.Active));
        await survivor.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = customerId }, survivor.As(rep, "rep")); // the gateway learns who the rep is
        var statistics = await management.GetDetailedGrainStatistics();
        SiloAddress? Where(string type, string key) => statistics.FirstOrDefault(s => s.GrainId.Equals(GrainId.Create(type, key)))?.SiloAddress;
        Assert.Equal((lostSilo, survivorSilo), (Where("salesperson", rep), Where("customer", customerId)));

        clock.Advance(PersonIdentityCache.Freshness); // what the gateway knows of the rep is no longer fresh: it must ask again
        silence.Of(GrainId.Create("salesperson", rep));
        var started = TimeProvider.System.GetTimestamp();
        var call = survivor.Customers.UpdateCustomerAsync(new UpdateCustomerRequest
        {
            CustomerId = customerId, Industry = "Cardiology", UpdatePaths = { "industry" },
        }, survivor.As(rep, "rep")).ResponseAsync;
        // The lookup waits for the silent grain until its timeout on the host's clock; move the clock until the write answers.
        await ClusterPolling.EventuallyAsync(() =>
        {
            clock.Advance(TimeSpan.FromMilliseconds(250));
            return Task.FromResult(call.IsCompleted);
        }, done => done, TimeSpan.FromSeconds(20));
        var updated = await call;
        var took = TimeProvider.System.GetElapsedTime(started);
        await lost.KillAsync();

        Assert.Equal("Cardiology", updated.Customer.Industry);
        Assert.True(silence.Unanswered > 0, "the gateway never asked the silent grain; the test proved nothing");
        Assert.True(took < TimeSpan.FromSeconds(5), $"the write took {took}");
    }
}

/// <summary>Calls to the grains named here get no answer, as from a silo that died and is not yet declared dead.</summary>
internal sealed class Silence : IIncomingGrainCallFilter
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<GrainId, bool> _silent = new();
    private int _unanswered;

    public int Unanswered => _unanswered;

    public void Of(GrainId grain) => _silent[grain] = true;

    public async Task Invoke(IIncomingGrainCallContext context)
    {
        if (_silent.ContainsKey(context.TargetId))
        {
            Interlocked.Increment(ref _unanswered);
            await new TaskCompletionSource().Task; // never answers; the host is killed at the end of the test
        }
        await context.Invoke();
    }
}
