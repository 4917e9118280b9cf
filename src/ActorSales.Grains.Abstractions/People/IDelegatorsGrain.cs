namespace ActorSales.Grains.Abstractions.People;

/// <summary>
/// The approvers who named one salesperson their delegate. Key: the delegate's salesperson id. A leaf index: it calls
/// no grain, so an approver naming a delegate never calls the delegate's salesperson grain (two people naming each
/// other at once could otherwise stall both).
/// </summary>
[Alias("actorsales.IDelegatorsGrain")]
public interface IDelegatorsGrain : IGrainWithStringKey
{
    /// <summary>Records that <paramref name="approverId"/> named this delegate (or no longer does); idempotent.</summary>
    [Alias("Link")]
    Task Link(string approverId, bool active);

    /// <summary>The approvers who named this delegate.</summary>
    [Alias("Approvers"), ReadOnly, AlwaysInterleave]
    Task<IReadOnlyList<string>> Approvers();
}
