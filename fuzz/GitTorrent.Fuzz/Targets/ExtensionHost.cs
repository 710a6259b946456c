using System.Net;
using System.Net.Sockets;
using GitTorrent.Engine;
using GitTorrent.Engine.Wire;
using GitTorrent.Engine.Wire.Extensions;

namespace GitTorrent.Fuzz.Targets;

/// <summary>
/// The receiving end of the BEP 10 extensions as a node runs them: a registry with ut_gittorrent (a seeder whose packs
/// are ready at once), ut_metadata and ut_pex, and one real <see cref="PeerConnection"/> over loopback (nothing reads
/// its other end; when its send queue is full it closes and a new one is made). It is the torrent behind the
/// connection too, holding a 40 KiB info dictionary, so metadata requests are served and offers and pieces arrive.
/// </summary>
public sealed class ExtensionHost : IMetadataHost, IPexHost, IGitTorrentPackProvider
{
    private static readonly Lazy<ExtensionHost> Shared = new(() => new ExtensionHost());

    private readonly byte[] _infoBytes = new byte[40 * 1024];
    private Socket? _remote;
    private PeerConnection? _connection;

    private ExtensionHost()
    {
        Registry.Register(new GitTorrentExtension(this));
        Registry.Register(new UtMetadataExtension());
        Registry.Register(new UtPexExtension());
    }

    public static ExtensionHost Instance => Shared.Value;

    public ExtensionRegistry Registry { get; } = new();

    /// <summary>An open connection whose remote speaks every extension with the ids we use (1, 2, 3).</summary>
    public PeerConnection Connection
    {
        get
        {
            if (_connection is null || _connection.IsClosed)
            {
                _remote?.Dispose();
                using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
                listener.Listen(1);
                _remote = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                _remote.Connect(listener.LocalEndPoint!);
                _connection = new PeerConnection(listener.Accept(), isOutbound: false, TimeProvider.System)
                {
                    MetadataHost = this,
                    PexHost = this,
                };
            }
            _connection.RemoteExtensions = Registry.Extensions.Select((e, i) => (e.Name, Id: (byte)(i + 1)))
                .ToDictionary(e => e.Name, e => e.Id);
            return _connection;
        }
    }

    /// <summary>Hands <paramref name="payload"/> to the extension called <paramref name="name"/>, as the session does.</summary>
    public void Deliver(string name, ReadOnlyMemory<byte> payload) =>
        Registry.Extensions.Single(e => e.Name == name).OnMessage(Connection, payload);

    ReadOnlyMemory<byte> IMetadataHost.InfoBytes => _infoBytes;

    void IMetadataHost.OnMetadataOffered(PeerConnection connection, int size) =>
        FuzzInvariantException.Check(size is > 0 and <= Engine.Base.WireLimits.MaxMetadataSize, "metadata_size out of range was offered");

    void IMetadataHost.OnMetadataPiece(PeerConnection connection, int piece, int totalSize, ReadOnlySpan<byte> data) =>
        FuzzInvariantException.Check(piece >= 0 && totalSize > 0 && data.Length <= Engine.Base.WireLimits.MetadataPieceSize,
            "a metadata piece out of range was delivered");

    void IMetadataHost.OnMetadataRejected(PeerConnection connection, int piece) =>
        FuzzInvariantException.Check(piece >= 0, "a negative metadata piece was rejected");

    int IPexHost.OnPeersExchanged(PeerConnection connection, PexMessage message)
    {
        FuzzInvariantException.Check(message.Added.Count <= PexMessage.MaxPeersPerMessage && message.Dropped.Count <= PexMessage.MaxPeersPerMessage,
            "more pex peers than the limit were delivered");
        FuzzInvariantException.Check(message.Added.All(p => p.EndPoint.Port != 0) && message.Dropped.All(e => e.Port != 0),
            "a pex peer with port 0 was delivered");
        return 0;
    }

    Task<Hash20> IGitTorrentPackProvider.GetPackInfoHashAsync(Hash20 want, IReadOnlyList<Hash20> haves, CancellationToken cancellationToken)
    {
        FuzzInvariantException.Check(haves.Count <= GitTorrentMessage.MaxHaves, "more haves than the limit reached the pack provider");
        return Task.FromResult(Hash20.Sha1(want.ToArray()));
    }
}
