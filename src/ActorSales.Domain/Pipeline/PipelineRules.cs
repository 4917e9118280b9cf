using ActorSales.Domain.Common;
using ActorSales.Domain.Errors;

namespace ActorSales.Domain.Pipeline;

/// <summary>Direction of an allowed stage change.</summary>
public enum StageMove
{
    Forward,
    Backward,
}

/// <summary>Whether a stage may be left: a pure function of the definition, the opportunity's evidence and the request.</summary>
public static class PipelineRules
{
    /// <summary>
    /// Decides a move from <paramref name="from"/> to <paramref name="to"/>. Forward moves need every evidence kind the
    /// current stage requires to leave (and the target's entry evidence); skipping needs the definition's consent;
    /// backward moves need a reason. Throws with the exact missing evidence kinds listed.
    /// </summary>
    public static StageMove Decide(PipelineDefinition definition, string from, string to, IReadOnlySet<string> evidenceKinds, string? reason)
    {
        var fromIndex = definition.IndexOf(from);
        var toIndex = definition.IndexOf(to);
        if (toIndex < 0)
        {
            throw new ValidationException("to_stage", $"'{Truncate(to)}' is not a stage of pipeline '{definition.Key}' v{definition.Version}; stages: {string.Join(", ", definition.Stages.Select(s => s.Key))}");
        }
        if (fromIndex < 0)
        {
            throw new PreconditionFailedException($"the opportunity is in stage '{from}', which pipeline '{definition.Key}' v{definition.Version} does not define");
        }
        if (toIndex == fromIndex)
        {
            throw new PreconditionFailedException($"the opportunity is already in stage '{to}'");
        }
        if (toIndex < fromIndex)
        {
            if (string.IsNullOrWhiteSpace(reason))
            {
                throw new ValidationException("reason", "moving back to an earlier stage needs a reason");
            }
            return StageMove.Backward;
        }
        if (toIndex > fromIndex + 1 && !definition.AllowSkipping)
        {
            throw new PreconditionFailedException($"pipeline '{definition.Key}' does not allow skipping stages: the next stage after '{from}' is '{definition.Stages[fromIndex + 1].Key}'");
        }
        var missing = MissingToLeave(definition.Stages[fromIndex], evidenceKinds)
            .Concat(definition.Stages[toIndex].RequiredEvidenceToEnter.Where(kind => !evidenceKinds.Contains(kind)))
            .Distinct(StringComparer.Ordinal)
            .ToList();
        if (missing.Count > 0)
        {
            throw new MissingEvidenceException(from, to, missing);
        }
        return StageMove.Forward;
    }

    /// <summary>Evidence kinds still missing to leave <paramref name="stage"/>, in the definition's order.</summary>
    public static IReadOnlyList<string> MissingToLeave(StageDefinition stage, IReadOnlySet<string> evidenceKinds) =>
        stage.RequiredEvidenceToLeave.Where(kind => !evidenceKinds.Contains(kind)).ToList();

    /// <summary>
    /// Validates a definition an admin submits: keys unique and well-formed, ages consistent. Errors name
    /// <paramref name="field"/> (where the definition sits in the request, e.g. "pipeline") and the path below it.
    /// </summary>
    public static PipelineDefinition Validate(PipelineDefinition definition, string field)
    {
        Guard.Id(definition.Key, field + ".key");
        Guard.Required(definition.Name, field + ".name");
        if (definition.Stages.Count is < 1 or > 30)
        {
            throw new ValidationException(field + ".stages", "a pipeline has 1 to 30 stages");
        }
        var keys = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < definition.Stages.Count; i++)
        {
            var stage = definition.Stages[i];
            var stageField = $"{field}.stages[{i}]";
            Guard.Id(stage.Key, stageField + ".key");
            Guard.Required(stage.DisplayName, stageField + ".display_name");
            if (!keys.Add(stage.Key))
            {
                throw new ValidationException(stageField + ".key", $"'{stage.Key}' appears twice");
            }
            for (var k = 0; k < stage.RequiredEvidenceToLeave.Count; k++)
            {
                Guard.Id(stage.RequiredEvidenceToLeave[k], $"{stageField}.required_evidence_to_leave[{k}]");
            }
            for (var k = 0; k < stage.RequiredEvidenceToEnter.Count; k++)
            {
                Guard.Id(stage.RequiredEvidenceToEnter[k], $"{stageField}.required_evidence_to_enter[{k}]");
            }
            if (stage.WarningAge is { } warning && (warning <= TimeSpan.Zero || warning > TimeSpan.FromDays(3650)))
            {
                throw new ValidationException(stageField + ".warning_age", "must be positive and at most 10 years");
            }
            if (stage.LimitAge is { } limit && (limit <= TimeSpan.Zero || limit > TimeSpan.FromDays(3650) || (stage.WarningAge is { } w && limit < w)))
            {
                throw new ValidationException(stageField + ".limit_age", "must be positive, at most 10 years and not shorter than the warning age");
            }
        }
        return definition;
    }

    private static string Truncate(string value) => value.Length <= 64 ? value : value[..64] + "...";
}

/// <summary>Leaving a stage without its evidence (gRPC FAILED_PRECONDITION listing exactly the missing kinds).</summary>
[GenerateSerializer, Alias("actorsales.MissingEvidenceException")]
public sealed class MissingEvidenceException(string from, string to, IReadOnlyList<string> missing)
    : PreconditionFailedException($"moving from '{from}' to '{to}' needs evidence: {string.Join(", ", missing)}")
{
    [Id(0)] public IReadOnlyList<string> Missing { get; } = missing;
}
