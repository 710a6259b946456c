using System.Net;
using GitTorrent.Engine.Base;
using GitTorrent.Engine.Client.Machines;
using GitTorrent.Engine.Wire.Extensions;

namespace GitTorrent.Engine.Tests.Client.Machines;

/// <summary>
/// The peer-exchange machine (BEP 11) without sockets: what it tells whom and when, what it dials, and a simulated
/// world of 500 peers with 20% liars flooding made-up endpoints and 30% churn.
/// </summary>
public sealed class PeerExchangeMachineTests
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    [Fact]
    public void A_newcomer_gets_the_full_list_then_only_changes_at_most_once_a_minute_and_at_most_50_at_a_time()
    {
        var machine = new PeerExchangeMachine<int>(exchange: true, maxConnections: 200, _ => false);
        machine.MetadataKnown(isPrivate: false, seeding: true);
        for (var i = 0; i < 60; i++)
        {
            machine.PeerConnected(i, Ep(i), outbound: true);
        }
        machine.PeerBitfield(1, Full());
        machine.PeerHandshake(0, null, supportsPex: true, TimeSpan.Zero);
        var first = Sends(machine);
        Assert.Equal([0], first.Select(s => s.Peer));
        var message = first[0].Message;
        Assert.Equal(PeerExchangeMachine<int>.MaxPeersSent, message.Added.Count); // 59 others, 50 in one message
        Assert.DoesNotContain(message.Added, p => p.EndPoint.Equals(Ep(0))); // never itself
        Assert.Contains(message.Added, p => p.EndPoint.Equals(Ep(1)) && p.Flags == (PexPeer.SeedFlag | PexPeer.ConnectableFlag));

        // The rest and the changes wait for the minute.
        machine.PeerDisconnected(5);
        machine.Tick(TimeSpan.FromSeconds(59));
        Assert.Empty(Sends(machine));
        machine.Tick(Minute);
        var next = Assert.Single(Sends(machine)).Message;
        var toldOf5 = message.Added.Any(p => p.EndPoint.Equals(Ep(5)));
        Assert.Equal(toldOf5 ? 9 : 8, next.Added.Count); // the 9 not told yet, less 5 if it was one of them
        Assert.Equal(toldOf5 ? [Ep(5)] : [], next.Dropped);
        Assert.Equal(58, machine.Advertised(0).Count);
    }

    [Fact]
    public void A_peer_without_ut_pex_is_told_nothing_and_a_send_the_driver_could_not_queue_is_sent_again()
    {
        var machine = new PeerExchangeMachine<int>(exchange: true, maxConnections: 200, _ => false);
        machine.MetadataKnown(isPrivate: false, seeding: false);
        machine.PeerConnected(0, Ep(0), outbound: true);
        machine.PeerConnected(1, Ep(1), outbound: true);
        machine.PeerHandshake(1, null, supportsPex: false, TimeSpan.Zero);
        Assert.Empty(Sends(machine));
        machine.PeerHandshake(0, null, supportsPex: true, TimeSpan.Zero);
        var sent = Assert.Single(Sends(machine));
        machine.SendFailed(0, sent.Message);
        Assert.Empty(machine.Advertised(0));
        machine.Tick(TimeSpan.FromSeconds(1));
        Assert.Equal([Ep(1)], Assert.Single(Sends(machine)).Message.Added.Select(p => p.EndPoint));
    }

    [Fact]
    public void Exchanged_peers_are_dialled_once_within_the_dial_and_connection_limits_and_never_by_a_seed()
    {
        var own = Ep(999);
        var machine = new PeerExchangeMachine<int>(exchange: true, maxConnections: 30, e => e.Equals(own));
        machine.MetadataKnown(isPrivate: false, seeding: false);
        machine.PeerConnected(0, Ep(0), outbound: true);
        List<IPEndPoint> heard = [own, Ep(0), new IPEndPoint(IPAddress.Any, 80), new IPEndPoint(IPAddress.Parse("224.0.0.1"), 80),
            .. Enumerable.Range(1, 40).Select(Ep)];
        var ignored = machine.PeersExchanged(0, heard, seeding: false);
        var dials = Dials(machine);
        Assert.Equal(PeerExchangeMachine<int>.MaxDialsInFlight, dials.Count);
        Assert.Equal(heard.Count - dials.Count, ignored);
        Assert.All(dials, d => Assert.Equal(Ep(0), d.Source));
        // A dial ended: one more, never one already dialled.
        machine.DialEnded();
        machine.PeersExchanged(0, heard, seeding: false);
        var again = Assert.Single(Dials(machine));
        Assert.DoesNotContain(again.EndPoint, dials.Select(d => d.EndPoint));
        // The connection limit counts dials in flight.
        for (var i = 100; i < 114; i++)
        {
            machine.PeerConnected(i, Ep(i), outbound: false);
            machine.DialEnded();
        }
        Assert.Equal(17, machine.PeerCount + machine.DialsInFlight);
        machine.PeersExchanged(0, [.. Enumerable.Range(200, 40).Select(Ep)], seeding: false);
        Assert.Equal(30, machine.PeerCount + machine.DialsInFlight);
        Dials(machine);
        // A seed dials nobody.
        machine.DialEnded();
        Assert.Equal(1, machine.PeersExchanged(0, [Ep(300)], seeding: true));
        Assert.Empty(Dials(machine));
    }

    [Fact]
    public void Before_the_metadata_200_endpoints_are_kept_and_a_private_torrent_dials_none_of_them()
    {
        var machine = new PeerExchangeMachine<int>(exchange: true, maxConnections: 500, _ => false);
        machine.PeerConnected(0, Ep(0), outbound: true);
        Assert.Equal(50, machine.PeersExchanged(0, [.. Enumerable.Range(1, 250).Select(Ep)], seeding: false));
        Assert.Empty(Dials(machine));
        Assert.Equal(200, machine.MetadataKnown(isPrivate: true, seeding: false));
        Assert.Empty(Dials(machine));
        machine.PeerHandshake(0, null, supportsPex: true, TimeSpan.Zero);
        Assert.Empty(Sends(machine)); // BEP 27

        var open = new PeerExchangeMachine<int>(exchange: true, maxConnections: 500, _ => false);
        open.PeerConnected(0, Ep(0), outbound: true);
        open.PeersExchanged(0, [.. Enumerable.Range(1, 20).Select(Ep)], seeding: false);
        Assert.Equal(20 - PeerExchangeMachine<int>.MaxDialsInFlight, open.MetadataKnown(isPrivate: false, seeding: false));
        Assert.Equal(PeerExchangeMachine<int>.MaxDialsInFlight, Dials(open).Count);
    }

    [Fact]
    public void In_a_world_of_500_with_20_percent_liars_flooding_and_30_percent_churn_nobody_learns_more_than_the_limits_allow()
    {
        var swarm = new PeerExchangeSimulation(maxConnections: 60, liars: 0.2, seed: 9);
        // 30% of the world replaced over 20 minutes, then 3 quiet minutes.
        swarm.Run(world: 500, churnPerSecond: 0.3 / 1200, duration: TimeSpan.FromMinutes(20), quiet: TimeSpan.FromMinutes(3));

        Assert.True(swarm.Departed >= 120, swarm.Describe());
        Assert.True(swarm.MessagesSent >= 200, swarm.Describe());
        Assert.True(swarm.MaxAddedInAMessage <= PeerExchangeMachine<int>.MaxPeersSent, swarm.Describe());
        Assert.True(swarm.MaxDroppedInAMessage <= PeerExchangeMachine<int>.MaxPeersSent, swarm.Describe());
        Assert.Equal(0, swarm.EarlyMessages);
        Assert.Equal(0, swarm.WrongAdded);
        Assert.Equal(0, swarm.WrongDropped);
        // Departed peers are dropped: after the quiet minutes nobody is still told of a peer that left.
        Assert.Equal(0, swarm.StaleAdvertised);
        Assert.Equal(0, swarm.NeverTold);
        // The liars' flood (200 endpoints a second each) is bounded: 16 dials at a time, each made-up endpoint at most
        // once, never beyond the connection limit; at most one dial slot per 10 s handshake timeout for made-up ones.
        Assert.True(swarm.HeardFromLiars > 1_000_000, swarm.Describe());
        Assert.True(swarm.MaxDialsInFlight <= PeerExchangeMachine<int>.MaxDialsInFlight, swarm.Describe());
        Assert.True(swarm.ConnectionOverruns == 0, swarm.Describe());
        Assert.True(swarm.RepeatedDials == 0, swarm.Describe());
        Assert.True(swarm.DialsToMadeUp <= PeerExchangeMachine<int>.MaxDialsInFlight * ((23 * 60 / 10) + 1), swarm.Describe());
    }

    private static IPEndPoint Ep(int i) => new(new IPAddress([10, 0, (byte)(i >> 8), (byte)i]), 6881);

    private static Bitfield Full()
    {
        var all = new Bitfield(8);
        all.SetAll();
        return all;
    }

    private static List<(int Peer, PexMessage Message)> Sends(PeerExchangeMachine<int> machine)
    {
        var sends = new List<(int, PexMessage)>();
        while (machine.TryTake(out var command))
        {
            Assert.Equal(PexCommandKind.Send, command.Kind);
            sends.Add((command.Peer, command.Message!));
        }
        return sends;
    }

    private static List<(IPEndPoint EndPoint, IPEndPoint? Source)> Dials(PeerExchangeMachine<int> machine)
    {
        var dials = new List<(IPEndPoint, IPEndPoint?)>();
        while (machine.TryTake(out var command))
        {
            Assert.Equal(PexCommandKind.Dial, command.Kind);
            dials.Add((command.EndPoint!, command.Source));
        }
        return dials;
    }
}
