using ActorSales.Contracts.V1;
using ActorSales.Domain.Common;
using ActorSales.Grains.Effects;
using ActorSales.Grains.Events;

namespace ActorSales.Grains.Infrastructure;

/// <summary>
/// How a grain records what its aggregate decided, before the one state write: each event goes to the outbox with the
/// sequence the aggregate gave it, each follow-up to the pending effects. The grain maps its domain events to the
/// published contract (built from the state as the command left it) and its follow-ups to effects.
/// </summary>
internal static class AggregateCommit
{
    public static void Record<TEvent, TFollowUp>(
        this Aggregate<TEvent, TFollowUp> aggregate,
        EventOutbox outbox,
        EventScope scope,
        Func<TEvent, Action<DomainEvent>> toContract,
        List<Effect> effects,
        Func<TFollowUp, Effect> toEffect)
    {
        foreach (var (sequence, @event) in aggregate.Events)
        {
            outbox.Add(scope.Type, scope.EntityId, sequence, scope.ActorId, scope.TeamId, scope.OwnerId, toContract(@event));
        }
        foreach (var followUp in aggregate.FollowUps)
        {
            effects.Add(toEffect(followUp));
        }
    }
}

/// <summary>Whose events these are: the entity, who acted, and the team and owner they are visible to.</summary>
internal readonly record struct EventScope(EntityType Type, string EntityId, string ActorId, string? TeamId, string? OwnerId);
