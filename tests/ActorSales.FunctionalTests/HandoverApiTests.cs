using ActorSales.Contracts.V1;
using ActorSales.Testing;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;

namespace ActorSales.FunctionalTests;

/// <summary>
/// The departure freeze through the real host, driven from the service descriptors so a new RPC cannot escape it, and
/// a whole handover over gRPC.
/// </summary>
[Collection(HostCollection.Name)]
public sealed class HandoverApiTests(HostFixture fixture)
{
    private static IEnumerable<MethodDescriptor> UnaryMethods() => ApiSurface.UnaryMethods();

    private static bool IsRead(MethodDescriptor method) => ApiSurface.IsRead(method);

    private TestHost Host => fixture.Host;

    private HandoverService.HandoverServiceClient Handovers => new(Host.Channel);

    private static CreateCustomerRequest NewCustomer(string name) => new()
    {
        Name = name, Company = $"{name} {Guid.NewGuid():N}", Tier = CustomerTier.B, SourceChannel = SourceChannel.Outbound,
        Contacts =
        {
            new Contact { Name = "Anna Berg", Title = "Head of Cardiology", Email = $"{Guid.NewGuid():N}@example.com" },
            new Contact
            {
                Name = "Jonas Weber", Title = "Purchasing director", Email = $"{Guid.NewGuid():N}@example.com",
                Key = true, PreferredChannel = ContactChannel.Email, Preferences = "German; mornings only; never call the mobile",
            },
        },
    };

    private async Task<StatusCode> CallEmpty(MethodDescriptor method, Metadata caller, Action<RpcException>? inspect = null)
    {
        var call = new Method<IMessage, IMessage>(MethodType.Unary, method.Service.FullName, method.Name,
            Marshallers.Create<IMessage>(m => m.ToByteArray(), bytes => method.InputType.Parser.ParseFrom(bytes)),
            Marshallers.Create<IMessage>(m => m.ToByteArray(), bytes => method.OutputType.Parser.ParseFrom(bytes)));
        var request = (IMessage)Activator.CreateInstance(method.InputType.ClrType)!;
        try
        {
            await Host.Channel.AsyncUnaryCall(call, null, new CallOptions(caller), request);
            return StatusCode.OK;
        }
        catch (RpcException exception)
        {
            inspect?.Invoke(exception);
            return exception.StatusCode;
        }
    }

