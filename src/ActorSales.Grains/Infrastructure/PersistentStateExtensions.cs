using Orleans.Storage;
using ActorSales.Domain.Errors;

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
}
