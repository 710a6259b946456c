using System.Net;
using GitTorrent.Engine.Dht;
using GitTorrent.Engine.Dht.Lookups;
using GitTorrent.Engine.Dht.Routing;

namespace GitTorrent.Engine.Tests.Dht;

/// <summary>The lookup state machine against a simulated network: no sockets, no time.</summary>
public sealed class IterativeLookupTests
{
    private sealed class SimulatedNetwork
    {
        public SimulatedNetwork(int size, int seed)
        {
            var random = new Random(seed);
            for (var i = 0; i < size; i++)
            {
                var bytes = new byte[20];
                random.NextBytes(bytes);
                Ids.Add(new Hash20(bytes));
            }
            foreach (var id in Ids)
            {
                var table = new RoutingTable(id, 8, 0);
                foreach (var other in Ids)
                {
                    table.Observe(new DhtContact(other, Endpoint(other)), 0);
                }
                Tables[id] = table;
            }
        }

        public List<Hash20> Ids { get; } = [];

        public Dictionary<Hash20, RoutingTable> Tables { get; } = [];

        public static IPEndPoint Endpoint(Hash20 id) => new(IPAddress.Loopback, 1 + (id.GetHashCode() & 0x7fff));
    }

    private static (IterativeLookup Lookup, int Steps) Run(SimulatedNetwork network, Hash20 self, Hash20 target,
        ISet<Hash20>? dead = null, ISet<Hash20>? heardOf = null)
    {
        var lookup = new IterativeLookup(target, self, 8, 3);
        foreach (var seed in network.Tables[self].FindClosest(target, 16))
        {
            lookup.Add(seed, 1);
        }
        var steps = 0;
        while (!lookup.IsDone && steps < 10_000)
        {
            var batch = lookup.Next(steps);
            Assert.InRange(lookup.InFlight, 0, 3 + 16);
            if (batch.Count == 0)
            {
                // Nothing new may be sent while alpha queries are outstanding; none are in this simulation.
                Assert.Equal(0, lookup.InFlight);
                break;
            }
            foreach (var candidate in batch)
            {
                if (dead?.Contains(candidate.Contact.Id) == true)
                {
                    lookup.OnFailure(candidate);
                }
                else
                {
                    var closer = network.Tables[candidate.Contact.Id].FindClosest(target, 8);
                    heardOf?.UnionWith(closer.Select(c => c.Id));
                    lookup.OnResponse(candidate, closer);
                }
            }
            steps++;
        }
        return (lookup, steps);
    }

    [Fact]
    public void Converges_on_the_true_k_closest_within_few_rounds()
    {
        var network = new SimulatedNetwork(600, 7);
        var random = new Random(3);
        var rounds = new List<int>();
        for (var trial = 0; trial < 30; trial++)
        {
            var self = network.Ids[random.Next(network.Ids.Count)];
            var target = Hash20.Random();
            var (lookup, _) = Run(network, self, target);
            Assert.True(lookup.IsDone);
            var expected = network.Ids.Where(id => id != self).OrderBy(id => id.Xor(target)).Take(8).ToList();
            Assert.Equal(expected, lookup.ClosestResponded().Select(c => c.Contact.Id).ToList());
            rounds.Add(lookup.Rounds());
        }
        rounds.Sort();
        Assert.InRange(rounds[rounds.Count / 2], 1, 4);
    }

    [Fact]
    public void Dead_nodes_are_routed_around()
    {
        var network = new SimulatedNetwork(400, 11);
        var random = new Random(5);
        var dead = network.Ids.Where(_ => random.NextDouble() < 0.2).ToHashSet();
        for (var trial = 0; trial < 20; trial++)
        {
            var self = network.Ids.Where(id => !dead.Contains(id)).ElementAt(trial);
            var bytes = new byte[20];
            random.NextBytes(bytes);
            var target = new Hash20(bytes);
            var heardOf = new HashSet<Hash20>();
            var (lookup, _) = Run(network, self, target, dead, heardOf);
            var found = lookup.ClosestResponded().Select(c => c.Contact.Id).ToList();
            Assert.Equal(8, found.Count);
            Assert.DoesNotContain(found, dead.Contains);
            // Converged: no live node anyone told us about is closer than the farthest result and left out.
            // (Dead entries in simulated tables are never evicted, so the true K closest may be unknown to all.)
            var farthest = found[^1].Xor(target);
            var missed = heardOf.Where(id => id != self && !dead.Contains(id) && id.Xor(target) < farthest && !found.Contains(id));
            Assert.Empty(missed);
        }
    }

    [Fact]
    public void Slow_queries_free_their_alpha_slot_and_late_answers_still_count()
    {
        var self = Hash20.Random();
        var target = Hash20.Random();
        var lookup = new IterativeLookup(target, self, 8, 3);
        for (var i = 0; i < 10; i++)
        {
            lookup.Add(new DhtContact(Hash20.Random(), new IPEndPoint(IPAddress.Loopback, 100 + i)), 1);
        }
        var first = lookup.Next(0);
        Assert.Equal(3, first.Count);
        Assert.Empty(lookup.Next(10));
        lookup.MarkSlow(500, 300);
        var second = lookup.Next(500);
        Assert.Equal(3, second.Count);
        Assert.Equal(6, lookup.InFlight);
        lookup.OnResponse(first[0], []);
        Assert.Equal(5, lookup.InFlight);
        Assert.Equal(CandidateState.Responded, first[0].State);
        lookup.OnFailure(first[0]); // a second outcome for the same query is ignored
        Assert.Equal(CandidateState.Responded, first[0].State);
    }

    [Fact]
    public void Own_id_and_duplicates_are_not_candidates()
    {
        var self = Hash20.Random();
        var lookup = new IterativeLookup(Hash20.Random(), self, 8, 3);
        var other = Hash20.Random();
        lookup.Add(new DhtContact(self, new IPEndPoint(IPAddress.Loopback, 1)), 1);
        lookup.Add(new DhtContact(other, new IPEndPoint(IPAddress.Loopback, 2)), 1);
        lookup.Add(new DhtContact(other, new IPEndPoint(IPAddress.Loopback, 3)), 1);
        Assert.Single(lookup.Candidates);
    }
}
