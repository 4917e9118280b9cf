using System.Diagnostics;
using ActorSales.Contracts.V1;
using ActorSales.Domain.Customers;
using ActorSales.Grains.Abstractions.Contracts;
using ActorSales.Grains.Effects;
using PoolEntry = ActorSales.Grains.Abstractions.Customers.PoolEntry;
using V1Grade = ActorSales.Contracts.V1.CustomerGrade;

namespace ActorSales.Grains.Customers;

/// <summary>
/// What the aggregate decided, as the rest of the system sees it: each domain event as the published protobuf change
/// (built from the state as the command left it), each follow-up as its typed, persisted effect.
/// </summary>
public sealed partial class CustomerGrain
{
    private Action<DomainEvent> ToContract(CustomerEvent change) => change switch
    {
        CustomerEvent.Registered => e => e.CustomerRegistered = new CustomerRegistered { Customer = ToView().ToContract() },
        CustomerEvent.Updated updated => e => e.CustomerUpdated = Updated(updated.ChangedFields),
        CustomerEvent.TierConfirmed confirmed => e => e.CustomerTierConfirmed = new CustomerTierConfirmed
        {
            CustomerId = Id,
            Tier = (ActorSales.Contracts.V1.CustomerTier)confirmed.Tier,
        },
        CustomerEvent.NextActionConfirmed confirmed => e => e.CustomerNextActionConfirmed = new CustomerNextActionConfirmed
        {
            CustomerId = Id,
            NextAction = confirmed.NextAction,
            DueAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(confirmed.DueAt),
        },
        CustomerEvent.ActivityLogged logged => e => e.ActivityLogged = new ActivityLogged { Activity = logged.Activity.ToContract(), IsFollowUp = logged.IsFollowUp },
        CustomerEvent.OwnerChanged moved => e => e.CustomerOwnerChanged = new CustomerOwnerChanged
        {
            PreviousOwnerId = moved.PreviousOwnerId,
            NewOwnerId = moved.NewOwnerId,
            NewOwnerTeamId = moved.NewOwnerTeamId,
            Reason = moved.Reason,
        },
        CustomerEvent.FollowUpOverdue overdue => e => e.CustomerFollowUpOverdue = new CustomerFollowUpOverdue
        {
            CustomerId = Id,
            Rule = overdue.Firing.Rule,
            DueAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(overdue.Firing.DueAt),
        },
        CustomerEvent.Released released => e => e.CustomerReleased = new CustomerReleased
        {
            CustomerId = Id,
            PreviousOwnerId = released.PreviousOwnerId,
            PoolTeamId = released.PoolTeamId,
        },
        CustomerEvent.RegistrationRefused refused => e => e.CustomerRegistrationRefused = new CustomerRegistrationRefused
        {
            ExistingCustomerId = refused.ExistingCustomerId,
            DuplicateKeyKind = refused.KeyKind,
            IntendedOwnerId = refused.IntendedOwnerId,
        },
        CustomerEvent.Claimed claimed => e => e.CustomerClaimed = new CustomerClaimed { CustomerId = Id, OwnerId = claimed.OwnerId, Assigned = claimed.Assigned },
        CustomerEvent.GradeChanged graded => e => e.CustomerGradeChanged = new CustomerGradeChanged
        {
            CustomerId = Id,
            PreviousGrade = (V1Grade)graded.Previous,
            Grade = (V1Grade)graded.Computed.Grade,
            Score = (double)graded.Computed.Score,
            Trigger = graded.Computed.Trigger,
        },
        _ => throw new UnreachableException($"no contract for {change.GetType().Name}"),
    };

    private CustomerUpdated Updated(IEnumerable<string> changedFields)
    {
        var updated = new CustomerUpdated { Customer = ToView().ToContract() };
        updated.ChangedFields.AddRange(changedFields);
        return updated;
    }

    private Effect ToEffect(CustomerFollowUp followUp) => followUp switch
    {
        CustomerFollowUp.AddToBook add => new AddCustomerToBook(add.OwnerId, Id, add.Won),
        CustomerFollowUp.RemoveFromBook remove => new RemoveCustomerFromBook(remove.OwnerId, Id),
        CustomerFollowUp.EnterPool pool => new AddToPool(pool.TeamId, new PoolEntry(Id, pool.Name, pool.Tier, pool.Industry, pool.ReleasedAt, pool.PreviousOwnerId)),
        CustomerFollowUp.ConfirmPoolClaim confirm => new ConfirmPoolClaim(confirm.TeamId, confirm.Claim),
        CustomerFollowUp.SetReleaseWarning warning => new SetReleaseWarning(warning.TeamId, Id, warning.Warned),
        CustomerFollowUp.Notify notify => new Notify(notify.RecipientId, notify.Notification),
        CustomerFollowUp.NotifyTeamManager manager => new NotifyTeamManager(manager.TeamId, manager.ExceptUserId, manager.KeyPrefix, manager.Template),
        _ => throw new UnreachableException($"no effect for {followUp.GetType().Name}"),
    };
}
