using System.Net;
using GitTorrent.Engine.Wire;

namespace GitTorrent.Engine.Client;

/// <summary>
/// Decides about inbound handshakes whose info_hash names no torrent of this engine. ut_gittorrent uses it: the
/// client's handshake carries a git commit id (docs/PROTOCOL.md section 4). An accepted connection is answered with a
/// handshake for that same id and kept as a bare BEP 10 connection: the engine sends its extension handshake,
/// routes extension messages to the <see cref="Wire.Extensions.ExtensionRegistry"/>, and ignores piece traffic.
/// </summary>
public interface IUnknownInfoHashHandler
{
    /// <summary>True to accept the connection for <paramref name="infoHash"/>.</summary>
    ValueTask<bool> ShouldAcceptAsync(Hash20 infoHash, IPEndPoint remote, CancellationToken cancellationToken);

    /// <summary>Called once the accepted connection is running (our handshakes sent).</summary>
    void OnAccepted(PeerConnection connection)
    {
    }
}
