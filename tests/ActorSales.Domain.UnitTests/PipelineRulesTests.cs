using ActorSales.Domain.Errors;
using ActorSales.Domain.Pipeline;

namespace ActorSales.Domain.UnitTests;

public sealed class PipelineRulesTests
{
    private static readonly PipelineDefinition B2B = new("b2b", 1, "Default B2B",
    [
        Stage("NeedsConfirmed", "meeting_minutes"),
        Stage("ProposalSubmitted", "proposal_document"),
        Stage("PriceNegotiation", "quote"),
        Stage("ContractApproval", "signed_contract"),
    ], AllowSkipping: false);

    private static StageDefinition Stage(string key, params string[] toLeave) =>
        new(key, key, toLeave, [], TimeSpan.FromDays(7), TimeSpan.FromDays(15));

    private static HashSet<string> Kinds(params string[] kinds) => new(kinds, StringComparer.Ordinal);

    [Fact]
    public void Advancing_with_the_required_evidence_is_a_forward_move() =>
        Assert.Equal(StageMove.Forward, PipelineRules.Decide(B2B, "NeedsConfirmed", "ProposalSubmitted", Kinds("meeting_minutes"), null));

    [Fact]
    public void Leaving_a_stage_without_required_evidence_lists_exactly_the_missing_kinds()
    {
        var definition = B2B with { Stages = [Stage("A", "minutes", "budget", "quote"), Stage("B")] };

        var error = Assert.Throws<MissingEvidenceException>(() => PipelineRules.Decide(definition, "A", "B", Kinds("budget"), null));

        Assert.Equal(["minutes", "quote"], error.Missing);
        Assert.Equal("moving from 'A' to 'B' needs evidence: minutes, quote", error.Message);
    }

    [Fact]
    public void Entry_rules_of_the_target_stage_count_too()
    {
        var definition = B2B with { Stages = [Stage("A"), new StageDefinition("Trial", "Trial", [], ["trial_agreement"], null, null)] };

        Assert.Equal(["trial_agreement"], Assert.Throws<MissingEvidenceException>(() => PipelineRules.Decide(definition, "A", "Trial", Kinds(), null)).Missing);
    }

    [Fact]
    public void Skipping_a_stage_is_refused_unless_the_definition_allows_it()
    {
        var all = Kinds("meeting_minutes", "proposal_document");

        var error = Assert.Throws<PreconditionFailedException>(() => PipelineRules.Decide(B2B, "NeedsConfirmed", "PriceNegotiation", all, null));

        Assert.Contains("next stage after 'NeedsConfirmed' is 'ProposalSubmitted'", error.Message, StringComparison.Ordinal);
        Assert.Equal(StageMove.Forward, PipelineRules.Decide(B2B with { AllowSkipping = true }, "NeedsConfirmed", "PriceNegotiation", all, null));
    }

    [Fact]
    public void Moving_backwards_is_allowed_with_a_reason_only()
    {
        Assert.Equal("reason", Assert.Throws<ValidationException>(() => PipelineRules.Decide(B2B, "PriceNegotiation", "NeedsConfirmed", Kinds(), " ")).Field);
        Assert.Equal(StageMove.Backward, PipelineRules.Decide(B2B, "PriceNegotiation", "NeedsConfirmed", Kinds(), "customer changed scope"));
    }

    [Fact]
    public void Unknown_or_unchanged_stages_are_refused()
    {
        Assert.Equal("to_stage", Assert.Throws<ValidationException>(() => PipelineRules.Decide(B2B, "NeedsConfirmed", "Nirvana", Kinds(), null)).Field);
        Assert.Throws<PreconditionFailedException>(() => PipelineRules.Decide(B2B, "NeedsConfirmed", "NeedsConfirmed", Kinds(), null));
    }

    [Fact]
    public void A_definition_with_duplicate_stage_keys_or_a_limit_before_its_warning_is_invalid()
    {
        Assert.Equal("pipeline.stages[1].key", Assert.Throws<ValidationException>(() => PipelineRules.Validate(B2B with { Stages = [Stage("A"), Stage("A")] }, "pipeline")).Field);
        var inverted = new StageDefinition("A", "A", [], [], TimeSpan.FromDays(5), TimeSpan.FromDays(2));
        Assert.Equal("pipeline.stages[0].limit_age", Assert.Throws<ValidationException>(() => PipelineRules.Validate(B2B with { Stages = [inverted] }, "pipeline")).Field);
        Assert.Same(B2B, PipelineRules.Validate(B2B, "pipeline"));
    }

