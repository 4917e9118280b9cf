using ActorSales.Domain.Common;
using ActorSales.Domain.Errors;
using ActorSales.Domain.People;

namespace ActorSales.Domain.UnitTests;

public sealed class GuardAndPagingTests
{
    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("slash/inside")]
    public void Ids_outside_the_safe_alphabet_are_refused(string id) =>
        Assert.Equal("team_id", Assert.Throws<ValidationException>(() => Guard.Id(id, "team_id")).Field);

    [Fact]
    public void Ids_longer_than_64_characters_are_refused() =>
        Assert.Throws<ValidationException>(() => Guard.Id(new string('a', 65), "team_id"));

    [Theory]
    [InlineData(0, 50)]
    [InlineData(1, 1)]
    [InlineData(500, 500)]
    public void Page_size_defaults_to_50_and_allows_up_to_500(int requested, int expected) =>
        Assert.Equal(expected, Paging.PageSize(requested));

    [Theory]
    [InlineData(-1)]
    [InlineData(501)]
    public void Page_sizes_out_of_range_are_refused(int requested) =>
        Assert.Equal("page_size", Assert.Throws<ValidationException>(() => Paging.PageSize(requested)).Field);

    [Fact]
    public void Page_tokens_round_trip_and_reject_tokens_of_another_list()
    {
        var token = Paging.EncodeToken("customers", "cus_123");
        Assert.Equal("cus_123", Paging.DecodeToken(token, "customers"));
        Assert.Null(Paging.DecodeToken("", "customers"));
        Assert.Equal("page_token", Assert.Throws<ValidationException>(() => Paging.DecodeToken(token, "activities")).Field);
        Assert.Equal("page_token", Assert.Throws<ValidationException>(() => Paging.DecodeToken("!!not base64!!", "customers")).Field);
        Assert.Equal("page_token", Assert.Throws<ValidationException>(() => Paging.DecodeToken(new string('A', 10_000), "customers")).Field);
    }

    [Fact]
    public void A_stale_expected_version_is_a_conflict_and_zero_means_unconditional()
    {
        Guard.Version(0, 7, "customer", "c1");
        Guard.Version(7, 7, "customer", "c1");
        var conflict = Assert.Throws<ConcurrencyConflictException>(() => Guard.Version(6, 7, "customer", "c1"));
        Assert.Contains("version 7", conflict.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Team_time_zones_must_be_known_iana_zones()
    {
        Assert.Equal("Europe/Berlin", PeopleRules.ValidateTimeZone("Europe/Berlin"));
        Assert.Equal("time_zone", Assert.Throws<ValidationException>(() => PeopleRules.ValidateTimeZone("Mars/Olympus")).Field);
    }
}
