using ActorSales.Contracts.V1;
using ActorSales.Testing;
using Grpc.Core;

namespace ActorSales.Benchmarks.Infrastructure;

/// <summary>Customers made through the public API, as a rep would: one rep per 100 customers of one team.</summary>
public sealed record SeededCustomers(string TeamId, IReadOnlyList<string> RepIds, IReadOnlyList<Metadata> RepHeaders, IReadOnlyList<string> RepTokens, IReadOnlyList<string> CustomerIds)
{
    public const int PerRep = 100;

    public Metadata HeadersFor(int customer) => RepHeaders[customer / PerRep];

    public string TokenFor(int customer) => RepTokens[customer / PerRep];

    public static async Task<SeededCustomers> CreateAsync(CallInvoker channel, string signingKey, int customers, int concurrency = 16)
    {
        var run = Random.Shared.Next(10_000, 99_999);
        var admin = TestHost.Bearer(TestHost.Token(signingKey, "bench-admin", "admin"));
        var teamId = $"bench-team-{run}";
        await new TeamsService.TeamsServiceClient(channel).CreateTeamAsync(
            new CreateTeamRequest { TeamId = teamId, Name = $"Bench team {run}", Region = "EMEA", TimeZone = "Europe/Berlin" }, admin);
        var reps = Enumerable.Range(0, (customers + PerRep - 1) / PerRep).Select(r => $"bench-rep-{run}-{r}").ToList();
        var people = new SalespeopleService.SalespeopleServiceClient(channel);
        foreach (var rep in reps)
        {
            await people.CreateSalespersonAsync(new CreateSalespersonRequest { SalespersonId = rep, Name = rep, Email = $"{rep}@bench.example.com", Role = Role.Rep, TeamId = teamId }, admin);
        }
        var tokens = reps.Select(r => TestHost.Token(signingKey, r, "rep")).ToList();
        var headers = tokens.Select(TestHost.Bearer).ToList();
        var client = new CustomersService.CustomersServiceClient(channel);
        var ids = new string[customers];
        await Parallel.ForEachAsync(Enumerable.Range(0, customers), new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (i, ct) =>
        {
            var created = await client.CreateCustomerAsync(Typical(run, i), headers[i / PerRep], cancellationToken: ct);
            ids[i] = created.Customer.CustomerId;
        });
        return new SeededCustomers(teamId, reps, headers, tokens, ids);
    }

    /// <summary>A typical customer: two contacts, an address, a tier; names unique per run so de-duplication lets them in.</summary>
    public static CreateCustomerRequest Typical(int run, int i) => new()
    {
        Name = $"Central Hospital {run}-{i}",
        Company = $"Central Hospital Group {run}-{i}",
        Industry = "Healthcare",
        Tier = CustomerTier.B,
        SourceChannel = SourceChannel.Referral,
        Contacts =
        {
            new Contact { Name = "Anna Berg", Title = "Head of purchasing", Phone = $"+49 30 {run}{i:D6}", Email = $"anna.berg@h{run}-{i}.example.com" },
            new Contact { Name = "Jonas Weber", Title = "Chief physician, cardiology", Phone = $"+49 31 {run}{i:D6}", Email = $"jonas.weber@h{run}-{i}.example.com" },
        },
        Address = new Address { Street = "Hauptstrasse 1", City = "Berlin", Region = "Berlin", PostalCode = "10115", Country = "DE" },
    };
}
