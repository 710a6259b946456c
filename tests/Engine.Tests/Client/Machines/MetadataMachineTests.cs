using GitTorrent.Engine.Base;
using GitTorrent.Engine.Client.Machines;

namespace GitTorrent.Engine.Tests.Client.Machines;

/// <summary>
/// The metadata machine (ut_metadata, BEP 9) without sockets: whom it asks and when it moves on, its size checks, and
/// a simulated swarm of 500 peers (20% liars, 30% leaving, latency, lost messages) it fetches the dictionary from.
/// </summary>
public sealed class MetadataMachineTests
{
    private static readonly byte[] Info = MakeInfo(40_000, 1);
    private static readonly Hash20 InfoHash = Hash20.Sha1(Info);

    [Fact]
    public void The_whole_dictionary_is_asked_of_one_peer_and_verified_against_the_infohash()
    {
        var machine = new MetadataMachine<string>(InfoHash);
        machine.PeerOffered("a", Id(1), Info.Length, TimeSpan.Zero);
        machine.PeerOffered("b", Id(2), Info.Length, TimeSpan.Zero);
        Assert.Equal([("a", 0), ("a", 1), ("a", 2)], Requests(machine));
        Assert.Equal(MetadataPieceResult.Ignored, machine.PieceReceived("b", 0, Info.Length, Piece(Info, 0), TimeSpan.Zero));
        Assert.Equal(MetadataPieceResult.Stored, machine.PieceReceived("a", 2, Info.Length, Piece(Info, 2), TimeSpan.Zero));
        Assert.Equal(MetadataPieceResult.Stored, machine.PieceReceived("a", 0, Info.Length, Piece(Info, 0), TimeSpan.Zero));
        Assert.Equal(MetadataPieceResult.Complete, machine.PieceReceived("a", 1, Info.Length, Piece(Info, 1), TimeSpan.Zero));
        Assert.Equal(Info, machine.Metadata);
        Assert.True(machine.IsDone);
        machine.Tick(TimeSpan.FromMinutes(1));
        Assert.Empty(Requests(machine));
    }

    [Fact]
    public void A_liar_is_closed_and_never_asked_again_under_its_peer_id_and_the_next_peer_is_asked()
    {
        var machine = new MetadataMachine<string>(InfoHash);
        var forged = MakeInfo(Info.Length, 2);
        machine.PeerOffered("liar", Id(1), Info.Length, TimeSpan.Zero);
        machine.PeerOffered("b", Id(2), Info.Length, TimeSpan.Zero);
        Requests(machine);
        machine.PieceReceived("liar", 0, Info.Length, Piece(forged, 0), TimeSpan.Zero);
        machine.PieceReceived("liar", 1, Info.Length, Piece(forged, 1), TimeSpan.Zero);
        Assert.Equal(MetadataPieceResult.Liar, machine.PieceReceived("liar", 2, Info.Length, Piece(forged, 2), TimeSpan.Zero));
        Assert.True(machine.TryTake(out var close));
        Assert.Equal((SwarmCommandKind.Close, "liar"), (close.Kind, close.Peer));
        Assert.Equal([("b", 0), ("b", 1), ("b", 2)], Requests(machine));
        machine.PeerDisconnected("liar", TimeSpan.Zero);
        // It reconnects; b stalls: the round goes on without the liar.
        machine.PeerOffered("liar again", Id(1), Info.Length, TimeSpan.FromSeconds(1));
        machine.Tick(TimeSpan.FromSeconds(11));
        Assert.Equal([("b", 0), ("b", 1), ("b", 2)], Requests(machine)); // b again: everybody else lied
        Assert.Equal(1, machine.LiarCount);
    }

    [Fact]
    public void A_stalled_rejecting_or_departed_source_hands_over_and_every_peer_is_tried_before_a_new_round()
    {
        var machine = new MetadataMachine<string>(InfoHash);
        foreach (var (peer, id) in new[] { ("a", 1), ("b", 2), ("c", 3) })
        {
            machine.PeerOffered(peer, Id(id), Info.Length, TimeSpan.Zero);
        }
        Assert.Equal("a", Requests(machine)[0].Peer);
        machine.Tick(TimeSpan.FromSeconds(10));
        Assert.Empty(Requests(machine)); // not yet past the timeout
        machine.Tick(TimeSpan.FromSeconds(10.5));
        Assert.Equal("b", Requests(machine)[0].Peer);
        machine.Rejected("b", TimeSpan.FromSeconds(11));
        Assert.Equal("c", Requests(machine)[0].Peer);
        machine.PeerDisconnected("c", TimeSpan.FromSeconds(12));
        Assert.Equal("a", Requests(machine)[0].Peer); // all tried: round again
    }

