using System.Net;
using GitTorrent.Engine;
using GitTorrent.Engine.Git;
using GitTorrent.Engine.Client;
using GitTorrent.Engine.Torrents;
using GitTorrent.Engine.Wire.Extensions;

namespace GitTorrent.Cli.Tests.Remote;

/// <summary>
/// A scripted seeder speaking the real wire protocol (our <see cref="TorrentEngine"/> with the ut_gittorrent extension)
/// that accepts handshakes for <see cref="Commit"/> and misbehaves as told. Announce it in the DHT with
/// <see cref="AnnounceAsync"/>.
/// </summary>
internal sealed class HostileSeeder : IAsyncDisposable, IGitTorrentPackProvider, IUnknownInfoHashHandler
{
    private readonly TorrentEngine _engine;
    private readonly string _folder;
    private Hash20 _answer;

    private HostileSeeder(HostileKind kind, Hash20 commit, string folder)
    {
        Kind = kind;
        Commit = commit;
        _folder = folder;
        _engine = new TorrentEngine(new TorrentEngineOptions { ListenAddress = IPAddress.Loopback, ListenPort = 0 });
        _engine.Extensions.Register(new GitTorrentExtension(this));
        _engine.UnknownInfoHashHandler = this;
    }

    public HostileKind Kind { get; }

    public Hash20 Commit { get; }

    public int Port => _engine.Port;

    /// <summary>The pack infohash it answers with (default for <see cref="HostileKind.Silent"/>).</summary>
    public Hash20 AnswerInfoHash => _answer;

    /// <summary>Payload bytes this seeder has sent.</summary>
    public long Uploaded => _engine.GetStatistics().Uploaded;

    /// <summary>
    /// Starts a hostile seeder for <paramref name="commit"/> of <paramref name="repository"/>. The packs are built the way
    /// a daemon builds them (no haves), so a corrupt seeder shares its infohash with an honest daemon serving the same repository.
    /// </summary>
    public static async Task<HostileSeeder> StartAsync(HostileKind kind, string repository, Hash20 commit, string folder,
        CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(folder);
        var seeder = new HostileSeeder(kind, commit, folder);
        await seeder._engine.StartAsync(cancellationToken);
        switch (kind)
        {
            case HostileKind.WrongPack:
                var parent = Hash20.Parse(TestSupport.TempGitRepo.Run(repository, "rev-parse", commit + "^").Trim());
                var (wrong, wrongPath) = await BuildPackTorrentAsync(repository, parent, folder, cancellationToken);
                await seeder._engine.AddSeedAsync(wrong, wrongPath, cancellationToken);
                seeder._answer = wrong.InfoHash;
                break;
            case HostileKind.CorruptPieces:
                var (right, rightPath) = await BuildPackTorrentAsync(repository, commit, folder, cancellationToken);
                var corrupt = Path.Combine(folder, "corrupt.pack");
                var bytes = await File.ReadAllBytesAsync(rightPath, cancellationToken);
                for (var offset = 0L; offset < bytes.Length; offset += 4096)
                {
                    bytes[offset] ^= 0x5a;
                }
                await File.WriteAllBytesAsync(corrupt, bytes, cancellationToken);
                await seeder._engine.AddSeedAsync(right, corrupt, cancellationToken);
                seeder._answer = right.InfoHash;
                break;
        }
        return seeder;
    }

    /// <summary>Builds the pack for <paramref name="commit"/> like the daemon does and makes its torrent.</summary>
    public static async Task<(TorrentMetainfo Metainfo, string Path)> BuildPackTorrentAsync(string repository, Hash20 commit,
        string folder, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, commit + ".pack");
        await using (var output = File.Create(path))
        {
            await PackBuilder.BuildAsync(repository, commit, [], output, cancellationToken);
        }
        return (await TorrentMetainfo.CreateAsync(path, commit + ".pack", cancellationToken: cancellationToken), path);
    }

    /// <summary>Announces <see cref="Commit"/> (and the pack it answers with) under this seeder's port from <paramref name="dht"/>.</summary>
    public async Task AnnounceAsync(Engine.Dht.DhtNode dht, CancellationToken cancellationToken)
    {
        await dht.AnnounceAsync(Commit, Port, cancellationToken);
        if (Kind != HostileKind.Silent)
        {
            await dht.AnnounceAsync(_answer, Port, cancellationToken);
        }
    }

    public async Task<Hash20> GetPackInfoHashAsync(Hash20 want, IReadOnlyList<Hash20> haves, CancellationToken cancellationToken)
    {
        if (Kind == HostileKind.Silent)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        return _answer;
    }

    public ValueTask<bool> ShouldAcceptAsync(Hash20 infoHash, IPEndPoint remote, CancellationToken cancellationToken) =>
        ValueTask.FromResult(infoHash == Commit);

    public async ValueTask DisposeAsync()
    {
        await _engine.DisposeAsync();
        try
        {
            Directory.Delete(_folder, true);
        }
        catch (IOException)
        {
        }
    }
}
