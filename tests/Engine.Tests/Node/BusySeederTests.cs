using System.Net;
using GitTorrent.Engine.Fetch;
using GitTorrent.Engine.Git;
using GitTorrent.Engine.Client;
using GitTorrent.Engine.Node;
using GitTorrent.Engine.Torrents;
using GitTorrent.Engine.Wire;
using GitTorrent.Engine.Wire.Extensions;
using GitTorrent.TestSupport;

namespace GitTorrent.Engine.Tests.Node;

/// <summary>
/// A seeder building as many packs as it takes at once answers further requests with "busy": a fetch asks it again after
/// a pause instead of giving up on it (a clone of many branches from one daemon, or several clones at once, hits this).
/// </summary>
public sealed class BusySeederTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>Requests the seeder answers at once: below the default (16), so the setting is what bites.</summary>
    private const int Limit = 5;
    private readonly TestNodes _nodes = new("gt-busy-");

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _nodes.DisposeAsync();

    [Fact]
    public async Task A_fetch_from_a_busy_seeder_asks_again_and_gets_the_pack_once_it_has_room()
    {
        using var cts = new CancellationTokenSource(Timeout);
        using var source = new TempGitRepo();
        source.Commit("a.txt", "a\n");
        var tip = source.Commit("b.txt", "b\n");

        // The seeder: the real engine and ut_gittorrent extension, with a pack provider that holds every request until
        // released, so that Limit requests fill it up (the extension's MaxConcurrentRequests, a setting).
        var pack = Path.Combine(_nodes.Folder("seeder"), tip + ".pack");
        Directory.CreateDirectory(Path.GetDirectoryName(pack)!);
        await using (var output = File.Create(pack))
        {
            await PackBuilder.BuildAsync(source.Root, tip, [], output, cts.Token);
        }
        var metainfo = await TorrentMetainfo.CreateAsync(pack, tip + ".pack", cancellationToken: cts.Token);
        var provider = new HeldProvider(tip, metainfo.InfoHash);
        var seeder = new TorrentEngine(new TorrentEngineOptions { ListenAddress = IPAddress.Loopback, ListenPort = 0 });
        _nodes.Add(seeder);
        var extension = new GitTorrentExtension(provider, null, Limit);
        seeder.Extensions.Register(extension);
        seeder.UnknownInfoHashHandler = provider;
        await seeder.StartAsync(cts.Token);
        await seeder.AddSeedAsync(metainfo, pack, cts.Token);
        var seederEndPoint = new IPEndPoint(IPAddress.Loopback, seeder.Port);

        var client = await _nodes.StartAsync(new GitTorrentNodeOptions
        {
            StateDirectory = _nodes.Folder("client"),
            Bind = IPAddress.Loopback,
            Bootstrap = [],
            FetchTimeout = TimeSpan.FromSeconds(30),
            StallTimeout = TimeSpan.FromSeconds(10),
            AskTimeout = TimeSpan.FromSeconds(5),
        }, cts.Token);

        // Fill the seeder up.
        var held = new List<(PeerConnection Connection, Task<GitTorrentMessage> Answer)>();
        for (var i = 0; i < Limit; i++)
        {
            var connection = await client.Torrents.ConnectBareAsync(tip, seederEndPoint, cts.Token);
            held.Add((connection, GitTorrentExtension.AskAsync(connection, tip, [], Timeout, cts.Token)));
        }
        await provider.WaitForHeldAsync(Limit).WaitAsync(cts.Token);

        // A fetch now is told "busy"; room is made a moment later, and the fetch's next ask gets the pack.
        using var target = new TempGitRepo(bare: true);
        await using var fetcher = new SwarmFetcher(client);
        var fetching = fetcher.FetchAsync(tip, [], target.GitDir, new SwarmFetchOptions([seederEndPoint]), cts.Token);
        while (extension.ErrorsSent == 0)
        {
            Assert.False(fetching.IsCompleted, "the fetch ended before the seeder had room");
            await Task.Delay(10, cts.Token);
        }
        provider.Release();
        var result = await fetching.WaitAsync(cts.Token);

        Assert.True(result.Success, string.Join("; ", result.Failures));
        Assert.Equal(metainfo.InfoHash, result.InfoHash);
        Assert.Equal([seederEndPoint], result.Peers);
        Assert.True(extension.ErrorsSent >= 1);
        Assert.Equal(Limit + 1 + (int)extension.ErrorsSent, (int)extension.RequestsReceived);
        Assert.Equal(extension.ErrorsSent, extension.RequestsRefused); // every busy answer was the request bound, counted
        target.Git("update-ref", "refs/heads/main", tip.ToString());
        target.Git("fsck", "--strict");
        foreach (var (connection, answer) in held)
        {
            Assert.Equal(metainfo.InfoHash, (await answer.WaitAsync(cts.Token)).InfoHash);
            await connection.DisposeAsync();
        }
    }

    /// <summary>Answers every request for the commit with the pack's infohash, but only once released.</summary>
    private sealed class HeldProvider(Hash20 commit, Hash20 infoHash) : IGitTorrentPackProvider, IUnknownInfoHashHandler
    {
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _held;

        public void Release() => _release.TrySetResult();

        public async Task WaitForHeldAsync(int count)
        {
            while (Volatile.Read(ref _held) < count)
            {
                await Task.Delay(10);
            }
        }

        public async Task<Hash20> GetPackInfoHashAsync(Hash20 want, IReadOnlyList<Hash20> haves, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _held);
            await _release.Task.WaitAsync(cancellationToken);
            return want == commit ? infoHash : throw new GitTorrentException($"no commit {want}");
        }

        public ValueTask<bool> ShouldAcceptAsync(Hash20 infoHash, IPEndPoint remote, CancellationToken cancellationToken) =>
            ValueTask.FromResult(infoHash == commit);

        public void OnAccepted(PeerConnection connection)
        {
        }
    }
}