    [Fact]
    public void Sizes_are_bounded_a_wrong_total_or_length_is_a_violation_and_an_offer_over_the_limit_is_never_taken()
    {
        var machine = new MetadataMachine<string>(InfoHash);
        machine.PeerOffered("huge", Id(1), WireLimits.MaxMetadataSize + 1, TimeSpan.Zero);
        Assert.Empty(Requests(machine));
        machine.PeerOffered("a", Id(2), Info.Length, TimeSpan.Zero);
        Requests(machine);
        Assert.Equal(MetadataPieceResult.WrongSize, machine.PieceReceived("a", 0, Info.Length + 1, Piece(Info, 0), TimeSpan.Zero));
        Assert.Equal(MetadataPieceResult.WrongSize, machine.PieceReceived("a", 3, Info.Length, Piece(Info, 0), TimeSpan.Zero));
        Assert.Equal(MetadataPieceResult.WrongLength, machine.PieceReceived("a", 2, Info.Length, Piece(Info, 0), TimeSpan.Zero));
        Assert.Equal(0, machine.BytesReceived);
    }

    [Fact]
    public void In_swarms_of_500_with_20_percent_liars_and_30_percent_leaving_the_metadata_arrives_and_bytes_are_bounded()
    {
        var info = MakeInfo(300_000, 3); // 19 pieces, served one at a time: a source takes 1-10 s
        var totals = new MetadataSwarmResult();
        for (var seed = 0; seed < 40; seed++)
        {
            var run = RunMetadataSwarm(info, seed);
            totals.LiarsAsked += run.LiarsAsked;
            totals.SourcesLost += run.SourcesLost;
            totals.Departed += run.Departed;
            totals.Caught += run.Caught;
        }
        // Over the runs the machine met liars (20% of the peers) and sources that left mid-way (30% leave per 10 s).
        Assert.True(totals.Caught >= 5, $"liars caught {totals.Caught} of {totals.LiarsAsked} asked");
        Assert.True(totals.SourcesLost >= 5, $"sources lost {totals.SourcesLost}");
        Assert.True(totals.Departed >= 1000, $"departed {totals.Departed}");
    }

