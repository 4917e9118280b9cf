namespace ActorSales.Web;

/// <summary>How the host serves the board (README "Live board in the browser").</summary>
public sealed class BoardOptions
{
    /// <summary>
    /// The local port of the gRPC-Web (HTTP/1.1) listener: the page is served there only, same origin as the API it calls.
    /// Null serves it on every listener (the operator configured Kestrel endpoints, e.g. with TLS).
    /// </summary>
    public int? Port { get; init; }

    /// <summary>
    /// Mints a token for (user, role): the development sign-in, set by the host in the Local profile only. Null: the sign-in
    /// endpoint does not exist (404), and the page offers only "paste a token".
    /// </summary>
    public Func<string, string, string>? DevelopmentSignIn { get; init; }

    /// <summary>
    /// A folder to serve the page from instead of the embedded copy (ActorSales:Board:Files), so a front-end developer
    /// sees an edit on reload without rebuilding the host. Unset in production.
    /// </summary>
    public string? Files { get; init; }
}
