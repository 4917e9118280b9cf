namespace ActorSales.Domain.Identity;

/// <summary>Role of a user; carried in the caller's token.</summary>
public enum Role
{
    Unspecified = 0,
    Rep = 1,
    Manager = 2,
    Director = 3,
    Admin = 4,
    Service = 5,
    /// <summary>Reads every book; records and reverses payments; has no salesperson record.</summary>
    Finance = 6,
}
