using GitTorrent.Engine.Fetch;
using System.Net;
using GitTorrent.Engine.Bencoding;
using GitTorrent.Engine.Git;
using GitTorrent.Engine.Client;
using GitTorrent.Engine.Node;
using GitTorrent.Engine.Tests.Wire;
using GitTorrent.Engine.Wire;
using GitTorrent.Engine.Wire.Extensions;
using GitTorrent.Engine.Wire.Messages;
using GitTorrent.TestSupport;
using Microsoft.Extensions.Time.Testing;

namespace GitTorrent.Engine.Tests.Client;

/// <summary>
/// Idle connections of issue 11: one host holding hundreds of handshaked sockets, sockets that never handshake, and
/// handshakes naming commits nobody serves. The attacker connects from 127.0.0.2, the honest client from 127.0.0.1.
/// </summary>
public sealed class ConnectionFloodTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);
    private readonly TestNodes _nodes = new("gt-conn-");

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _nodes.DisposeAsync();

    [Fact]
    public async Task Five_hundred_idle_sockets_from_one_address_do_not_stop_an_honest_fetch_and_are_closed_when_idle()
    {
        using var cts = new CancellationTokenSource(Timeout);
        using var source = new TempGitRepo();
        source.Commit("a.txt", "a\n");
        var tip = source.Commit("b.txt", "b\n");
        var seeder = await StartAsync("seeder", TimeSpan.FromSeconds(3), cts.Token);
        seeder.SetRepositories([new ServedRepository("repo", source.Root)]);
        await seeder.WaitForServedCommitsAsync(cts.Token);
        var seederEndPoint = new IPEndPoint(IPAddress.Loopback, seeder.Torrents.Port);

        // 520 handshakes for a commit the seeder serves, 40 at a time, all kept open and silent.
        List<ScriptedPeer> held = [];
        var refused = 0;
        for (var batch = 0; batch < 13; batch++)
        {
            foreach (var peer in await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => GitTorrentAttacker.HandshakeAsync(seederEndPoint, tip))))
            {
                if (peer is null)
                {
                    refused++;
                }
                else
                {
                    held.Add(peer);
                }
            }
        }
        foreach (var peer in held)
        {
            _nodes.Add(peer);
        }

        // The honest clone meanwhile.
        var client = await StartAsync("client", TorrentEngineOptions.DefaultBareIdleTimeout, cts.Token);
        using var target = new TempGitRepo(bare: true);
        await using var fetcher = new SwarmFetcher(client);
        var result = await fetcher.FetchAsync(tip, [], target.GitDir, new SwarmFetchOptions([seederEndPoint]), cts.Token).WaitAsync(cts.Token);
        Assert.True(result.Success, string.Join("; ", result.Failures));
        target.Git("update-ref", "refs/heads/main", tip.ToString());
        target.Git("fsck", "--strict");

        Assert.InRange(held.Count, 1, TorrentEngineOptions.DefaultMaxConnectionsPerAddress);
        Assert.Equal(520, held.Count + refused);
        var limits = seeder.GetStatistics().Limits!;
        Assert.True(limits.RefusedPerAddress >= refused, $"{limits.RefusedPerAddress} refusals counted, {refused} seen");

        // Silent past the bare idle timeout: closed by the seeder, and counted.
        foreach (var peer in held)
        {
            Assert.True(await peer.IsClosedByRemoteAsync(TimeSpan.FromSeconds(60)), "an idle socket was left open");
        }
        Assert.True(seeder.GetStatistics().Limits!.IdleClosed >= held.Count);
    }

    [Fact]
    public async Task Handshakes_for_unknown_commits_are_refused_without_running_git()
    {
        using var cts = new CancellationTokenSource(Timeout);
        using var source = new TempGitRepo();
        var tip = source.Commit("a.txt", "a\n");
        var seeder = await StartAsync("seeder", TorrentEngineOptions.DefaultBareIdleTimeout, cts.Token);
        seeder.SetRepositories([new ServedRepository("repo", source.Root)]);
        await seeder.WaitForServedCommitsAsync(cts.Token);
        var seederEndPoint = new IPEndPoint(IPAddress.Loopback, seeder.Torrents.Port);

        await using var probe = new GitProcessProbe(source.Root, "cat-file");
        // The probe sees a cat-file in this repository when there is one.
        using (var control = System.Diagnostics.Process.Start(GitRunner.CreateStartInfo(source.Root, ["cat-file", "--batch"]))!)
        {
            for (var i = 0; i < 250 && probe.Seen == 0; i++)
            {
                await Task.Delay(20, cts.Token);
            }
            control.StandardInput.Close();
            await control.WaitForExitAsync(cts.Token);
        }
        Assert.Equal(1, probe.Seen);

        for (var batch = 0; batch < 30; batch++)
        {
            var answers = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => GitTorrentAttacker.HandshakeAsync(seederEndPoint, Hash20.Random())));
            Assert.All(answers, Assert.Null);
        }
        await using (var accepted = await GitTorrentAttacker.HandshakeAsync(seederEndPoint, tip))
        {
            Assert.NotNull(accepted);
        }

        Assert.Equal(1, probe.Seen); // the control's only
        Assert.Equal(300, seeder.GetStatistics().Limits!.UnknownInfoHashes);
    }

    [Fact]
    public async Task A_bare_connection_closes_after_the_idle_timeout_on_fake_time_but_not_while_its_request_is_served()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var commit = Hash20.Random();
        var options = SwarmTests.LoopbackOptions();
        options.BareIdleTimeout = TimeSpan.FromSeconds(30);
        var engine = new TorrentEngine(options, null, time) { UnknownInfoHashHandler = new AcceptOnly(commit) };
        _nodes.Add(engine);
        var work = new WorkingExtension();
        engine.Extensions.Register(work);
        await engine.StartAsync(default);

        // Silent but for keep-alives: closed once 30 s have passed.
        var (idle, _) = await HandshakeAndExtensionsAsync(engine, commit);
        _nodes.Add(idle);
        time.Advance(TimeSpan.FromSeconds(29));
        await idle.SendAsync(new byte[4]); // keep-alive
        Assert.False(await idle.IsClosedByRemoteAsync(TimeSpan.FromMilliseconds(300)));
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.True(await idle.IsClosedByRemoteAsync(TimeSpan.FromSeconds(30)));

        // A request being served keeps its connection, however long; once done, the clock runs.
        var (busy, id) = await HandshakeAndExtensionsAsync(engine, commit);
        _nodes.Add(busy);
        await busy.SendAsync(ScriptedPeer.Message(MessageId.Extended, [id, .. "ask"u8.ToArray()]));
        await work.Started.Task.WaitAsync(Timeout);
        time.Advance(TimeSpan.FromSeconds(31));
        Assert.False(await busy.IsClosedByRemoteAsync(TimeSpan.FromMilliseconds(300)));
        time.Advance(TimeSpan.FromSeconds(31));
        Assert.False(await busy.IsClosedByRemoteAsync(TimeSpan.FromMilliseconds(300)));
        work.Finish();
        time.Advance(TimeSpan.FromSeconds(31));
        Assert.True(await busy.IsClosedByRemoteAsync(TimeSpan.FromSeconds(30)));

        // A socket that never handshakes: closed at the handshake timeout.
        // (The engine arms the timeout once it has accepted the socket, which the test cannot see: the clock moves on a
        // handshake timeout at a time until the socket closes.)
        await using var mute = await ScriptedPeer.ConnectAsync(engine.LocalEndPoint!, ScriptedPeer.AttackerAddress);
        var closed = false;
        for (var i = 0; i < 50 && !closed; i++)
        {
            time.Advance(options.HandshakeTimeout);
            closed = await mute.IsClosedByRemoteAsync(TimeSpan.FromMilliseconds(200));
        }
        Assert.True(closed);

        var stats = engine.GetConnectionStatistics();
        Assert.Equal(2, stats.IdleClosed);
        Assert.Equal(1, stats.HandshakeTimeouts);
    }

    [Fact]
    public async Task Inbound_sockets_cannot_take_the_slots_of_our_own_dials()
    {
        var options = SwarmTests.LoopbackOptions();
        options.MaxInboundConnections = 5;
        options.MaxConnectionsPerAddress = 100;
        var commit = Hash20.Random();
        var victim = new TorrentEngine(options) { UnknownInfoHashHandler = new AcceptOnly(commit) };
        _nodes.Add(victim);
        await victim.StartAsync(default);
        var other = new TorrentEngine(SwarmTests.LoopbackOptions()) { UnknownInfoHashHandler = new AcceptOnly(commit) };
        _nodes.Add(other);
        await other.StartAsync(default);

        var sockets = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => GitTorrentAttacker.HandshakeAsync(victim.LocalEndPoint!, commit)));
        foreach (var socket in sockets.OfType<ScriptedPeer>())
        {
            _nodes.Add(socket);
        }

        // Inbound is full; our dial still goes out.
        await using var dialled = await victim.ConnectBareAsync(commit, other.LocalEndPoint!, default).WaitAsync(Timeout);
        var stats = victim.GetConnectionStatistics();
        Assert.Equal(5, sockets.Count(s => s is not null));
        Assert.Equal(5, stats.Inbound);
        Assert.Equal(1, stats.Outbound);
        Assert.Equal(5, stats.RefusedInbound);
    }

    /// <summary>Handshakes; returns once the engine's BEP 10 handshake came (its idle watch runs by then), with its ut_gittorrent id.</summary>
    private static async Task<(ScriptedPeer Peer, byte Id)> HandshakeAndExtensionsAsync(TorrentEngine engine, Hash20 commit)
    {
        var peer = await GitTorrentAttacker.HandshakeAsync(engine.LocalEndPoint!, commit) ?? throw new InvalidOperationException("refused");
        var frame = await peer.ReadMessageAsync();
        Assert.Equal(MessageId.Extended, frame!.Value.Id);
        var id = BencodeReader.DecodeDictionary(frame.Value.Payload.AsMemory(1), BencodeReadOptions.Lenient)
            .GetDictionary("m")!.GetInteger(GitTorrentMessage.ExtensionName)!.Value;
        return (peer, (byte)id);
    }

    private sealed class AcceptOnly(Hash20 commit) : IUnknownInfoHashHandler
    {
        public ValueTask<bool> ShouldAcceptAsync(Hash20 infoHash, IPEndPoint remote, CancellationToken cancellationToken) =>
            ValueTask.FromResult(infoHash == commit);
    }

    /// <summary>Marks its connection as worked on from the first message until <see cref="Finish"/>.</summary>
    private sealed class WorkingExtension : IExtension
    {
        private PeerConnection? _connection;

        public string Name => GitTorrentMessage.ExtensionName;

        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void OnMessage(PeerConnection connection, ReadOnlyMemory<byte> payload)
        {
            connection.BeginWork();
            _connection = connection;
            Started.TrySetResult();
        }

        public void Finish() => _connection!.EndWork();
    }

    private Task<GitTorrentNode> StartAsync(string name, TimeSpan bareIdleTimeout, CancellationToken cancellationToken) =>
        _nodes.StartAsync(new GitTorrentNodeOptions
        {
            StateDirectory = _nodes.Folder(name),
            Bind = IPAddress.Loopback,
            Bootstrap = [],
            Limits = new NodeLimits { BareIdleTimeout = bareIdleTimeout },
            FetchTimeout = TimeSpan.FromSeconds(60),
            AskTimeout = TimeSpan.FromSeconds(10),
        }, cancellationToken);
}
