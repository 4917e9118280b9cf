namespace ActorSales.Domain.Common;

/// <summary>An event an aggregate raised, with the entity version it produced (the event's sequence).</summary>
public readonly record struct Raised<TEvent>(long Sequence, TEvent Event);

/// <summary>
/// The decision half of a grain: a plain class over the entity's state that takes a command, checks the rules,
/// changes the state and records what happened, without I/O, Orleans or a clock of its own (the grain passes the time
/// and anything it had to look up first). It is the one way a change raises an event: <see cref="Raise"/> moves the
/// version on by one and records the event with it, so every event's sequence is the version it produced.
/// Follow-ups are what other records must learn about the change (a book, a pool, an inbox): the grain turns them into
/// persisted effects written with the state, then dispatches them.
/// <para>
/// A grain builds one aggregate per command, calls it, and if it returns without throwing, persists
/// <see cref="Events"/> and <see cref="FollowUps"/> in the same write as the state. A command that throws leaves the
/// state unchanged: every check comes before the first change.
/// </para>
/// </summary>
public abstract class Aggregate<TEvent, TFollowUp>
{
    private readonly List<Raised<TEvent>> _events = [];
    private readonly List<TFollowUp> _followUps = [];

    /// <summary>Events of the command in order.</summary>
    public IReadOnlyList<Raised<TEvent>> Events => _events;

    /// <summary>Follow-ups of the command in order; they run in this order.</summary>
    public IReadOnlyList<TFollowUp> FollowUps => _followUps;

    /// <summary>Whether the command changed anything (an unchanged state needs no write).</summary>
    public bool Changed => _events.Count > 0 || _followUps.Count > 0 || _touched;

    private bool _touched;

    /// <summary>The entity's version, kept in its state.</summary>
    protected abstract long Version { get; set; }

    /// <summary>Moves the version on and records <paramref name="event"/> with it.</summary>
    protected void Raise(TEvent @event)
    {
        Version++;
        _events.Add(new Raised<TEvent>(Version, @event));
    }

    /// <summary>Records a follow-up of the change.</summary>
    protected void Then(TFollowUp followUp) => _followUps.Add(followUp);

    /// <summary>The state changed without an event (bookkeeping such as a fired deadline): it still needs a write.</summary>
    protected void Touch() => _touched = true;
}
