using System.Buffers;
using GitTorrent.Engine.Base;
using GitTorrent.Engine.Client.Machines;
using GitTorrent.Engine.Torrents;
using GitTorrent.Engine.Torrents.Picking;

namespace GitTorrent.Engine.Tests.Client.Machines;

/// <summary>
/// The picking machine driven without sockets: the test is its driver, in front of a simulated swarm of 500 peers
/// on a simulated clock, with latency, lost requests, churn, peers that choke and unchoke us, and liars (peers that
/// claim every piece and send wrong bytes). Pieces are checked against their SHA-1 as the real driver does.
/// </summary>
public sealed class PickingMachineTests
{
    [Fact]
    public async Task In_a_swarm_of_500_with_20_percent_liars_and_30_percent_churn_the_download_completes_and_liars_are_caught()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var swarm = await PickingSimulation.CreateAsync(pieces: 240, seed: 11, cts.Token);
        swarm.Run(peers: 500, liars: 0.2, churnPerSecond: 0.015, lossRate: 0.02, limit: TimeSpan.FromMinutes(30));

        Assert.True(swarm.Complete, swarm.Describe());
        Assert.True(swarm.Departed >= 150, $"churn: {swarm.Departed} peers left during the download");
        Assert.Equal(0, swarm.CommandsToAbsentPeers);
        Assert.Equal(0, swarm.RequestsForMissingPieces);
        Assert.Equal(0, swarm.RequestsWhileChoked);
        Assert.Equal(0, swarm.PipelineOverruns);
        // Liars are found by their pieces: a piece that fails is asked of one peer only, two strikes close the peer.
        Assert.True(swarm.FailedPieces > 0, "the liars never got a piece to fail");
        Assert.True(swarm.LiarsBanned >= 5, $"liars banned: {swarm.LiarsBanned}");
        Assert.Equal(0, swarm.HonestBanned);
        // Lost requests are taken back from the silent peer (snubbed) and asked elsewhere.
        Assert.True(swarm.Snubs > 0, "no peer was ever snubbed although requests were lost");
        // End game: the last blocks are asked of several peers and the copies cancelled when one arrives.
        Assert.True(swarm.EndGameCancels > 0, "no end-game cancels");
        // Beyond the torrent, honest peers sent pieces spoiled by a liar's block and the end game's duplicates (with
        // ~190 slow peers unchoking us every one of them asks for the last blocks): bounded, not a second copy per peer
        // (that would be ~200x). Measured 1.8-2.7x; the picker's random tie-breaks (Random.Shared) move it run to run.
        var honest = (double)(swarm.BytesReceived - swarm.BytesFromLiars) / swarm.TorrentBytes;
        Assert.True(honest < 4, $"honest peers sent {honest:F2}x the torrent: {swarm.Describe()}");
    }

    [Fact]
    public async Task Requests_go_only_to_unchoking_peers_that_have_the_piece_and_a_choke_returns_them()
    {
        var machine = await NewMachineAsync(pieces: 8, pieceLength: 32 * 1024, maxPartial: 8,
            new PickingOptions(4, 16, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(5)));
        var a = new Bitfield(8);
        a[3] = true;
        machine.PeerConnected("a", a, TimeSpan.Zero);
        machine.PeerConnected("b", new Bitfield(8), TimeSpan.Zero);
        Assert.Equal([(SwarmCommandKind.Interested, "a", -1)], Drain(machine));
        machine.PeerUnchoked("b");
        Assert.Empty(Drain(machine)); // b has nothing we want
        machine.PeerUnchoked("a");
        Assert.Equal([(SwarmCommandKind.Request, "a", 3), (SwarmCommandKind.Request, "a", 3)], Drain(machine));
        machine.PeerChoked("a");
        Assert.Equal(0, machine.OutstandingCount("a"));
        var b = new Bitfield(8);
        b[3] = true;
        machine.PeerBitfield("b", b);
        Assert.Equal([(SwarmCommandKind.Interested, "b", -1), (SwarmCommandKind.Request, "b", 3), (SwarmCommandKind.Request, "b", 3)],
            Drain(machine));
        // Silent past the snub timeout: b's requests are cancelled and it keeps one.
        machine.Tick(TimeSpan.FromSeconds(6));
        var snub = Drain(machine);
        Assert.Equal(2, snub.Count(c => c.Kind == SwarmCommandKind.Cancel));
        Assert.Equal(1, snub.Count(c => c.Kind == SwarmCommandKind.Request));
        Assert.True(machine.IsSnubbed("b"));
    }

    [Fact]
    public async Task In_the_end_game_a_block_that_arrives_is_cancelled_at_every_other_peer_that_was_asked_for_it()
    {
        var machine = await NewMachineAsync(pieces: 1, pieceLength: 16 * 1024, maxPartial: 4,
            new PickingOptions(4, 16, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(5)));
        foreach (var peer in new[] { "a", "b", "c" })
        {
            var has = new Bitfield(1);
            has[0] = true;
            machine.PeerConnected(peer, has, TimeSpan.Zero);
            machine.PeerUnchoked(peer);
        }
        var requests = Drain(machine).Where(c => c.Kind == SwarmCommandKind.Request).Select(c => c.Peer).ToList();
        // One block, asked of a first; b and c then find nothing free and nothing unstarted: the end game asks them too.
        Assert.Equal(["a", "b", "c"], requests);
        Assert.True(machine.IsEndGame);
        var result = machine.BlockReceived("a", 0, 0, new ReadOnlySequence<byte>(new byte[16 * 1024]), TimeSpan.FromSeconds(2), out var completed);
        Assert.Equal(BlockResult.PieceComplete, result);
        ArrayPool<byte>.Shared.Return(completed!.Buffer);
        var cancels = Drain(machine).Where(c => c.Kind == SwarmCommandKind.Cancel).Select(c => c.Peer).Order().ToList();
        Assert.Equal(["b", "c"], cancels);
        Assert.Equal(0, machine.OutstandingCount("b"));
    }

    [Fact]
    public async Task The_pipeline_stays_within_the_peers_reqq_and_deepens_with_its_rate()
    {
        var machine = await NewMachineAsync(pieces: 64, pieceLength: 32 * 1024, maxPartial: 64,
            new PickingOptions(8, 64, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5)));
        var all = new Bitfield(64);
        all.SetAll();
        machine.PeerConnected("small", all, TimeSpan.Zero);
        machine.PeerMaxRequests("small", 3);
        machine.PeerUnchoked("small");
        Assert.Equal(3, machine.OutstandingCount("small"));
        machine.PeerConnected("fast", all, TimeSpan.Zero);
        machine.PeerRate("fast", 40 * 16 * 1024); // 40 blocks a second, 1 s of queue
        machine.PeerUnchoked("fast");
        Assert.Equal(40, machine.OutstandingCount("fast"));
        Drain(machine);
    }

    [Fact]
    public async Task Streaming_starts_pieces_in_order_at_the_stream_front_and_rarest_first_behind_its_window()
    {
        // 16 one-block pieces; a window of 4 pieces. Pieces 0-7 are common (two peers), 8-15 rare (one peer), so
        // rarest first alone would start in 8-15.
        var machine = await NewMachineAsync(pieces: 16, pieceLength: 16 * 1024, maxPartial: 16,
            new PickingOptions(6, 6, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(5), StreamWindowBytes: 4 * 16 * 1024));
        var all = new Bitfield(16);
        all.SetAll();
        var common = new Bitfield(16);
        for (var i = 0; i < 8; i++)
        {
            common[i] = true;
        }
        machine.StreamFront(0);
        machine.PeerConnected("a", all, TimeSpan.Zero);
        machine.PeerConnected("b", common, TimeSpan.Zero);
        Drain(machine);
        machine.PeerUnchoked("a");
        var first = Drain(machine).Where(c => c.Kind == SwarmCommandKind.Request).Select(c => c.Piece).ToList();
        Assert.Equal([0, 1, 2, 3], first.Take(4));
        Assert.All(first.Skip(4), p => Assert.InRange(p, 8, 15));
        Assert.Equal(6, first.Count);

        // Piece 0 arrives and verifies: the front moves to 1, the window now ends at 4, which is started next.
        var result = machine.BlockReceived("a", 0, 0, new ReadOnlySequence<byte>(new byte[16 * 1024]), TimeSpan.FromSeconds(1),
            out var completed);
        Assert.Equal(BlockResult.PieceComplete, result);
        Assert.NotNull(completed);
        machine.PieceVerified(0);
        Assert.Equal(1, machine.Picker.StreamFront);
        Assert.Equal([4], Drain(machine).Where(c => c.Kind == SwarmCommandKind.Request).Select(c => c.Piece));
    }

    private static async Task<PickingMachine<string>> NewMachineAsync(int pieces, int pieceLength, int maxPartial, PickingOptions options)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var metainfo = await TorrentMetainfo.CreateAsync(new MemoryStream(new byte[pieces * pieceLength]), "p", pieceLength: pieceLength,
            cancellationToken: cts.Token);
        return new PickingMachine<string>(new PiecePicker(metainfo, new Bitfield(pieces), maxPartial), options);
    }

    private static List<(SwarmCommandKind Kind, string Peer, int Piece)> Drain(PickingMachine<string> machine)
    {
        var commands = new List<(SwarmCommandKind, string, int)>();
        while (machine.TryTake(out var c))
        {
            commands.Add((c.Kind, c.Peer, c.Kind is SwarmCommandKind.Request or SwarmCommandKind.Cancel ? c.Block.Piece : -1));
        }
        return commands;
    }
}
