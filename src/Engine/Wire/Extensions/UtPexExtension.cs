namespace GitTorrent.Engine.Wire.Extensions;

/// <summary>
/// ut_pex (BEP 11), peer exchange: each side tells the other which peers of the torrent it is connected to (their
/// listen endpoints), in full once after the extension handshake and then as differences at most once a minute.
/// The torrent session sends them and dials what it learns; this class decodes and counts. A malformed message is
/// dropped and counted, never fatal to the connection.
/// </summary>
public sealed class UtPexExtension : IExtension
{
    public const string ExtensionName = "ut_pex";

    private long _messages;
    private long _malformed;
    private long _ignoredPeers;

    public string Name => ExtensionName;

    /// <summary>ut_pex messages received.</summary>
    public long MessagesReceived => Interlocked.Read(ref _messages);

    /// <summary>Messages that were not a dictionary or had a peer list of the wrong length (dropped).</summary>
    public long MalformedMessages => Interlocked.Read(ref _malformed);

    /// <summary>Peers not used: port 0, beyond the per-message limit, ourselves, already known, or over the connection limit.</summary>
    public long IgnoredPeers => Interlocked.Read(ref _ignoredPeers);

    internal void CountIgnored(int peers) => Interlocked.Add(ref _ignoredPeers, peers);

    public void OnMessage(PeerConnection connection, ReadOnlyMemory<byte> payload)
    {
        Interlocked.Increment(ref _messages);
        if (!PexMessage.TryDecode(payload, out var message, out var skipped))
        {
            Interlocked.Increment(ref _malformed);
            return;
        }
        var ignored = skipped;
        if (connection.PexHost is { } host)
        {
            ignored += host.OnPeersExchanged(connection, message);
        }
        else
        {
            ignored += message.Added.Count;
        }
        Interlocked.Add(ref _ignoredPeers, ignored);
    }
}
