using System.Net;
using System.Net.Sockets;
using GitTorrent.Engine.Wire;
using GitTorrent.Engine.Wire.Messages;

namespace GitTorrent.Engine.Client;

public sealed partial class TorrentEngine
{
    private const ulong OurReserved = Handshake.ExtensionProtocolBit;

    private async Task AcceptLoopAsync(Socket listener, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                continue;
            }
            // Refused before any work: no task, no buffers, no handshake read.
            string? refusal = null;
            if (socket.RemoteEndPoint is not IPEndPoint remote || !_limits.TryAcquireInbound(remote.Address, out refusal))
            {
                if (refusal is not null)
                {
                    _limitLog.Bit(refusal);
                }
                socket.Dispose();
                continue;
            }
            _ = Task.Run(() => HandleInboundAsync(socket, remote, cancellationToken), cancellationToken);
        }
    }

    private async Task HandleInboundAsync(Socket socket, IPEndPoint remote, CancellationToken cancellationToken)
    {
        PeerConnection connection;
        try
        {
            connection = new PeerConnection(socket, isOutbound: false, TimeProvider);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            _limits.Release(outbound: false, remote.Address);
            socket.Dispose();
            return;
        }
        var handedOver = false;
        try
        {
            using var timeout = new CancellationTokenSource(Options.HandshakeTimeout, TimeProvider);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
            var handshake = await connection.ReceiveHandshakeAsync(linked.Token).ConfigureAwait(false);
            if (handshake is not { } h)
            {
                ClientLog.HandshakeRefused(Logger, connection.RemoteEndPoint, "not a BitTorrent handshake");
                return;
            }
            connection.InfoHash = h.InfoHash;
            if (_sessions.TryGetValue(h.InfoHash, out var session))
            {
                if (!session.TryAdmit(connection, out var reason))
                {
                    ClientLog.HandshakeRefused(Logger, connection.RemoteEndPoint, reason);
                    return;
                }
                await connection.SendHandshakeAsync(new Handshake(OurReserved, h.InfoHash, PeerId), linked.Token)
                    .ConfigureAwait(false);
                handedOver = true;
                session.StartPeer(connection);
                return;
            }
            if (UnknownInfoHashHandler is { } handler
                && await handler.ShouldAcceptAsync(h.InfoHash, connection.RemoteEndPoint, linked.Token).ConfigureAwait(false))
            {
                await connection.SendHandshakeAsync(new Handshake(OurReserved, h.InfoHash, PeerId), linked.Token)
                    .ConfigureAwait(false);
                handedOver = true;
                StartBare(connection, handler.OnAccepted);
                return;
            }
            Interlocked.Increment(ref _unknownInfoHashes);
            ClientLog.HandshakeRefused(Logger, connection.RemoteEndPoint, "unknown info_hash");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            _limitLog.Bit(ref _handshakeTimeouts, nameof(TorrentEngineOptions.HandshakeTimeout));
        }
        catch (Exception e)
        {
            // A connection task at the top: any failure ends this connection only.
            ClientLog.HandshakeRefused(Logger, connection.RemoteEndPoint, e.Message);
        }
        finally
        {
            if (!handedOver)
            {
                ReleaseConnection(connection);
                await connection.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>Dials <paramref name="endPoint"/> for a torrent this engine has (peers added by address).</summary>
    public async Task ConnectToPeerAsync(Hash20 infoHash, IPEndPoint endPoint, CancellationToken cancellationToken)
    {
        if (!_sessions.TryGetValue(infoHash, out var session))
        {
            throw new GitTorrentException($"Torrent {infoHash} is not in this engine.");
        }
        var connection = await DialAsync(infoHash, endPoint, cancellationToken).ConfigureAwait(false);
        if (!session.TryAdmit(connection, out var reason))
        {
            ReleaseConnection(connection);
            await connection.DisposeAsync().ConfigureAwait(false);
            ClientLog.ConnectFailed(Logger, endPoint, infoHash, reason);
            return;
        }
        session.StartPeer(connection);
    }

    /// <summary>
    /// Dials a peer with a handshake for <paramref name="infoHash"/> that need not be a torrent (ut_gittorrent asks
    /// a seeder with a commit id), sends our BEP 10 handshake and routes extension messages to the registry.
    /// Wait on <see cref="PeerConnection.RemoteExtensionHandshake"/>, then talk with <see cref="PeerConnection.SendExtended(string, ReadOnlyMemory{byte})"/>.
    /// Dispose the connection when done.
    /// </summary>
    public async Task<PeerConnection> ConnectBareAsync(Hash20 infoHash, IPEndPoint endPoint, CancellationToken cancellationToken)
    {
        var connection = await DialAsync(infoHash, endPoint, cancellationToken).ConfigureAwait(false);
        if (!connection.RemoteSupportsExtensions)
        {
            ReleaseConnection(connection);
            await connection.DisposeAsync().ConfigureAwait(false);
            throw new GitTorrentException($"Peer {endPoint} does not speak the extension protocol (BEP 10).");
        }
        StartBare(connection, null);
        return connection;
    }

    private async Task<PeerConnection> DialAsync(Hash20 infoHash, IPEndPoint endPoint, CancellationToken cancellationToken)
    {
        if (!_limits.TryAcquireOutbound())
        {
            _limitLog.Bit(nameof(TorrentEngineOptions.MaxOutboundConnections));
            throw new GitTorrentException("Outbound connection limit reached.");
        }
        PeerConnection? connection = null;
        try
        {
            using var timeout = new CancellationTokenSource(Options.HandshakeTimeout, TimeProvider);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken, _stop.Token);
            var socket = await PeerConnection.ConnectSocketAsync(endPoint, linked.Token).ConfigureAwait(false);
            connection = new PeerConnection(socket, isOutbound: true, TimeProvider) { InfoHash = infoHash };
            await connection.SendHandshakeAsync(new Handshake(OurReserved, infoHash, PeerId), linked.Token).ConfigureAwait(false);
            var handshake = await connection.ReceiveHandshakeAsync(linked.Token).ConfigureAwait(false);
            if (handshake is not { } h || h.InfoHash != infoHash)
            {
                throw new GitTorrentException($"Peer {endPoint} answered with a bad handshake or another info_hash.");
            }
            return connection;
        }
        catch (Exception e)
        {
            _limits.Release(outbound: true, endPoint.Address);
            if (connection is not null)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }
            ClientLog.ConnectFailed(Logger, endPoint, infoHash, e.Message);
            if (e is OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                throw new GitTorrentException($"Connecting to {endPoint} timed out.", e);
            }
            if (e is SocketException or IOException)
            {
                throw new GitTorrentException($"Connecting to {endPoint} failed: {e.Message}", e);
            }
            throw;
        }
    }

    /// <summary>A connection outside any torrent: BEP 10 only (extension handshake, then registry dispatch).</summary>
    private void StartBare(PeerConnection connection, Action<PeerConnection>? onRunning)
    {
        var task = Task.Run(async () =>
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token, connection.Closed);
            var sendLoop = connection.RunSendLoopAsync(null, null, null, linked.Token);
            var watchdog = CloseWhenIdleAsync(connection, linked.Token);
            try
            {
                connection.SendExtended(0, Extensions.BuildHandshake(connection, Options.ClientName, Port));
                onRunning?.Invoke(connection);
                await connection.RunReceiveLoopAsync(HandleBareFrame, linked.Token).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                // Includes exceptions thrown by extensions: they end this connection, never the engine.
                ClientLog.PeerDropped(Logger, connection.RemoteEndPoint, connection.InfoHash, e.Message);
            }
            finally
            {
                connection.Close();
                try
                {
                    await sendLoop.ConfigureAwait(false);
                }
                catch (Exception e) when (e is OperationCanceledException or IOException or SocketException
                    or InvalidOperationException or ObjectDisposedException)
                {
                }
                await watchdog.ConfigureAwait(false);
                await connection.DisposeAsync().ConfigureAwait(false);
                ReleaseConnection(connection);
            }
        });
        _bareConnections.TryAdd(task, 0);
        _ = task.ContinueWith(t => _bareConnections.TryRemove(t, out _), TaskScheduler.Default);
    }

    /// <summary>
    /// Closes a bare connection once no extension message has come for <see cref="TorrentEngineOptions.BareIdleTimeout"/> while
    /// nothing was being done for it.
    /// </summary>
    private async Task CloseWhenIdleAsync(PeerConnection connection, CancellationToken cancellationToken)
    {
        var timeout = Options.BareIdleTimeout;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var idle = TimeProvider.GetElapsedTime(connection.LastExtendedReceived);
                if (idle >= timeout && !connection.IsWorking)
                {
                    Interlocked.Increment(ref _idleClosed);
                    ClientLog.PeerDropped(Logger, connection.RemoteEndPoint, connection.InfoHash, "idle");
                    connection.Close();
                    return;
                }
                await Task.Delay(idle >= timeout ? timeout : timeout - idle, TimeProvider, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // The connection ended first.
        }
    }

    private ValueTask HandleBareFrame(PeerConnection connection, Frame frame)
    {
        if (frame.IsKeepAlive || frame.Id != MessageId.Extended)
        {
            return default;
        }
        connection.LastExtendedReceived = TimeProvider.GetTimestamp();
        if (frame.Payload.Length < 1)
        {
            throw new ProtocolViolationException("Empty extended message.");
        }
        var id = frame.Payload.FirstSpan[0];
        var body = PeerConnection.CopyPayload(frame.Payload.Slice(1));
        if (id == 0)
        {
            Extensions.ApplyRemoteHandshake(connection, body);
        }
        else if (Extensions.TryGet(id, out var extension))
        {
            extension.OnMessage(connection, body);
        }
        return default;
    }

    /// <summary>Gives back the slot of a connection that ends (sessions call it for their peers).</summary>
    internal void ReleaseConnection(PeerConnection connection) =>
        _limits.Release(connection.IsOutbound, connection.RemoteEndPoint.Address);

    /// <summary>A torrent peer closed for silence (<see cref="TorrentEngineOptions.PeerIdleTimeout"/>).</summary>
    internal void CountIdleClosed() => Interlocked.Increment(ref _idleClosed);

    /// <summary>Connections held and refused, and why connections ended early.</summary>
    public ConnectionStatistics GetConnectionStatistics() => new(_limits.Inbound, _limits.Outbound, _limits.RefusedInbound,
        _limits.RefusedPerAddress, _limits.RefusedOutbound, Interlocked.Read(ref _handshakeTimeouts), Interlocked.Read(ref _idleClosed),
        Interlocked.Read(ref _unknownInfoHashes));
}
