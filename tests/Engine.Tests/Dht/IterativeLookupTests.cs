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
                    lookup.OnResponse(candidate, closer, steps);
                }
            }
            steps++;
        }
        return (lookup, steps);
    }

    /// <summary>
    /// Runs a lookup with simulated time, as the node runs it: a live node answers after its round-trip time, a departed
    /// node never (its query fails after the full timeout), and the lookup marks slow queries every 100 ms. Returns the
    /// lookup and when it finished, in milliseconds.
    /// </summary>
    private static (IterativeLookup Lookup, long ElapsedMs) RunTimed(SimulatedNetwork network, Hash20 self, Hash20 target,
        ISet<Hash20> departed, Func<Hash20, long> roundTripMs, RoundTripEstimator slow, int alpha = 3, ISet<Hash20>? heardOf = null)
    {
        const long queryTimeoutMs = 2000, tickMs = 100;
        var lookup = new IterativeLookup(target, self, 8, alpha, slow);
        foreach (var seed in network.Tables[self].FindClosest(target, 16))
        {
            lookup.Add(seed, 1);
        }
        var events = new PriorityQueue<(LookupCandidate Candidate, bool Answers), long>();
        long now = 0, nextTick = tickMs;
        void Send()
        {
            foreach (var candidate in lookup.Next(now))
            {
                var id = candidate.Contact.Id;
                events.Enqueue((candidate, !departed.Contains(id)), now + (departed.Contains(id) ? queryTimeoutMs : roundTripMs(id)));
            }
        }
        Send();
        while (!lookup.IsDone && now < 120_000)
        {
            if (events.TryPeek(out var next, out var at) && at <= nextTick)
            {
                events.Dequeue();
                now = at;
                if (next.Answers)
                {
                    var closer = network.Tables[next.Candidate.Contact.Id].FindClosest(target, 8);
                    heardOf?.UnionWith(closer.Select(c => c.Id));
                    lookup.OnResponse(next.Candidate, closer, now);
                }
                else
                {
                    lookup.OnFailure(next.Candidate);
                }
            }
            else
            {
                now = nextTick;
                nextTick += tickMs;
                lookup.MarkSlow(now);
            }
            Send();
        }
        return (lookup, now);
    }

    [Fact]
    public void With_many_departed_nodes_a_lookup_ends_within_a_bounded_number_of_round_trips()
    {
        // 500 nodes, 30% of them departed but still in everyone's tables; answers take 50-150 ms (100 ms on average).
        // Each lookup must converge on live nodes in a bounded number of round trips. With a fixed 600 ms slow
        // threshold and alpha 3 (the previous settings) the same lookups took 14 round trips (median) and 30 (slowest).
        const int roundTrip = 100;
        var network = new SimulatedNetwork(500, 21);
        var random = new Random(9);
        var departed = network.Ids.Where(_ => random.NextDouble() < 0.3).ToHashSet();
        var elapsed = new List<long>();
        for (var trial = 0; trial < 40; trial++)
        {
            var self = network.Ids.Where(id => !departed.Contains(id)).ElementAt(trial);
            var target = RandomId(random);
            var jitter = new Random(trial);
            var heardOf = new HashSet<Hash20>();
            var (lookup, ms) = RunTimed(network, self, target, departed, _ => roundTrip / 2 + jitter.Next(roundTrip), NewSlowThreshold(), 5, heardOf);
            Assert.True(lookup.IsDone);
            var found = lookup.ClosestResponded().Select(c => c.Contact.Id).ToList();
            Assert.Equal(8, found.Count);
            Assert.DoesNotContain(found, departed.Contains);
            var farthest = found[^1].Xor(target);
            Assert.DoesNotContain(heardOf, id => id != self && !departed.Contains(id) && id.Xor(target) < farthest && !found.Contains(id));
            elapsed.Add(ms);
        }
        elapsed.Sort();
        Assert.True(elapsed[^1] <= 16 * roundTrip, $"slowest lookup {elapsed[^1]} ms: {string.Join(", ", elapsed)}");
        Assert.True(elapsed[elapsed.Count / 2] <= 8 * roundTrip, $"median lookup {elapsed[elapsed.Count / 2]} ms: {string.Join(", ", elapsed)}");
    }

    [Fact]
    public void The_slow_threshold_follows_the_answers_round_trip_times_between_its_bounds()
    {
        var estimator = new RoundTripEstimator(150, 600);
        Assert.Equal(600, estimator.SlowAfterMs); // nothing known yet: the ceiling
        for (var i = 0; i < 10; i++)
        {
            estimator.Add(2); // loopback
        }
        Assert.Equal(150, estimator.SlowAfterMs); // the floor
        var internet = new RoundTripEstimator(150, 600);
        foreach (var sample in new long[] { 100, 140, 80, 120, 100, 90, 110 })
        {
            internet.Add(sample);
        }
        Assert.InRange(internet.SlowAfterMs, 160, 300); // SRTT + 4 RTTVAR of answers around 100 ms
        internet.Add(5_000); // a late answer of a query set aside raises it, never above the ceiling
        Assert.Equal(600, internet.SlowAfterMs);
    }

    [Fact]
    public void Each_slow_query_lets_one_more_be_in_flight_up_to_k()
    {
        var lookup = new IterativeLookup(Hash20.Random(), Hash20.Random(), 8, 3, new RoundTripEstimator(300, 300));
        for (var i = 0; i < 40; i++)
        {
            lookup.Add(new DhtContact(Hash20.Random(), new IPEndPoint(IPAddress.Loopback, 100 + i)), 1);
        }
        Assert.Equal(3, lookup.Next(0).Count);
        lookup.MarkSlow(300);
        Assert.Equal(3, lookup.SlowQueries);
        Assert.Equal(6, lookup.Width);
        Assert.Equal(6, lookup.Next(300).Count); // three slots freed, three more opened
        lookup.MarkSlow(600);
        Assert.Equal(8, lookup.Width); // never more than K
        Assert.Equal(8, lookup.Next(600).Count);
    }

    private static RoundTripEstimator NewSlowThreshold() => new(100, 600); // DhtOptions: MinSlowQueryAfter, SlowQueryAfter

    private static Hash20 RandomId(Random random)
    {
        var bytes = new byte[20];
        random.NextBytes(bytes);
        return new Hash20(bytes);
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
        var lookup = new IterativeLookup(target, self, 8, 3, new RoundTripEstimator(300, 300));
        for (var i = 0; i < 10; i++)
        {
            lookup.Add(new DhtContact(Hash20.Random(), new IPEndPoint(IPAddress.Loopback, 100 + i)), 1);
        }
        var first = lookup.Next(0);
        Assert.Equal(3, first.Count);
        Assert.Empty(lookup.Next(10));
        lookup.MarkSlow(500);
        var second = lookup.Next(500);
        Assert.Equal(6, second.Count); // the three slots they held, and one more for each (Width)
        Assert.Equal(9, lookup.InFlight);
        lookup.OnResponse(first[0], [], 600);
        Assert.Equal(8, lookup.InFlight);
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
