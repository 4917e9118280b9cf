namespace ActorSales.ReadModel;

/// <summary>
/// The right to run the one projector of the cluster. <see cref="TryAcquireAsync"/> takes it if free (or confirms it is
/// still held); a holder whose process dies loses it without a release.
/// </summary>
public interface IProjectionLease
{
    Task<bool> TryAcquireAsync(CancellationToken cancellationToken);

    bool Held { get; }

    Task ReleaseAsync();
}
