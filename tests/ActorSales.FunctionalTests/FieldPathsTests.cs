using ActorSales.Contracts.V1;
using ActorSales.Testing;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace ActorSales.FunctionalTests;

/// <summary>The resolver the field-name checks stand on: what a client can spell, and what it cannot.</summary>
public sealed class FieldPathsTests
{
    [Theory]
    [InlineData("opportunity_id")]
    [InlineData("decision_makers")]
    [InlineData("decision_makers[1]")]
    [InlineData("decision_makers[0].email")]
    [InlineData("contract_review_at")]
    [InlineData("contract_review_at.seconds")]
    [InlineData("signal, contract_review_at")]
    public void Paths_a_client_can_spell_resolve(string path) =>
        Assert.True(FieldPaths.TryResolve(SetSignalRequest.Descriptor, path, out var problem), problem);

    [Theory]
    [InlineData("contract_review_date", "has no field 'contract_review_date'")]
    [InlineData("decision_makers.email", "name the entry")]
    [InlineData("decision_makers[x].email", "indexed by a number")]
    [InlineData("signal[0]", "is not repeated")]
    [InlineData("signal.level", "is not a message")]
    [InlineData("decision_makers[0].mail", "has no field 'mail'")]
    [InlineData("signal, contract_review_date", "has no field 'contract_review_date'")]
    [InlineData("contractReviewAt", "is not a field name")]
    [InlineData("decision_makers[0].", "is not a field name")]
    public void Paths_no_client_can_spell_do_not(string path, string why)
    {
        Assert.False(FieldPaths.TryResolve(SetSignalRequest.Descriptor, path, out var problem));
        Assert.Contains(why, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Nested_lists_need_their_index_and_the_top_level_field()
    {
        Assert.True(FieldPaths.Resolves(DefinePipelineRequest.Descriptor, "pipeline.stages[3].warning_age"));
        Assert.True(FieldPaths.Resolves(DefinePipelineRequest.Descriptor, "pipeline.stages[3].required_evidence_to_leave[2]"));
        Assert.False(FieldPaths.Resolves(DefinePipelineRequest.Descriptor, "stages[3].key"));
        Assert.False(FieldPaths.Resolves(DefinePipelineRequest.Descriptor, "pipeline.stages[0].required_evidence"));
    }

    [Fact]
    public void A_oneof_is_named_by_its_name_or_by_its_members()
    {
        Assert.True(FieldPaths.Resolves(GetForecastRequest.Descriptor, "scope"));
        Assert.True(FieldPaths.Resolves(GetForecastRequest.Descriptor, "team_id"));
        Assert.False(FieldPaths.Resolves(GetForecastRequest.Descriptor, "scope.team_id"));
        Assert.True(FieldPaths.Resolves(SubscribeRequest.Descriptor, "start"));
        Assert.True(FieldPaths.Resolves(SubscribeRequest.Descriptor, "from_time"));
    }

    [Fact]
    public void A_map_entry_is_named_by_its_key()
    {
        Assert.True(FieldPaths.Resolves(Struct.Descriptor, "fields[customer]"));
        Assert.True(FieldPaths.Resolves(Struct.Descriptor, "fields[customer].string_value"));
        Assert.True(FieldPaths.Resolves(Struct.Descriptor, "fields[a].struct_value.fields[b].kind"));
        Assert.False(FieldPaths.Resolves(Struct.Descriptor, "fields.string_value"));
    }

    [Theory]
    [InlineData("contract_review_at: is required for signal L4", "contract_review_at")]
    [InlineData("decision_makers[1].email: 'gmail.com' is not the customer's domain", "decision_makers[1].email")]
    [InlineData("owner_id, team_id: name one", "owner_id, team_id")]
    [InlineData("signal L2 needs evidence of kind 'demo_acceptance'", null)]
    [InlineData("moving from 'A' to 'B' needs evidence: po", null)]
    [InlineData("internal error (ref 42)", null)]
    [InlineData("", null)]
    public void The_leading_path_is_what_precedes_the_first_colon(string detail, string? path) =>
        Assert.Equal(path, FieldPaths.LeadingPath(detail));

    [Fact]
    public void The_client_check_accepts_named_fields_and_flags_the_rest()
    {
        var request = new SetSignalRequest();

        Assert.Null(FieldNameCheck.Problem(request, new Status(StatusCode.InvalidArgument, "contract_review_at: is required for signal L4")));
        Assert.Null(FieldNameCheck.Problem(request, new Status(StatusCode.FailedPrecondition, "signal L2 needs evidence of kind 'demo_acceptance'")));
        Assert.Null(FieldNameCheck.Problem(request, new Status(StatusCode.NotFound, "opportunity 'o1' was not found")));
        Assert.Contains("names no field", FieldNameCheck.Problem(request, new Status(StatusCode.InvalidArgument, "contract_review_date: is required for signal L4")), StringComparison.Ordinal);
        Assert.Contains("names no field", FieldNameCheck.Problem(request, new Status(StatusCode.FailedPrecondition, "receiver_id: salesperson 'x' is not active")), StringComparison.Ordinal);
        Assert.Contains("does not start with the field", FieldNameCheck.Problem(request, new Status(StatusCode.InvalidArgument, "bad request")), StringComparison.Ordinal);
    }
}
