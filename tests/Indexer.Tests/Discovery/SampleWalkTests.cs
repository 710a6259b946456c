using System.Net;
using GitTorrent.Engine;
using GitTorrent.Engine.Dht;
using GitTorrent.Indexer.Discovery;

namespace GitTorrent.Indexer.Tests.Discovery;

/// <summary>The sample walk's decisions without a network: whom to ask, when again, what to remember and forget.</summary>
public sealed class SampleWalkTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 5, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan MinInterval = TimeSpan.FromMinutes(1);

    [Fact]
    public void Never_asked_nodes_come_first_and_an_asked_node_waits_for_its_interval_but_at_least_the_minimum()
    {
        var walk = new SampleWalk(100, MinInterval);
        var a = Contact(1);
        var b = Contact(2);
        walk.Add([a, b]);

        var first = walk.Next(1, Start);
        Assert.Equal([a.EndPoint], first);
        walk.Answered(a.EndPoint, Sample(TimeSpan.FromSeconds(5), Contact(3)), Start); // asks for 5 s: the minimum wins
        Assert.Equal([b.EndPoint, Contact(3).EndPoint], walk.Next(10, Start)); // the new ones, not a again
        walk.Answered(b.EndPoint, Sample(TimeSpan.FromMinutes(20)), Start);
        walk.Failed(Contact(3).EndPoint, Start);

        Assert.Empty(walk.Next(10, Start + TimeSpan.FromSeconds(59)));
        Assert.Equal([a.EndPoint], walk.Next(10, Start + MinInterval));
        walk.Answered(a.EndPoint, Sample(TimeSpan.FromHours(1)), Start + MinInterval);
        Assert.Equal([Contact(3).EndPoint], walk.Next(10, Start + SampleWalk.FailureWait));
        walk.Answered(Contact(3).EndPoint, Sample(TimeSpan.FromHours(1)), Start + SampleWalk.FailureWait);
        Assert.Equal([b.EndPoint], walk.Next(10, Start + TimeSpan.FromMinutes(20)));
    }

    [Fact]
    public void A_node_that_fails_twice_is_forgotten_and_the_walk_keeps_at_most_its_bound()
    {
        var walk = new SampleWalk(3, MinInterval);
        Assert.Equal(3, walk.Add([Contact(1), Contact(2), Contact(3), Contact(4)]));
        Assert.Equal(3, walk.Count);
        Assert.Equal(0, walk.Add([Contact(5)]));

        walk.Next(3, Start);
        walk.Failed(Contact(1).EndPoint, Start);
        Assert.Equal(3, walk.Count);
        walk.Next(3, Start + SampleWalk.FailureWait);
        walk.Failed(Contact(1).EndPoint, Start + SampleWalk.FailureWait);
        Assert.Equal(2, walk.Count);
        Assert.Equal(1, walk.Add([Contact(5)]));

        // A node that answers after one failure starts counting again.
        walk.Failed(Contact(2).EndPoint, Start);
        walk.Answered(Contact(2).EndPoint, Sample(MinInterval), Start);
        walk.Failed(Contact(2).EndPoint, Start);
        Assert.Equal(3, walk.Count);
    }

    private static DhtContact Contact(int n) => new(Id(n), new IPEndPoint(IPAddress.Loopback, 40_000 + n));

    private static Hash20 Id(int n)
    {
        var bytes = new byte[Hash20.Length];
        bytes[^1] = (byte)n;
        return new Hash20(bytes);
    }

    private static ItemSample Sample(TimeSpan interval, params DhtContact[] nodes) => new([Hash20.Random()], 1, interval, nodes);
}
