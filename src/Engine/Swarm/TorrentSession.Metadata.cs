using GitTorrent.Engine.Torrents;
using GitTorrent.Engine.Wire;
using GitTorrent.Engine.Wire.Extensions;
using GitTorrent.Engine.Wire.Messages;

namespace GitTorrent.Engine.Swarm;

/// <summary>Fetching the info dictionary with ut_metadata (BEP 9) when only the infohash is known.</summary>
internal sealed partial class TorrentSession
{
    private byte[]? _metadataBuffer;
    private bool[]? _metadataReceived;
    private long[]? _metadataRequestedAt;
    private bool _metadataVerifying;

    private static readonly TimeSpan MetadataRequestTimeout = TimeSpan.FromSeconds(10);

    void IMetadataHost.OnMetadataOffered(PeerConnection connection, int size)
    {
        lock (_gate)
        {
            if (!_peers.TryGetValue(connection, out var peer))
            {
                return;
            }
            peer.MetadataSize = size;
            if (Metainfo is not null || _metadataVerifying)
            {
                return;
            }
            if (_metadataBuffer is null)
            {
                var pieces = (size + WireLimits.MetadataPieceSize - 1) / WireLimits.MetadataPieceSize;
                _metadataBuffer = new byte[size];
                _metadataReceived = new bool[pieces];
                _metadataRequestedAt = new long[pieces];
            }
            RequestMetadata(peer);
        }
    }

    /// <summary>Asks <paramref name="peer"/> for every metadata piece nobody was asked for recently (lock held).</summary>
    private void RequestMetadata(PeerState peer)
    {
        if (_metadataBuffer is null || peer.MetadataSize != _metadataBuffer.Length)
        {
            return;
        }
        var now = _engine.TimeProvider.GetTimestamp();
        for (var i = 0; i < _metadataReceived!.Length; i++)
        {
            if (!_metadataReceived[i] && (_metadataRequestedAt![i] == 0
                || _engine.TimeProvider.GetElapsedTime(_metadataRequestedAt[i], now) > MetadataRequestTimeout))
            {
                if (UtMetadataExtension.Request(peer.Connection, i))
                {
                    _metadataRequestedAt[i] = now;
                }
            }
        }
    }

    void IMetadataHost.OnMetadataPiece(PeerConnection connection, int piece, int totalSize, ReadOnlySpan<byte> data)
    {
        byte[] complete;
        lock (_gate)
        {
            if (Metainfo is not null || _metadataVerifying || _metadataBuffer is null)
            {
                return;
            }
            if (totalSize != _metadataBuffer.Length || piece >= _metadataReceived!.Length)
            {
                throw new ProtocolViolationException("ut_metadata piece does not fit the announced size.");
            }
            var offset = piece * WireLimits.MetadataPieceSize;
            var expected = Math.Min(WireLimits.MetadataPieceSize, totalSize - offset);
            if (data.Length != expected)
            {
                throw new ProtocolViolationException("ut_metadata piece of the wrong length.");
            }
            data.CopyTo(_metadataBuffer.AsSpan(offset));
            _metadataReceived[piece] = true;
            if (_metadataReceived.Any(r => !r))
            {
                return;
            }
            complete = _metadataBuffer;
            if (Hash20.Sha1(complete) != InfoHash)
            {
                // Somebody sent wrong bytes: start over (the peers stay; BEP 9 gives no way to tell who lied).
                _metadataBuffer = null;
                _metadataReceived = null;
                _metadataRequestedAt = null;
                connection.Close();
                return;
            }
            _metadataVerifying = true;
        }
        TorrentMetainfo metainfo;
        try
        {
            metainfo = TorrentMetainfo.FromInfoBytes(complete);
        }
        catch (GitTorrentException e)
        {
            _metadata.TrySetException(e);
            _complete.TrySetException(e);
            return;
        }
        SwarmLog.MetadataReceived(_logger, InfoHash, complete.Length);
        _ = Task.Run(async () =>
        {
            try
            {
                await InitializeStorageAsync(metainfo, _stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or GitTorrentException)
            {
                _complete.TrySetException(e);
            }
            catch (OperationCanceledException)
            {
                _complete.TrySetCanceled();
            }
        });
    }

    void IMetadataHost.OnMetadataRejected(PeerConnection connection, int piece)
    {
        lock (_gate)
        {
            if (_metadataRequestedAt is not null && piece < _metadataRequestedAt.Length)
            {
                _metadataRequestedAt[piece] = 0;
            }
        }
    }

    /// <summary>Timer: re-asks for metadata pieces whose request timed out.</summary>
    private void RetryMetadata()
    {
        if (Metainfo is not null || _metadataBuffer is null || _metadataVerifying)
        {
            return;
        }
        foreach (var peer in _peers.Values)
        {
            RequestMetadata(peer);
        }
    }
}