    [Theory]
    [InlineData("key", "pipeline.key")]
    [InlineData("name", "pipeline.name")]
    [InlineData("no stages", "pipeline.stages")]
    [InlineData("stage key", "pipeline.stages[1].key")]
    [InlineData("display name", "pipeline.stages[1].display_name")]
    [InlineData("evidence to leave", "pipeline.stages[1].required_evidence_to_leave[1]")]
    [InlineData("evidence to enter", "pipeline.stages[1].required_evidence_to_enter[0]")]
    [InlineData("warning age", "pipeline.stages[1].warning_age")]
    public void Definition_errors_name_the_path_under_the_requests_pipeline_field(string broken, string field)
    {
        // DefinePipelineRequest carries the definition in `pipeline`; "stages[1].key" or "required_evidence" name nothing a client can set.
        var stage = Stage("B", "quote");
        var definition = broken switch
        {
            "key" => B2B with { Key = "" },
            "name" => B2B with { Name = " " },
            "no stages" => B2B with { Stages = [] },
            "stage key" => B2B with { Stages = [Stage("A"), stage with { Key = "a b" }] },
            "display name" => B2B with { Stages = [Stage("A"), stage with { DisplayName = "" }] },
            "evidence to leave" => B2B with { Stages = [Stage("A"), stage with { RequiredEvidenceToLeave = ["quote", "no way"] }] },
            "evidence to enter" => B2B with { Stages = [Stage("A"), stage with { RequiredEvidenceToEnter = [""] }] },
            _ => B2B with { Stages = [Stage("A"), stage with { WarningAge = TimeSpan.Zero }] },
        };

        Assert.Equal(field, Assert.Throws<ValidationException>(() => PipelineRules.Validate(definition, "pipeline")).Field);
    }
}

public sealed class ForecastAndEvidenceRulesTests
{
    private static readonly HashSet<string> AcmeDomain = new(StringComparer.Ordinal) { "acme.com" };

    private static HashSet<string> Kinds(params string[] kinds) => new(kinds, StringComparer.Ordinal);

    private static readonly DecisionMaker Cfo = new("Carla", "CFO", "carla@acme.com", "");
    private static readonly DecisionMaker Head = new("Hugo", "Head of Cardiology", "", "+49 30 1");

    [Fact]
    public void Each_signal_level_needs_its_own_evidence_kind()
    {
        var error = Assert.Throws<PreconditionFailedException>(() => ForecastRules.EnsureMayClaim(ForecastSignal.L2, Kinds("price_request"), [], AcmeDomain, null));
        Assert.Equal("signal L2 needs evidence of kind 'demo_acceptance'", error.Message);
        ForecastRules.EnsureMayClaim(ForecastSignal.L1, Kinds("price_request"), [], AcmeDomain, null);
    }

    [Fact]
    public void L3_needs_two_decision_makers_with_title_and_contact_on_the_customers_domain()
    {
        var evidence = Kinds("decision_chain");
        Assert.Throws<PreconditionFailedException>(() => ForecastRules.EnsureMayClaim(ForecastSignal.L3, evidence, [Cfo], AcmeDomain, null));
        Assert.Equal("decision_makers[1].title", Assert.Throws<ValidationException>(() =>
            ForecastRules.EnsureMayClaim(ForecastSignal.L3, evidence, [Cfo, Head with { Title = "" }], AcmeDomain, null)).Field);
        Assert.Equal("decision_makers[1]", Assert.Throws<ValidationException>(() =>
            ForecastRules.EnsureMayClaim(ForecastSignal.L3, evidence, [Cfo, Head with { Phone = "" }], AcmeDomain, null)).Field);
        var foreign = Assert.Throws<PreconditionFailedException>(() =>
            ForecastRules.EnsureMayClaim(ForecastSignal.L3, evidence, [Cfo, Head with { Email = "hugo@gmail.com" }], AcmeDomain, null));
        Assert.Contains("'gmail.com' is not the customer's domain", foreign.Message, StringComparison.Ordinal);
        ForecastRules.EnsureMayClaim(ForecastSignal.L3, evidence, [Cfo, Head], AcmeDomain, null);
    }

    [Fact]
    public void L4_needs_the_agreed_contract_review_date_named_as_the_request_field()
    {
        // The evidence kind is "contract_review_date"; the request field a client sets is contract_review_at.
        var error = Assert.Throws<ValidationException>(() =>
            ForecastRules.EnsureMayClaim(ForecastSignal.L4, Kinds("contract_review_date"), [], AcmeDomain, null));

        Assert.Equal("contract_review_at", error.Field);
        Assert.Equal("contract_review_at: is required for signal L4", error.Message);
        ForecastRules.EnsureMayClaim(ForecastSignal.L4, Kinds("contract_review_date"), [], AcmeDomain, DateTimeOffset.UnixEpoch);
    }

    [Theory]
    [InlineData(ForecastSignal.None, 0)]
    [InlineData(ForecastSignal.L1, 10_000)]
    [InlineData(ForecastSignal.L2, 30_000)]
    [InlineData(ForecastSignal.L3, 65_000)]
    [InlineData(ForecastSignal.L4, 100_000)]
    public void Weighted_forecast_is_amount_times_the_signals_weight(ForecastSignal signal, int expected) =>
        Assert.Equal(expected, ForecastRules.Weighted(100_000m, signal, new ForecastWeights()));

    [Theory]
    [InlineData("verbal", "doc-1")]
    [InlineData("quote", "")]
    [InlineData("quote", "ftp://files/quote.pdf")]
    public void A_verbal_promise_or_evidence_without_a_checkable_reference_is_refused(string kind, string reference) =>
        Assert.Throws<ValidationException>(() => EvidenceRules.Validate(kind, reference, ""));

    [Fact]
    public void Evidence_with_a_document_id_or_https_link_is_accepted()
    {
        Assert.Equal(("quote", "DOC-2026-17", ""), EvidenceRules.Validate("quote", "DOC-2026-17", ""));
        Assert.Equal("https://dms.example/q/17", EvidenceRules.Validate("quote", "https://dms.example/q/17", "v2").Reference);
    }
}
