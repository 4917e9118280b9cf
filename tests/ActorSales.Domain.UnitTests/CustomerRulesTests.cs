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

    [Theory]
    [InlineData(ActivityKind.Call, true)]
    [InlineData(ActivityKind.Email, true)]
    [InlineData(ActivityKind.Visit, true)]
    [InlineData(ActivityKind.Meeting, false)]
    [InlineData(ActivityKind.Note, false)]
    public void Outreach_to_an_unsubscribed_contact_is_refused_and_nothing_else(ActivityKind kind, bool refused)
    {
        var error = Record.Exception(() => CustomerRules.EnsureMayReach(true, kind, "customer 'c1'"));
        CustomerRules.EnsureMayReach(false, kind, "customer 'c1'"); // subscribed: never refused

        Assert.Equal(refused, error is PreconditionFailedException { Message: var m } && m.Contains("rule 'unsubscribed'", StringComparison.Ordinal));
        Assert.True(error is null || refused);
        Assert.True(CustomerRules.Validate(Valid() with { Unsubscribed = true }).Unsubscribed); // validation keeps the flag
    }

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
    public void Only_visits_calls_of_a_minute_and_meetings_with_a_summary_are_real_contact()
    {
        var options = new FieldWorkOptions(); // RealCallMinSeconds 60
        Assert.True(FieldWorkRules.IsRealContact(ActivityKind.Visit, "discussed the trial", null, options));
        Assert.True(FieldWorkRules.IsRealContact(ActivityKind.Call, "agreed next steps", 60, options));
        Assert.False(FieldWorkRules.IsRealContact(ActivityKind.Call, "left a voicemail", 59, options));
        Assert.False(FieldWorkRules.IsRealContact(ActivityKind.Call, "nobody answered", 0, options));
        Assert.True(FieldWorkRules.IsRealContact(ActivityKind.Meeting, "demo", null, options));
        Assert.False(FieldWorkRules.IsRealContact(ActivityKind.Call, "  ", 600, options));
        Assert.False(FieldWorkRules.IsRealContact(ActivityKind.Email, "sent brochure", null, options));
        Assert.False(FieldWorkRules.IsRealContact(ActivityKind.Note, "remember to call", null, options));
        Assert.False(FieldWorkRules.IsRealContact(ActivityKind.Call, "short", 100, new FieldWorkOptions { RealCallMinSeconds = 120 }));
    }

    [Fact]
    public void An_activity_is_reported_within_the_window_the_settings_give()
    {
        var draft = new ActivityDraft(ActivityKind.Meeting, Now.AddHours(-48), "quarterly review", null, null, null);
        Assert.Equal(draft.OccurredAt, CustomerRules.Validate(draft, Now).OccurredAt);
        var tooOld = Assert.Throws<ValidationException>(() => CustomerRules.Validate(draft with { OccurredAt = Now.AddHours(-48).AddSeconds(-1) }, Now));
        var shorter = Assert.Throws<ValidationException>(() =>
            CustomerRules.Validate(draft with { OccurredAt = Now.AddHours(-25) }, Now, new FieldWorkOptions { OccurredAtWindow = TimeSpan.FromHours(24) }));

        Assert.Equal("occurred_at", tooOld.Field);
        Assert.StartsWith("occurred_at: must be within the last 48 hours and at most 5 minutes ahead", tooOld.Message, StringComparison.Ordinal);
        Assert.Equal("occurred_at", shorter.Field);
        Assert.Contains("last 24 hours", shorter.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_check_in_belongs_to_a_visit_lies_on_earth_and_in_the_window_and_a_call_says_how_long_it_took()
    {
        var checkIn = new VisitCheckIn(new GeoPoint(52.52, 13.405), Now, "photo-1");
        var visit = new ActivityDraft(ActivityKind.Visit, Now, "site visit", null, null, null, checkIn);

        Assert.Equal(checkIn, CustomerRules.Validate(visit, Now).CheckIn);
        Assert.Equal("check_in", Field(visit with { Kind = ActivityKind.Meeting }));
        Assert.Equal("check_in.location.latitude", Field(visit with { CheckIn = checkIn with { Point = new GeoPoint(90.5, 0) } }));
        Assert.Equal("check_in.location.longitude", Field(visit with { CheckIn = checkIn with { Point = new GeoPoint(0, double.NaN) } }));
        Assert.Equal("check_in.checked_in_at", Field(visit with { CheckIn = checkIn with { At = Now.AddDays(-3) } }));
        Assert.Equal("check_in.checked_in_at", Field(visit with { CheckIn = checkIn with { At = Now.AddHours(1) } }));
        Assert.Equal("check_in.photo_reference", Field(visit with { CheckIn = checkIn with { PhotoReference = new string('p', 100_000) } }));
        Assert.Equal("duration_seconds", Field(new ActivityDraft(ActivityKind.Call, Now, "called", null, null, null)));
        Assert.Equal("duration_seconds", Field(new ActivityDraft(ActivityKind.Call, Now, "called", null, null, null, DurationSeconds: -1)));
        Assert.Equal("duration_seconds", Field(new ActivityDraft(ActivityKind.Call, Now, "called", null, null, null, DurationSeconds: 86_401)));
        Assert.Equal(0, CustomerRules.Validate(new ActivityDraft(ActivityKind.Call, Now, "no answer", null, null, null, DurationSeconds: 0), Now).DurationSeconds);

        static string Field(ActivityDraft draft) => Assert.Throws<ValidationException>(() => CustomerRules.Validate(draft, Now)).Field;
    }

    [Fact]
    public void Haversine_gives_known_distances()
    {
        // One degree of latitude is 111.195 km on the mean-radius sphere; from the Brandenburg Gate to a point 280 m north-west;
        // Paris to London ~ 343.5 km (great circle).
        Assert.Equal(111_195, GeoRules.DistanceMeters(new GeoPoint(0, 0), new GeoPoint(1, 0)), 0);
        Assert.Equal(0, GeoRules.DistanceMeters(new GeoPoint(31.2304, 121.4737), new GeoPoint(31.2304, 121.4737)));
        Assert.InRange(GeoRules.DistanceMeters(new GeoPoint(52.516275, 13.377704), new GeoPoint(52.518620, 13.376198)), 279.5, 280.5);
        Assert.InRange(GeoRules.DistanceMeters(new GeoPoint(48.8566, 2.3522), new GeoPoint(51.5074, -0.1278)), 343_000, 344_500);
        Assert.InRange(GeoRules.DistanceMeters(new GeoPoint(0, 179.9), new GeoPoint(0, -179.9)), 22_200, 22_300); // across the date line
    }

    [Fact]
    public void A_visit_is_effective_only_in_range_with_a_photo_and_a_summary_long_enough()
    {
        var customer = new GeoPoint(52.516275, 13.377704); // Brandenburg Gate
        var options = new FieldWorkOptions(); // 500 m, 20 characters
        var near = new VisitCheckIn(new GeoPoint(52.518620, 13.376198), Now, "photo-1"); // 280 m away
        var far = near with { Point = new GeoPoint(52.5206, 13.3862) }; // 749.5 m away
        const string summary = "Met the head of cardiology";

        var effective = FieldWorkRules.Assess(ActivityKind.Visit, near, summary, customer, options);
        var offSite = FieldWorkRules.Assess(ActivityKind.Visit, far, summary, customer, options);
        var widerRadius = FieldWorkRules.Assess(ActivityKind.Visit, far, summary, customer, new FieldWorkOptions { VisitRadiusMeters = 1_000 });

        Assert.True(effective.Effective);
        Assert.False(effective.OffSite);
        Assert.Equal(280.0, effective.DistanceMeters!.Value);
        Assert.True(offSite.OffSite);
        Assert.False(offSite.Effective);
        Assert.Equal(749.5, offSite.DistanceMeters!.Value);
        Assert.True(widerRadius.Effective);
        Assert.False(FieldWorkRules.Assess(ActivityKind.Visit, near with { PhotoReference = "" }, summary, customer, options).Effective);
        Assert.False(FieldWorkRules.Assess(ActivityKind.Visit, near, "short visit", customer, options).Effective);
        Assert.False(FieldWorkRules.Assess(ActivityKind.Visit, null, summary, customer, options).Effective);
        Assert.Equal(new VisitAssessment(null, false, false), FieldWorkRules.Assess(ActivityKind.Visit, near, summary, null, options)); // nothing to measure against
    }

    [Fact]
    public void A_customer_location_lies_on_earth_and_names_its_field()
    {
        Assert.Equal(new GeoPoint(31.2304, 121.4737), CustomerRules.Validate(Valid() with { Location = new GeoPoint(31.2304, 121.4737) }).Location);
        Assert.Equal("location.latitude", Assert.Throws<ValidationException>(() => CustomerRules.Validate(Valid() with { Location = new GeoPoint(-90.01, 0) })).Field);
        Assert.Equal("location.longitude", Assert.Throws<ValidationException>(() => CustomerRules.Validate(Valid() with { Location = new GeoPoint(0, 180.5) })).Field);
    }

    [Fact]
    public void Field_work_settings_out_of_range_are_named()
    {
        var problems = new FieldWorkOptions { OccurredAtWindow = TimeSpan.Zero, VisitRadiusMeters = double.NaN, EffectiveVisitSummaryMinLength = 0, RealCallMinSeconds = -1 }.Validate().ToList();
        Assert.Equal(4, problems.Count);
        Assert.Empty(new FieldWorkOptions().Validate());
        Assert.Contains(problems, p => p.StartsWith("ActorSales:FieldWork:VisitRadiusMeters", StringComparison.Ordinal));
    }

    [Fact]
    public void An_activity_may_not_lie_in_the_future_beyond_clock_skew()
    {
        var draft = new ActivityDraft(ActivityKind.Call, Now.AddMinutes(4), "ok", null, null, null, DurationSeconds: 120);
        Assert.Equal(draft.OccurredAt, CustomerRules.Validate(draft, Now).OccurredAt);
        Assert.Equal("occurred_at", Assert.Throws<ValidationException>(() => CustomerRules.Validate(draft with { OccurredAt = Now.AddMinutes(6) }, Now)).Field);
        Assert.Equal("occurred_at", Assert.Throws<ValidationException>(() => CustomerRules.Validate(draft with { OccurredAt = new DateTimeOffset(1999, 12, 31, 0, 0, 0, TimeSpan.Zero) }, Now)).Field);
    }

    [Fact]
    public void A_next_action_needs_its_due_date_and_the_other_way_round()
    {
        var draft = new ActivityDraft(ActivityKind.Call, Now, "ok", "send quote", null, null, DurationSeconds: 120);
        Assert.Equal("next_action_due_at", Assert.Throws<ValidationException>(() => CustomerRules.Validate(draft, Now)).Field);
        Assert.Equal("next_action", Assert.Throws<ValidationException>(() => CustomerRules.Validate(draft with { NextAction = null, NextActionDueAt = Now.AddDays(1) }, Now)).Field);
        Assert.Equal(Now.AddDays(1), CustomerRules.Validate(draft with { NextActionDueAt = Now.AddDays(1) }, Now).NextActionDueAt);
    }

    [Fact]
    public void Summaries_over_4000_characters_are_refused() =>
        Assert.Equal("summary: must be at most 4000 characters", Assert.Throws<ValidationException>(() =>
            CustomerRules.Validate(new ActivityDraft(ActivityKind.Call, Now, new string('s', Limits.SummaryMaxLength + 1), null, null, null, DurationSeconds: 120), Now)).Message);

    [Theory]
    [InlineData(91, 0)]
    [InlineData(0, 181)]
    [InlineData(double.NaN, 0)]
    public void Gps_points_must_lie_on_earth(double latitude, double longitude) =>
        Assert.Equal("location", Assert.Throws<ValidationException>(() =>
            CustomerRules.Validate(new ActivityDraft(ActivityKind.Visit, Now, "site visit", null, null, new GeoPoint(latitude, longitude)), Now)).Field);
}
