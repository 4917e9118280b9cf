using ActorSales.Domain.Common;
using ActorSales.Domain.Customers;
using ActorSales.Domain.Errors;

namespace ActorSales.Domain.UnitTests;

public sealed class CustomerRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 2, 10, 0, 0, TimeSpan.Zero);

    private static CustomerDetails Valid() => new("Acme Hospital", "Acme", "Healthcare", CustomerTier.A,
        [new Contact("Anna", "Head of Cardiology", "+49 30 1234", "anna@acme.com")],
        new Address("Main St 1", "Berlin", "BE", "10115", "de"), SourceChannel.Referral);

    [Fact]
    public void Valid_details_are_trimmed_and_the_country_upper_cased()
    {
        var result = CustomerRules.Validate(Valid() with { Name = "  Acme Hospital  " });
        Assert.Equal("Acme Hospital", result.Name);
        Assert.Equal("DE", result.Address!.Country);
    }

    [Theory]
    [InlineData("", "name: is required")]
    [InlineData("   ", "name: is required")]
    public void A_customer_needs_a_name(string name, string message) =>
        Assert.Equal(message, Assert.Throws<ValidationException>(() => CustomerRules.Validate(Valid() with { Name = name })).Message);

    [Fact]
    public void Names_longer_than_200_characters_are_refused_even_when_huge()
    {
        var tooLong = Assert.Throws<ValidationException>(() => CustomerRules.Validate(Valid() with { Name = new string('x', 201) }));
        Assert.Equal("name", tooLong.Field);
        var huge = Assert.Throws<ValidationException>(() => CustomerRules.Validate(Valid() with { Name = new string('x', 100_000) }));
        Assert.Equal("name: must be at most 200 characters", huge.Message);
    }

    [Fact]
    public void Unknown_enum_numbers_name_the_field()
    {
        var error = Assert.Throws<ValidationException>(() => CustomerRules.Validate(Valid() with { Tier = (CustomerTier)42 }));
        Assert.Equal("tier", error.Field);
        Assert.Equal("source_channel", Assert.Throws<ValidationException>(() => CustomerRules.Validate(Valid() with { SourceChannel = SourceChannel.Unspecified })).Field);
    }

    [Theory]
    [InlineData("anna(at)acme.com", "contacts[0].email")]
    [InlineData("anna@", "contacts[0].email")]
    public void Bad_contact_emails_name_the_contact(string email, string field) =>
        Assert.Equal(field, Assert.Throws<ValidationException>(() => CustomerRules.Validate(Valid() with { Contacts = [new Contact("Anna", "", "", email)] })).Field);

    [Theory]
    [InlineData("call me")]
    [InlineData("12")]
    public void Bad_contact_phones_name_the_contact(string phone) =>
        Assert.Equal("contacts[0].phone", Assert.Throws<ValidationException>(() => CustomerRules.Validate(Valid() with { Contacts = [new Contact("Anna", "", phone, "")] })).Field);

    [Fact]
    public void Contact_preferences_are_kept_trimmed_and_bounded()
    {
        var kept = CustomerRules.Validate(Valid() with { Contacts = [new Contact("Anna", "", "", "", true, ContactChannel.Video, "  Fridays only  ")] }).Contacts[0];
        var unknownChannel = Assert.Throws<ValidationException>(() => CustomerRules.Validate(Valid() with { Contacts = [new Contact("Anna", "", "", "", false, (ContactChannel)42)] }));
        var tooLong = Assert.Throws<ValidationException>(() => CustomerRules.Validate(Valid() with { Contacts = [new Contact("Anna", "", "", "", false, ContactChannel.Unspecified, new string('x', 501))] }));

        Assert.Equal((true, ContactChannel.Video, "Fridays only"), (kept.Key, kept.PreferredChannel, kept.Preferences));
        Assert.Equal("contacts[0].preferred_channel", unknownChannel.Field);
        Assert.Equal("contacts[0].preferences", tooLong.Field);
    }

    [Fact]
    public void More_than_fifty_contacts_are_refused() =>
        Assert.Equal("contacts", Assert.Throws<ValidationException>(() => CustomerRules.Validate(Valid() with
        {
            Contacts = Enumerable.Range(0, 2_000).Select(i => new Contact($"c{i}", "", "", "")).ToList(),
        })).Field);

    [Fact]
    public void Control_characters_in_text_are_refused() =>
        Assert.Equal("company", Assert.Throws<ValidationException>(() => CustomerRules.Validate(Valid() with { Company = "Acme\0" })).Field);

    [Fact]
    public void Only_visits_calls_and_meetings_with_a_summary_are_real_follow_up()
    {
        Assert.True(CustomerRules.IsRealFollowUp(ActivityKind.Visit, "discussed the trial"));
        Assert.True(CustomerRules.IsRealFollowUp(ActivityKind.Call, "agreed next steps"));
        Assert.True(CustomerRules.IsRealFollowUp(ActivityKind.Meeting, "demo"));
        Assert.False(CustomerRules.IsRealFollowUp(ActivityKind.Call, "  "));
        Assert.False(CustomerRules.IsRealFollowUp(ActivityKind.Email, "sent brochure"));
        Assert.False(CustomerRules.IsRealFollowUp(ActivityKind.Note, "remember to call"));
    }

    [Fact]
    public void An_activity_may_not_lie_in_the_future_beyond_clock_skew()
    {
        var draft = new ActivityDraft(ActivityKind.Call, Now.AddMinutes(4), "ok", null, null, null);
        Assert.Equal(draft.OccurredAt, CustomerRules.Validate(draft, Now).OccurredAt);
        Assert.Equal("occurred_at", Assert.Throws<ValidationException>(() => CustomerRules.Validate(draft with { OccurredAt = Now.AddMinutes(6) }, Now)).Field);
        Assert.Equal("occurred_at", Assert.Throws<ValidationException>(() => CustomerRules.Validate(draft with { OccurredAt = new DateTimeOffset(1999, 12, 31, 0, 0, 0, TimeSpan.Zero) }, Now)).Field);
    }

    [Fact]
    public void A_next_action_needs_its_due_date_and_the_other_way_round()
    {
        var draft = new ActivityDraft(ActivityKind.Call, Now, "ok", "send quote", null, null);
        Assert.Equal("next_action_due_at", Assert.Throws<ValidationException>(() => CustomerRules.Validate(draft, Now)).Field);
        Assert.Equal("next_action", Assert.Throws<ValidationException>(() => CustomerRules.Validate(draft with { NextAction = null, NextActionDueAt = Now.AddDays(1) }, Now)).Field);
        Assert.Equal(Now.AddDays(1), CustomerRules.Validate(draft with { NextActionDueAt = Now.AddDays(1) }, Now).NextActionDueAt);
    }

    [Fact]
    public void Summaries_over_4000_characters_are_refused() =>
        Assert.Equal("summary: must be at most 4000 characters", Assert.Throws<ValidationException>(() =>
            CustomerRules.Validate(new ActivityDraft(ActivityKind.Call, Now, new string('s', Limits.SummaryMaxLength + 1), null, null, null), Now)).Message);

    [Theory]
    [InlineData(91, 0)]
    [InlineData(0, 181)]
    [InlineData(double.NaN, 0)]
    public void Gps_points_must_lie_on_earth(double latitude, double longitude) =>
        Assert.Equal("location", Assert.Throws<ValidationException>(() =>
            CustomerRules.Validate(new ActivityDraft(ActivityKind.Visit, Now, "site visit", null, null, new GeoPoint(latitude, longitude)), Now)).Field);
}
