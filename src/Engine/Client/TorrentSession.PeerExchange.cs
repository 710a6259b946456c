using System.Net;
using GitTorrent.Engine.Client.Machines;
using GitTorrent.Engine.Wire;
using GitTorrent.Engine.Wire.Extensions;

namespace GitTorrent.Engine.Client;

/// <summary>
/// Driving the peer-exchange machine (BEP 11, ut_pex; what to tell whom, when, and what to dial is decided in
/// <see cref="PeerExchangeMachine{TPeer}"/>): the session feeds it connections, handshakes, bitfields, departures,
/// exchanged peers and ticks; it sends the messages and dials the peers the machine decides, outside the lock.
/// </summary>
internal sealed partial class TorrentSession : IPexHost
{
    private readonly PeerExchangeMachine<PeerState> _pex;

    /// <summary>The remote's extension handshake arrived: learn its listen port, then tell it (and others) about peers.</summary>
    private void OnRemoteExtensionHandshake(PeerState peer, Bencoding.BDictionary handshake)
    {
        var connection = peer.Connection;
        IPEndPoint? listen = null;
        if (!connection.IsOutbound && handshake.GetInteger("p") is { } port and > 0 and <= 65535)
        {
            listen = new IPEndPoint(connection.RemoteEndPoint.Address, (int)port);
            connection.RemoteListenEndPoint = listen;
        }
        lock (_gate)
        {
            _pex.PeerHandshake(peer, listen, connection.RemoteExtensions.ContainsKey(UtPexExtension.ExtensionName), Now);
            ApplyPexCommands();
        }
    }

    int IPexHost.OnPeersExchanged(PeerConnection connection, PexMessage message)
    {
        List<PexCommand<PeerState>>? dials;
        int ignored;
        lock (_gate)
        {
            if (_stop.IsCancellationRequested || !_peers.TryGetValue(connection, out var peer))
            {
                return message.Added.Count;
            }
            ignored = _pex.PeersExchanged(peer, [.. message.Added.Select(p => p.EndPoint)], IsComplete);
            dials = ApplyPexCommands();
        }
        StartPexDials(dials);
        return ignored;
    }

    /// <summary>The metadata arrived: dial the peers heard of before it, unless the torrent is private.</summary>
    private void DialPeersHeardBeforeMetadata()
    {
        List<PexCommand<PeerState>>? dials;
        int ignored;
        lock (_gate)
        {
            ignored = _pex.MetadataKnown(Metainfo!.IsPrivate, IsComplete);
            dials = ApplyPexCommands();
        }
        StartPexDials(dials);
        if (ignored > 0 && _engine.Extensions.Find<UtPexExtension>() is { } pex)
        {
            pex.CountIgnored(ignored);
        }
    }

    /// <summary>
    /// Sends the messages the peer-exchange machine decided (lock held); returns its dials, to be started with
    /// <see cref="StartPexDials"/> once the lock is released.
    /// </summary>
    private List<PexCommand<PeerState>>? ApplyPexCommands()
    {
        List<PexCommand<PeerState>>? dials = null;
        while (_pex.TryTake(out var command))
        {
            if (command.Kind == PexCommandKind.Dial)
            {
                (dials ??= []).Add(command);
            }
            else if (!command.Peer.Connection.SendExtended(UtPexExtension.ExtensionName, command.Message!.Encode()))
            {
                _pex.SendFailed(command.Peer, command.Message);
            }
        }
        return dials;
    }

    private void StartPexDials(List<PexCommand<PeerState>>? dials)
    {
        foreach (var dial in dials ?? [])
        {
            ClientLog.PexDial(_logger, dial.EndPoint!, InfoHash, dial.Source);
            _ = _engine.ConnectToPeerAsync(InfoHash, dial.EndPoint!, _stop.Token).ContinueWith(t =>
            {
                _ = t.Exception;
                lock (_gate)
                {
                    _pex.DialEnded();
                }
            }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        }
    }
}
