using GitTorrent.Engine.Bencoding;

namespace GitTorrent.Engine.Wire.Extensions;

/// <summary>
/// A BEP 10 extension. Registered in the engine's <see cref="ExtensionRegistry"/>, it is advertised under
/// <see cref="Name"/> in the <c>m</c> dictionary of every extension handshake, and receives every extended message
/// a peer sends under the id we assigned to it. It replies with <see cref="PeerConnection.SendExtended(string, ReadOnlyMemory{byte})"/>.
/// </summary>
public interface IExtension
{
    /// <summary>Name in the <c>m</c> dictionary, e.g. <c>ut_metadata</c> or <c>ut_gittorrent</c>.</summary>
    string Name { get; }

    /// <summary>Adds keys of this extension to our handshake to <paramref name="connection"/> (e.g. <c>metadata_size</c>).</summary>
    void ContributeHandshake(PeerConnection connection, BDictionary handshake)
    {
    }

    /// <summary>The remote's BEP 10 handshake arrived; <see cref="PeerConnection.RemoteExtensions"/> is set.</summary>
    void OnRemoteHandshake(PeerConnection connection, BDictionary handshake)
    {
    }

    /// <summary>
    /// One message for this extension. <paramref name="payload"/> is a copy the extension may keep. Runs on the
    /// connection's receive loop: return quickly and start longer work as a task of your own. Throw
    /// <see cref="ProtocolViolationException"/> to drop the peer.
    /// </summary>
    void OnMessage(PeerConnection connection, ReadOnlyMemory<byte> payload);
}
