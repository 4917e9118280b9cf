using ActorSales.Domain.Common;
using ActorSales.Domain.Deadlines;
using ActorSales.Domain.Errors;
using ActorSales.Domain.Identity;

namespace ActorSales.Domain.Pipeline;

/// <summary>Lifecycle of an approval request.</summary>
public enum ApprovalStatus
{
    Unspecified = 0,
    Pending = 1,
    Approved = 2,
    Rejected = 3,
}

/// <summary>Approval of large deals (section "ActorSales:Opportunities:Approval").</summary>
public sealed class ApprovalOptions
{
    /// <summary>Entering this stage with an amount above the threshold asks for approval.</summary>
    public string Stage { get; set; } = "ContractApproval";

    /// <summary>Amount above which approval is needed, in the deal's own currency.</summary>
    public decimal Threshold { get; set; } = 500_000m;

    /// <summary>Where a rejected deal returns.</summary>
    public string RejectedReturnsTo { get; set; } = "PriceNegotiation";

    /// <summary>Approver when the owner's team names no director.</summary>
    public string? DefaultApproverId { get; set; }

    /// <summary>A request pending this long reminds its approver (once).</summary>
    public TimeSpan RemindAfter { get; set; } = TimeSpan.FromHours(24);

    /// <summary>A request pending this long goes to the next approver of the chain as well (once).</summary>
    public TimeSpan EscalateAfter { get; set; } = TimeSpan.FromHours(72);

    /// <summary>
    /// The top of the approval chain (manager -> director -> this person, e.g. the head of sales): a request its director
    /// or the default approver left pending past <see cref="EscalateAfter"/> goes here. Null: no level above directors.
    /// </summary>
    public string? EscalationApproverId { get; set; }
}

/// <summary>What an opportunity asks for when it enters the approval stage above the threshold (persisted: moved here from Grains.Abstractions, same alias and ids).</summary>
[GenerateSerializer, Immutable, Alias("actorsales.ApprovalRequest")]
public sealed record ApprovalRequest(
    [property: Id(0)] string OpportunityId,
    [property: Id(1)] string OwnerId,
    [property: Id(2)] string OwnerTeamId,
    [property: Id(3)] string ApproverId,
    [property: Id(4)] Money Value,
    [property: Id(5)] string? EscalatedToId = null,
    [property: Id(6)] DateTimeOffset? EscalatedAt = null);

/// <summary>
/// Approval ids: "{opportunityId}/approval/{n}" where n is the stage entry that asked for it, or "{n}-v{version}" for a
/// re-approval asked by a terms change, so a retried or replayed change asks the same approval grain, once.
/// </summary>
public static class ApprovalIds
{
    private const string Marker = "approval";

    /// <summary>The approval entering the approval stage asks for (the stage entry is the history's length).</summary>
    public static string ForStageEntry(string opportunityId, int stageEntry) => $"{opportunityId}/{Marker}/{stageEntry}";

    /// <summary>The approval a terms change at <paramref name="version"/> asks for.</summary>
    public static string ForTermsChange(string opportunityId, int stageEntry, long version) => $"{opportunityId}/{Marker}/{stageEntry}-v{version}";

    /// <summary>The opportunity that asked for <paramref name="approvalId"/>; null if it is not an approval id.</summary>
    public static string? OpportunityOf(string? approvalId)
    {
        var parts = (approvalId ?? string.Empty).Split('/');
        if (parts.Length != 3 || parts[0].Length == 0 || parts[1] != Marker)
        {
            return null;
        }
        var entry = parts[2];
        var dash = entry.IndexOf("-v", StringComparison.Ordinal);
        return IsNumber(dash < 0 ? entry : entry[..dash]) && (dash < 0 || IsNumber(entry[(dash + 2)..])) ? parts[0] : null;
    }

    private static bool IsNumber(string text) => text.Length is > 0 and <= 19 && text.All(char.IsAsciiDigit);
}

/// <summary>A director's stand-in for a period.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.Delegation")]
public sealed record Delegation(
    [property: Id(0)] string DelegateId,
    [property: Id(1)] DateTimeOffset From,
    [property: Id(2)] DateTimeOffset Until)
{
    public bool IsActive(DateTimeOffset now) => now >= From && now < Until;
}

public static class ApprovalRules
{
    public static bool RequiresApproval(PipelineDefinition pipeline, string enteredStage, Money value, ApprovalOptions options) =>
        enteredStage == options.Stage && pipeline.IndexOf(options.Stage) >= 0 && value.Amount > options.Threshold;

