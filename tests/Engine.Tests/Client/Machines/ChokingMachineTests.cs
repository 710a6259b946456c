using GitTorrent.Engine.Client;
using GitTorrent.Engine.Client.Machines;

namespace GitTorrent.Engine.Tests.Client.Machines;

/// <summary>
/// The choking machine driven without sockets: a simulated swarm of hundreds of peers on a simulated clock, with
/// latency and loss on our commands, churn, and liars (peers that say they are interested and never upload).
/// </summary>
public sealed class ChokingMachineTests
{
    private const int Slots = 8;
    private static readonly TimeSpan ChokeInterval = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan OptimisticInterval = TimeSpan.FromSeconds(30);

    [Fact]
    public void In_a_swarm_of_500_with_liars_churn_latency_and_loss_the_regular_slots_go_to_the_best_givers()
    {
        var swarm = new ChokingSimulation(peers: 500, liars: 0.2, churnPerRound: 0.03, lossRate: 0.02, seed: 7);
        swarm.Run(TimeSpan.FromMinutes(60));

        // 360 rounds, 30% of the swarm replaced every 100 s (3% a round).
        Assert.True(swarm.Rounds >= 359, $"rounds: {swarm.Rounds}");
        Assert.True(swarm.Departed >= 5000, $"departed: {swarm.Departed}");
        Assert.Equal(0, swarm.CommandsToDeparted);
        Assert.True(swarm.MaxUnchoked <= Slots + 1, $"at most slots + 1 unchoked, saw {swarm.MaxUnchoked}");
        // Tit-for-tat: after every round, no peer left choked gave more in that round than a regular slot holder.
        Assert.True(swarm.RankingViolations == 0, $"{swarm.RankingViolations} rounds ranked a weaker giver above a stronger one: {swarm.FirstViolation}");
        // Liars give nothing: once any givers are known they hold a regular slot far less than their 20% share.
        Assert.True(swarm.LiarRegularShare < 0.05, $"liars held {swarm.LiarRegularShare:P1} of the regular slot-rounds");
        // The optimistic unchoke rotates every 30 s to a peer that was not unchoked: about 120 in an hour.
        Assert.Equal(0, swarm.OptimisticChoked);
        Assert.True(swarm.DistinctOptimistic >= 100, $"distinct optimistic peers: {swarm.DistinctOptimistic}");
        // Most of what we downloaded came through the slots tit-for-tat kept for the fast givers.
        Assert.True(swarm.BytesReceived > 0);
    }

    [Fact]
    public void A_peer_that_becomes_interested_is_unchoked_at_once_while_slots_are_free_then_rounds_decide()
    {
        var machine = new ChokingMachine<int>(2, ChokeInterval, OptimisticInterval, TimeSpan.Zero, new Random(1));
        for (var p = 0; p < 5; p++)
        {
            machine.PeerConnected(p);
            machine.PeerInterested(p, true);
        }
        var first = Drain(machine);
        // slots + 1 at once, no more.
        Assert.Equal([(SwarmCommandKind.Unchoke, 0), (SwarmCommandKind.Unchoke, 1), (SwarmCommandKind.Unchoke, 2)], first);

        machine.Transferred(3, downloaded: 5000, uploaded: 0);
        machine.Transferred(4, downloaded: 9000, uploaded: 0);
        machine.Tick(TimeSpan.FromSeconds(9), seeding: false);
        Assert.Empty(Drain(machine)); // no round before the interval
        machine.Tick(TimeSpan.FromSeconds(10), seeding: false);
        var round = Drain(machine);
        Assert.Contains((SwarmCommandKind.Unchoke, 3), round);
        Assert.Contains((SwarmCommandKind.Unchoke, 4), round);
        Assert.Equal(3, machine.UnchokedCount);

        // Seeding ranks by what peers take from us.
        machine.Transferred(0, downloaded: 0, uploaded: 50_000);
        machine.Transferred(1, downloaded: 0, uploaded: 40_000);
        machine.Tick(TimeSpan.FromSeconds(20), seeding: true);
        Drain(machine);
        Assert.False(machine.IsChoking(0));
        Assert.False(machine.IsChoking(1));

        // Seeds never need a slot.
        machine.PeerIsSeed(0, true);
        machine.Tick(TimeSpan.FromSeconds(30), seeding: true);
        Drain(machine);
        Assert.True(machine.IsChoking(0));
    }

    private static List<(SwarmCommandKind, int)> Drain(ChokingMachine<int> machine)
    {
        var commands = new List<(SwarmCommandKind, int)>();
        while (machine.TryTake(out var command))
        {
            commands.Add((command.Kind, command.Peer));
        }
        return commands;
    }

    /// <summary>
    /// Our node (the machine) among simulated peers. An honest peer uploads to us at its own rate while it believes we
    /// unchoke it (tit-for-tat on its side); our unchoke and choke reach it after 0-2 s and are lost at the loss rate. A
    /// liar is interested and never uploads. Each round some peers leave and as many new ones join.
    /// </summary>
    private sealed class ChokingSimulation(int peers, double liars, double churnPerRound, double lossRate, int seed)
    {
        private readonly Random _random = new(seed);
        private readonly Dictionary<int, SimPeer> _peers = [];
        private readonly List<(TimeSpan At, int Peer, bool Unchoke)> _inFlight = [];
        private readonly HashSet<int> _optimisticSeen = [];
        private ChokingMachine<int> _machine = null!;
        private int _nextId;
        private long _liarRegular;
        private long _regular;

