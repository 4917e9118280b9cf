using System.Text;
using Microsoft.IdentityModel.Tokens;

namespace ActorSales.Host.Configuration;

/// <summary>
/// Section "ActorSales:Auth". Either a symmetric <see cref="SigningKey"/> (Local profile, tests, small installs) or an
/// OpenID Connect <see cref="Authority"/> whose published keys validate tokens.
/// </summary>
public sealed class AuthOptions
{
    public const string Section = "ActorSales:Auth";

    public string Issuer { get; set; } = "actorsales";

    public string Audience { get; set; } = "actorsales-api";

    /// <summary>At least 32 bytes of UTF-8 text; never commit a production key.</summary>
    public string? SigningKey { get; set; }

    /// <summary>OpenID Connect authority (issuer URL); when set, <see cref="SigningKey"/> is not used.</summary>
    public string? Authority { get; set; }

    public SymmetricSecurityKey? SymmetricKey =>
        string.IsNullOrEmpty(SigningKey) ? null : new SymmetricSecurityKey(Encoding.UTF8.GetBytes(SigningKey));

    public IEnumerable<string> Validate()
    {
        if (string.IsNullOrWhiteSpace(Issuer))
        {
            yield return "ActorSales:Auth:Issuer must not be empty";
        }
        if (string.IsNullOrWhiteSpace(Audience))
        {
            yield return "ActorSales:Auth:Audience must not be empty";
        }
        if (string.IsNullOrWhiteSpace(Authority))
        {
            if (string.IsNullOrEmpty(SigningKey))
            {
                yield return "ActorSales:Auth:SigningKey (env ActorSales__Auth__SigningKey) or ActorSales:Auth:Authority is required";
            }
            else if (Encoding.UTF8.GetByteCount(SigningKey) < 32)
            {
                yield return "ActorSales:Auth:SigningKey must be at least 32 bytes";
            }
        }
        else if (!Uri.TryCreate(Authority, UriKind.Absolute, out _))
        {
            yield return $"ActorSales:Auth:Authority '{Authority}' is not an absolute URL";
        }
    }
}
