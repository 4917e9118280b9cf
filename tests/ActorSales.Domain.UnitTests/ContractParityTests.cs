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
        AssertSameNumbers<Customers.ContactChannel, V1.ContactChannel>();
        AssertSameNumbers<People.SalespersonStatus, V1.SalespersonStatus>();
        AssertSameNumbers<Pipeline.ForecastSignal, V1.ForecastSignal>();
        AssertSameNumbers<Pipeline.OpportunityStatus, V1.OpportunityStatus>();
        AssertSameNumbers<Pipeline.ApprovalStatus, V1.ApprovalStatus>();
        AssertSameNumbers<Pipeline.DepartmentTaskStatus, V1.DepartmentTaskStatus>();
        AssertSameNumbers<Deadlines.StallLevel, V1.StallLevel>();
        AssertSameNumbers<Deadlines.NotificationSeverity, V1.NotificationSeverity>();
        AssertSameNumbers<Handovers.PackageStatus, V1.HandoverPackageStatus>();
        AssertSameNumbers<Handovers.HandoverItemKind, V1.HandoverItemKind>();
        AssertSameNumbers<Goals.GoalMetric, V1.GoalMetric>();
        AssertSameNumbers<Goals.GoalPeriodKind, V1.GoalPeriodKind>();
    }

    private static void AssertSameNumbers<TDomain, TProto>() where TDomain : struct, Enum where TProto : struct, Enum
    {
        // The zero value is "not set" on both sides (named None or Unspecified); every other value must match by name.
        var domain = Enum.GetValues<TDomain>().Select(v => Describe(v)).ToList();
        var proto = Enum.GetValues<TProto>().Select(v => Describe(v)).ToList();
        Assert.Equal(proto, domain);
    }

    private static (int Number, string Name) Describe<T>(T value) where T : struct, Enum
    {
        var number = Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture);
        return (number, number == 0 ? "(not set)" : value.ToString().ToUpperInvariant());
    }
}
