using ActorSales.Domain.Identity;
namespace ActorSales.Grains.Abstractions;

/// <summary>
/// Every grain key in one place.
/// <list type="bullet">
/// <item>salesperson: the user id (token subject), e.g. "alice"</item>
/// <item>book, delegators index, pending-approvals index: the salesperson's id (one of each per salesperson)</item>
/// <item>team: the team id, e.g. "berlin-hospital"</item>
/// <item>customer: "cus_" + a time-ordered GUID (v7) in hex, issued at registration</item>
/// <item>opportunity: "opp_" + a time-ordered GUID (v7) in hex, issued when opened</item>
/// <item>approval: "{opportunityId}/approval/{n}" or "{opportunityId}/approval/{n}-v{version}" (see
/// <see cref="Domain.Pipeline.ApprovalIds"/>): the opportunity that asked for it is the first segment, and decisions
/// reach the approval through that opportunity</item>
/// <item>handover: the leaver's salesperson id (one departure per salesperson; departed is final)</item>
/// <item>commission plan: the plan id (a team id, or "default"); commission statements: the salesperson id; commission
/// period index: the period, "YYYY-MM"</item>
/// <item>pipeline: the pipeline key, e.g. "b2b"; the pipeline catalog: "all"</item>
/// <item>customer activity chunk: "{customerId}/{chunkIndex}", activities chunkIndex*100+1 .. +100</item>
/// <item>lead: "lead_" + 32 hex digits (a time-ordered GUID, or derived from the create's or import row's request);
/// lead de-duplication index: the normalised key, e.g. "phone:+4930123456" (its own grain type); a customer converted
/// from a lead: "cus_" + 32 hex digits derived from the lead id, so a retried conversion reaches the same customer</item>
/// <item>de-duplication index: the normalised key, e.g. "phone:+4930123456", "email:a@b.com", "company:acme"</item>
/// </list>
/// </summary>
public static class GrainKeys
{
    public const int ActivityChunkSize = 100;

    /// <summary>A new customer's id; a create the client named with a request id gets the same id on every retry.</summary>
    public static string NewCustomerId(ClientRequest? request = null) => request?.CreatedId("cus_") ?? "cus_" + Guid.CreateVersion7().ToString("N");

    /// <summary>A new opportunity's id; a create the client named with a request id gets the same id on every retry.</summary>
    public static string NewOpportunityId(ClientRequest? request = null) => request?.CreatedId("opp_") ?? "opp_" + Guid.CreateVersion7().ToString("N");

    /// <summary>A new lead's id; a create (or import row) the client named with a request id gets the same id on every retry.</summary>
    public static string NewLeadId(ClientRequest? request = null) => request?.CreatedId("lead_") ?? "lead_" + Guid.CreateVersion7().ToString("N");

    /// <summary>The customer a lead converts to (one per lead, whoever retries).</summary>
    public static string CustomerFromLead(string leadId) =>
        "cus_" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes("lead\n" + leadId)))[..32];

    public const string PipelineCatalog = "all";

    public static string ActivityChunk(string customerId, long chunkIndex) => $"{customerId}/{chunkIndex}";

    /// <summary>Chunk holding activity <paramref name="sequence"/> (1-based).</summary>
    public static long ChunkOf(long sequence) => (sequence - 1) / ActivityChunkSize;
}
