using System.Net;
using GitTorrent.Engine.Client.Machines;
using GitTorrent.Engine.Wire;

namespace GitTorrent.Engine.Client;

/// <summary>
/// Driving the ban machine (who is struck and banned is decided in <see cref="BanMachine{TPeer, TKey}"/>): the session
/// reports failed pieces, refuses banned keys at admission, and closes (every connection under the key), counts and logs
/// the peers it bans.
/// </summary>
internal sealed partial class TorrentSession
{
    private static long s_peersBanned;
    private readonly BanMachine<PeerState, string> _bans;
    private readonly List<IPEndPoint> _bannedEndPoints = [];

    /// <summary>Peers banned in this process for sending pieces that failed their hash (<see cref="TorrentEngineOptions.StrikesBeforeBan"/>).</summary>
    public static long PeersBanned => Interlocked.Read(ref s_peersBanned);

    /// <summary>What a ban holds on to: the address, or on loopback (where every test peer lives) address and peer id.</summary>
    private static string BanKey(PeerConnection connection) =>
        IPAddress.IsLoopback(connection.RemoteEndPoint.Address)
            ? $"{connection.RemoteEndPoint.Address}/{connection.RemotePeerId}"
            : connection.RemoteEndPoint.Address.ToString();

    /// <summary>Closes, counts and logs the peers the ban machine banned (lock held).</summary>
    private void ApplyBanCommands()
    {
        while (_bans.TryTake(out var command))
        {
            var connection = command.Peer.Connection;
            Interlocked.Increment(ref s_peersBanned);
            _bannedEndPoints.Add(connection.RemoteEndPoint);
            ClientLog.PeerBanned(_logger, connection.RemoteEndPoint, InfoHash, command.Index);
            connection.Close();
            // Other connections under the same key (several peer ids from one address) go too.
            var key = BanKey(connection);
            foreach (var other in _peers.Keys)
            {
                if (other != connection && BanKey(other) == key)
                {
                    other.Close();
                }
            }
        }
    }
}
