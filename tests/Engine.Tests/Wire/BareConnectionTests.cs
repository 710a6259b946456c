using System.Net;
using System.Text;
using System.Threading.Channels;
using GitTorrent.Engine.Client;
using GitTorrent.Engine.Torrents;
using GitTorrent.Engine.Wire;
using GitTorrent.Engine.Wire.Extensions;
using Microsoft.Extensions.Time.Testing;

using GitTorrent.TestSupport;

namespace GitTorrent.Engine.Tests.Wire;

/// <summary>
/// The path ut_gittorrent takes: a handshake whose info_hash is a commit id no torrent has, accepted by the
/// unknown-infohash hook, then BEP 10 messages through the extension registry in both directions.
/// </summary>
public sealed class BareConnectionTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private static readonly Hash20 Commit = Hash20.Parse("5fbfea8de70ddc686dafdd24b690893f98eb9475");

    private sealed class EchoExtension : IExtension
    {
        public Channel<string> Received { get; } = Channel.CreateUnbounded<string>();

        public bool Echo { get; init; }

        public string Name => "ut_gittorrent";

        public void OnMessage(PeerConnection connection, ReadOnlyMemory<byte> payload)
        {
            var text = Encoding.UTF8.GetString(payload.Span);
            Received.Writer.TryWrite($"{connection.InfoHash}:{text}");
            if (Echo)
            {
                connection.SendExtended(Name, Encoding.UTF8.GetBytes("reply to " + text));
            }
        }
    }

    private sealed class AcceptCommits(params Hash20[] commits) : IUnknownInfoHashHandler
    {
        public List<Hash20> Asked { get; } = [];

        public ValueTask<bool> ShouldAcceptAsync(Hash20 infoHash, IPEndPoint remote, CancellationToken cancellationToken)
        {
            lock (Asked)
            {
                Asked.Add(infoHash);
            }
            return ValueTask.FromResult(commits.Contains(infoHash));
        }
    }

    [Fact]
    public async Task Unknown_infohash_is_routed_to_the_hook_and_extension_messages_flow_both_ways()
    {
        var serverExtension = new EchoExtension { Echo = true };
        var hook = new AcceptCommits(Commit);
        await using var server = new TorrentEngine(SwarmTests.LoopbackOptions()) { UnknownInfoHashHandler = hook };
        server.Extensions.Register(serverExtension);
        await server.StartAsync(default);

        var clientExtension = new EchoExtension();
        await using var client = new TorrentEngine(SwarmTests.LoopbackOptions());
        client.Extensions.Register(clientExtension);
        await client.StartAsync(default);

        await using var connection = await client.ConnectBareAsync(Commit, server.LocalEndPoint!, default).WaitAsync(Timeout);
        var handshake = await connection.RemoteExtensionHandshake.WaitAsync(Timeout);
        Assert.NotNull(handshake.GetDictionary("m"));
        Assert.True(connection.RemoteExtensions.ContainsKey("ut_gittorrent"));
        Assert.True(connection.RemoteExtensions.ContainsKey("ut_metadata"));

        Assert.True(connection.SendExtended("ut_gittorrent", Encoding.UTF8.GetBytes("hello")));
        Assert.Equal($"{Commit}:hello", await serverExtension.Received.Reader.ReadAsync().AsTask().WaitAsync(Timeout));
        Assert.Equal($"{Commit}:reply to hello", await clientExtension.Received.Reader.ReadAsync().AsTask().WaitAsync(Timeout));
        Assert.Contains(Commit, hook.Asked);
    }

    [Fact]
    public async Task Refused_unknown_infohash_closes_the_connection()
    {
        await using var server = new TorrentEngine(SwarmTests.LoopbackOptions()) { UnknownInfoHashHandler = new AcceptCommits() };
        await server.StartAsync(default);
        await using var client = new TorrentEngine(SwarmTests.LoopbackOptions());
        await client.StartAsync(default);

        var error = await Assert.ThrowsAsync<GitTorrentException>(() =>
            client.ConnectBareAsync(Commit, server.LocalEndPoint!, default).WaitAsync(Timeout));
        Assert.Contains("handshake", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Statistics_count_payload_per_torrent_and_per_peer()
    {
        using var files = new TestFiles();
        var source = files.Create("stats.bin", 600_000, seed: 9);
        var metainfo = await TorrentMetainfo.CreateAsync(source).WaitAsync(Timeout);
        // The seeder's upload limit runs on a clock that stands still: it sends one second's worth (its burst) and
        // then waits for the test to move the clock, so the download is caught mid-way every time.
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var options = SwarmTests.LoopbackOptions();
        options.MaxUploadBytesPerSecond = 300_000;
        await using var seeder = new TorrentEngine(options, null, time);
        await seeder.StartAsync(default);
        await seeder.AddSeedAsync(metainfo, source, default).WaitAsync(Timeout);
        await using var leecher = new TorrentEngine(SwarmTests.LoopbackOptions());
        await leecher.StartAsync(default);
        var download = leecher.DownloadAsync(metainfo, files.PathOf("o.bin"), new StaticPeerDiscovery([seeder.LocalEndPoint!]),
            null, default);

        using (var cts = new CancellationTokenSource(Timeout))
        {
            while (seeder.GetStatistics(metainfo.InfoHash)!.Uploaded < 16 * 1024)
            {
                Assert.False(cts.IsCancellationRequested, "the seeder never uploaded a block");
                await Task.Delay(20, CancellationToken.None);
            }
        }
        var peer = Assert.Single(seeder.GetStatistics(metainfo.InfoHash)!.Peers);
        Assert.InRange(peer.Uploaded, 16 * 1024, options.MaxUploadBytesPerSecond + (16 * 1024));
        Assert.False(download.IsCompleted);
        Assert.Equal(leecher.PeerId, peer.PeerId);
        Assert.False(peer.AmChoking);
        Assert.True(peer.PeerInterested);

        // Let the clock run: one fake second at a time until the rest has been sent.
        using (var cts = new CancellationTokenSource(Timeout))
        {
            while (!download.IsCompleted)
            {
                Assert.False(cts.IsCancellationRequested, "the download did not finish");
                time.Advance(TimeSpan.FromSeconds(1));
                await Task.WhenAny(download, Task.Delay(50, CancellationToken.None));
            }
        }
        await download.WaitAsync(Timeout);

        var torrent = seeder.GetStatistics(metainfo.InfoHash)!;
        Assert.Equal(metainfo.Length, torrent.Uploaded);
        Assert.Equal(0, torrent.Downloaded);
        Assert.Equal(metainfo.Length, torrent.Size);
        var all = seeder.GetStatistics();
        Assert.Equal(metainfo.Length, all.Uploaded);
        Assert.Single(all.Torrents);
        Assert.Equal(metainfo.Length, leecher.GetStatistics().Downloaded);
    }
}
