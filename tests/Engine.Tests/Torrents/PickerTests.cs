using System.Buffers;
using GitTorrent.Engine.Client;
using GitTorrent.Engine.Torrents;
using GitTorrent.Engine.Torrents.Picking;
using GitTorrent.Engine.Wire.Messages;
using GitTorrent.Engine.Base;

namespace GitTorrent.Engine.Tests.Torrents;

public sealed class PickerTests
{
    private static async Task<TorrentMetainfo> MetainfoAsync(int pieces) =>
        await TorrentMetainfo.CreateAsync(new MemoryStream(new byte[pieces * 16 * 1024]), "p", pieceLength: 32 * 1024)
            .WaitAsync(TimeSpan.FromSeconds(10));

    private static Bitfield Bits(int length, params int[] set)
    {
        var b = new Bitfield(length);
        foreach (var i in set)
        {
            b[i] = true;
        }
        return b;
    }

    [Fact]
    public async Task Picks_the_rarest_piece_first_and_finishes_started_pieces()
    {
        var metainfo = await MetainfoAsync(8); // 4 pieces of 2 blocks
        var picker = new PiecePicker(metainfo, new Bitfield(4), maxPartialPieces: 8);
        picker.AddAvailability(Bits(4, 0, 1, 2, 3));
        picker.AddAvailability(Bits(4, 0, 1, 3));
        picker.AddAvailability(Bits(4, 0, 1, 3));

        var outstanding = new HashSet<BlockRequest>();
        var output = new List<BlockRequest>();
        picker.Pick("a", Bits(4, 0, 1, 2, 3), outstanding, 1, output);
        Assert.Equal(new BlockRequest(2, 0, 16384), Assert.Single(output));

        output.Clear();
        picker.Pick("a", Bits(4, 0, 1, 2, 3), outstanding, 1, output);
        Assert.Equal(new BlockRequest(2, 16384, 16384), Assert.Single(output)); // finish piece 2 before starting another
    }

    [Fact]
    public async Task Blocks_complete_a_piece_and_unsolicited_blocks_are_flagged()
    {
        var metainfo = await MetainfoAsync(2); // one piece of 2 blocks
        var picker = new PiecePicker(metainfo, new Bitfield(1), 4);
        var has = Bits(1, 0);
        picker.AddAvailability(has);
        var outstanding = new HashSet<BlockRequest>();
        var output = new List<BlockRequest>();
        Assert.Equal(2, picker.Pick("a", has, outstanding, 10, output));
        var block = new ReadOnlySequence<byte>(new byte[16384]);

        Assert.Equal(BlockResult.Unsolicited, picker.OnBlock("a", outstanding, 0, 8192, block, out _));
        Assert.Equal(BlockResult.Stored, picker.OnBlock("a", outstanding, 0, 0, block, out _));
        Assert.Equal(BlockResult.Unsolicited, picker.OnBlock("a", outstanding, 0, 0, block, out _));
        Assert.Equal(BlockResult.PieceComplete, picker.OnBlock("a", outstanding, 0, 16384, block, out var done));
        Assert.NotNull(done);
        Assert.Equal(["a", "a"], done.Contributors);
        ArrayPool<byte>.Shared.Return(done.Buffer);
        picker.OnPieceWritten(0);
        Assert.True(picker.Have.All);
    }

    [Fact]
    public async Task End_game_requests_blocks_already_requested_from_others()
    {
        var metainfo = await MetainfoAsync(2);
        var picker = new PiecePicker(metainfo, new Bitfield(1), 4);
        var has = Bits(1, 0);
        picker.AddAvailability(has);
        picker.AddAvailability(has);
        var a = new HashSet<BlockRequest>();
        var b = new HashSet<BlockRequest>();
        var output = new List<BlockRequest>();
        Assert.Equal(2, picker.Pick("a", has, a, 10, output));
        Assert.False(picker.IsEndGame);
        output.Clear();
        Assert.Equal(2, picker.Pick("b", has, b, 10, output));
        Assert.True(picker.IsEndGame);
        output.Clear();
        Assert.Equal(0, picker.Pick("b", has, b, 10, output)); // never the same block twice from one peer
    }

    [Fact]
    public async Task No_end_game_while_pieces_nobody_requested_remain()
    {
        // Two pieces in the torrent; peer b knows only piece 0 (a super-seeder showed it nothing else yet), which a is
        // fetching. b must wait, not duplicate a's requests: piece 1 has not been requested from anybody.
        var metainfo = await MetainfoAsync(4);
        var picker = new PiecePicker(metainfo, new Bitfield(2), 4);
        var first = Bits(2, 0);
        picker.AddAvailability(first);
        picker.AddAvailability(first);
        var output = new List<BlockRequest>();
        Assert.Equal(2, picker.Pick("a", first, [], 10, output));
        output.Clear();
        Assert.Equal(0, picker.Pick("b", first, [], 10, output));
        Assert.False(picker.IsEndGame);

        // Once piece 1 is requested too, everything missing is requested: now b joins in (end game).
        var second = Bits(2, 1);
        picker.AddAvailability(second);
        Assert.Equal(2, picker.Pick("c", second, [], 10, output));
        output.Clear();
        Assert.Equal(2, picker.Pick("b", first, [], 10, output));
        Assert.True(picker.IsEndGame);
    }

    [Fact]
    public async Task In_progress_pieces_are_bounded()
    {
        var metainfo = await MetainfoAsync(20); // 10 pieces
        var picker = new PiecePicker(metainfo, new Bitfield(10), maxPartialPieces: 2);
        var has = Bits(10, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        picker.AddAvailability(has);
        var output = new List<BlockRequest>();
        picker.Pick("a", has, [], 100, output);
        Assert.Equal(4, output.Count);
        Assert.Equal(2, picker.PartialCount);
    }

    [Fact]
    public async Task Dropped_requests_become_free_again()
    {
        var metainfo = await MetainfoAsync(2);
        var picker = new PiecePicker(metainfo, new Bitfield(1), 4);
        var has = Bits(1, 0);
        var a = new HashSet<BlockRequest>();
        var output = new List<BlockRequest>();
        picker.Pick("a", has, a, 1, output);
        picker.OnRequestDropped(output[0]);
        output.Clear();
        picker.Pick("b", has, [], 1, output);
        Assert.Equal(new BlockRequest(0, 0, 16384), Assert.Single(output));
    }

    [Fact]
    public void Bitfield_decode_checks_length_and_spare_bits()
    {
        Assert.True(Bitfield.TryDecode([0b1010_0000], 3, out var b));
        Assert.True(b[0]);
        Assert.False(b[1]);
        Assert.True(b[2]);
        Assert.Equal(2, b.Count);
        Assert.False(Bitfield.TryDecode([0b1010_0001], 3, out _));
        Assert.False(Bitfield.TryDecode([0, 0], 3, out _));
        Assert.False(Bitfield.TryDecode([], 3, out _));
    }

    [Fact]
    public void Choker_unchokes_the_best_interested_peers_plus_one_optimistic()
    {
        var choker = new Choker(2);
        var candidates = new List<ChokeCandidate>
        {
            new("slow", true, 10), new("fast", true, 1000), new("medium", true, 500),
            new("uninterested", false, 10_000), new("new", true, 0),
        };
        var unchoked = choker.Decide(candidates, rotateOptimistic: true);
        Assert.Contains("fast", unchoked);
        Assert.Contains("medium", unchoked);
        Assert.DoesNotContain("uninterested", unchoked);
        Assert.Equal(3, unchoked.Count);
        Assert.Contains(choker.Optimistic, new object[] { "slow", "new" });
    }
}