    [Fact]
    public async Task Every_changing_rpc_is_frozen_for_a_leaver_who_may_still_read_their_own_book_until_the_last_working_day()
    {
        var team = await Host.CreateTeamAsync();
        var customer = (await Host.Customers.CreateCustomerAsync(NewCustomer("Clinic"), team.Rep)).Customer;
        var lastDay = DateTime.UtcNow.AddDays(10).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        await Handovers.StartDepartureAsync(new StartDepartureRequest { SalespersonId = team.RepId, LastWorkingDay = lastDay, DefaultReceiverId = team.OtherRepId }, team.Manager);

        var notFrozen = new List<string>();
        var readsRefused = new List<string>();
        var changing = UnaryMethods().Where(m => !IsRead(m)).ToList();
        foreach (var method in UnaryMethods())
        {
            string? detail = null;
            var status = await CallEmpty(method, team.Rep, e => detail = e.Status.Detail);
            var frozen = status == StatusCode.PermissionDenied && detail == "account frozen for handover";
            if (!IsRead(method) && !frozen)
            {
                notFrozen.Add($"{method.FullName}: {status} {detail}");
            }
            if (IsRead(method) && frozen)
            {
                readsRefused.Add(method.FullName);
            }
        }
        var ownCustomer = await Host.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = customer.CustomerId }, team.Rep);
        var ownBook = await Host.Customers.ListMyCustomersAsync(new ListMyCustomersRequest(), team.Rep);

        Assert.True(changing.Count >= 30, $"only {changing.Count} changing RPCs found; the sweep would prove little");
        Assert.Empty(notFrozen);
        Assert.True(readsRefused.Count == 0, string.Join("\n", readsRefused));
        Assert.Equal(customer.CustomerId, ownCustomer.Customer.CustomerId);
        Assert.Equal([customer.CustomerId], ownBook.Customers.Select(c => c.CustomerId));
    }

    [Fact]
    public async Task After_the_last_working_day_a_leaver_can_do_nothing_at_all()
    {
        var team = await Host.CreateTeamAsync();
        var customer = (await Host.Customers.CreateCustomerAsync(NewCustomer("Clinic"), team.Rep)).Customer;
        var yesterday = DateTime.UtcNow.AddDays(-2).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        await Handovers.StartDepartureAsync(new StartDepartureRequest { SalespersonId = team.RepId, LastWorkingDay = yesterday, DefaultReceiverId = team.OtherRepId }, team.Manager);

        var allowed = new List<string>();
        foreach (var method in UnaryMethods())
        {
            string? detail = null;
            var status = await CallEmpty(method, team.Rep, e => detail = e.Status.Detail);
            if (status != StatusCode.PermissionDenied || detail?.StartsWith("account frozen for handover", StringComparison.Ordinal) != true)
            {
                allowed.Add($"{method.FullName}: {status} {detail}");
            }
        }
        var ownCustomer = await Assert.ThrowsAsync<RpcException>(async () =>
            await Host.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = customer.CustomerId }, team.Rep));

        Assert.Empty(allowed);
        Assert.Equal(StatusCode.PermissionDenied, ownCustomer.StatusCode);
    }

    [Fact]
    public async Task A_receiver_lists_reads_and_accepts_their_package_and_the_book_moves_to_them()
    {
        var team = await Host.CreateTeamAsync();
        var first = (await Host.Customers.CreateCustomerAsync(NewCustomer("First"), team.Rep)).Customer;
        var second = (await Host.Customers.CreateCustomerAsync(NewCustomer("Second"), team.Rep)).Customer;
        await Host.Customers.LogActivityAsync(new LogActivityRequest
        {
            CustomerId = first.CustomerId, Kind = ActivityKind.Call, DurationSeconds = 120, Summary = "prefers email after 4 pm",
            OccurredAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTime(DateTime.UtcNow.AddHours(-1)),
        }, team.Rep);

        var byReceiver = await Assert.ThrowsAsync<RpcException>(async () => await Handovers.StartDepartureAsync(
            new StartDepartureRequest { SalespersonId = team.RepId, DefaultReceiverId = team.OtherRepId }, team.OtherRep));
        var started = (await Handovers.StartDepartureAsync(new StartDepartureRequest { SalespersonId = team.RepId, DefaultReceiverId = team.OtherRepId }, team.Manager)).Handover;
        var mine = (await Handovers.ListMyHandoverPackagesAsync(new ListMyHandoverPackagesRequest(), team.OtherRep)).Packages;
        var package = await Handovers.GetHandoverPackageAsync(new GetHandoverPackageRequest { HandoverId = team.RepId }, team.OtherRep);
        var accepted = (await Handovers.AcceptHandoverPackageAsync(new AcceptHandoverPackageRequest { HandoverId = team.RepId, FollowUpPlan = "call both this week" }, team.OtherRep)).Package;
        var done = await Polling.EventuallyAsync(
            async () => (await Handovers.GetHandoverAsync(new GetHandoverRequest { HandoverId = team.RepId }, team.Manager)).Handover, h => h.Completed,
            TimeSpan.FromSeconds(10));
        var book = await Host.Customers.ListMyCustomersAsync(new ListMyCustomersRequest(), team.OtherRep);
        var leaver = await Assert.ThrowsAsync<RpcException>(async () => await Host.Customers.ListMyCustomersAsync(new ListMyCustomersRequest(), team.Rep));

        Assert.Equal(StatusCode.PermissionDenied, byReceiver.StatusCode);
        Assert.Equal(HandoverPackageStatus.Pending, Assert.Single(started.Packages).Status);
        Assert.Equal((team.RepId, 2), (Assert.Single(mine).HandoverId, mine[0].CustomerCount));
        Assert.Equal("prefers email after 4 pm", package.Briefs.Single(b => b.CustomerId == first.CustomerId).RecentNotes[0].Summary);
        // Key contacts first, with how they like to be reached.
        Assert.Equal([("Jonas Weber", true, ContactChannel.Email, "German; mornings only; never call the mobile"), ("Anna Berg", false, ContactChannel.Unspecified, "")],
            package.Briefs[0].Contacts.Select(c => (c.Name, c.Key, c.PreferredChannel, c.Preferences)));
        Assert.Equal(package.Briefs[0].Contacts.OrderBy(c => c.Name), first.Contacts.OrderBy(c => c.Name)); // the customer record keeps them too
        Assert.NotEqual(HandoverPackageStatus.Pending, accepted.Status);
        Assert.True(done.Completed);
        Assert.Equal(new[] { first.CustomerId, second.CustomerId }.Order(), book.Customers.Select(c => c.CustomerId).Order());
        Assert.Equal(StatusCode.PermissionDenied, leaver.StatusCode);
        Assert.Contains("departed", leaver.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_manager_reads_the_package_going_to_the_pool_and_a_receiver_may_not()
    {
        var team = await Host.CreateTeamAsync();
        var kept = (await Host.Customers.CreateCustomerAsync(NewCustomer("Kept"), team.Rep)).Customer;
        var pooled = (await Host.Customers.CreateCustomerAsync(NewCustomer("Pooled"), team.Rep)).Customer;
        await Handovers.StartDepartureAsync(new StartDepartureRequest
        {
            SalespersonId = team.RepId, DefaultReceiverId = team.OtherRepId,
            Assignments = { new CustomerAssignment { CustomerId = pooled.CustomerId, ReceiverId = "" } },
        }, team.Manager);

        var pool = await Handovers.GetHandoverPackageAsync(new GetHandoverPackageRequest { HandoverId = team.RepId, Pool = true }, team.Manager);
        var byReceiver = await Assert.ThrowsAsync<RpcException>(async () =>
            await Handovers.GetHandoverPackageAsync(new GetHandoverPackageRequest { HandoverId = team.RepId, Pool = true }, team.OtherRep));
        var both = await Assert.ThrowsAsync<RpcException>(async () =>
            await Handovers.GetHandoverPackageAsync(new GetHandoverPackageRequest { HandoverId = team.RepId, Pool = true, ReceiverId = team.OtherRepId }, team.Manager));

        Assert.Equal(string.Empty, pool.Package.ReceiverId);
        Assert.Equal([pooled.CustomerId], pool.Briefs.Select(b => b.CustomerId));
        Assert.DoesNotContain(pool.Briefs, b => b.CustomerId == kept.CustomerId);
        Assert.Equal(StatusCode.PermissionDenied, byReceiver.StatusCode);
        Assert.Equal(StatusCode.InvalidArgument, both.StatusCode);
        Assert.Contains("receiver_id", both.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_departing_receiver_is_refused_naming_the_field_that_named_them()
    {
        var team = await Host.CreateTeamAsync();
        await Handovers.StartDepartureAsync(new StartDepartureRequest { SalespersonId = team.OtherRepId }, team.Manager);

        var assigned = await Assert.ThrowsAsync<RpcException>(async () => await Handovers.StartDepartureAsync(new StartDepartureRequest
        {
            SalespersonId = team.RepId,
            Assignments =
            {
                new CustomerAssignment { CustomerId = "c-1", ReceiverId = "" },
                new CustomerAssignment { CustomerId = "c-2", ReceiverId = team.OtherRepId },
            },
        }, team.Manager));
        var byDefault = await Assert.ThrowsAsync<RpcException>(async () =>
            await Handovers.StartDepartureAsync(new StartDepartureRequest { SalespersonId = team.RepId, DefaultReceiverId = team.OtherRepId }, team.Manager));

        // StartDepartureRequest has no receiver_id: the error names the entry or the default the client wrote.
        Assert.Equal((StatusCode.FailedPrecondition, StatusCode.FailedPrecondition), (assigned.StatusCode, byDefault.StatusCode));
        Assert.StartsWith("assignments[1].receiver_id: ", assigned.Status.Detail, StringComparison.Ordinal);
        Assert.StartsWith("default_receiver_id: ", byDefault.Status.Detail, StringComparison.Ordinal);
    }
}
