using GitTorrent.Engine.Tests.Wire;
using GitTorrent.Engine.Torrents;
using GitTorrent.Engine.Torrents.Storage;

using GitTorrent.TestSupport;

namespace GitTorrent.Engine.Tests.Torrents;

public sealed class PieceStoreTests
{
    [Fact]
    public async Task Resume_check_hashes_only_pieces_that_were_written()
    {
        using var files = new TestFiles();
        var source = files.Create("src.bin", 40 * 64 * 1024, seed: 8);
        var metainfo = await TorrentMetainfo.CreateAsync(source, pieceLength: 64 * 1024).WaitAsync(TimeSpan.FromSeconds(10));
        var content = await File.ReadAllBytesAsync(source);
        var target = files.PathOf("sparse.bin");
        using (var handle = File.OpenHandle(target, FileMode.Create, FileAccess.Write))
        {
            foreach (var piece in new[] { 3, 17, 30 })
            {
                RandomAccess.Write(handle, content.AsSpan(piece * 65536, 65536), piece * 65536L);
            }
            var corrupt = new byte[65536];
            Array.Fill(corrupt, (byte)1);
            RandomAccess.Write(handle, corrupt, 35 * 65536L); // written but wrong
        }

        await using var store = PieceStore.OpenForDownload(metainfo, target);
        var have = await store.CheckExistingAsync(default).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(3, have.Count);
        Assert.True(have[3] && have[17] && have[30]);
        Assert.False(have[35]);
        // The file is 36 pieces long but only 4 were written: where the file system keeps holes (ext4, xfs, tmpfs;
        // told apart here by its allocated size, not by the code under test) exactly those 4 are read.
        Assert.True(TestFiles.AllocatedBytes(target) < 36 * 65536L, "the test directory's file system keeps no holes");
        Assert.Equal(4, store.LastCheckHashedPieces);
    }
}
