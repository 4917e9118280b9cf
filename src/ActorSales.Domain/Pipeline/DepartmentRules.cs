using ActorSales.Domain.Common;
using ActorSales.Domain.Errors;

namespace ActorSales.Domain.Pipeline;

/// <summary>
/// Departments (legal, supply chain, ...) work the tasks that task rules create. Their members, kept by admins and the
/// department's lead, are who may list and claim a department's tasks (see <see cref="Identity.AccessPolicy"/>). The lead,
/// named by an admin, is always a member, and is told when a task of the department passes its due time not done.
/// </summary>
public static class DepartmentRules
{
    /// <summary>
    /// A complete member list: at most <see cref="Limits.MaxDepartmentMembers"/> user ids, each a valid id; a duplicate
    /// counts once. Returned sorted (ordinal), so the same members always read the same.
    /// </summary>
    public static IReadOnlyList<string> ValidateMembers(IReadOnlyCollection<string> memberIds)
    {
        // Counted before each id is looked at, so a hostile list costs nothing.
        if (memberIds.Count > Limits.MaxDepartmentMembers)
        {
            throw new ValidationException("member_ids", $"at most {Limits.MaxDepartmentMembers} members are allowed");
        }
        return memberIds.Select(id => Guard.Id(id, "member_ids")).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>A new complete member list keeps the lead (else FAILED_PRECONDITION: clear or change the lead first).</summary>
    public static void EnsureKeepsLead(IReadOnlyCollection<string> members, string? leadId, string field)
    {
        if (leadId is not null && !members.Contains(leadId))
        {
            throw new PreconditionFailedException($"{field}: '{leadId}' is the department's lead and stays a member; name another lead (or none) first");
        }
    }

    /// <summary>The lead an admin names: empty for none, else a valid id that is a member (else FAILED_PRECONDITION).</summary>
    public static string? ValidateLead(string? leadId, IReadOnlyCollection<string> members)
    {
        if (string.IsNullOrEmpty(leadId))
        {
            return null;
        }
        var lead = Guard.Id(leadId, "lead_id");
        if (!members.Contains(lead))
        {
            throw new PreconditionFailedException($"lead_id: '{lead}' is not a member of the department; add them first");
        }
        return lead;
    }
}
