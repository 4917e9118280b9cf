namespace ActorSales.Domain.Identity;

/// <summary>A change request a grain applied: the request's fingerprint, when, and what a repeat needs to answer.</summary>
[GenerateSerializer, Immutable, Alias("actorsales.AppliedRequest")]
public sealed record AppliedRequest(
    [property: Id(0)] string BodyHash,
    [property: Id(1)] DateTimeOffset At,
    [property: Id(2)] string? Noted = null);

/// <summary>
/// The change requests (<see cref="ClientRequest"/>) a grain applied in the last 24 h, kept in the grain's own state
/// so the record of a request is written in the same write as the change it made: after any crash, either both are
/// stored or neither. the grain call filter opens an entry before a changing call and closes it after;
/// the grain's state write stores the open entry (see <c>WriteOrConflictAsync</c>). A call that writes nothing
/// leaves no entry, so its retry simply runs again.
/// </summary>
[GenerateSerializer, Alias("actorsales.RequestLedger")]
public sealed class RequestLedger
{
    /// <summary>At most this many requests are remembered per record; the oldest go first.</summary>
    public const int Capacity = 64;

    [Id(0)] public Dictionary<string, AppliedRequest> Applied { get; set; } = new(StringComparer.Ordinal);

    [NonSerialized] private string? _openKey;
    [NonSerialized] private AppliedRequest? _open;

    /// <summary>The request being applied now, if the client named it.</summary>
    public bool IsOpen => _open is not null;

    public bool TryGet(string key, DateTimeOffset now, out AppliedRequest applied) =>
        Applied.TryGetValue(key, out applied!) && now - applied.At < ClientRequest.Window;

    public void Open(string key, string bodyHash, DateTimeOffset now)
    {
        _openKey = key;
        _open = new AppliedRequest(bodyHash, now);
    }

    public void Close()
    {
        _openKey = null;
        _open = null;
    }

    /// <summary>Notes what a repeat of the open request must answer besides the record itself (e.g. a created sequence).</summary>
    public void NoteResult(string result)
    {
        if (_open is not null)
        {
            _open = _open with { Noted = result };
        }
    }

    /// <summary>Adds the open request to <see cref="Applied"/> (called right before the state write) and forgets expired ones.</summary>
    public void Record()
    {
        if (_open is null)
        {
            return;
        }
        Applied[_openKey!] = _open;
        var expired = Applied.Where(e => _open.At - e.Value.At >= ClientRequest.Window).Select(e => e.Key).ToList();
        foreach (var key in expired)
        {
            Applied.Remove(key);
        }
        while (Applied.Count > Capacity)
        {
            Applied.Remove(Applied.MinBy(e => e.Value.At).Key);
        }
    }
}

/// <summary>The state of a grain whose changing calls honour client request ids.</summary>
public interface IRequestLedgerState
{
    RequestLedger Requests { get; }
}

