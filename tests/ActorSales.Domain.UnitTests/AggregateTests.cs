using ActorSales.Domain.Common;

namespace ActorSales.Domain.UnitTests;

public sealed class AggregateTests
{
    private sealed class Counter(long version) : Aggregate<string, string>
    {
        public long Current { get; private set; } = version;

        protected override long Version { get => Current; set => Current = value; }

        public void Bump(string what, string? followUp = null)
        {
            Raise(what);
            if (followUp is not null)
            {
                Then(followUp);
            }
        }

        public void Mark() => Touch();
    }

    [Fact]
    public void Each_event_moves_the_version_and_carries_the_version_it_produced()
    {
        var counter = new Counter(4);
        counter.Bump("a", "then-a");
        counter.Bump("b");

        Assert.Equal(6, counter.Current);
        Assert.Equal([new Raised<string>(5, "a"), new Raised<string>(6, "b")], counter.Events);
        Assert.Equal(["then-a"], counter.FollowUps);
        Assert.True(counter.Changed);
    }

    [Fact]
    public void A_command_that_raised_nothing_is_unchanged_unless_it_touched_the_state()
    {
        var counter = new Counter(1);
        Assert.False(counter.Changed);
        counter.Mark();
        Assert.True(counter.Changed);
        Assert.Equal(1, counter.Current);
        Assert.Empty(counter.Events);
    }
}
