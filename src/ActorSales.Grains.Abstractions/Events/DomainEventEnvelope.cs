using ActorSales.Contracts.V1;
using Google.Protobuf;

namespace ActorSales.Grains.Abstractions.Events;

/// <summary>
/// What travels on the Orleans event streams: the protobuf <see cref="DomainEvent"/> (the contract shared with
/// non-.NET consumers) as bytes, with the routing fields beside it so subscribers can filter and de-duplicate on
/// (entity id, sequence) without parsing. <see cref="EventType"/> is the change's field name, e.g. "customer_registered". Orleans has no protobuf codec in our registry, hence the bytes.
/// </summary>
[GenerateSerializer, Immutable, Alias("actorsales.DomainEventEnvelope")]
public sealed record DomainEventEnvelope(
    [property: Id(0)] string EntityId,
    [property: Id(1)] long Sequence,
    [property: Id(2)] string EventType,
    [property: Id(3)] byte[] Payload)
{
    public static DomainEventEnvelope From(DomainEvent domainEvent) =>
        new(domainEvent.EntityId, domainEvent.Sequence, EventTypes.NameOf(domainEvent.ChangeCase), domainEvent.ToByteArray());

    public DomainEvent ToEvent() => DomainEvent.Parser.ParseFrom(Payload);
}

/// <summary>Stream providers and namespaces of the domain events; the stream id's key is the entity id.</summary>
public static class EventStreams
{
    /// <summary>The domain events: a persistent provider that reads the durable event log (tokens: <see cref="EventLogSequenceToken"/>).</summary>
    public const string ProviderName = "events";

    /// <summary>Each user's new notifications as they arrive (memory streams; the inbox grain keeps them).</summary>
    public const string InboxProviderName = "inbox";

    public const string Customers = "customers";
    public const string Salespeople = "salespeople";
    public const string Teams = "teams";
    public const string Opportunities = "opportunities";
    public const string Tasks = "tasks";
    public const string Handovers = "handovers";
    public const string Orders = "orders";
    public const string CommissionPlans = "commissionplans";
    public const string Commission = "commission";
    public const string Leads = "leads";

    /// <summary>Not domain events: each user's new notifications (Notification items) on <see cref="InboxProviderName"/>, stream key = user id.</summary>
    public const string Inbox = "inbox";

    public static string NamespaceOf(EntityType type) => type switch
    {
        EntityType.Customer => Customers,
        EntityType.Salesperson => Salespeople,
        EntityType.Team => Teams,
        EntityType.Opportunity => Opportunities,
        EntityType.Task => Tasks,
        EntityType.Handover => Handovers,
        EntityType.Order => Orders,
        EntityType.CommissionPlan => CommissionPlans,
        EntityType.Commission => Commission,
        EntityType.Lead => Leads,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "no stream namespace"),
    };

    /// <summary>The entity type whose events a stream namespace carries (false for a namespace that is no entity's).</summary>
    public static bool TryEntityTypeOf(string streamNamespace, out EntityType type)
    {
        foreach (var candidate in Enum.GetValues<EntityType>())
        {
            if (candidate != EntityType.Unspecified && NamespaceOf(candidate) == streamNamespace)
            {
                type = candidate;
                return true;
            }
        }
        type = EntityType.Unspecified;
        return false;
    }
}
