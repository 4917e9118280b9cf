namespace ActorSales.Gateway.Identity;

/// <summary>Claims ActorSales reads from a bearer token.</summary>
public static class ActorSalesClaims
{
    /// <summary>The user id; for salespeople also their salesperson id.</summary>
    public const string Subject = "sub";

    /// <summary>One of rep, manager, director, admin, service, finance.</summary>
    public const string Role = "role";
}
