using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.FileProviders;

namespace ActorSales.Web;

/// <summary>
/// Serves the board at /board/: the embedded static page under a strict Content-Security-Policy (scripts, styles and
/// calls from this origin only; no inline code, no framing), and in the Local profile the development sign-in
/// (GET /board/dev-sign-in: whether it exists; POST: a token for a chosen user and role).
/// </summary>
public static partial class BoardEndpoints
{
    public const string Path = "/board";

    /// <summary>The policy every board response carries. connect-src 'self': the page talks to its own origin only.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    /// <summary>Roles the development sign-in mints (a machine "service" caller has no use for a board).</summary>
    public static readonly string[] SignInRoles = ["rep", "manager", "director", "admin"];

    public static IApplicationBuilder UseActorSalesBoard(this IApplicationBuilder app, BoardOptions options)
    {
        IFileProvider files = string.IsNullOrEmpty(options.Files)
            ? new ManifestEmbeddedFileProvider(typeof(BoardEndpoints).Assembly, "board")
            : new PhysicalFileProvider(System.IO.Path.GetFullPath(options.Files));
        return app.UseWhen(context => IsBoardRequest(context, options), board =>
        {
            board.Use((context, next) =>
            {
                var headers = context.Response.Headers;
                headers.ContentSecurityPolicy = ContentSecurityPolicy;
                headers.XContentTypeOptions = "nosniff";
                headers["Referrer-Policy"] = "no-referrer";
                headers["Cross-Origin-Opener-Policy"] = "same-origin";
                // Revalidate every time (ETag): a new host version is never mixed with a cached older module.
                headers.CacheControl = "no-cache";
                return next(context);
            });
            board.Map(Path + "/dev-sign-in", signIn => signIn.Run(context => DevelopmentSignInAsync(context, options.DevelopmentSignIn)));
            board.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files, RequestPath = Path });
            board.UseStaticFiles(new StaticFileOptions { FileProvider = files, RequestPath = Path });
        });
    }

    private static bool IsBoardRequest(HttpContext context, BoardOptions options) =>
        context.Request.Path.StartsWithSegments(Path) && (options.Port is not { } port || context.Connection.LocalPort == port);

    private static async Task DevelopmentSignInAsync(HttpContext context, Func<string, string, string>? mint)
    {
        if (mint is null)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound; // the Postgres profile has no such thing
            return;
        }
        if (HttpMethods.IsGet(context.Request.Method))
        {
            await context.Response.WriteAsJsonAsync(new { roles = SignInRoles });
            return;
        }
        if (!HttpMethods.IsPost(context.Request.Method))
        {
            context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            return;
        }
        // JSON only: a cross-site form cannot send it without a preflight this endpoint never answers.
        if (!context.Request.HasJsonContentType())
        {
            context.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
            return;
        }
        SignInRequest? request;
        try
        {
            request = await context.Request.ReadFromJsonAsync<SignInRequest>(context.RequestAborted);
        }
        catch (JsonException)
        {
            request = null;
        }
        if (request is not { User: { } user, Role: { } role } || !UserId().IsMatch(user) || !SignInRoles.Contains(role))
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsJsonAsync(new { error = "user: 1..64 letters, digits, '.', '_', '-' or '@'; role: one of " + string.Join(", ", SignInRoles) });
            return;
        }
        context.Response.Headers.CacheControl = "no-store";
        await context.Response.WriteAsJsonAsync(new { token = mint(user, role) });
    }

    private sealed record SignInRequest(string? User, string? Role);

    [GeneratedRegex("^[A-Za-z0-9._@-]{1,64}$")]
    private static partial Regex UserId();
}
