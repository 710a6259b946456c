using GitTorrent.Engine.Torrents;
using GitTorrent.Engine.Wire;
using GitTorrent.Engine.Wire.Extensions;
using GitTorrent.Engine.Client.Machines;

namespace GitTorrent.Engine.Client;

/// <summary>
/// Driving the metadata machine (ut_metadata, BEP 9, when only the infohash is known; whom to ask, when to move on and
/// who lied is decided in <see cref="MetadataMachine{TPeer}"/>): the session feeds it offers, pieces, rejections,
/// departures and ticks, sends its requests, closes its liars, and opens the storage once the dictionary is verified.
/// </summary>
internal sealed partial class TorrentSession
{
    /// <summary>Null when the torrent was added with its metadata.</summary>
    private readonly MetadataMachine<PeerState>? _metadataExchange;

    void IMetadataHost.OnMetadataOffered(PeerConnection connection, int size)
    {
        lock (_gate)
        {
            if (_metadataExchange is not null && _peers.TryGetValue(connection, out var peer))
            {
                _metadataExchange.PeerOffered(peer, connection.RemotePeerId, size, Now);
                ApplyMetadataCommands();
            }
        }
    }

    void IMetadataHost.OnMetadataPiece(PeerConnection connection, int piece, int totalSize, ReadOnlySpan<byte> data)
    {
        byte[] complete;
        lock (_gate)
        {
            if (_metadataExchange is null || !_peers.TryGetValue(connection, out var peer))
            {
                return;
            }
            var result = _metadataExchange.PieceReceived(peer, piece, totalSize, data, Now);
            ApplyMetadataCommands();
            switch (result)
            {
                case MetadataPieceResult.WrongSize:
                    throw new ProtocolViolationException("ut_metadata piece does not fit the announced size.");
                case MetadataPieceResult.WrongLength:
                    throw new ProtocolViolationException("ut_metadata piece of the wrong length.");
                case MetadataPieceResult.Complete:
                    complete = _metadataExchange.Metadata!;
                    break;
                default:
                    return;
            }
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
        ClientLog.MetadataReceived(_logger, InfoHash, complete.Length);
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
            if (_metadataExchange is not null && _peers.TryGetValue(connection, out var peer))
            {
                _metadataExchange.Rejected(peer, Now);
                ApplyMetadataCommands();
            }
        }
    }

    /// <summary>Sends the metadata requests and closes the liars the metadata machine decided (lock held).</summary>
    private void ApplyMetadataCommands()
    {
        if (_metadataExchange is null)
        {
            return;
        }
        while (_metadataExchange.TryTake(out var command))
        {
            if (command.Kind == SwarmCommandKind.RequestMetadata)
            {
                UtMetadataExtension.Request(command.Peer.Connection, command.Index);
            }
            else
            {
                command.Peer.Connection.Close();
            }
        }
    }
}
