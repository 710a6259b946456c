namespace GitTorrent.Engine.Wire.Extensions;

/// <summary>The torrent behind a connection, as ut_pex sees it.</summary>
internal interface IPexHost
{
    /// <summary>Peers the remote told us about; returns how many of them were ignored (ours, known, over a limit).</summary>
    int OnPeersExchanged(PeerConnection connection, PexMessage message);
}
