using System.Buffers.Text;
using System.Globalization;
using System.Text;
using ActorSales.Contracts.V1;
using ActorSales.Domain.Common;
using ActorSales.Domain.Errors;

namespace ActorSales.Gateway.ReadSide;

/// <summary>
/// Read-your-writes: a changing RPC answers with the token of the entity version it wrote; a query given the token
/// answers once the read model has projected that version. Clients treat it as opaque; inside it is the entity type,
/// id and version (the sequence of the entity's latest event), base64url-encoded, so the format can change behind it.
/// </summary>
public readonly record struct ConsistencyToken(EntityType EntityType, string EntityId, long Version)
{
    private const string Prefix = "v1";
    private const int MaxLength = 256;

    /// <summary>The token of <paramref name="entityId"/> at <paramref name="version"/>.</summary>
    public static string For(EntityType entityType, string entityId, long version) =>
        new ConsistencyToken(entityType, entityId, version).Encode();

    /// <summary>The token of a customer as a change answered it.</summary>
    public static string For(Customer customer) => For(EntityType.Customer, customer.CustomerId, customer.Version);

    /// <summary>The token of an opportunity as a change answered it.</summary>
    public static string For(Opportunity opportunity) => For(EntityType.Opportunity, opportunity.OpportunityId, opportunity.Version);

    /// <summary>The token of a team as a change answered it.</summary>
    public static string For(Team team) => For(EntityType.Team, team.TeamId, team.Version);

    /// <summary>The token of a salesperson as a change answered it.</summary>
    public static string For(Salesperson salesperson) => For(EntityType.Salesperson, salesperson.SalespersonId, salesperson.Version);

    public string Encode() => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(
        string.Create(CultureInfo.InvariantCulture, $"{Prefix}:{(int)EntityType}:{Version}:{EntityId}")));

    /// <summary>The token a client passed back; null when none was given; INVALID_ARGUMENT naming the field if it is not one of ours.</summary>
    public static ConsistencyToken? Parse(string? token, string field = "consistency_token")
    {
        if (string.IsNullOrEmpty(token))
        {
            return null;
        }
        try
        {
            if (token.Length > MaxLength)
            {
                throw new FormatException();
            }
            var parts = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token)).Split(':', 4);
            if (parts.Length != 4 || parts[0] != Prefix
                || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var type)
                || !Enum.IsDefined((EntityType)type) || type == 0
                || !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var version) || version < 1)
            {
                throw new FormatException();
            }
            return new ConsistencyToken((EntityType)type, Guard.Id(parts[3], field), version);
        }
        catch (Exception exception) when (exception is FormatException or ValidationException)
        {
            throw new ValidationException(field, "is not a token returned by a change; pass it back as it was given, or leave it empty");
        }
    }
}
