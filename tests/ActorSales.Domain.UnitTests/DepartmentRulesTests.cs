using ActorSales.Domain.Errors;
using ActorSales.Domain.Pipeline;

namespace ActorSales.Domain.UnitTests;

public sealed class DepartmentRulesTests
{
    [Fact]
    public void Members_are_sorted_and_a_duplicate_counts_once() =>
        Assert.Equal(new[] { "lars", "lena" }, DepartmentRules.ValidateMembers(["lena", "lars", "lena"]));

    [Fact]
    public void Every_member_must_be_a_valid_id()
    {
        var error = Assert.Throws<ValidationException>(() => DepartmentRules.ValidateMembers(["lena", "../x"]));
        Assert.Equal("member_ids", error.Field);
    }

    [Fact]
    public void At_most_500_members_are_allowed()
    {
        Assert.Equal(500, DepartmentRules.ValidateMembers([.. Enumerable.Range(0, 500).Select(i => $"u{i}")]).Count);
        var error = Assert.Throws<ValidationException>(() => DepartmentRules.ValidateMembers([.. Enumerable.Range(0, 501).Select(i => $"u{i}")]));
        Assert.Equal("member_ids: at most 500 members are allowed", error.Message);
    }
}
