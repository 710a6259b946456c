using GitTorrent.Web.Node;

namespace GitTorrent.Web.Tests.Node;

/// <summary>The portal's fair queue of swarm fetches, with a clock of our own.</summary>
public sealed class SwarmFetchQueueTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Round = TimeSpan.FromSeconds(10);

    [Fact]
    public void Every_repository_gets_a_turn_not_only_the_most_recently_updated()
    {
        var queue = new SwarmFetchQueue(TimeSpan.FromSeconds(30), TimeSpan.FromHours(1));
        // 1,000 repositories, the newest profiles last; 20 fetches a round, all failing (nobody serves them).
        var repositories = Enumerable.Range(0, 1000).Select(i => ((long)i, Start.AddMinutes(i))).ToList();
        var tried = new HashSet<long>();
        var now = Start;
        for (var round = 0; round < 50; round++, now += Round)
        {
            queue.Update(repositories, now);
            foreach (var id in queue.TakeDue(now, 20))
            {
                Assert.True(tried.Add(id), $"{id} tried twice before every repository was tried once");
                queue.Failed(id, now);
            }
        }
        Assert.Equal(1000, tried.Count);
    }

    [Fact]
    public void A_repository_that_keeps_failing_waits_longer_each_time_while_the_others_proceed()
    {
        var queue = new SwarmFetchQueue(TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(4));
        var now = Start;
        queue.Update([(1, Start), (2, Start)], now);
        Assert.Equal([1, 2], queue.TakeDue(now, 10).Order());
        var waits = new List<TimeSpan> { queue.Failed(1, now) };
        queue.Succeeded(2, now);
        for (var i = 0; i < 5; i++)
        {
            Assert.Empty(queue.TakeDue(now + waits[^1] - TimeSpan.FromSeconds(1), 10)); // not before its wait
            now += waits[^1];
            queue.Update([(1, Start), (2, Start.AddSeconds(1))], now); // 2's profile changed meanwhile
            var due = queue.TakeDue(now, 10);
            Assert.Contains(1L, due);
            Assert.Equal(i == 0, due.Contains(2L)); // 2 is fetched once for its new version, at once
            queue.Succeeded(2, now);
            waits.Add(queue.Failed(1, now));
        }
        Assert.Equal([30, 60, 120, 240, 240, 240], waits.Select(w => w.TotalSeconds));
        Assert.Equal(6, queue.FailuresOf(1));
    }

    [Fact]
    public void A_fetched_repository_is_due_again_only_when_its_profile_changes_and_a_gone_one_is_forgotten()
    {
        var queue = new SwarmFetchQueue(TimeSpan.FromSeconds(30), TimeSpan.FromHours(1));
        queue.Update([(1, Start), (2, Start)], Start);
        queue.Succeeded(1, Start);
        queue.Succeeded(2, Start);
        queue.Update([(1, Start), (2, Start)], Start.AddHours(5));
        Assert.Empty(queue.TakeDue(Start.AddHours(5), 10));
        queue.Update([(1, Start.AddHours(6))], Start.AddHours(6));
        Assert.Equal([1L], queue.TakeDue(Start.AddHours(6), 10));
        Assert.Equal(1, queue.Count);
    }
}
