using GitTorrent.Engine.Base;
using GitTorrent.Engine.Git;
using GitTorrent.Engine.Torrents;
using GitTorrent.Engine.Torrents.Storage;
using GitTorrent.TestSupport;

namespace GitTorrent.Engine.Tests.Git;

/// <summary>
/// A pack streamed into <c>git index-pack</c> while its pieces arrive (<see cref="VerifiedPrefixStream"/>): git reads
/// only the verified prefix of the file, in order, whatever order the pieces come in; a pack git refuses half way
/// ends the import at once and leaves nothing in the repository.
/// </summary>
public sealed class StreamedPackImportTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private const int PieceLength = 16 * 1024;
    private readonly TempGitRepo _source = new();
    private readonly TempGitRepo _target = new(bare: true);
    private readonly TestFiles _files = new();

    private async Task<(Hash20 Tip, byte[] Pack)> PackAsync(CancellationToken cancellationToken)
    {
        var random = new Random(7);
        for (var i = 0; i < 4; i++)
        {
            _source.CommitRandomHex($"data{i}.txt", 60_000, random); // some hundred KB of pack: many pieces
        }
        var tip = _source.Commit();
        var buffer = new MemoryStream();
        await PackBuilder.BuildAsync(_source.Root, tip, [], buffer, cancellationToken);
        return (tip, buffer.ToArray());
    }

    /// <summary>
    /// Where the zlib stream of the first whole (not deltified) object at or after <paramref name="from"/> starts, found
    /// with <c>git verify-pack -v</c> (lines "id type size size-in-pack offset"; deltas have two more fields).
    /// </summary>
    private int ZlibHeaderOfFirstObjectFrom(byte[] pack, int from)
    {
        var file = _files.PathOf("probe.pack");
        File.WriteAllBytes(file, pack);
        TempGitRepo.Run(_source.Root, "index-pack", file);
        var offset = TempGitRepo.Run(_source.Root, "verify-pack", "-v", Path.ChangeExtension(file, ".idx"))
            .Split('\n').Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(f => f.Length == 5 && f[0].Length == Hash20.Length * 2)
            .Select(f => int.Parse(f[4], System.Globalization.CultureInfo.InvariantCulture))
            .Where(o => o >= from).Min();
        while ((pack[offset] & 0x80) != 0)
        {
            offset++; // the type and size header: 7 bits a byte while the top bit is set
        }
        return offset + 1;
    }

    /// <summary>A download's file and its stream, with pieces "verified and written" by the test.</summary>
    private async Task<(VerifiedPrefixStream Stream, TorrentMetainfo Metainfo, string Path)> DownloadOfAsync(byte[] pack,
        CancellationToken cancellationToken)
    {
        var metainfo = await TorrentMetainfo.CreateAsync(new MemoryStream(pack), "pack", pieceLength: PieceLength,
            cancellationToken: cancellationToken);
        var path = _files.PathOf(Guid.NewGuid().ToString("N") + ".pack");
        await File.WriteAllBytesAsync(path, [], cancellationToken);
        var stream = new VerifiedPrefixStream();
        stream.Attach(metainfo, path, new Bitfield(metainfo.PieceCount));
        stream.Admit();
        return (stream, metainfo, path);
    }

    private static async Task WritePieceAsync(VerifiedPrefixStream stream, string path, byte[] bytes, int piece)
    {
        await using (var file = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
        {
            file.Position = (long)piece * PieceLength;
            await file.WriteAsync(bytes.AsMemory(piece * PieceLength, Math.Min(PieceLength, bytes.Length - (piece * PieceLength))));
        }
        stream.PieceWritten(piece);
    }

    [Fact]
    public async Task Pieces_arriving_out_of_order_reach_index_pack_in_order_and_the_pack_is_imported()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var (tip, pack) = await PackAsync(cts.Token);
        var (stream, metainfo, path) = await DownloadOfAsync(pack, cts.Token);
        await using var owned = stream;
        Assert.True(metainfo.PieceCount >= 8, $"only {metainfo.PieceCount} pieces");
        var import = PackImporter.ImportAsync(_target.GitDir, stream, tip, [], cts.Token);

        // Every piece but the first: git gets nothing, since the verified prefix is empty.
        var order = Enumerable.Range(1, metainfo.PieceCount - 1).Reverse().ToList();
        foreach (var piece in order)
        {
            await WritePieceAsync(stream, path, pack, piece);
        }
        Assert.Equal(0, stream.VerifiedPrefixBytes);
        Assert.Equal(0, stream.Position);
        Assert.False(import.IsCompleted);

        await WritePieceAsync(stream, path, pack, 0);
        var result = await import.WaitAsync(cts.Token);

        Assert.True(result.Success, result.Error);
        Assert.Equal(pack.Length, result.PackBytes);
        _target.Git("update-ref", "refs/heads/main", tip.ToString());
        _target.Git("fsck", "--strict");
    }

    [Fact]
    public async Task A_pack_git_refuses_part_way_ends_the_import_before_the_rest_arrives_and_leaves_nothing_behind()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var (tip, pack) = await PackAsync(cts.Token);
        // Spoil the zlib header of the first whole object past the first piece: git fails on it as soon as it reads it
        // (the torrent is made of the spoiled bytes, so every piece "verifies").
        var spoiled = pack.ToArray();
        var at = ZlibHeaderOfFirstObjectFrom(pack, PieceLength);
        spoiled[at] = 0;
        spoiled[at + 1] = 0;
        var (stream, metainfo, path) = await DownloadOfAsync(spoiled, cts.Token);
        await using var owned = stream;
        var import = PackImporter.ImportAsync(_target.GitDir, stream, tip, [], cts.Token);

        // The pieces up to one past the spoiled bytes arrive (what git has not read of them fits in its pipe, so the copy
        // then waits for the next piece, which never comes): the import ends without waiting for the rest.
        var delivered = Math.Min(metainfo.PieceCount - 1, ((at + 2) / PieceLength) + 2);
        for (var piece = 0; piece < delivered; piece++)
        {
            await WritePieceAsync(stream, path, spoiled, piece);
        }
        var result = await import.WaitAsync(cts.Token);

        Assert.False(result.Success);
        Assert.Contains("corrupt", result.Error);
        Assert.Equal((long)delivered * PieceLength, stream.Position);
        var objects = Path.Combine(_target.GitDir, "objects");
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(objects, "pack")));
        Assert.Empty(Directory.EnumerateDirectories(objects, "incoming-*"));
    }

    [Fact]
    public async Task A_download_that_stops_fails_the_waiting_read()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var (_, pack) = await PackAsync(cts.Token);
        var (stream, _, path) = await DownloadOfAsync(pack, cts.Token);
        await using var owned = stream;
        await WritePieceAsync(stream, path, pack, 0);
        var buffer = new byte[2 * PieceLength];
        Assert.Equal(PieceLength, await stream.ReadAsync(buffer, cts.Token));
        var waiting = stream.ReadAsync(buffer, cts.Token).AsTask();
        Assert.False(waiting.IsCompleted);

        stream.Fail(new OperationCanceledException("removed"));

        await Assert.ThrowsAsync<GitTorrentException>(() => waiting.WaitAsync(cts.Token));
    }

    public void Dispose()
    {
        _source.Dispose();
        _target.Dispose();
        _files.Dispose();
    }
}
