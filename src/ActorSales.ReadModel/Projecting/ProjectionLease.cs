namespace ActorSales.ReadModel.Projecting;

/// <summary>
/// The right to run the one projector of the cluster. The projector applies batches only while <see cref="Held"/>;
/// a store still refuses a stale batch (<see cref="ProjectionConflictException"/>), so a lease lost mid-batch costs a
/// retry, never a double application. PostgreSQL: an advisory lock on a dedicated connection; Local: always held.
/// </summary>
public interface IProjectionLease
{
    /// <summary>Whether this process holds the lease now (false once it was lost, e.g. its connection dropped).</summary>
    bool Held { get; }

    /// <summary>Tries once to take the lease; true if held afterwards. The projector retries while it is false.</summary>
    Task<bool> TryAcquireAsync(CancellationToken cancellationToken);

    /// <summary>Gives the lease up (on stop) so another silo takes over at once.</summary>
    Task ReleaseAsync(CancellationToken cancellationToken);
}

/// <summary>The Local profile's lease: a single silo, so this process always projects.</summary>
public sealed class SingleSiloLease : IProjectionLease
{
    public bool Held => true;

    public Task<bool> TryAcquireAsync(CancellationToken cancellationToken) => Task.FromResult(true);

    public Task ReleaseAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
