using System.Net;
using System.Net.Sockets;
using GitTorrent.Engine.Base;
using GitTorrent.Engine.Client;
using GitTorrent.Engine.Torrents;
using GitTorrent.Engine.Torrents.Storage;
using GitTorrent.Engine.Wire.Messages;
using GitTorrent.TestSupport;
using Microsoft.Extensions.Time.Testing;

namespace GitTorrent.Engine.Tests.Wire;

/// <summary>A download read in order while it arrives (<see cref="VerifiedPrefixStream"/>), with a lying peer in the swarm.</summary>
public sealed class StreamedDownloadTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_liars_pieces_never_reach_the_reader_of_a_streamed_download_and_the_liar_is_banned()
    {
        using var files = new TestFiles();
        var source = files.Create("seed.bin", 256 * 1024, seed: 5);
        var metainfo = await TorrentMetainfo.CreateAsync(source, pieceLength: 16 * 1024).WaitAsync(Timeout);
        await using var seeder = new TorrentEngine(SwarmTests.LoopbackOptions());
        await seeder.StartAsync(default);
        await seeder.AddSeedAsync(metainfo, source, default).WaitAsync(Timeout);

        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(ScriptedPeer.AttackerAddress, 0));
        listener.Listen();
        var liarEndPoint = (IPEndPoint)listener.LocalEndPoint!;
        await using var leecher = new TorrentEngine(SwarmTests.LoopbackOptions());
        await leecher.StartAsync(default);
        await using var stream = new VerifiedPrefixStream();
        stream.Admit();
        var download = leecher.DownloadAsync(metainfo, files.PathOf("streamed.bin"), null, stream, null, default);
        // The reader, as index-pack would be: everything it gets, in order, until the end of the file.
        var read = Task.Run(async () =>
        {
            var copy = new MemoryStream();
            await stream.CopyToAsync(copy);
            return copy.ToArray();
        });

        // The liar comes first and claims every piece; it answers every request with zeros until it is banned.
        var dial = leecher.ConnectToPeerAsync(metainfo.InfoHash, liarEndPoint, default);
        await using (var liar = await ScriptedPeer.AcceptAsync(listener))
        {
            Assert.NotNull(await liar.ReadExactlyAsync(Handshake.Length));
            await liar.SendHandshakeAsync(metainfo.InfoHash, 0);
            await dial.WaitAsync(Timeout);
            var all = new byte[Bitfield.ByteLength(metainfo.PieceCount)];
            Array.Fill(all, (byte)0xff);
            await liar.SendAsync(ScriptedPeer.Message(MessageId.Bitfield, all));
            await liar.SendAsync(ScriptedPeer.Message(MessageId.Unchoke));
            Assert.True(await liar.AnswerRequestsWithZerosAsync() >= 2);
        }
        Assert.Equal(0, stream.VerifiedPrefixBytes);

        await leecher.ConnectToPeerAsync(metainfo.InfoHash, seeder.LocalEndPoint!, default).WaitAsync(Timeout);
        await download.WaitAsync(Timeout);
        var bytes = await read.WaitAsync(Timeout);

        Assert.Equal(await File.ReadAllBytesAsync(source), bytes);
        var trouble = leecher.GetTrouble(metainfo.InfoHash)!;
        Assert.True(trouble.HashFailures >= 2, $"{trouble.HashFailures} hash failures");
        Assert.Contains(liarEndPoint, trouble.Banned);
    }

    /// <summary>
    /// A fetch admits index-pack to the stream once it knows the pack's size, from the download's progress. That size is
    /// reported when the metadata arrives, not at the next once-a-second tick: the leecher's clock here never moves, and
    /// a slow seeder keeps the download from completing (which reports too).
    /// </summary>
    [Fact]
    public async Task A_download_by_infohash_reports_its_size_as_soon_as_the_metadata_arrives()
    {
        using var files = new TestFiles();
        var source = files.Create("slow.bin", 2L * 1024 * 1024, seed: 9);
        var metainfo = await TorrentMetainfo.CreateAsync(source).WaitAsync(Timeout);
        var slow = SwarmTests.LoopbackOptions();
        slow.MaxUploadBytesPerSecond = 64 * 1024;
        await using var seeder = new TorrentEngine(slow);
        await seeder.StartAsync(default);
        await seeder.AddSeedAsync(metainfo, source, default).WaitAsync(Timeout);

        await using var leecher = new TorrentEngine(SwarmTests.LoopbackOptions(), null, new FakeTimeProvider(DateTimeOffset.UtcNow));
        await leecher.StartAsync(default);
        var sized = new TaskCompletionSource<DownloadProgress>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stop = new CancellationTokenSource();
        var download = leecher.DownloadAsync(metainfo.InfoHash, files.PathOf("slow.out"), new StaticPeerDiscovery([seeder.LocalEndPoint!]),
            new InlineProgress<DownloadProgress>(p =>
            {
                if (p.HasMetadata)
                {
                    sized.TrySetResult(p);
                }
            }), stop.Token);

        var first = await sized.Task.WaitAsync(Timeout);
        Assert.Equal(metainfo.Length, first.TotalBytes);
        Assert.False(first.IsComplete);
        Assert.False(download.IsCompleted);
        await stop.CancelAsync();
    }
}
