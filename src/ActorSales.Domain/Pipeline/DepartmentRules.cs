using ActorSales.Domain.Common;
using ActorSales.Domain.Errors;

namespace ActorSales.Domain.Pipeline;

/// <summary>
/// Departments (legal, supply chain, ...) work the tasks that task rules create. Their members, kept by admins, are who
/// may list and claim a department's tasks (see <see cref="Identity.AccessPolicy"/>).
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
}
