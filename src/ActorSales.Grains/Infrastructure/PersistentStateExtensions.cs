using Orleans.Storage;
using ActorSales.Domain.Errors;
using ActorSales.Grains.Events;
using ActorSales.Domain.Identity;

namespace ActorSales.Grains.Infrastructure;

internal static class PersistentStateExtensions
{
    /// <summary>
    /// Writes the state. A stale ETag means another activation wrote first (possible only around a cluster
    /// change): the in-memory state is re-read, so the change is dropped, and the caller gets ABORTED to re-read
    /// and re-decide. Never retried blindly.
    /// </summary>
    public static async Task WriteOrConflictAsync<T>(this IPersistentState<T> state, string entity, string id)
    {
        try
        {
            (state.State as IRequestLedgerState)?.Requests.Record(); // the client's request id, with the change it made
            await state.WriteStateAsync();
        }
        catch (InconsistentStateException)
        {
            await state.ReadStateAsync();
            throw ConcurrencyConflictException.ConcurrentWrite(entity, id);
        }
        catch
        {
            // Storage failed: forget the unpersisted change so the activation matches what is stored.
            await state.ReadStateAsync();
            throw;
        }
    }

    /// <summary>
    /// Writes the state together with the events in its outbox, then publishes them. The outbox is guarded first
    /// (a reminder brings the grain back should it die before publishing); if that fails, the unpersisted change
    /// is dropped like a failed write.
    /// </summary>
    public static async Task WriteWithEventsAsync<T>(this IPersistentState<T> state, EventOutbox outbox, string entity, string id)
    {
        try
        {
            await outbox.GuardAsync();
        }
        catch
        {
            await state.ReadStateAsync();
            throw;
        }
        await state.WriteOrConflictAsync(entity, id);
        await outbox.FlushAsync();
    }
}
