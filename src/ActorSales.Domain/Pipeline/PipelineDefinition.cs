namespace ActorSales.Domain.Pipeline;

/// <summary>One stage of a pipeline: what must be shown to leave it (or enter it), and when it counts as stalled.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.StageDefinition")]
public sealed record StageDefinition(
    [property: Id(0)] string Key,
    [property: Id(1)] string DisplayName,
    [property: Id(2)] IReadOnlyList<string> RequiredEvidenceToLeave,
    [property: Id(3)] IReadOnlyList<string> RequiredEvidenceToEnter,
    [property: Id(4)] TimeSpan? WarningAge,
    [property: Id(5)] TimeSpan? LimitAge);

/// <summary>
/// An ordered, versioned list of stages. Pipelines are data: loaded from configuration, managed by admins; an
/// opportunity keeps the version it started with. Winning means leaving the last stage.
/// </summary>
[GenerateSerializer, Immutable, Alias("actorsales.PipelineDefinition")]
public sealed record PipelineDefinition(
    [property: Id(0)] string Key,
    [property: Id(1)] int Version,
    [property: Id(2)] string Name,
    [property: Id(3)] IReadOnlyList<StageDefinition> Stages,
    [property: Id(4)] bool AllowSkipping)
{
    public StageDefinition First => Stages[0];

    public int IndexOf(string stageKey)
    {
        for (var i = 0; i < Stages.Count; i++)
        {
            if (Stages[i].Key == stageKey)
            {
                return i;
            }
        }
        return -1;
    }

    public StageDefinition? Find(string stageKey) => IndexOf(stageKey) is >= 0 and var i ? Stages[i] : null;
}