    /// <summary>
    /// One run: 500 peers offer the metadata after 20-400 ms; each serves the pieces asked of it one after another
    /// (50-500 ms a piece, 5% lost); liars serve another dictionary; peers leave (30% per 10 s) and are replaced.
    /// </summary>
    private static MetadataSwarmResult RunMetadataSwarm(byte[] info, int seed)
    {
        var random = new Random(seed);
        var machine = new MetadataMachine<int>(Hash20.Sha1(info));
        var liars = new HashSet<int>();
        var connected = new HashSet<int>();
        var busyUntil = new Dictionary<int, TimeSpan>();
        var events = new PriorityQueue<Action, (TimeSpan, long)>();
        long sequence = 0;
        var now = TimeSpan.Zero;
        var asked = new Dictionary<int, int>();
        var identity = new Dictionary<int, int>();
        var caught = new HashSet<int>();
        var result = new MetadataSwarmResult();
        var next = 500;
        void At(TimeSpan when, Action action) => events.Enqueue(action, (when, sequence++));
        void Join(int peer, int? asIdentity = null)
        {
            connected.Add(peer);
            identity[peer] = asIdentity ?? peer;
            if (asIdentity is not null || random.NextDouble() < 0.2)
            {
                liars.Add(peer);
            }
            At(now + TimeSpan.FromMilliseconds(random.Next(20, 400)), () =>
            {
                if (connected.Contains(peer))
                {
                    machine.PeerOffered(peer, Id(identity[peer]), info.Length, now);
                }
            });
        }
        void Drive()
        {
            while (machine.TryTake(out var command))
            {
                Assert.True(connected.Contains(command.Peer), "command for a departed peer");
                if (command.Kind == SwarmCommandKind.Close)
                {
                    connected.Remove(command.Peer);
                    machine.PeerDisconnected(command.Peer, now);
                    Join(next++, identity[command.Peer]); // the liar comes back under the same peer id
                    continue;
                }
                var peer = command.Peer;
                var piece = command.Index;
                Assert.DoesNotContain(identity[peer], caught); // a caught liar is never asked again
                if (piece == 0)
                {
                    asked[peer] = asked.GetValueOrDefault(peer) + 1;
                    result.LiarsAsked += liars.Contains(peer) ? 1 : 0;
                }
                var start = busyUntil.GetValueOrDefault(peer) > now ? busyUntil[peer] : now;
                busyUntil[peer] = start + TimeSpan.FromMilliseconds(random.Next(50, 500));
                if (random.NextDouble() < 0.05)
                {
                    continue; // lost
                }
                At(busyUntil[peer], () =>
                {
                    if (connected.Contains(peer))
                    {
                        var data = liars.Contains(peer) ? Piece(MakeInfo(info.Length, peer + 1000), piece) : Piece(info, piece);
                        var outcome = machine.PieceReceived(peer, piece, info.Length, data, now);
                        if (outcome == MetadataPieceResult.Liar)
                        {
                            Assert.Contains(peer, liars);
                            caught.Add(identity[peer]);
                        }
                        Assert.NotEqual(MetadataPieceResult.WrongSize, outcome);
                        Assert.NotEqual(MetadataPieceResult.WrongLength, outcome);
                    }
                });
            }
        }
        for (var i = 0; i < 500; i++)
        {
            Join(i);
        }
        void Tick()
        {
            foreach (var peer in connected.Where(_ => random.NextDouble() < 0.3 / 100).ToList())
            {
                if (machine.IsAsking && machine.Source == peer)
                {
                    result.SourcesLost++;
                }
                connected.Remove(peer);
                machine.PeerDisconnected(peer, now);
                result.Departed++;
                Join(next++);
            }
            machine.Tick(now);
            At(now + TimeSpan.FromMilliseconds(100), Tick);
        }
        At(TimeSpan.FromMilliseconds(100), Tick);
        while (!machine.IsDone && now < TimeSpan.FromHours(1) && events.TryDequeue(out var action, out var key))
        {
            now = key.Item1;
            action();
            Drive();
        }

        Assert.True(machine.IsDone, $"seed {seed}: no metadata after {now}: {result}");
        Assert.Equal(info, machine.Metadata);
        Assert.Equal(caught.Count, machine.LiarCount);
        Assert.True(machine.LiarCount <= result.LiarsAsked);
        result.Caught = caught.Count;
        // Bytes: at most one dictionary per source asked, and the next source is asked only after a lie, a departure
        // or a stall of 10 s.
        var sources = asked.Values.Sum();
        Assert.True(machine.BytesReceived <= (long)sources * info.Length, $"seed {seed}: {machine.BytesReceived} bytes from {sources} sources");
        Assert.True(sources <= 1 + result.LiarsAsked + result.SourcesLost + (int)(now / MetadataMachine<int>.RequestTimeout),
            $"seed {seed}: {sources} sources, {result}, {now}");
        return result;
    }

    private sealed record MetadataSwarmResult
    {
        public int LiarsAsked { get; set; }

        public int SourcesLost { get; set; }

        public int Departed { get; set; }

        public int Caught { get; set; }
    }

    private static byte[] MakeInfo(int size, int seed)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static byte[] Piece(byte[] info, int piece) =>
        info.AsSpan(piece * WireLimits.MetadataPieceSize, Math.Min(WireLimits.MetadataPieceSize, info.Length - (piece * WireLimits.MetadataPieceSize))).ToArray();

    private static Hash20 Id(int i)
    {
        var bytes = new byte[20];
        BitConverter.TryWriteBytes(bytes, i);
        return new Hash20(bytes);
    }

    private static List<(string Peer, int Piece)> Requests(MetadataMachine<string> machine)
    {
        var requests = new List<(string, int)>();
        while (machine.TryTake(out var command))
        {
            Assert.Equal(SwarmCommandKind.RequestMetadata, command.Kind);
            requests.Add((command.Peer, command.Index));
        }
        return requests;
    }
}
