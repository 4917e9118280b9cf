using ActorSales.Domain.Customers;

namespace ActorSales.Domain.UnitTests;

public sealed class DedupKeysTests
{
    [Theory]
    [InlineData("+49 (30) 123-456", "+4930123456")]
    [InlineData("0049 30 123456", "+4930123456")]
    [InlineData("030 123 456", "030123456")]
    [InlineData("  ", null)]
    public void Phones_compare_by_digits_with_international_prefix(string input, string? expected) =>
        Assert.Equal(expected, DedupKeys.NormalizePhone(input));

    [Fact]
    public void Emails_compare_case_insensitively() =>
        Assert.Equal("anna@acme.com", DedupKeys.NormalizeEmail("  Anna@ACME.com "));

    [Theory]
    [InlineData("ACME Corp.", "acme")]
    [InlineData("Acme, Inc", "acme")]
    [InlineData("acme", "acme")]
    [InlineData("Müller GmbH", "muller")]
    [InlineData("Mueller & Sons Ltd", "mueller sons")]
    [InlineData("Co", "co")]
    [InlineData("  ", null)]
    public void Company_names_ignore_case_accents_punctuation_and_legal_form(string input, string? expected) =>
        Assert.Equal(expected, DedupKeys.NormalizeCompany(input));

    [Fact]
    public void Keys_cover_company_and_every_contacts_phone_and_email_once()
    {
        var details = new CustomerDetails("Acme", "ACME Corp", "", CustomerTier.A,
        [
            new Contact("Anna", "CEO", "+49 30 1234", "anna@acme.com"),
            new Contact("Ben", "CTO", "+49-30-1234", "BEN@acme.com"),
        ], null, SourceChannel.Referral);

        Assert.Equal(["company:acme", "email:anna@acme.com", "email:ben@acme.com", "phone:+49301234"], DedupKeys.For(details));
    }

    [Fact]
    public void Kind_of_a_key_is_its_prefix() => Assert.Equal("phone", DedupKeys.KindOf("phone:+49301234"));
}
