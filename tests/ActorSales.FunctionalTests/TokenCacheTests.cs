using System.Security.Claims;
using System.Text;
using ActorSales.Host.Hosting;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ActorSales.FunctionalTests;

/// <summary>
/// The bearer-token handler validates each distinct token once and serves it from its cache until the token expires,
/// five minutes at most. "Served from the cache" is made visible by validating again with parameters the token would
/// now fail (another signing key): a cached token still passes, a revalidated one does not.
/// </summary>
public sealed class TokenCacheTests
{
    private static readonly SymmetricSecurityKey Key = new(Encoding.UTF8.GetBytes(new string('k', 48)));
    private static readonly SymmetricSecurityKey OtherKey = new(Encoding.UTF8.GetBytes(new string('o', 48)));

    private static TokenValidationParameters Parameters(SecurityKey key) => new()
    {
        ValidIssuer = "actorsales-test", ValidAudience = "actorsales", IssuerSigningKey = key, ClockSkew = TimeSpan.FromSeconds(30),
    };

    private static string Token(string subject, TimeSpan lifetime) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Issuer = "actorsales-test", Audience = "actorsales", Subject = new ClaimsIdentity([new Claim("sub", subject)]),
        NotBefore = DateTime.UtcNow.AddMinutes(-1), Expires = DateTime.UtcNow + lifetime,
        SigningCredentials = new SigningCredentials(Key, SecurityAlgorithms.HmacSha256),
    });

    [Fact]
    public async Task A_validated_token_is_served_from_the_cache_and_each_hit_gets_its_own_identity()
    {
        var handler = new CachingJsonWebTokenHandler(new FakeTimeProvider(DateTimeOffset.UtcNow));
        var token = Token("alice", TimeSpan.FromHours(1));

        var first = await handler.ValidateTokenAsync(token, Parameters(Key));
        first.ClaimsIdentity.AddClaim(new Claim("role", "admin")); // a caller altering its copy
        var cached = await handler.ValidateTokenAsync(token, Parameters(OtherKey));
        var other = await handler.ValidateTokenAsync(Token("bob", TimeSpan.FromHours(1)), Parameters(OtherKey));

        Assert.True(first.IsValid);
        Assert.True(cached.IsValid);
        Assert.Equal("alice", cached.ClaimsIdentity.FindFirst("sub")?.Value);
        Assert.Null(cached.ClaimsIdentity.FindFirst("role"));
        Assert.False(other.IsValid); // a token never validated is checked in full
        Assert.Equal(1, handler.Count);
    }

    [Fact]
    public async Task A_token_is_validated_again_after_five_minutes_and_after_it_expires()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var handler = new CachingJsonWebTokenHandler(clock);
        var longLived = Token("alice", TimeSpan.FromHours(1));
        var shortLived = Token("bob", TimeSpan.FromMinutes(1));
        await handler.ValidateTokenAsync(longLived, Parameters(Key));
        await handler.ValidateTokenAsync(shortLived, Parameters(Key));

        clock.Advance(TimeSpan.FromSeconds(100)); // past bob's expiry (1 min) and its 30 s skew
        var bobAfterExpiry = await handler.ValidateTokenAsync(shortLived, Parameters(OtherKey));
        var aliceWithinFiveMinutes = await handler.ValidateTokenAsync(longLived, Parameters(OtherKey));
        clock.Advance(CachingJsonWebTokenHandler.MaxAge);
        var aliceAfterFiveMinutes = await handler.ValidateTokenAsync(longLived, Parameters(OtherKey));

        Assert.False(bobAfterExpiry.IsValid);
        Assert.True(aliceWithinFiveMinutes.IsValid);
        Assert.False(aliceAfterFiveMinutes.IsValid);
    }

    [Fact]
    public async Task Invalid_tokens_are_never_cached_and_the_cache_stays_within_its_capacity()
    {
        var handler = new CachingJsonWebTokenHandler(new FakeTimeProvider(DateTimeOffset.UtcNow), capacity: 2);

        var forged = await handler.ValidateTokenAsync(Token("mallory", TimeSpan.FromHours(1)), Parameters(OtherKey));
        var empty = handler.Count;
        foreach (var subject in new[] { "a", "b", "c", "d", "e" })
        {
            Assert.True((await handler.ValidateTokenAsync(Token(subject, TimeSpan.FromHours(1)), Parameters(Key))).IsValid);
        }

        Assert.False(forged.IsValid);
        Assert.Equal(0, empty);
        Assert.InRange(handler.Count, 1, 2);
    }
}