        public int Rounds { get; private set; }

        public int Departed { get; private set; }

        public int CommandsToDeparted { get; private set; }

        public int MaxUnchoked { get; private set; }

        public int RankingViolations { get; private set; }

        public string? FirstViolation { get; private set; }

        public double LiarRegularShare => _regular == 0 ? 1 : (double)_liarRegular / _regular;

        /// <summary>Distinct peers that held the optimistic unchoke and were unchoked for it.</summary>
        public int DistinctOptimistic => _optimisticSeen.Count;

        /// <summary>Rounds whose optimistic peer was left choked.</summary>
        public int OptimisticChoked { get; private set; }

        public long BytesReceived { get; private set; }

        public void Run(TimeSpan duration)
        {
            _machine = new ChokingMachine<int>(Slots, ChokeInterval, OptimisticInterval, TimeSpan.Zero, new Random(seed));
            for (var i = 0; i < peers; i++)
            {
                Join();
            }
            for (var now = TimeSpan.FromSeconds(1); now <= duration; now += TimeSpan.FromSeconds(1))
            {
                Deliver(now);
                foreach (var (id, peer) in _peers)
                {
                    if (peer.Unchoked && !peer.Liar)
                    {
                        peer.Given += peer.Rate;
                        BytesReceived += peer.Rate;
                    }
                    _machine.Transferred(id, peer.Given, 0);
                }
                _machine.Tick(now, seeding: false);
                Collect(now);
                if (now.Ticks % ChokeInterval.Ticks == 0)
                {
                    Rounds++;
                    CheckRound();
                    foreach (var peer in _peers.Values)
                    {
                        peer.GivenAtRound = peer.Given;
                    }
                    Churn();
                }
                MaxUnchoked = Math.Max(MaxUnchoked, _machine.UnchokedCount);
            }
        }

        private void CheckRound()
        {
            long Rate(int id) => _peers[id].Given - _peers[id].GivenAtRound;
            var optimistic = _machine.Optimistic;
            var regular = _peers.Keys.Where(id => !_machine.IsChoking(id) && id != optimistic).ToList();
            var choked = _peers.Keys.Where(id => _machine.IsChoking(id) && _peers[id].Interested).ToList();
            if (_machine.IsChoking(optimistic))
            {
                OptimisticChoked++;
            }
            else
            {
                _optimisticSeen.Add(optimistic);
            }
            if (regular.Count > 0 && choked.Count > 0)
            {
                var weakest = regular.Min(Rate);
                var strongest = choked.Max(Rate);
                if (strongest > weakest)
                {
                    RankingViolations++;
                    FirstViolation ??= $"round {Rounds}: a choked peer gave {strongest}, a regular holder {weakest}";
                }
            }
            if (_peers.Values.Any(p => p.Given > 0))
            {
                _regular += regular.Count;
                _liarRegular += regular.Count(id => _peers[id].Liar);
            }
        }

        private void Join()
        {
            var id = _nextId++;
            var liar = _random.NextDouble() < liars;
            // Honest upload rates spread over two orders of magnitude (16 KiB/s to 1.6 MiB/s).
            var peer = new SimPeer(liar, liar ? 0 : (long)(16_384 * Math.Pow(100, _random.NextDouble())));
            _peers.Add(id, peer);
            _machine.PeerConnected(id);
            _machine.PeerInterested(id, true);
            Collect(TimeSpan.Zero);
        }

        private void Churn()
        {
            var leaving = _peers.Keys.Where(_ => _random.NextDouble() < churnPerRound).ToList();
            foreach (var id in leaving)
            {
                _peers.Remove(id);
                _machine.PeerDisconnected(id);
                Departed++;
                Join();
            }
        }

        private void Collect(TimeSpan now)
        {
            while (_machine.TryTake(out var command))
            {
                if (!_peers.ContainsKey(command.Peer))
                {
                    CommandsToDeparted++;
                    continue;
                }
                if (_random.NextDouble() >= lossRate)
                {
                    _inFlight.Add((now + TimeSpan.FromSeconds(_random.Next(0, 3)), command.Peer, command.Kind == SwarmCommandKind.Unchoke));
                }
            }
        }

        private void Deliver(TimeSpan now)
        {
            if (_inFlight.Count == 0)
            {
                return;
            }
            foreach (var (at, id, unchoke) in _inFlight)
            {
                if (at <= now && _peers.TryGetValue(id, out var peer))
                {
                    peer.Unchoked = unchoke;
                }
            }
            _inFlight.RemoveAll(m => m.At <= now);
        }
    }

    private sealed class SimPeer(bool liar, long rate)
    {
        public bool Liar { get; } = liar;

        public long Rate { get; } = rate;

        public bool Interested => true;

        public bool Unchoked { get; set; }

        public long Given { get; set; }

        public long GivenAtRound { get; set; }
    }
}
