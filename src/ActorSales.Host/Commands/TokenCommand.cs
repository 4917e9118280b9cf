using System.Security.Claims;
using ActorSales.Host.Configuration;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ActorSales.Host.Commands;

/// <summary>
/// `actorsales token --user alice --role rep [--hours 8]`: mints a bearer token signed with the configured
/// symmetric key (in the Local profile, the development key), so a newcomer can call the API in one step.
/// </summary>
public static class TokenCommand
{
    private static readonly string[] Roles = ["rep", "manager", "director", "admin", "service", "finance"];

    public static int Run(string[] args, HostSettings settings, TimeProvider clock)
    {
        var user = Argument(args, "--user");
        var role = Argument(args, "--role")?.ToLowerInvariant();
        var hoursText = Argument(args, "--hours") ?? "8";
        if (string.IsNullOrEmpty(user) || role is null || !Roles.Contains(role) ||
            !int.TryParse(hoursText, out var hours) || hours is < 1 or > 24 * 30)
        {
            Console.Error.WriteLine("usage: actorsales token --user <id> --role <rep|manager|director|admin|service> [--hours 1..720]");
            return 64;
        }
        if (settings.Auth.SymmetricKey is not { } key)
        {
            Console.Error.WriteLine("actorsales: tokens can be minted only with ActorSales:Auth:SigningKey; with an Authority, ask your identity provider");
            return 78;
        }
        Console.WriteLine(Mint(settings.Auth, key, user, role, TimeSpan.FromHours(hours), clock));
        return 0;
    }

    public static string Mint(AuthOptions auth, SecurityKey key, string user, string role, TimeSpan lifetime, TimeProvider clock)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = auth.Issuer,
            Audience = auth.Audience,
            Subject = new ClaimsIdentity([new Claim("sub", user), new Claim("role", role)]),
            IssuedAt = now,
            NotBefore = now,
            Expires = now + lifetime,
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.HmacSha256),
        });
    }

    private static string? Argument(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }
}
