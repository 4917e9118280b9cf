namespace ActorSales.Domain.Identity;

/// <summary>
/// A change request the client named with a <c>request_id</c>, so a retry is recognised. <see cref="Key"/> identifies
/// (caller, RPC, request_id); <see cref="BodyHash"/> the request's content without its id. Built by the gateway; the
/// grain that applies the change keeps both for 24 h in the same write (see the request ledger).
/// </summary>
[GenerateSerializer, Immutable, Alias("actorsales.ClientRequest")]
public sealed record ClientRequest([property: Id(0)] string Key, [property: Id(1)] string BodyHash)
{
    /// <summary>How long a request id is remembered: a retry within this window is answered, not applied again.</summary>
    public static TimeSpan Window { get; } = TimeSpan.FromHours(24);

    /// <summary>The longest request id a client may send.</summary>
    public const int MaxIdLength = 100;

    /// <summary>
    /// A stable id for a record this request creates (<paramref name="prefix"/> + 32 hex digits), so the retry of a
    /// create reaches the record the first attempt made instead of making a second one.
    /// </summary>
    public string CreatedId(string prefix) =>
        prefix + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes("created\n" + Key)))[..32];
}
