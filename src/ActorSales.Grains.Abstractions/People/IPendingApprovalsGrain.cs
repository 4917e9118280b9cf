namespace ActorSales.Grains.Abstractions.People;

/// <summary>
/// The pending approvals addressed to one approver. Key: the approver's salesperson id. A leaf index: it calls no grain,
/// so filing or deciding an approval never calls the approver's salesperson grain.
/// </summary>
[Alias("actorsales.IPendingApprovalsGrain")]
public interface IPendingApprovalsGrain : IGrainWithStringKey
{
    /// <summary>Files the approval as pending for this approver, or drops it (decided or rerouted); idempotent.</summary>
    [Alias("Link")]
    Task Link(string approvalId, bool pending);

    /// <summary>The approvals filed as pending here (each is checked against the approval itself when listed).</summary>
    [Alias("ApprovalIds"), ReadOnly, AlwaysInterleave]
    Task<IReadOnlyList<string>> ApprovalIds();
}
