using System.Collections.Concurrent;
using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ActorSales.Host.Hosting;

/// <summary>
/// The bearer-token handler, validating each distinct token once: a front end sends the same token on every call, and
/// parsing it and checking its signature was the largest single cost of a read RPC. A validated token is served from
/// a bounded cache until it expires, and for <see cref="MaxAge"/> at most (so a signing key withdrawn by the identity
/// provider stops being honoured within that time). Entries are keyed by the whole token string, so only the very
/// token that passed validation is served; every hit gets its own copy of the identity. What a token cannot say (a
/// frozen or departed account) is still decided on every call by the caller resolution.
/// </summary>
public sealed class CachingJsonWebTokenHandler(TimeProvider clock, int capacity = CachingJsonWebTokenHandler.DefaultCapacity) : JsonWebTokenHandler
{
    public const int DefaultCapacity = 10_000;

    /// <summary>The longest a validated token is served without validating it again.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(5);

    private readonly ConcurrentDictionary<string, Validated> _validated = new(StringComparer.Ordinal);

    /// <summary>How many validated tokens are held (operations and tests).</summary>
    public int Count => _validated.Count;

    public override async Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
    {
        var now = clock.GetUtcNow();
        if (_validated.TryGetValue(token, out var hit))
        {
            if (hit.Until > now)
            {
                return new TokenValidationResult
                {
                    IsValid = true,
                    ClaimsIdentity = hit.Identity.Clone(),
                    SecurityToken = hit.Token,
                    Issuer = hit.Issuer,
                    TokenType = hit.TokenType,
                };
            }
            _validated.TryRemove(token, out _);
        }
        var result = await base.ValidateTokenAsync(token, validationParameters);
        if (result.IsValid && result.SecurityToken is { } validated)
        {
            var expires = validated.ValidTo == DateTime.MinValue
                ? now + MaxAge
                : new DateTimeOffset(DateTime.SpecifyKind(validated.ValidTo, DateTimeKind.Utc)) + validationParameters.ClockSkew;
            var until = expires < now + MaxAge ? expires : now + MaxAge;
            if (until > now)
            {
                // A copy of the identity, taken now: the caller may change the one it gets.
                Remember(token, new Validated(result.ClaimsIdentity.Clone(), validated, result.Issuer, result.TokenType, until), now);
            }
        }
        return result;
    }

    private void Remember(string token, Validated entry, DateTimeOffset now)
    {
        if (_validated.Count >= capacity)
        {
            foreach (var (key, value) in _validated)
            {
                if (value.Until <= now)
                {
                    _validated.TryRemove(key, out _);
                }
            }
            if (_validated.Count >= capacity)
            {
                _validated.Clear(); // still full of live tokens: start over rather than grow without bound
            }
        }
        _validated[token] = entry;
    }

    private sealed record Validated(ClaimsIdentity Identity, SecurityToken Token, string Issuer, string TokenType, DateTimeOffset Until);
}
