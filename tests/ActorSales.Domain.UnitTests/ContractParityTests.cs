using V1 = ActorSales.Contracts.V1;

namespace ActorSales.Domain.UnitTests;

/// <summary>The domain enums share numbers with the proto enums; the mappers cast between them.</summary>
public sealed class ContractParityTests
{
    [Fact]
    public void Domain_enums_have_the_same_numbers_as_the_proto_enums()
    {
        AssertSameNumbers<Identity.Role, V1.Role>();
        AssertSameNumbers<Customers.CustomerTier, V1.CustomerTier>();
        AssertSameNumbers<Customers.SourceChannel, V1.SourceChannel>();
        AssertSameNumbers<Customers.ActivityKind, V1.ActivityKind>();
        AssertSameNumbers<People.SalespersonStatus, V1.SalespersonStatus>();
    }

    private static void AssertSameNumbers<TDomain, TProto>() where TDomain : struct, Enum where TProto : struct, Enum
    {
        var domain = Enum.GetValues<TDomain>().Select(v => (Convert.ToInt32(v, System.Globalization.CultureInfo.InvariantCulture), v.ToString().ToUpperInvariant())).ToList();
        var proto = Enum.GetValues<TProto>().Select(v => (Convert.ToInt32(v, System.Globalization.CultureInfo.InvariantCulture), v.ToString().ToUpperInvariant())).ToList();
        Assert.Equal(proto, domain);
    }
}
