using ActorSales.Domain.Errors;
using ActorSales.Domain.Pipeline;

namespace ActorSales.Host.Configuration;

/// <summary>A pipeline as written in configuration ("ActorSales:Pipelines"); seeded into the pipeline grains at start.</summary>
public sealed class PipelineSettings
{
    public string Key { get; set; } = string.Empty;
    public string Name { get; set; } = string.Empty;
    public bool AllowSkipping { get; set; }
    public List<StageSettings> Stages { get; set; } = [];

    public PipelineDefinition ToDefinition(int index)
    {
        var definition = new PipelineDefinition(Key, 0, Name,
            Stages.Select(s => new StageDefinition(s.Key, s.DisplayName, s.RequiredEvidenceToLeave, s.RequiredEvidenceToEnter, s.WarningAge, s.LimitAge)).ToList(),
            AllowSkipping);
        try
        {
            // The same rule and field names as DefinePipelineRequest.pipeline, so an operator and an API client read one error.
            return PipelineRules.Validate(definition, "pipeline");
        }
        catch (ValidationException exception)
        {
            throw new ConfigurationException($"ActorSales:Pipelines:{index} ({Key}): {exception.Message}");
        }
    }
}

public sealed class StageSettings
{
    public string Key { get; set; } = string.Empty;
    public string DisplayName { get; set; } = string.Empty;
    public List<string> RequiredEvidenceToLeave { get; set; } = [];
    public List<string> RequiredEvidenceToEnter { get; set; } = [];
    public TimeSpan? WarningAge { get; set; }
    public TimeSpan? LimitAge { get; set; }
}
