using ActorSales.Contracts.V1;
using ActorSales.Host.Commands;
using ActorSales.ReadModel;
using ActorSales.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using ReadScope = ActorSales.Domain.Identity.ReadScope;

namespace ActorSales.FunctionalTests;

/// <summary>The read side in the running host (Local profile): what the API writes, the projector brings to the queries.</summary>
[Collection(HostCollection.Name)]
public sealed class ReadModelHostTests(HostFixture fixture)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);

    private IReadModelQueries Queries => fixture.Host.Services.GetRequiredService<IReadModelQueries>();

    private async Task<(ApiTeam Team, Customer Customer)> CustomerAsync()
    {
        var host = fixture.Host;
        var team = await host.CreateTeamAsync();
        var customer = (await host.Customers.CreateCustomerAsync(new CreateCustomerRequest
        {
            Name = "杭州市第一中心医院",
            Company = $"Hospital {Guid.NewGuid():N}",
            Industry = "Healthcare",
            Tier = CustomerTier.A,
            SourceChannel = SourceChannel.Referral,
            Contacts = { new Contact { Name = "王伟", Phone = $"+86 138 {Random.Shared.Next(1000, 9999)} {Random.Shared.Next(1000, 9999)}", Email = $"{Guid.NewGuid():N}@example.com" } },
        }, team.Rep)).Customer;
        return (team, customer);
    }

    [Fact]
    public async Task A_customer_created_over_gRPC_is_projected_and_found_by_its_owner_only()
    {
        var (team, customer) = await CustomerAsync();
        var digits = new string(customer.Contacts[0].Phone.Where(char.IsDigit).ToArray())[2..9]; // a fragment: 138 and four more

        var found = await Polling.EventuallyAsync(
            () => Queries.SearchCustomersAsync(new CustomerSearch(new ReadScope(null, team.RepId), digits, 50, null)),
            page => page.Items.Any(c => c.CustomerId == customer.CustomerId), Bound);

        var row = Assert.Single(found.Items, c => c.CustomerId == customer.CustomerId);
        Assert.Equal(customer.Company, row.Company);
        Assert.Equal(team.RepId, row.OwnerId);
        Assert.Equal(customer.Version, await Queries.ProjectedVersionAsync(EntityType.Customer, customer.CustomerId));
        Assert.Empty((await Queries.SearchCustomersAsync(new CustomerSearch(new ReadScope(null, team.OtherRepId), digits, 50, null))).Items);
        var teamList = await Queries.ListCustomersAsync(new CustomerQuery(new ReadScope(team.TeamId, team.ManagerId), 50, TeamId: team.TeamId));
        Assert.Equal([customer.CustomerId], teamList.Items.Select(c => c.CustomerId));
        var timeline = await Queries.TimelineAsync(new TimelineQuery(EntityType.Customer, customer.CustomerId, 10));
        Assert.Equal(DomainEvent.ChangeOneofCase.CustomerRegistered, Assert.Single(timeline.Items).ChangeCase);
    }

    [Fact]
    public async Task The_rebuild_command_gives_the_rows_of_the_live_projection()
    {
        var host = fixture.Host;
        var (team, customer) = await CustomerAsync();
        await host.Customers.LogActivityAsync(new LogActivityRequest
        {
            CustomerId = customer.CustomerId, Kind = ActivityKind.Call, DurationSeconds = 120, Summary = "called about the tender",
            OccurredAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddMinutes(-5)),
        }, team.Rep);
        var scope = new ReadScope(team.TeamId, team.ManagerId);
        var query = new CustomerQuery(scope, 50, TeamId: team.TeamId);
        var live = await Polling.EventuallyAsync(() => Queries.ListCustomersAsync(query), page => page.Items.Any(c => c.ActivityCount == 1), Bound);
        Assert.NotNull(Assert.Single(live.Items).LastFollowUpAt);
        var people = await Queries.ListSalespeopleAsync(new SalespersonQuery(scope, 50, TeamId: team.TeamId));

        var output = new StringWriter();
        var exitCode = await RebuildReadModelCommand.RunAsync(host.Services, output, TestContext.Current.CancellationToken);

        Assert.Equal(0, exitCode);
        Assert.Contains("read model rebuilt", output.ToString(), StringComparison.Ordinal);
        Assert.Equal(live.Items, (await Queries.ListCustomersAsync(query)).Items);
        Assert.Equal(people.Items, (await Queries.ListSalespeopleAsync(new SalespersonQuery(scope, 50, TeamId: team.TeamId))).Items);
        Assert.Equal(3, people.Items.Count);
    }

    [Fact]
    public async Task Health_reports_the_read_model()
    {
        var health = fixture.Host.Services.GetRequiredService<HealthCheckService>();

        var report = await health.CheckHealthAsync(c => c.Name == "readmodel", TestContext.Current.CancellationToken);

        var entry = Assert.Single(report.Entries);
        Assert.Equal(HealthStatus.Healthy, entry.Value.Status);
        Assert.Contains("read model at position", entry.Value.Description, StringComparison.Ordinal);
    }
}
