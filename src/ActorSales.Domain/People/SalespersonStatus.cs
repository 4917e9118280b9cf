namespace ActorSales.Domain.People;

/// <summary>Lifecycle of a salesperson account.</summary>
public enum SalespersonStatus
{
    Unspecified = 0,
    Active = 1,
    Departing = 2,
    Departed = 3,
}