    /// <summary>
    /// Whether changing a deal's value to <paramref name="value"/> needs a new approval: the deal is in the approval stage
    /// or beyond, the new amount is above the threshold, and it is not covered by what was approved (a higher amount, or
    /// another currency). Nothing approved yet there means the approval is still to come (or was never needed).
    /// </summary>
    public static bool NeedsReapproval(PipelineDefinition pipeline, string stage, Money? approved, Money value, ApprovalOptions options)
    {
        var approvalStage = pipeline.IndexOf(options.Stage);
        if (approvalStage < 0 || pipeline.IndexOf(stage) < approvalStage || value.Amount <= options.Threshold)
        {
            return false;
        }
        return approved is null || approved.Currency != value.Currency || value.Amount > approved.Amount;
    }

    /// <summary>Only the addressed approver, their currently active delegate, or the approver it was escalated to decides.</summary>
    public static void EnsureCanDecide(Caller caller, string approverId, Delegation? delegation, DateTimeOffset now, string? escalatedToId = null)
    {
        AccessPolicy.EnsureActive(caller);
        if (AccessPolicy.IsApprovalDecider(caller, approverId, delegation, now) || (escalatedToId is not null && caller.UserId == escalatedToId))
        {
            return;
        }
        // Names nobody: a caller who may not decide learns nothing about the request.
        throw new AccessDeniedException("only the approver the request is addressed to, or their active delegate, may decide it");
    }

    public static Delegation ValidateDelegation(string delegateId, DateTimeOffset from, DateTimeOffset until, string approverId)
    {
        Guard.Id(delegateId, "delegate_id");
        if (delegateId == approverId)
        {
            throw new ValidationException("delegate_id", "an approver cannot delegate to themselves");
        }
        Guard.Timestamp(from, "from", Limits.LatestTimestamp);
        Guard.Timestamp(until, "until", Limits.LatestTimestamp);
        if (until <= from || until - from > TimeSpan.FromDays(366))
        {
            throw new ValidationException("until", "must be after from and at most a year later");
        }
        return new Delegation(delegateId, from, until);
    }

    public static string ValidateComment(string comment, bool required) =>
        required ? Guard.Required(comment, "comment", Limits.SummaryMaxLength) : Guard.Optional(comment, "comment", Limits.SummaryMaxLength);
}

/// <summary>
/// Follow-through on a pending approval (issue 16, "审批卡在总监超72小时"): <see cref="ApprovalOptions.RemindAfter"/> after it
/// reached its approver the approver is reminded; <see cref="ApprovalOptions.EscalateAfter"/> after, it is escalated to the
/// next approver of the chain, who may then decide it as well. Each fires once per request and approver; a decision
/// ends both. Pure: derived from when the request reached its current approver.
/// </summary>
public static class ApprovalFollowThrough
{
    public const string Remind = "approval-reminder";
    public const string Escalate = "approval-escalate";

    public static bool IsRule(string rule) => rule is Remind or Escalate;

    /// <summary>The reminder and the escalation of a request pending since <paramref name="pendingSince"/> (none: nothing pending).</summary>
    public static IReadOnlyList<Deadline> DeadlinesFor(DateTimeOffset? pendingSince, ApprovalOptions options) =>
        pendingSince is { } since ? [new Deadline(Remind, since + options.RemindAfter), new Deadline(Escalate, since + options.EscalateAfter)] : [];

    /// <summary>
    /// Who the request may escalate to, best first. The chain is the owner's team manager -> the team's director ->
    /// <see cref="ApprovalOptions.EscalationApproverId"/>: the levels above the approver's own. An approver outside the
    /// chain (the default approver, or whoever a departure rerouted it to) escalates to the top. The grain takes the
    /// first candidate who is still active.
    /// </summary>
    public static IReadOnlyList<string> EscalationCandidates(string approverId, string? teamManagerId, string? teamDirectorId, ApprovalOptions options)
    {
        string?[] chain = [teamManagerId, teamDirectorId, options.EscalationApproverId];
        var level = Array.IndexOf(chain, approverId);
        var above = level < 0 ? [options.EscalationApproverId] : chain[(level + 1)..];
        return above.OfType<string>().Where(candidate => candidate != approverId).Distinct(StringComparer.Ordinal).ToList();
    }
}
