using ActorSales.Domain.Errors;
using ActorSales.Domain.Handovers;
using ActorSales.Domain.Identity;
using ActorSales.Grains.Abstractions.Customers;
using ActorSales.Grains.Abstractions.Opportunities;
using ActorSales.Grains.Abstractions.People;
using ActorSales.Grains.People;
using Microsoft.Extensions.Logging;
using SalespersonStatus = ActorSales.Domain.People.SalespersonStatus;

namespace ActorSales.Grains.Handovers;

/// <summary>
/// The transfer process: one batch per turn of the transfer deadline. Every item transfer is idempotent by handover id,
/// so items of a batch whose progress was lost with a silo are simply confirmed again on the replay; the aggregate
/// records what the batch did, in one write.
/// </summary>
public sealed partial class HandoverGrain
{
    private async Task TransferBatch()
    {
        var aggregate = Aggregate();
        var inactive = await InactiveReceivers(aggregate.ReceiversToCheck());
        // Every lookup before the first change: the manager hears of receivers sent back.
        var managerId = inactive.Count > 0 ? await ManagerId() : null;
        var actor = Caller.System.UserId;
        var moved = new HashSet<string>(StringComparer.Ordinal);
        var failed = false;
        await Task.WhenAll(aggregate.NextBatch(inactive).Select(async item =>
        {
            try
            {
                _ = item.Kind == HandoverItemKind.Customer
                    ? await GrainFactory.GetGrain<ICustomerGrain>(item.Id).HandOver(Id, Id, item.TargetOwnerId, actor)
                    : await GrainFactory.GetGrain<IOpportunityGrain>(item.Id).HandOver(Id, Id, item.TargetOwnerId!, actor);
                moved.Add(item.Id);
            }
            catch (NotFoundException)
            {
                moved.Add(item.Id); // the record is gone: nothing to own
            }
            catch (Exception exception)
            {
                failed = true;
                LogItemTransferFailed(exception, Id, item.Id);
            }
        }));
        var settled = new HashSet<string>(StringComparer.Ordinal);
        foreach (var package in aggregate.ReadyToSettle(inactive, moved))
        {
            if (await SettleBooks(package))
            {
                settled.Add(package.ReceiverId);
            }
        }
        aggregate.RecordTransfer(new TransferOutcome(inactive, moved, settled, failed), managerId, clock.GetUtcNow());
        await Commit(aggregate, actor);
    }

    /// <summary>
    /// Receivers who stopped being active after accepting (departing, departed) cannot take the rest of their package: it
    /// goes back to the manager as rejected, to reassign, instead of retrying forever. One that cannot be asked now is
    /// asked again with the next batch.
    /// </summary>
    private async Task<HashSet<string>> InactiveReceivers(IReadOnlyList<string> receiverIds)
    {
        var inactive = new HashSet<string>(StringComparer.Ordinal);
        foreach (var receiverId in receiverIds)
        {
            try
            {
                if (await GrainFactory.GetGrain<ISalespersonGrain>(receiverId).GetIdentity() is not { Status: SalespersonStatus.Active })
                {
                    inactive.Add(receiverId);
                }
            }
            catch (Exception exception)
            {
                LogReceiverCheckFailed(exception, Id, receiverId);
            }
        }
        return inactive;
    }

    /// <summary>
    /// Before a package counts as moved, the receivers' and the leaver's books are reconciled with the moved records.
    /// Each item's own transfer already waited for both books; this catches what that check cannot see: a book written
    /// by an activation on a silo that was being declared dead while another activation already answered for it.
    /// </summary>
    private async Task<bool> SettleBooks(PackageState package)
    {
        var books = package.Items.Where(i => i.TargetOwnerId is not null)
            .GroupBy(i => i.TargetOwnerId!, StringComparer.Ordinal)
            .Select(owner => (OwnerId: owner.Key, Items: owner.ToList(), ExpectOwned: true))
            .Append((OwnerId: Id, Items: package.Items, ExpectOwned: false));
        try
        {
            foreach (var (ownerId, items, expectOwned) in books)
            {
                var corrected = await Books.ReconcileAsync(GrainFactory, ownerId,
                    items.Where(i => i.Kind == HandoverItemKind.Customer).Select(i => i.Id).ToList(),
                    items.Where(i => i.Kind == HandoverItemKind.Opportunity).Select(i => i.Id).ToList(),
                    expectOwned);
                if (corrected > 0)
                {
                    LogBookCorrected(Id, ownerId, corrected);
                }
            }
            return true;
        }
        catch (Exception exception)
        {
            LogSettleFailed(exception, Id, package.ReceiverId);
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Handover {HandoverId}: moving item {ItemId} failed; the transfer retries it")]
    private partial void LogItemTransferFailed(Exception exception, string handoverId, string itemId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Handover {HandoverId}: could not check whether receiver {ReceiverId} is still active; asked again with the next batch")]
    private partial void LogReceiverCheckFailed(Exception exception, string handoverId, string receiverId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Handover {HandoverId}: settling the books of the package for '{ReceiverId}' failed; retried")]
    private partial void LogSettleFailed(Exception exception, string handoverId, string receiverId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Handover {HandoverId}: the book of {OwnerId} disagreed with {Corrected} moved record(s) and was corrected")]
    private partial void LogBookCorrected(string handoverId, string ownerId, int corrected);
}
