using GitTorrent.Engine.Torrents;
using GitTorrent.Engine.Wire;
using GitTorrent.Engine.Wire.Extensions;
using GitTorrent.Engine.Wire.Messages;
using GitTorrent.Engine.Base;

namespace GitTorrent.Engine.Swarm;

/// <summary>
/// Fetching the info dictionary with ut_metadata (BEP 9) when only the infohash is known. The whole dictionary is
/// asked of one peer at a time, so when it does not hash to the infohash the liar is known: that peer is not asked
/// again and the next one is. A peer that rejects or stalls hands over to the next one.
/// </summary>
internal sealed partial class TorrentSession
{
    private static readonly TimeSpan MetadataRequestTimeout = TimeSpan.FromSeconds(10);

    private byte[]? _metadataBuffer;
    private bool[]? _metadataReceived;
    private long _metadataAskedAt;
    private PeerState? _metadataSource;
    private bool _metadataVerifying;
    private readonly HashSet<Hash20> _metadataLiars = [];
    private readonly HashSet<PeerState> _metadataTried = [];

    void IMetadataHost.OnMetadataOffered(PeerConnection connection, int size)
    {
        lock (_gate)
        {
            if (_peers.TryGetValue(connection, out var peer))
            {
                peer.MetadataSize = size;
                if (_metadataSource is null)
                {
                    NextMetadataSource();
                }
            }
        }
    }

    /// <summary>Picks the next peer to ask for the whole info dictionary and asks it (lock held).</summary>
    private void NextMetadataSource()
    {
        _metadataSource = null;
        _metadataBuffer = null;
        if (Metainfo is not null || _metadataVerifying)
        {
            return;
        }
        var candidates = _peers.Values
            .Where(p => p.MetadataSize > 0 && !p.Connection.IsClosed && !_metadataLiars.Contains(p.Connection.RemotePeerId))
            .ToList();
        if (candidates.Count == 0)
        {
            return;
        }
        if (candidates.All(_metadataTried.Contains))
        {
            _metadataTried.Clear(); // everybody stalled or refused once: go round again
        }
        var source = candidates.First(p => !_metadataTried.Contains(p));
        _metadataTried.Add(source);
        _metadataSource = source;
        var size = source.MetadataSize;
        _metadataBuffer = new byte[size];
        _metadataReceived = new bool[(size + WireLimits.MetadataPieceSize - 1) / WireLimits.MetadataPieceSize];
        _metadataAskedAt = _engine.TimeProvider.GetTimestamp();
        for (var i = 0; i < _metadataReceived.Length; i++)
        {
            UtMetadataExtension.Request(source.Connection, i);
        }
    }

    void IMetadataHost.OnMetadataPiece(PeerConnection connection, int piece, int totalSize, ReadOnlySpan<byte> data)
    {
        byte[] complete;
        lock (_gate)
        {
            if (Metainfo is not null || _metadataVerifying || _metadataBuffer is null || _metadataSource?.Connection != connection)
            {
                return; // not asked (or no longer asked) of this peer
            }
            if (totalSize != _metadataBuffer.Length || piece >= _metadataReceived!.Length)
            {
                throw new ProtocolViolationException("ut_metadata piece does not fit the announced size.");
            }
            var offset = piece * WireLimits.MetadataPieceSize;
            if (data.Length != Math.Min(WireLimits.MetadataPieceSize, totalSize - offset))
            {
                throw new ProtocolViolationException("ut_metadata piece of the wrong length.");
            }
            data.CopyTo(_metadataBuffer.AsSpan(offset));
            _metadataReceived[piece] = true;
            _metadataAskedAt = _engine.TimeProvider.GetTimestamp();
            if (_metadataReceived.Any(r => !r))
            {
                return;
            }
            complete = _metadataBuffer;
            if (Hash20.Sha1(complete) != InfoHash)
            {
                _metadataLiars.Add(connection.RemotePeerId);
                connection.Close();
                NextMetadataSource();
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
            if (_metadataSource?.Connection == connection)
            {
                NextMetadataSource();
            }
        }
    }

    /// <summary>Timer (lock held): moves on when the current source left or stalled, or starts when nobody was asked.</summary>
    private void RetryMetadata()
    {
        if (Metainfo is not null || _metadataVerifying)
        {
            return;
        }
        if (_metadataSource is null || !_peers.ContainsKey(_metadataSource.Connection)
            || _engine.TimeProvider.GetElapsedTime(_metadataAskedAt) > MetadataRequestTimeout)
        {
            NextMetadataSource();
        }
    }
}
